/* flagpole widget: "Was this article helpful?" and "Report a problem with this article".
   One file, no framework, no third-party requests, no cookies. Renders into a Shadow DOM under
   every <div data-flagpole> so the page's styles and ours leave each other alone. Every error is
   caught here: the widget must never break the page it sits on. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[src*='widget.js']");
  var API = script ? new URL(script.src, location.href).origin : location.origin;
  /* Filled in by the server from src/widget/strings.json, the one table of every string. */
  var STRINGS = __FLAGPOLE_STRINGS__;
  var REASONS = ["inaccurate", "outdated", "unclear", "missing", "other"];
  var CATEGORIES = ["inaccurate", "outdated", "unclear", "harmful", "broken_link", "typo", "other"];
  var MIN_REPORT_MS = 1500;
  var CSS =
    ".fp{all:initial;display:block;box-sizing:border-box;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;" +
    "color:var(--fg);--fg:#1b1b1b;--bg:#f3f2f1;--line:#b1b4b6;--accent:#1d5fa6;--err:#b00020;--ok:#00703c;" +
    "background:var(--bg);border-top:4px solid var(--accent);padding:1em;margin:2em 0;max-width:100%}" +
    "@media (prefers-color-scheme:dark){.fp{--fg:#f0f0f0;--bg:#222;--line:#777;--accent:#8cb8f0;--err:#ff8a8a;--ok:#7fd99a}}" +
    ".fp *,.fp *::before,.fp *::after{box-sizing:border-box;font:inherit;color:inherit}" +
    ".fp p,.fp fieldset,.fp h2{margin:0 0 .75em}.fp h2,.fp .q{font-size:1.15em;font-weight:700}" +
    ".fp fieldset{border:0;padding:0}.fp legend{font-weight:700;padding:0;margin-bottom:.5em}" +
    ".fp button{cursor:pointer;border:2px solid var(--accent);background:transparent;padding:.4em 1.1em;margin:0 .5em .5em 0;border-radius:4px;min-height:44px;min-width:44px}" +
    ".fp button.primary{background:var(--accent);color:var(--bg)}" +
    ".fp button.link{border:0;padding:.2em 0;min-height:0;text-decoration:underline;color:var(--accent);text-align:left}" +
    ".fp :focus-visible{outline:3px solid #fd0;outline-offset:2px;box-shadow:0 0 0 5px #0b0c0c}" +
    ".fp label{display:block;margin:.25em 0}.fp .choice{display:flex;gap:.5em;align-items:flex-start;margin:.35em 0}" +
    ".fp .choice input{width:1.25em;height:1.25em;margin:.15em 0 0;flex:none}" +
    ".fp textarea,.fp input[type=email]{display:block;width:100%;border:2px solid var(--line);background:transparent;padding:.4em;margin:.25em 0 .75em;border-radius:0}" +
    ".fp textarea{min-height:4.5em;resize:vertical}" +
    ".fp .hint{font-size:.9em;opacity:.85}.fp .error{color:var(--err);font-weight:700}" +
    ".fp .invalid{border-left:4px solid var(--err);padding-left:.75em}" +
    ".fp .done{color:var(--ok);font-weight:700}" +
    ".fp .trap{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}" +
    ".fp .row{display:flex;flex-wrap:wrap;align-items:center}" +
    ".fp hr{border:0;border-top:1px solid var(--line);margin:1em 0}" +
    "@media (prefers-reduced-motion:no-preference){.fp button{transition:background-color .15s}}";

  function pick(lang) {
    lang = (lang || "en").toLowerCase().split("-")[0];
    return STRINGS[lang] || STRINGS.en;
  }

  function meta(selector, attr) {
    var el = document.querySelector(selector);
    return el ? el.getAttribute(attr) : null;
  }

  /* The revision readers saw: the page's JSON-LD dateModified, else article:modified_time. */
  function revision() {
    var blocks = document.querySelectorAll("script[type='application/ld+json']");
    for (var i = 0; i < blocks.length; i++) {
      try {
        var data = JSON.parse(blocks[i].textContent);
        var list = Array.isArray(data) ? data : (data["@graph"] || [data]);
        for (var j = 0; j < list.length; j++) if (list[j] && list[j].dateModified) return String(list[j].dateModified);
      } catch (e) { /* a broken JSON-LD block is the page's business */ }
    }
    return meta("meta[property='article:modified_time']", "content");
  }

  function articleUrl() {
    var canonical = meta("link[rel='canonical']", "href");
    if (canonical) return new URL(canonical, location.href).href;
    return location.origin + location.pathname;
  }

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    for (var k in attrs) {
      if (k === "text") el.textContent = attrs[k];
      else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== false && attrs[k] != null) el.setAttribute(k, attrs[k] === true ? "" : attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) el.appendChild(c); });
    return el;
  }

  var lastSelection = "";
  document.addEventListener("selectionchange", function () {
    try {
      var s = String(window.getSelection() || "").trim();
      if (s) lastSelection = s.slice(0, 1000);
    } catch (e) { /* ignore */ }
  });

  function Widget(mount) {
    var lang = mount.getAttribute("data-lang") || (mount.closest("[lang]") || document.documentElement).getAttribute("lang");
    this.t = pick(lang);
    this.lang = lang;
    this.article = mount.getAttribute("data-article-url") || articleUrl();
    this.title = mount.getAttribute("data-title") || meta("meta[property='og:title']", "content") || document.title;
    this.revision = mount.getAttribute("data-revision") || revision();
    this.key = "flagpole:vote:" + this.article;
    var root = mount.attachShadow ? mount.attachShadow({ mode: "open" }) : mount;
    /* A constructed stylesheet is not inline style, so a strict Content-Security-Policy on the
       publisher's page does not block it. */
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      root.appendChild(h("style", { text: CSS }));
    }
    this.box = h("section", { "class": "fp", "aria-label": this.t.question, lang: lang || "en" });
    root.appendChild(this.box);
    this.vote = h("div");
    this.status = h("p", { role: "status", "aria-live": "polite", "class": "done" });
    this.reportArea = h("div");
    this.reportButton = h("button", { type: "button", "class": "link", "aria-expanded": "false", text: this.t.report,
      onclick: this.toggleReport.bind(this) });
    this.box.appendChild(this.vote);
    this.box.appendChild(this.status);
    this.box.appendChild(h("hr"));
    this.box.appendChild(this.reportButton);
    this.box.appendChild(this.reportArea);
    var known = this.remembered();
    if (known) this.showRemembered(known.helpful); else this.ask();
    var self = this;
    if (location.hash === "#flagpole-thanks" || location.hash === "#flagpole-reported") {
      self.say(location.hash === "#flagpole-thanks" ? self.t.thanks : self.t.reported);
    }
  }

  Widget.prototype.remembered = function () {
    try { return JSON.parse(localStorage.getItem(this.key) || "null"); } catch (e) { return null; }
  };

  Widget.prototype.remember = function (helpful) {
    try { localStorage.setItem(this.key, JSON.stringify({ helpful: helpful, at: Date.now() })); } catch (e) { /* private mode */ }
  };

  Widget.prototype.say = function (text) {
    this.status.textContent = "";
    var status = this.status;
    /* A fresh text node, so screen readers announce a repeat of the same words too. */
    setTimeout(function () { status.textContent = text; }, 50);
  };

  Widget.prototype.replace = function (area, nodes) {
    area.textContent = "";
    nodes.forEach(function (n) { if (n) area.appendChild(n); });
  };

  Widget.prototype.ask = function () {
    var t = this.t, self = this;
    var q = h("p", { id: "fp-q", "class": "q", text: t.question });
    this.replace(this.vote, [q, h("div", { "class": "row", role: "group", "aria-labelledby": "fp-q" }, [
      h("button", { type: "button", text: t.yes, onclick: function () { self.sendVote(true); } }),
      h("button", { type: "button", text: t.no, onclick: function () { self.sendVote(false); } })
    ])]);
  };

  Widget.prototype.showRemembered = function (helpful) {
    var t = this.t, self = this;
    this.replace(this.vote, [h("p", { text: helpful ? t.said_yes : t.said_no }),
      h("button", { type: "button", "class": "link", text: t.change, onclick: function () {
        self.ask(); self.vote.querySelector("button").focus();
      } })]);
  };

  Widget.prototype.post = function (path, body, onDone, onError) {
    var self = this;
    try {
      fetch(API + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
        credentials: "omit", mode: "cors" })
        .then(function (r) {
          if (r.ok) return onDone();
          return r.json().catch(function () { return {}; }).then(function (j) {
            var e = (j && j.error) || {};
            onError(r.status === 429 ? self.t.too_many : (e.message || self.t.offline), e.field, r.status);
          });
        })
        .catch(function () { onError(self.t.offline); });
    } catch (e) { onError(self.t.offline); }
  };

  Widget.prototype.base = function (extra) {
    var body = { article_url: this.article };
    if (this.title) body.title = String(this.title).slice(0, 300);
    if (this.revision) body.revision = String(this.revision).slice(0, 100);
    for (var k in extra) body[k] = extra[k];
    return body;
  };

  Widget.prototype.errorBox = function (text, retry) {
    var t = this.t;
    return h("div", { role: "alert", "class": "invalid" }, [
      h("p", { "class": "error", text: text }),
      retry ? h("button", { type: "button", text: t.retry, onclick: retry }) : null
    ]);
  };

  Widget.prototype.sendVote = function (helpful) {
    var self = this, t = this.t;
    var buttons = this.vote.querySelectorAll("button");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    this.post("/api/v1/votes", this.base({ helpful: helpful }), function () {
      self.remember(helpful);
      if (helpful) {
        self.replace(self.vote, [h("p", { text: t.said_yes })]);
        self.say(t.thanks);
      } else {
        self.askWhy();
      }
    }, function (message) {
      self.ask();
      self.vote.appendChild(self.errorBox(message, function () { self.sendVote(helpful); }));
      self.vote.querySelector("[role=alert] button").focus();
    });
  };

  Widget.prototype.askWhy = function () {
    var t = this.t, self = this;
    var boxes = REASONS.map(function (r) {
      return h("label", { "class": "choice" }, [h("input", { type: "checkbox", name: "reason", value: r }), h("span", { text: t["r_" + r] })]);
    });
    var comment = h("textarea", { id: "fp-comment", name: "comment", maxlength: "1000" });
    var error = h("div");
    var form = h("form", { novalidate: true, onsubmit: function (ev) {
      ev.preventDefault();
      var reasons = [];
      form.querySelectorAll("input[name=reason]:checked").forEach(function (c) { reasons.push(c.value); });
      var send = form.querySelector("button[type=submit]");
      send.disabled = true;
      self.post("/api/v1/votes", self.base({ helpful: false, reasons: reasons, comment: comment.value || undefined }), function () {
        self.replace(self.vote, [h("p", { text: t.said_no })]);
        self.say(t.thanks);
      }, function (message) {
        send.disabled = false;
        self.replace(error, [self.errorBox(message)]);
        error.querySelector("[role=alert]").setAttribute("tabindex", "-1");
        error.querySelector("[role=alert]").focus();
      });
    } }, [
      h("fieldset", {}, [h("legend", { text: t.what_wrong })].concat(boxes)),
      h("label", { "for": "fp-comment", text: t.comment }), comment, error,
      h("button", { type: "submit", "class": "primary", text: t.send })
    ]);
    this.replace(this.vote, [form]);
    form.querySelector("input").focus();
  };

  Widget.prototype.toggleReport = function () {
    if (this.reportButton.getAttribute("aria-expanded") === "true") return this.closeReport();
    this.reportButton.setAttribute("aria-expanded", "true");
    this.openReport();
  };

  Widget.prototype.closeReport = function () {
    this.reportButton.setAttribute("aria-expanded", "false");
    this.reportArea.textContent = "";
    this.reportButton.focus();
  };

  Widget.prototype.openReport = function () {
    var t = this.t, self = this, opened = Date.now();
    var radios = CATEGORIES.map(function (c) {
      return h("label", { "class": "choice" }, [h("input", { type: "radio", name: "category", value: c }), h("span", { text: t["c_" + c] })]);
    });
    var catError = h("p", { id: "fp-cat-err", "class": "error" });
    var catSet = h("fieldset", { "aria-describedby": "fp-cat-err" }, [h("legend", { text: t.category }), catError].concat(radios));
    var quote = h("textarea", { id: "fp-quote", name: "quote", maxlength: "1000", "aria-describedby": "fp-quote-hint" });
    quote.value = lastSelection;
    var details = h("textarea", { id: "fp-details", name: "details", maxlength: "4000" });
    var emailError = h("p", { id: "fp-email-err", "class": "error" });
    var email = h("input", { type: "email", id: "fp-email", name: "email", autocomplete: "email", maxlength: "254", "aria-describedby": "fp-email-err fp-privacy" });
    var consent = h("input", { type: "checkbox", id: "fp-consent", name: "contact_consent" });
    var trap = h("input", { type: "text", name: "website", tabindex: "-1", autocomplete: "off" });
    var failure = h("div");
    var form = h("form", { novalidate: true, "aria-labelledby": "fp-report-title" }, [
      h("h2", { id: "fp-report-title", text: t.report_title }),
      catSet,
      h("label", { "for": "fp-quote", text: t.quote }),
      h("p", { id: "fp-quote-hint", "class": "hint", text: t.quote_hint }), quote,
      h("label", { "for": "fp-details", text: t.details }), details,
      h("label", { "for": "fp-email", text: t.email }), emailError, email,
      h("label", { "class": "choice" }, [consent, h("span", { text: t.consent })]),
      h("p", { id: "fp-privacy", "class": "hint", text: t.privacy }),
      h("div", { "class": "trap", "aria-hidden": "true" }, [h("label", { text: "Website" }, [trap])]),
      failure,
      h("div", { "class": "row" }, [
        h("button", { type: "submit", "class": "primary", text: t.send_report }),
        h("button", { type: "button", text: t.cancel, onclick: function () { self.closeReport(); } })
      ])
    ]);
    function mark(set, msgEl, msg) {
      msgEl.textContent = msg || "";
      set.classList.toggle("invalid", !!msg);
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var chosen = form.querySelector("input[name=category]:checked");
      var address = email.value.trim();
      mark(catSet, catError, chosen ? "" : t.need_category);
      var emailMsg = address && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address) ? t.bad_email
        : (address && !consent.checked ? t.need_consent : "");
      mark(email, emailError, emailMsg);
      email.setAttribute("aria-invalid", emailMsg ? "true" : "false");
      if (!chosen) return form.querySelector("input[name=category]").focus();
      if (emailMsg) return email.focus();
      var send = form.querySelector("button[type=submit]");
      send.disabled = true;
      var body = self.base({ category: chosen.value, quote: quote.value || undefined, details: details.value || undefined,
        email: address || undefined, contact_consent: consent.checked });
      /* Filled honeypot, or faster than a person can fill a form: the server files it as spam. */
      if (trap.value || Date.now() - opened < MIN_REPORT_MS) body.website = trap.value || "too fast";
      self.post("/api/v1/reports", body, function () {
        self.reportButton.setAttribute("aria-expanded", "false");
        self.reportArea.textContent = "";
        self.say(t.reported);
        self.reportButton.focus();
      }, function (message, field) {
        send.disabled = false;
        var target = { quote: quote, details: details, email: email }[field];
        if (target === email) { mark(email, emailError, message); return email.focus(); }
        self.replace(failure, [self.errorBox(message)]);
        var alertBox = failure.querySelector("[role=alert]");
        alertBox.setAttribute("tabindex", "-1");
        (target || alertBox).focus();
      });
    });
    this.replace(this.reportArea, [form]);
    form.querySelector("input[name=category]").focus();
  };

  function start() {
    var mounts = document.querySelectorAll("[data-flagpole]");
    for (var i = 0; i < mounts.length; i++) {
      if (mounts[i].__flagpole) continue;
      try { mounts[i].__flagpole = new Widget(mounts[i]); } catch (e) { /* never break the host page */ }
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
