// flagpole widget: "Was this article helpful?" and "Report a problem with this article".
// One file, no framework, no third-party requests, no cookies. Renders into a Shadow DOM under
// every <div data-flagpole> so the page's styles and ours leave each other alone. Every error is
// caught here: the widget must never break the page it sits on.
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[src*='widget.js']");
  var API = script ? new URL(script.src, location.href).origin : location.origin;
  // Filled in by the server from src/widget/strings.json, the one table of every string. With
  // ?lang= that language's strings travel with the script (INLINE); any other of LANGS a page
  // needs is fetched beside it. Either way a reader downloads one language, not all of them.
  var INLINE = __FLAGPOLE_LANG__;
  var TABLES = {};
  if (INLINE) TABLES[INLINE] = __FLAGPOLE_STRINGS__;
  var LANGS = __FLAGPOLE_LANGS__;
  var VERSION = __FLAGPOLE_VERSION__;
  var REASONS = ["inaccurate", "outdated", "unclear", "missing", "other"];
  var CATEGORIES = ["inaccurate", "outdated", "unclear", "harmful", "broken_link", "typo", "other"];
  var MIN_REPORT_MS = 1500;
  // Logical properties only (margin-inline, border-inline-start…): right-to-left languages get the
  // mirror image. Colours are custom properties so theme() can replace them.
  var CSS =
    ".fp{all:initial;display:block;box-sizing:border-box;font:16px/1.5 var(--flagpole-font,system-ui,-apple-system,'Segoe UI',Roboto,sans-serif);" +
    "color:var(--fg);--fg:#1b1b1b;--bg:#f3f2f1;--line:#6f777b;--accent:#1d5fa6;--err:#b00020;--ok:#00703c;--r:var(--flagpole-radius,4px);" +
    "background:var(--bg);border-top:4px solid var(--accent);border-radius:var(--r);padding:1em;margin-block:2em;max-width:100%}" +
    "@media (prefers-color-scheme:dark){.fp{--fg:#f0f0f0;--bg:#222;--line:#8a8a8a;--accent:#8cb8f0;--err:#ff8a8a;--ok:#7fd99a}}" +
    ".fp *,.fp *::before,.fp *::after{box-sizing:border-box;font:inherit;color:inherit}" +
    ".fp p,.fp fieldset,.fp h2{margin:0 0 .75em}.fp p:empty{margin:0}.fp h2,.fp .q{font-size:1.15em;font-weight:700}" +
    ".fp fieldset{border:0;padding:0}.fp legend{font-weight:700;padding:0;margin-bottom:.5em}" +
    ".fp button{cursor:pointer;border:2px solid var(--accent);background:transparent;padding:.4em 1.1em;margin-block:0 .5em;margin-inline:0 .5em;border-radius:var(--r);min-height:44px;min-width:44px}" +
    ".fp button.primary{background:var(--accent);color:var(--bg)}" +
    ".fp button.link{border:0;padding:.2em 0;min-height:0;text-decoration:underline;color:var(--accent);text-align:start}" +
    ".fp :focus-visible{outline:3px solid #fd0;outline-offset:2px;box-shadow:0 0 0 5px #0b0c0c}" +
    ".fp label{display:block;margin:.25em 0}.fp .choice{display:flex;gap:.5em;align-items:flex-start;margin:.35em 0}" +
    ".fp .choice input{width:1.25em;height:1.25em;margin:.15em 0 0;flex:none}" +
    ".fp textarea,.fp input[type=email]{display:block;width:100%;border:2px solid var(--line);background:transparent;padding:.4em;margin:.25em 0 .75em;border-radius:var(--r)}" +
    ".fp textarea{min-height:4.5em;resize:vertical}" +
    ".fp .hint{font-size:.9em}.fp .error{color:var(--err);font-weight:700}" +
    ".fp .record{font-size:.9em;border-bottom:1px solid var(--line);margin-bottom:.75em}.fp .record:empty{display:none}" +
    ".fp .invalid{border-inline-start:4px solid var(--err);padding-inline-start:.75em}" +
    ".fp .done{color:var(--ok);font-weight:700}" +
    ".fp .help{border-inline-start:4px solid var(--accent);padding-inline-start:.75em}" +
    ".fp .sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}" +
    ".fp .row{display:flex;flex-wrap:wrap;align-items:center}" +
    ".fp hr{border:0;border-top:1px solid var(--line);margin:1em 0}" +
    "@media (prefers-reduced-motion:no-preference){.fp button{transition:background-color .15s}}";

  // Our language for a page's tag: the tag, then ever shorter prefixes (pt-BR, pt), then English.
  // The server's i18n::resolve does the same.
  function resolve(tag) {
    for (tag = String(tag || "").toLowerCase().replace(/_/g, "-"); tag; tag = tag.replace(/-?[^-]*$/, "")) {
      if (LANGS.indexOf(tag) >= 0) return tag;
    }
    return "en";
  }

  var loading = {};
  // Resolves to the language to render in: `lang` once its strings are here, else (offline, or
  // refused) the language that came with the script, if one did, which beats no widget.
  function load(lang) {
    if (TABLES[lang]) return Promise.resolve(lang);
    return loading[lang] || (loading[lang] = fetch(API + "/widget/strings/" + lang + ".json?v=" + VERSION, { credentials: "omit" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (table) { TABLES[lang] = table; return lang; })
      .catch(function () { return INLINE; }));
  }

  // A string with a count, in the plural form the language's CLDR rules pick for n.
  function plural(forms, n, lang) {
    var category = "other";
    // an old browser: "other"
    try { category = new Intl.PluralRules(lang).select(n); } catch (e) {}
    return (forms[category] || forms.other).replace("{count}", n);
  }

  // WCAG 2 relative luminance and contrast ratio of [r, g, b] colours.
  function luminance(c) {
    var l = c.map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
  }
  function contrast(a, b) {
    var x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  // The publisher's colours, --flagpole-<name> on the host element or an ancestor, replace ours as
  // [our property, minimum contrast against the background]: 4.5:1 for text (the accent is link
  // text and the background of buttons labelled in the background colour), 3:1 for the borders of
  // text boxes.
  var THEME = { text: ["fg", 4.5], accent: ["accent", 4.5], border: ["line", 3] };

  // A key for one submission, the same on each retry of it, so a retry after a lost answer is
  // stored once. randomUUID needs a secure context; an http page gets the weaker fallback.
  function newKey() {
    try { return crypto.randomUUID(); } catch (e) { return Date.now().toString(36) + Math.random().toString(36).slice(2); }
  }

  function meta(selector, attr) {
    var el = document.querySelector(selector);
    return el ? el.getAttribute(attr) : null;
  }

  // The revision readers saw: the page's JSON-LD dateModified, else article:modified_time.
  function revision() {
    var blocks = document.querySelectorAll("script[type='application/ld+json']");
    for (var i = 0; i < blocks.length; i++) {
      try {
        var data = JSON.parse(blocks[i].textContent);
        var list = Array.isArray(data) ? data : (data["@graph"] || [data]);
        for (var j = 0; j < list.length; j++) if (list[j] && list[j].dateModified) return String(list[j].dateModified);
      } catch (e) {
        // a broken JSON-LD block is the page's business
      }
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
    // Strings become text, never markup.
    (children || []).forEach(function (c) { if (c) el.append(c); });
    return el;
  }

  var lastSelection = "";
  document.addEventListener("selectionchange", function () {
    try {
      var s = String(window.getSelection() || "").trim();
      if (s) lastSelection = s.slice(0, 1000);
    } catch (e) {
      // ignore
    }
  });

  function Widget(mount, lang) {
    var self = this;
    this.mount = mount;
    this.lang = lang;
    this.t = TABLES[lang];
    this.article = mount.getAttribute("data-article-url") || articleUrl();
    this.title = mount.getAttribute("data-title") || meta("meta[property='og:title']", "content") || document.title;
    this.revision = mount.getAttribute("data-revision") || revision();
    this.key = "flagpole:vote:" + this.article;
    var root = mount.attachShadow ? mount.attachShadow({ mode: "open" }) : mount;
    // A constructed stylesheet is not inline style, so a strict Content-Security-Policy on the
    // publisher's page does not block it.
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      root.appendChild(h("style", { text: CSS }));
    }
    // lang and dir of the strings shown, which may differ from the page's (a language we lack).
    this.box = h("section", { "class": "fp", "aria-label": this.t.question, lang: lang, dir: this.t.dir });
    root.appendChild(this.box);
    this.theme();
    try {
      matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () { self.theme(); });
    } catch (e) {
      // an old browser keeps the colours it started with
    }
    // With data-show-corrections, "last reviewed" and the latest correction go above the vote.
    this.record = h("div", { "class": "record" });
    this.vote = h("div");
    this.status = h("div", { role: "status", "aria-live": "polite" });
    this.reportArea = h("div");
    this.reportButton = h("button", { type: "button", "class": "link", "aria-expanded": "false", text: this.t.report,
      onclick: this.toggleReport.bind(this) });
    // Character counts are announced here once typing pauses, not at every key.
    this.counts = h("p", { "class": "sr", "aria-live": "polite" });
    [this.record, this.vote, this.status, h("hr"), this.reportButton, this.reportArea, this.counts].forEach(function (el) {
      self.box.appendChild(el);
    });
    if (mount.hasAttribute("data-show-corrections")) this.showRecord();
    var known = this.remembered();
    if (known) this.showRemembered(known.helpful); else this.ask();
    // Back from the no-JavaScript forms.
    var back = { "#flagpole-thanks": "thanks", "#flagpole-reported": "reported", "#flagpole-help": "reported" }[location.hash];
    if (back) self.say(self.t[back]);
  }

  // "Last reviewed on …" and the latest published correction, in the reader's language. The record
  // is extra: when it cannot be fetched the widget works without it.
  Widget.prototype.showRecord = function () {
    var self = this, t = this.t;
    function dated(template, iso) {
      // self.lang is one of our language codes, which every Intl implementation accepts.
      var shown = new Date(iso).toLocaleDateString(self.lang, { dateStyle: "long", timeZone: "UTC" }),
        parts = template.split("{date}");
      return [parts[0], h("time", { datetime: iso.slice(0, 10), text: shown }), parts.slice(1).join("")];
    }
    fetch(API + "/api/v1/public/corrections?article_url=" + encodeURIComponent(this.article), { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        var shown = [];
        if (data.last_reviewed_at) shown.push(h("p", {}, dated(t.last_reviewed, data.last_reviewed_at)));
        var latest = data.corrections && data.corrections[0];
        if (latest) {
          shown.push(h("p", {}, [h("strong", {}, dated(t.correction, latest.published_at)),
            " " + latest.text]));
        }
        self.replace(self.record, shown);
      })
      .catch(function () {
        // no record shown
      });
  };

  // Applies the publisher's colours that keep their contrast (see THEME); each refused one is
  // named in a console warning and ours stays. Runs again when the reader's colour scheme changes,
  // since our defaults, and so what a colour is checked against, change with it.
  Widget.prototype.theme = function () {
    var box = this.box, style = box.style, host = this.mount, probe = h("span"), ours = {}, k;
    function read(el, property) { return getComputedStyle(el).getPropertyValue(property).trim(); }
    // [r, g, b] of any CSS colour the browser computes to sRGB, or null (unknown, translucent).
    function rgb(value) {
      probe.style.color = "";
      probe.style.color = value;
      var m = probe.style.color && /^rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)$/.exec(getComputedStyle(probe).color);
      return m && (m[4] == null || +m[4] === 1) ? [+m[1], +m[2], +m[3]] : null;
    }
    function refuse(name, why) {
      console.warn("flagpole: --flagpole-" + name + " ignored: " + why);
    }
    function custom(name) {
      var value = read(host, "--flagpole-" + name), c = value && rgb(value);
      if (value && !c) refuse(name, value + " is not an opaque colour in hex, rgb(), hsl() or by name");
      return c && { value: value, c: c };
    }
    function fits(name, colour, against, min, what) {
      var ratio = contrast(colour.c, against);
      if (ratio < min) refuse(name, colour.value + " has contrast " + ratio.toFixed(2) + ":1 with " + what + ", WCAG AA needs " + min + ":1");
      return ratio >= min;
    }
    try {
      box.appendChild(probe);
      var own = ["bg", "fg", "accent", "line", "err", "ok"];
      own.forEach(function (p) { style.removeProperty("--" + p); });
      own.forEach(function (p) { ours[p] = rgb(read(box, "--" + p)); });
      var back = custom("background"), text = custom("text"), bg = ours.bg;
      // The background must carry the text: the publisher's text colour if it can, else ours.
      if (back && fits("background", back, text && contrast(text.c, back.c) >= 4.5 ? text.c : ours.fg, 4.5, "the text")) {
        bg = back.c;
        style.setProperty("--bg", back.value);
      }
      for (k in THEME) {
        var mine = k === "text" ? text : custom(k), p = THEME[k][0], min = THEME[k][1];
        if (mine && fits(k, mine, bg, min, "the background")) style.setProperty("--" + p, mine.value);
        // Ours may not suit the publisher's background either; their text colour always does.
        else if (k !== "text" && contrast(ours[p], bg) < min) style.setProperty("--" + p, "var(--fg)");
      }
      ["err", "ok"].forEach(function (p) { if (contrast(ours[p], bg) < 4.5) style.setProperty("--" + p, "var(--fg)"); });
    } catch (e) {
      // our own colours stay
    }
    if (probe.parentNode) box.removeChild(probe);
  };

  // Near the limit, how many characters are left: shown at once, announced once typing pauses.
  Widget.prototype.counted = function (area) {
    var self = this, max = +area.getAttribute("maxlength"), timer;
    var shown = h("p", { "class": "hint", "aria-hidden": "true" });
    function update(event) {
      var left = max - area.value.length;
      var text = left <= max / 5 ? plural(self.t.chars_left, left, self.lang) : "";
      shown.textContent = text;
      clearTimeout(timer);
      if (event) timer = setTimeout(function () { self.counts.textContent = text; }, 1000);
    }
    area.addEventListener("input", update);
    // a long selection may already fill most of the passage box
    update();
    return shown;
  };

  Widget.prototype.remembered = function () {
    try { return JSON.parse(localStorage.getItem(this.key) || "null"); } catch (e) { return null; }
  };

  Widget.prototype.remember = function (helpful) {
    // private mode
    try { localStorage.setItem(this.key, JSON.stringify({ helpful: helpful, at: Date.now() })); } catch (e) {}
  };

  // The thank-you, and after a report that asked for personal advice or described an emergency
  // the site's signposting (`help`, from the server: set as text, never as HTML).
  Widget.prototype.say = function (text, help) {
    var status = this.status;
    status.textContent = "";
    // Fresh nodes, so screen readers announce a repeat of the same words too.
    setTimeout(function () {
      status.appendChild(h("p", { "class": "done", text: text }));
      if (help) status.appendChild(h("p", { "class": "help", dir: "auto", text: help }));
    }, 50);
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

  // onDone gets the server's answer (a report's carries the signposting). `key`: the
  // Idempotency-Key, the same on every retry of one submission.
  Widget.prototype.post = function (path, body, onDone, onError, key) {
    var self = this, headers = { "Content-Type": "application/json" };
    if (key) headers["Idempotency-Key"] = key;
    try {
      fetch(API + path, { method: "POST", headers: headers, body: JSON.stringify(body),
        credentials: "omit", mode: "cors" })
        .then(function (r) {
          if (r.ok) return r.json().catch(function () { return null; }).then(onDone);
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
    var comment = h("textarea", { id: "fp-comment", name: "comment", maxlength: "1000", dir: "auto" });
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
      h("label", { "for": "fp-comment", text: t.comment }), comment, this.counted(comment), error,
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
    // One key for this form: each "Send report" after a failure is a retry of the same report.
    var t = this.t, self = this, opened = Date.now(), key = newKey();
    var radios = CATEGORIES.map(function (c) {
      return h("label", { "class": "choice" }, [h("input", { type: "radio", name: "category", value: c }), h("span", { text: t["c_" + c] })]);
    });
    var catError = h("p", { id: "fp-cat-err", "class": "error" });
    var catSet = h("fieldset", { "aria-describedby": "fp-purpose fp-cat-err" }, [h("legend", { text: t.category }), catError].concat(radios));
    // dir=auto: what readers type runs in its own direction (an address in an Arabic form, or
    // Arabic in an English one).
    var quote = h("textarea", { id: "fp-quote", name: "quote", maxlength: "1000", "aria-describedby": "fp-quote-hint", dir: "auto" });
    quote.value = lastSelection;
    var details = h("textarea", { id: "fp-details", name: "details", maxlength: "4000", dir: "auto" });
    var emailError = h("p", { id: "fp-email-err", "class": "error" });
    var email = h("input", { type: "email", id: "fp-email", name: "email", autocomplete: "email", maxlength: "254", "aria-describedby": "fp-email-err fp-privacy", dir: "auto" });
    var consent = h("input", { type: "checkbox", id: "fp-consent", name: "contact_consent" });
    var trap = h("input", { type: "text", name: "website", tabindex: "-1", autocomplete: "off" });
    var failure = h("div");
    var form = h("form", { novalidate: true, "aria-labelledby": "fp-report-title" }, [
      h("h2", { id: "fp-report-title", text: t.report_title }),
      h("p", { id: "fp-purpose", text: t.report_purpose }),
      catSet,
      h("label", { "for": "fp-quote", text: t.quote }),
      h("p", { id: "fp-quote-hint", "class": "hint", text: t.quote_hint }), quote, this.counted(quote),
      h("label", { "for": "fp-details", text: t.details }), details, this.counted(details),
      h("label", { "for": "fp-email", text: t.email }), emailError, email,
      h("label", { "class": "choice" }, [consent, h("span", { text: t.consent })]),
      h("p", { id: "fp-privacy", "class": "hint", text: t.privacy }),
      h("div", { "class": "sr", "aria-hidden": "true" }, [h("label", { text: "Website" }, [trap])]),
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
        email: address || undefined, contact_consent: consent.checked, lang: self.lang });
      // Filled honeypot, or faster than a person can fill a form: the server files it as spam.
      if (trap.value || Date.now() - opened < MIN_REPORT_MS) body.website = trap.value || "too fast";
      self.post("/api/v1/reports", body, function (answer) {
        self.reportButton.setAttribute("aria-expanded", "false");
        self.reportArea.textContent = "";
        self.say(t.reported, answer && typeof answer.signpost == "string" && answer.signpost);
        self.reportButton.focus();
      }, function (message, field) {
        send.disabled = false;
        var target = { quote: quote, details: details, email: email }[field];
        if (target === email) { mark(email, emailError, message); return email.focus(); }
        self.replace(failure, [self.errorBox(message)]);
        var alertBox = failure.querySelector("[role=alert]");
        alertBox.setAttribute("tabindex", "-1");
        (target || alertBox).focus();
      }, key);
    });
    this.replace(this.reportArea, [form]);
    form.querySelector("input[name=category]").focus();
  };

  function start() {
    var mounts = document.querySelectorAll("[data-flagpole]");
    Array.prototype.forEach.call(mounts, function (mount) {
      if (mount.__flagpole) return;
      mount.__flagpole = true;
      var tag = mount.getAttribute("data-lang") || (mount.closest("[lang]") || document.documentElement).getAttribute("lang");
      load(resolve(tag)).then(function (lang) {
        // never break the host page
        try { if (lang) mount.__flagpole = new Widget(mount, lang); } catch (e) {}
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
