// Browser scenarios for the widget and the dashboard, in Debian's Chromium via playwright-core.
// Run by tests/api/browser.rs, which starts flagpole and a second "publisher" site and passes:
//   APP_URL   flagpole, e.g. http://127.0.0.1:41234
//   HOST_URL  the publisher site on another origin, e.g. http://localhost:41235
//   TOKEN     an API token, to check what landed in the database
//   SHOTS_DIR where screenshots of each state go (not committed; look at them)
//   EDITOR_EMAIL, EDITOR_PASSWORD  an editor who can sign in to the dashboard
//   SIGNPOST_EN, SIGNPOST_AR  the site's signposting for readers asking for personal advice
// Usage: node scenarios.mjs SCENARIO. Exits non-zero with the reason on the first failed check.

import fs from 'node:fs';
import { chromium } from 'playwright-core';

const { APP_URL, HOST_URL, TOKEN, SHOTS_DIR, EDITOR_EMAIL, EDITOR_PASSWORD, SIGNPOST_EN, SIGNPOST_AR } = process.env;
const scenario = process.argv[2];
const AXE = fs.readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const DEMO = `${APP_URL}/widget/demo`;
/** The page's console warnings, for the scenarios about refused colours. */
const warnings = [];

function check(ok, message) {
  if (!ok) throw new Error(message);
}

async function api(path) {
  const r = await fetch(APP_URL + path, { headers: { authorization: `Bearer ${TOKEN}` } });
  check(r.ok, `GET ${path}: ${r.status}`);
  return r.json();
}

/** The article as flagpole stored it, with its votes and reports. */
async function stored(url) {
  const list = await api('/api/v1/articles?sort=recent&limit=200');
  const found = list.items.find((a) => a.url === url);
  check(found, `no article stored for ${url}; have ${list.items.map((a) => a.url)}`);
  return api(`/api/v1/articles/${found.id}`);
}

async function axe(page, label) {
  // Evaluated through the debugger protocol, so the demo page's CSP does not stop it.
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const found = result.violations.map((v) => `${v.id}: ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  check(found.length === 0, `axe violations (${label}):\n${found.join('\n')}`);
}

async function shot(page, name) {
  if (SHOTS_DIR) await page.screenshot({ path: `${SHOTS_DIR}/${name}.png`, fullPage: true });
}

/** Waits until the widget's live region (inside its shadow root) says `text`. */
async function expectStatus(page, text) {
  try {
    await page.getByRole('status').filter({ hasText: text }).first().waitFor({ timeout: 5000 });
  } catch (e) {
    const said = await page.getByRole('status').allTextContents();
    throw new Error(`expected the live region to say "${text}"; it says ${JSON.stringify(said)}`);
  }
}

const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-quic', '--no-first-run'];

async function postReport(body) {
  const r = await fetch(`${APP_URL}/api/v1/reports`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  check(r.status === 201, `seeding a report: ${r.status}`);
  return r.json();
}

/** Signs in with the keyboard alone and lands on the article list. */
async function signIn(page) {
  await page.goto(`${APP_URL}/dashboard`);
  await page.waitForURL(/\/dashboard\/login/);
  await page.keyboard.type(EDITOR_EMAIL); // the e-mail field has focus on arrival
  await page.keyboard.press('Tab');
  await page.keyboard.type(EDITOR_PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Articles needing attention' }).waitFor();
}

/** Presses Tab until the focused element's text is `text`; fails after `max` presses. */
async function tabTo(page, text, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => (document.activeElement && document.activeElement.textContent || '').trim());
    if (focused === text) return;
  }
  throw new Error(`could not reach "${text}" with Tab`);
}

const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>';

/** One language's strings, as flagpole serves them to the widget. */
async function strings(lang) {
  const r = await fetch(`${APP_URL}/widget/strings/${lang}.json`);
  check(r.ok, `strings for ${lang}: ${r.status}`);
  return r.json();
}

/** Runs `fn` on the widget's box (inside its shadow root) in the page, with `arg`. */
function inWidget(page, fn, arg) {
  return page.evaluate(([source, a]) => {
    const box = document.querySelector('[data-flagpole]').shadowRoot.querySelector('.fp');
    return new Function('box', 'arg', `return (${source})(box, arg);`)(box, a);
  }, [fn.toString(), arg]);
}

/** The text of the widget's focused element. */
const focused = (page) => page.evaluate(() => {
  const host = document.querySelector('[data-flagpole]');
  const el = host && host.shadowRoot && host.shadowRoot.activeElement;
  return el ? el.textContent.trim() : null;
});

/**
 * Every state of the widget on a publisher's page in `lang`, taken from flagpole's own strings:
 * the question, why not, thanks, the report form, its error, sent, and a returning reader; each
 * checked with axe and photographed. `beside`: whether the strings came beside the script.
 */
async function walkthrough(page, path, lang, prefix, beside) {
  const T = await strings(lang);
  const fetched = [];
  page.on('request', (r) => { if (r.url().includes('/widget/strings/')) fetched.push(r.url()); });
  const url = `${HOST_URL}/${path}`;
  await page.goto(url);
  await page.getByText(T.question).first().waitFor();
  check(beside ? fetched.length === 1 && fetched[0].includes(`/widget/strings/${lang}.json?v=`) : fetched.length === 0,
    `strings fetched: ${JSON.stringify(fetched)}`);
  const box = await inWidget(page, (b) => ({ lang: b.lang, dir: b.dir, direction: getComputedStyle(b).direction }));
  check(box.lang === lang && box.dir === T.dir && box.direction === T.dir, `widget language ${JSON.stringify(box)}`);

  // Mirrored for right-to-left: "Yes" comes first in reading order, on screen and for Tab.
  const yes = page.getByRole('button', { name: T.yes, exact: true });
  const no = page.getByRole('button', { name: T.no, exact: true });
  const [y, n] = [await yes.boundingBox(), await no.boundingBox()];
  check(T.dir === 'rtl' ? y.x > n.x : y.x < n.x, `${T.yes} at ${y.x}, ${T.no} at ${n.x}`);
  await yes.focus();
  await page.keyboard.press('Tab');
  check((await focused(page)) === T.no, `Tab from ${T.yes} reaches ${await focused(page)}`);
  await axe(page, `${lang} question`);
  await shot(page, `${prefix}-1-question`);

  await no.click();
  await page.getByRole('group', { name: T.what_wrong }).waitFor();
  await axe(page, `${lang} what was wrong`);
  await page.getByRole('checkbox', { name: T.r_outdated }).check();
  const comment = `${T.r_missing} (2026)`;
  await page.getByLabel(T.comment).fill(comment);
  await shot(page, `${prefix}-2-why`);
  await page.getByRole('button', { name: T.send, exact: true }).click();
  await expectStatus(page, T.thanks);
  await shot(page, `${prefix}-3-thanks`);

  await page.getByRole('button', { name: T.report }).click();
  await page.getByRole('heading', { name: T.report_title }).waitFor();
  await axe(page, `${lang} report form`);
  await shot(page, `${prefix}-4-report`);
  await page.getByRole('button', { name: T.send_report }).click();
  await page.getByText(T.need_category).waitFor();
  // The error's bar stands at the start of the line: on the right in right-to-left languages.
  const bar = await inWidget(page, (b) => {
    const s = getComputedStyle(b.querySelector('fieldset.invalid'));
    return { left: s.borderLeftWidth, right: s.borderRightWidth };
  });
  check(T.dir === 'rtl' ? bar.right === '4px' && bar.left === '0px' : bar.left === '4px' && bar.right === '0px',
    `error bar ${JSON.stringify(bar)}`);
  check((await inWidget(page, (b) => b.getRootNode().activeElement.name)) === 'category', 'focus moves to the categories');
  await axe(page, `${lang} report error`);
  await shot(page, `${prefix}-5-report-error`);
  await page.getByRole('radio', { name: T.c_harmful }).check();
  const details = `${T.c_harmful}: 2 × 200 mg`;
  await page.getByLabel(T.details).fill(details);
  await page.waitForTimeout(1600);
  await page.getByRole('button', { name: T.send_report }).click();
  await expectStatus(page, T.reported);
  await shot(page, `${prefix}-6-reported`);

  const a = await stored(url);
  check(a.not_helpful === 1 && a.recent_votes[0].reasons.join() === 'outdated', `vote ${JSON.stringify(a.recent_votes)}`);
  check(a.recent_votes[0].comment === comment, `comment round trip: ${a.recent_votes[0].comment}`);
  const r = a.recent_reports[0];
  check(r.category === 'harmful' && r.details === details && r.status === 'new', `report ${JSON.stringify(r)}`);

  await page.reload();
  await page.getByText(T.said_no).waitFor();
  await axe(page, `${lang} returning reader`);
  await shot(page, `${prefix}-7-remembered`);
}

/** Fills a text box of the widget with `length` characters and returns the count it shows. */
async function countShown(page, label, length) {
  await page.getByLabel(label, { exact: true }).fill('x'.repeat(length));
  return inWidget(page, (b, l) => {
    const area = [...b.querySelectorAll('textarea')].find((t) => b.querySelector(`label[for="${t.id}"]`).textContent === l);
    return area.nextElementSibling.textContent;
  }, label);
}

/** The colours and shapes the widget ended up with. */
const look = (page) => inWidget(page, (b) => {
  const s = (el) => getComputedStyle(el);
  const button = b.querySelector('button');
  return {
    background: s(b).backgroundColor, text: s(b).color, accent: s(button).borderTopColor,
    link: s(b.querySelector('button.link')).color, font: s(b).fontFamily, radius: s(button).borderTopLeftRadius,
  };
});

/** A call to the token API that changes something. */
async function change(method, path, body) {
  const r = await fetch(APP_URL + path, {
    method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await r.text();
  check(r.ok, `${method} ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}

const scenarios = {
  async corrections_shown(page) {
    const url = `${HOST_URL}/corrections-de`;
    const seeded = await postReport({ article_url: url, category: 'inaccurate', quote: 'Eisentabletten' });
    await change('POST', `/api/v1/articles/${seeded.article_id}/reviews`, { outcome: 'corrected', reviewed_at: '2026-11-02' });
    await change('PATCH', `/api/v1/reports/${seeded.report_id}`,
      { status: 'resolved', public_correction: 'Die Dosis wurde auf 100 mg Eisen am Tag korrigiert.' });
    await page.goto(url);
    await page.getByText('Zuletzt geprüft am 2. November 2026').waitFor();
    await page.getByText('Die Dosis wurde auf 100 mg Eisen am Tag korrigiert.').waitFor();
    const order = await inWidget(page, (b) => [...b.querySelectorAll('p')].map((p) => p.textContent));
    check(order[0].startsWith('Zuletzt geprüft am') && /^Korrektur vom .*: Die Dosis/.test(order[1]) && order[2] === 'War dieser Artikel hilfreich?',
      `the record comes first, above the question: ${JSON.stringify(order.slice(0, 3))}`);
    const when = await inWidget(page, (b) => b.querySelector('.record time').getAttribute('datetime'));
    check(when === '2026-11-02', `machine-readable date ${when}`);
    await axe(page, 'corrections');
    await shot(page, '30-corrections');
    // Without the attribute, nothing is fetched or shown.
    await page.goto(`${HOST_URL}/es`);
    await page.getByText('¿Le resultó útil este artículo?').waitFor();
    check(await inWidget(page, (b) => b.querySelector('.record').childElementCount === 0), 'no record without data-show-corrections');
  },

  async dashboard_keyboard_triage(page) {
    const seeded = await postReport({ article_url: 'http://localhost/medicines/naproxen', category: 'harmful',
      title: 'Naproxen', quote: XSS, details: `${XSS} take 8 at once` });
    page.on('dialog', () => { throw new Error('a script from reader text ran'); });
    await signIn(page);
    await axe(page, 'article list');
    await shot(page, '20-dashboard-list');
    await page.getByRole('link', { name: 'Naproxen' }).click();
    await page.getByRole('heading', { name: 'Naproxen', level: 1 }).waitFor();
    check(await page.getByText(XSS).first().isVisible(), 'reader text shows as text');
    await axe(page, 'article page');
    await shot(page, '21-dashboard-article');
    await tabTo(page, 'Acknowledge');
    await page.keyboard.press('Enter');
    await page.getByText('Done.').waitFor();
    const report = await api(`/api/v1/reports/${seeded.report_id}`);
    check(report.status === 'acknowledged', `status after keyboard triage: ${report.status}`);
    check(report.events[0].actor === EDITOR_EMAIL, 'the action is recorded with who did it');
  },

  async dashboard_bulk(page) {
    const ids = [];
    for (const text of ['Dose is wrong', 'Wrong dose here', 'Link broken']) {
      const r = await postReport({ article_url: 'http://localhost/medicines/codeine', category: 'inaccurate', title: 'Codeine', details: text });
      ids.push(r.report_id);
    }
    await signIn(page);
    await page.goto(`${APP_URL}/dashboard/articles/${(await api(`/api/v1/reports/${ids[0]}`)).article_id}`);
    await page.getByRole('button', { name: 'Select all' }).click();
    await page.getByLabel('Action').selectOption('dismiss');
    await page.getByLabel('Note (optional)', { exact: true }).fill('Checked: the dose is right');
    await page.getByRole('button', { name: 'Apply to selected' }).click();
    await page.getByText('Done for 3 reports.').waitFor();
    await shot(page, '22-dashboard-bulk');
    for (const id of ids) {
      const r = await api(`/api/v1/reports/${id}`);
      check(r.status === 'dismissed' && r.events[0].note === 'Checked: the dose is right', `report ${id}: ${r.status}`);
    }
  },

  async vote_yes(page) {
    await page.goto(DEMO);
    await axe(page, 'question');
    await shot(page, '1-question');
    await page.getByRole('button', { name: 'Yes', exact: true }).click();
    await expectStatus(page, 'Thank you for your feedback.');
    await shot(page, '2-thanks');
    const a = await stored(DEMO);
    check(a.helpful === 1 && a.not_helpful === 0, `stored counts ${a.helpful}/${a.not_helpful}`);
    check(a.title === 'Iron deficiency anaemia – flagpole demo', `title ${a.title}`);
    check(a.revision === '2026-09-14', `revision from JSON-LD: ${a.revision}`);

    // A returning reader sees their answer, and may change it: still one vote.
    await page.reload();
    await page.getByText('You said this article was helpful.').waitFor();
    await shot(page, '3-remembered');
    await page.getByRole('button', { name: 'Change your answer' }).click();
    await page.getByRole('button', { name: 'No', exact: true }).click();
    await page.getByText('What was wrong?').waitFor();
    const b = await stored(DEMO);
    check(b.helpful === 0 && b.not_helpful === 1, `after change ${b.helpful}/${b.not_helpful}`);
  },

  async vote_no_with_reason(page) {
    await page.goto(DEMO);
    await page.getByRole('button', { name: 'No', exact: true }).click();
    await page.getByRole('group', { name: 'What was wrong?' }).waitFor();
    await axe(page, 'what was wrong');
    await shot(page, '4-why');
    await page.getByRole('checkbox', { name: 'Out of date' }).check();
    await page.getByRole('checkbox', { name: 'Missing information' }).check();
    await page.getByLabel('Anything else you want to tell us? (optional)').fill('Nothing on the new 2026 guidance');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expectStatus(page, 'Thank you for your feedback.');
    await shot(page, '5-why-thanks');
    const a = await stored(DEMO);
    check(a.not_helpful === 1 && a.helpful === 0, `counts ${a.helpful}/${a.not_helpful}`);
    const v = a.recent_votes[0];
    check(v && v.reasons.join() === 'outdated,missing', `reasons ${JSON.stringify(v)}`);
    check(v.comment === 'Nothing on the new 2026 guidance', `comment ${v && v.comment}`);
  },

  async report_with_selection(page) {
    await page.goto(DEMO);
    const passage = await page.evaluate(() => {
      const p = [...document.querySelectorAll('article p')].find((el) => el.textContent.includes('ferrous sulfate'));
      const range = document.createRange();
      range.selectNodeContents(p);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      return getSelection().toString().trim();
    });
    await page.waitForTimeout(100);
    await page.getByRole('button', { name: 'Report a problem with this article' }).click();
    const quote = page.getByLabel('The passage concerned (optional)');
    check((await quote.inputValue()) === passage, 'the selection is pre-filled');
    await axe(page, 'report form');
    await page.getByRole('radio', { name: 'It could cause harm (for example a wrong dose)' }).check();
    await page.getByLabel('Tell us more (optional)').fill('The leaflet says twice a day.');
    await page.getByLabel('Your email address (optional)').fill('reader@example.org');
    await page.getByRole('checkbox', { name: 'You may email me about this report' }).check();
    await shot(page, '6-report-filled');
    await page.waitForTimeout(1600); // a person takes longer than the widget's minimum time
    await page.getByRole('button', { name: 'Send report' }).click();
    await expectStatus(page, 'Thank you. Your report has been sent to our editors.');
    await shot(page, '7-reported');
    const a = await stored(DEMO);
    const r = a.recent_reports[0];
    check(r.category === 'harmful' && r.status === 'new', `report ${JSON.stringify(r)}`);
    check(r.quote === passage, `quote stored: ${r.quote}`);
    check(r.details === 'The leaflet says twice a day.' && r.email === 'reader@example.org', 'details and consented e-mail');
    check(a.open_by_category.harmful === 1, 'counted as an open harmful report');
  },

  async keyboard_only_report(page) {
    await page.goto(DEMO);
    let onButton = false;
    for (let i = 0; i < 40 && !onButton; i++) {
      await page.keyboard.press('Tab');
      onButton = await page.evaluate(() => {
        const host = document.querySelector('[data-flagpole]');
        const el = host && host.shadowRoot && host.shadowRoot.activeElement;
        return !!el && el.textContent === 'Report a problem with this article';
      });
    }
    check(onButton, 'the report button is reachable with Tab');
    const ring = await page.evaluate(() => {
      const el = document.querySelector('[data-flagpole]').shadowRoot.activeElement;
      return getComputedStyle(el).outlineStyle;
    });
    check(ring !== 'none', 'focus is visible');
    await page.keyboard.press('Enter');
    // Straight to "Send report" without a category: the error is announced and focus returns.
    // Focus is on the first category; then passage, details, e-mail, consent, "Send report".
    for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByText('Choose what kind of problem it is.').waitFor();
    await shot(page, '8-keyboard-error');
    await axe(page, 'validation error');
    await page.keyboard.press('ArrowDown'); // moves to and selects "It is out of date"
    await page.keyboard.press('Tab');
    await page.keyboard.type('Check-ups are every 3 months now');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Typed with the keyboard only');
    await page.waitForTimeout(1600);
    await page.keyboard.press('Tab'); // e-mail
    await page.keyboard.press('Tab'); // consent
    await page.keyboard.press('Tab'); // send
    await page.keyboard.press('Enter');
    await expectStatus(page, 'Thank you. Your report has been sent to our editors.');
    const r = (await stored(DEMO)).recent_reports[0];
    check(r.category === 'outdated' && r.quote === 'Check-ups are every 3 months now', `report ${JSON.stringify(r)}`);
    check(r.details === 'Typed with the keyboard only' && r.status === 'new', 'details and status');
  },

  async no_javascript(page) {
    await page.goto(DEMO);
    await page.getByRole('button', { name: 'No', exact: true }).click();
    await page.waitForURL(/#flagpole-thanks$/);
    check(await page.locator('#flagpole-thanks').isVisible(), 'thank-you shows on return');
    check(!(await page.locator('#flagpole-reported').isVisible()), 'only the right thank-you');
    await shot(page, '9-nojs-thanks');
    await page.locator('summary', { hasText: 'Report a problem with this article' }).click();
    await page.getByRole('radio', { name: 'A typo or spelling mistake' }).check();
    await page.getByLabel('Tell us more (optional)').fill('"anaemia" is misspelt in the heading');
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.waitForURL(/#flagpole-reported$/);
    check(await page.locator('#flagpole-reported').isVisible(), 'report thank-you shows');
    const a = await stored(DEMO);
    check(a.not_helpful === 1, `no-JS vote stored: ${a.not_helpful}`);
    check(a.recent_reports[0].category === 'typo', 'no-JS report stored');
  },

  async hostile_css(page) {
    const url = `${HOST_URL}/hostile`;
    await page.goto(url);
    const yes = page.getByRole('button', { name: 'Yes', exact: true });
    const box = await yes.boundingBox();
    check(box && box.height >= 44 && box.width >= 44, `buttons keep their size: ${JSON.stringify(box)}`);
    await shot(page, '10-hostile');
    await yes.click();
    await expectStatus(page, 'Thank you for your feedback.');
    const a = await stored(url);
    check(a.helpful === 1, 'vote from another origin stored');
    // The widget's styles do not leak out.
    const hostFont = await page.evaluate(() => getComputedStyle(document.querySelector('p')).fontWeight);
    check(hostFont !== '700', 'page text untouched');
  },

  async spanish(page) {
    await page.goto(`${HOST_URL}/es`);
    await page.getByText('¿Le resultó útil este artículo?').waitFor();
    await axe(page, 'spanish');
    await page.getByRole('button', { name: 'Sí' }).click();
    await expectStatus(page, 'Gracias por sus comentarios.');
    await shot(page, '11-spanish');
    const a = await stored(`${HOST_URL}/es`);
    check(a.helpful === 1, 'Spanish vote stored');
  },

  async failures_keep_input(page) {
    await page.goto(DEMO);
    await page.route('**/api/v1/votes', (route) => route.fulfill({
      status: 429, contentType: 'application/json', headers: { 'retry-after': '30' },
      body: JSON.stringify({ error: { code: 'rate_limited', message: 'too many' } }),
    }));
    await page.getByRole('button', { name: 'Yes', exact: true }).click();
    await page.getByText('You have sent several messages in a short time.').waitFor();
    await shot(page, '12-rate-limited');
    await axe(page, 'rate limited');
    await page.unroute('**/api/v1/votes');
    await page.getByRole('button', { name: 'Try again' }).click();
    await expectStatus(page, 'Thank you for your feedback.');

    await page.route('**/api/v1/reports', (route) => route.abort('internetdisconnected'));
    await page.getByRole('button', { name: 'Report a problem with this article' }).click();
    await page.getByRole('radio', { name: 'It is unclear or confusing' }).check();
    await page.getByLabel('Tell us more (optional)').fill('Which blood test?');
    await page.waitForTimeout(1600);
    await page.getByRole('button', { name: 'Send report' }).click();
    await page.getByText('We could not send this. Check your connection and try again.').waitFor();
    await shot(page, '13-offline');
    check((await page.getByLabel('Tell us more (optional)').inputValue()) === 'Which blood test?', 'input kept');
    await page.unroute('**/api/v1/reports');
    await page.getByRole('button', { name: 'Send report' }).click();
    await expectStatus(page, 'Thank you. Your report has been sent to our editors.');
    const a = await stored(DEMO);
    check(a.helpful === 1 && a.recent_reports[0].details === 'Which blood test?', 'both stored once');
  },

  async narrow_screen(page) {
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto(DEMO);
    await page.getByRole('button', { name: 'Report a problem with this article' }).click();
    await page.getByRole('radio', { name: 'A link is broken' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    check(overflow <= 320, `no sideways scrolling at 320 px: ${overflow}`);
    await axe(page, '320px');
    await shot(page, '14-narrow');
  },

  async dark_and_reduced_motion(page) {
    await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
    await page.goto(DEMO);
    const colours = await page.evaluate(() => {
      const box = document.querySelector('[data-flagpole]').shadowRoot.querySelector('.fp');
      const button = box.querySelector('button');
      return { bg: getComputedStyle(box).backgroundColor, transition: getComputedStyle(button).transitionDuration };
    });
    check(colours.bg === 'rgb(34, 34, 34)', `dark background: ${colours.bg}`);
    check(colours.transition === '0s', `no transitions: ${colours.transition}`);
    await axe(page, 'dark');
    await shot(page, '15-dark');
  },
};

Object.assign(scenarios, {
  // Right to left, the strings fetched beside the plain script.
  async arabic(page) {
    await walkthrough(page, 'ar', 'ar', '30-arabic', true);
  },

  // Right to left, the strings inside the script (widget.js?lang=he).
  async hebrew(page) {
    await walkthrough(page, 'he', 'he', '31-hebrew', false);
  },

  async japanese(page) {
    await walkthrough(page, 'ja', 'ja', '32-japanese', true);
  },

  // A page tagged zh-Hans-CN gets "zh", here inside the script.
  async chinese(page) {
    await walkthrough(page, 'zh', 'zh', '33-chinese', false);
  },

  // Near a text box's limit the widget counts down, in the plural forms of the language.
  async plural_counts(page) {
    await page.goto(`${HOST_URL}/pl`);
    await page.getByRole('button', { name: 'Zgłoś problem z tym artykułem' }).click();
    const pl = { 3000: '', 3200: 'Pozostało 800 znaków', 3978: 'Pozostały 22 znaki', 3995: 'Pozostało 5 znaków',
      3996: 'Pozostały 4 znaki', 3999: 'Pozostał 1 znak', 4000: 'Pozostało 0 znaków' };
    for (const [length, expected] of Object.entries(pl)) {
      const shown = await countShown(page, 'Szczegóły (opcjonalnie)', +length);
      check(shown === expected, `Polish, ${length} of 4000: "${shown}", expected "${expected}"`);
    }
    await countShown(page, 'Szczegóły (opcjonalnie)', 3996);
    // Screen readers hear it once typing pauses.
    await page.waitForTimeout(1200);
    const live = await inWidget(page, (b) => b.querySelector('.sr[aria-live]').textContent);
    check(live === 'Pozostały 4 znaki', `announced "${live}"`);
    await axe(page, 'Polish count');
    await shot(page, '40-polish-count');

    await page.goto(`${HOST_URL}/ar`);
    await page.getByRole('button', { name: 'لا', exact: true }).click();
    const label = 'هل تريد إخبارنا بأي شيء آخر؟ (اختياري)';
    const ar = { 799: '', 800: 'يتبقى 200 حرف', 989: 'يتبقى 11 حرفًا', 995: 'يتبقى 5 أحرف', 998: 'يتبقى حرفان',
      999: 'يتبقى حرف واحد', 1000: 'لم يتبقَّ أي حرف' };
    for (const [length, expected] of Object.entries(ar)) {
      const shown = await countShown(page, label, +length);
      check(shown === expected, `Arabic, ${length} of 1000: "${shown}", expected "${expected}"`);
    }
    await countShown(page, label, 995);
    await axe(page, 'Arabic count');
    await shot(page, '41-arabic-count');
  },

  // pt-BR falls back to pt; a language flagpole lacks gets English, marked as English.
  async language_fallbacks(page) {
    await page.goto(`${HOST_URL}/pt-BR`);
    await page.getByText('Este artigo foi útil?').waitFor();
    check((await inWidget(page, (b) => b.lang)) === 'pt', 'Portuguese for pt-BR');
    await page.goto(`${HOST_URL}/sw`);
    await page.getByText('Was this article helpful?').waitFor();
    check((await inWidget(page, (b) => b.lang)) === 'en', 'English strings are marked lang="en", not "sw"');
    await axe(page, 'fallback to English');
  },

  // The site's colours, font and corners, through custom properties on :root.
  async themed(page) {
    await page.goto(`${HOST_URL}/themed`);
    await page.getByText('Was this article helpful?').waitFor();
    const l = await look(page);
    check(l.background === 'rgb(255, 251, 234)' && l.text === 'rgb(43, 33, 24)', `colours ${JSON.stringify(l)}`);
    check(l.accent === 'rgb(122, 31, 162)' && l.link === 'rgb(122, 31, 162)', `accent ${JSON.stringify(l)}`);
    check(l.font.startsWith('Georgia') && l.radius === '12px', `font and corners ${JSON.stringify(l)}`);
    check(warnings.length === 0, `no warnings: ${warnings}`);
    await axe(page, 'themed');
    await shot(page, '42-themed');
    await page.getByRole('button', { name: 'Report a problem with this article' }).click();
    const border = await inWidget(page, (b) => getComputedStyle(b.querySelector('textarea')).borderTopColor);
    check(border === 'rgb(125, 110, 85)', `text box border ${border}`);
    await axe(page, 'themed report form');
    await shot(page, '43-themed-report');
    // The publisher chose a light look; it stays in dark mode, still checked.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(100);
    check((await look(page)).background === 'rgb(255, 251, 234)', 'publisher colours in dark mode');
    await axe(page, 'themed, dark');
  },

  // Colours that would fail WCAG AA are refused with a warning naming each, and ours stay; in
  // dark mode, where they do pass against our dark background, they are used.
  async low_contrast_refused(page) {
    await page.goto(`${HOST_URL}/low-contrast`);
    await page.getByText('Was this article helpful?').waitFor();
    const l = await look(page);
    check(l.background === 'rgb(243, 242, 241)' && l.text === 'rgb(27, 27, 27)' && l.accent === 'rgb(29, 95, 166)',
      `defaults kept: ${JSON.stringify(l)}`);
    for (const name of ['--flagpole-background', '--flagpole-text', '--flagpole-accent', '--flagpole-border']) {
      check(warnings.some((w) => w.includes(name)), `a warning names ${name}: ${JSON.stringify(warnings)}`);
    }
    check(warnings.some((w) => w.includes('#9ecbff') && w.includes('4.5:1')), `the warning says why: ${warnings}`);
    await axe(page, 'refused colours');
    await shot(page, '44-low-contrast-refused');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(100);
    const dark = await look(page);
    check(dark.background === 'rgb(51, 51, 51)' && dark.accent === 'rgb(158, 203, 255)', `dark: ${JSON.stringify(dark)}`);
    check(dark.text === 'rgb(240, 240, 240)', `"banana" is still no colour: ${JSON.stringify(dark)}`);
    await axe(page, 'pale colours on dark');
    await shot(page, '45-low-contrast-dark');
  },

  // The no-JavaScript fallback, included server-side in an Arabic page: right to left, and posting.
  async no_javascript_rtl(page) {
    const T = await strings('ar');
    const url = `${HOST_URL}/nojs-ar`;
    await page.goto(url);
    const box = page.locator('.flagpole-noscript');
    check((await box.getAttribute('lang')) === 'ar' && (await box.getAttribute('dir')) === 'rtl', 'lang and dir');
    const direction = await box.evaluate((el) => getComputedStyle(el).direction);
    check(direction === 'rtl', `direction ${direction}`);
    // Playwright's text search skips <noscript>, which only shows with scripting off: by id.
    const limit = await page.locator('#flagpole-comment-limit').textContent();
    check(limit === 'يمكنك إدخال 1000 حرف كحد أقصى', `the limit in Arabic: ${limit}`);
    await shot(page, '50-nojs-arabic');
    // axe needs scripts, so it checks the same markup served on its own, with scripts on.
    const scripted = await browser.newContext({ viewport: { width: 900, height: 900 } });
    const audit = await scripted.newPage();
    await audit.goto(`${HOST_URL}/fallback-ar`);
    await axe(audit, 'no-JS Arabic');
    await audit.locator('summary').click();
    await axe(audit, 'no-JS Arabic, report form open');
    await audit.goto(`${HOST_URL}/fallback-ar#flagpole-help`);
    check(await audit.locator('#flagpole-help').isVisible(), 'the help target shows at #flagpole-help');
    await axe(audit, 'no-JS Arabic, signposting');
    await scripted.close();
    await page.getByRole('checkbox', { name: T.r_unclear }).check();
    await page.getByLabel(T.comment).fill('الجرعة غير واضحة');
    await page.getByRole('button', { name: T.no, exact: true }).click();
    await page.waitForURL(/\/nojs-ar#flagpole-thanks$/);
    const thanks = page.locator('#flagpole-thanks');
    check(await thanks.isVisible() && (await thanks.textContent()) === T.thanks, 'the thank-you shows in Arabic');
    await shot(page, '51-nojs-arabic-thanks');
    await page.locator('summary', { hasText: T.report }).click();
    await page.getByRole('radio', { name: T.c_typo }).check();
    await page.getByLabel(T.details).fill('خطأ إملائي في العنوان');
    await shot(page, '52-nojs-arabic-report');
    await page.getByRole('button', { name: T.send_report }).click();
    await page.waitForURL(/#flagpole-reported$/);
    const reported = page.locator('#flagpole-reported');
    check(await reported.isVisible() && (await reported.textContent()) === T.reported, 'the report thank-you shows in Arabic');
    const a = await stored(url);
    check(a.not_helpful === 1 && a.recent_votes[0].reasons.join() === 'unclear', `vote ${JSON.stringify(a.recent_votes)}`);
    check(a.recent_votes[0].comment === 'الجرعة غير واضحة', 'Arabic comment stored as written');
    check(a.recent_reports[0].category === 'typo', 'no-JS report stored');

    // A question: back at #flagpole-help, where the site's signposting follows the thank-you.
    await page.locator('summary', { hasText: T.report }).click();
    const line = await page.locator('#flagpole-report-purpose').textContent();
    check(line === T.report_purpose, `the purpose line in Arabic: ${line}`);
    await page.getByRole('radio', { name: T.c_other }).check();
    await page.getByLabel(T.details).fill(QUESTION_AR);
    await page.getByRole('button', { name: T.send_report }).click();
    await page.waitForURL(/\/nojs-ar#flagpole-help$/);
    const help = page.locator('#flagpole-help');
    check(await help.isVisible() && !(await reported.isVisible()), 'the help target shows, not the plain thank-you');
    check((await help.locator('p').first().textContent()) === T.reported, 'the thank-you first');
    const text = await help.locator('.flagpole-signpost').textContent();
    check(text === SIGNPOST_AR, `the Arabic signposting: ${text}`);
    await shot(page, '53-nojs-arabic-help');
    const r = (await stored(url)).recent_reports[0];
    check(r.details === QUESTION_AR, `the question stored: ${JSON.stringify(r)}`);
  },
});

/** What a reader who asks for personal advice asks. */
const QUESTION = "Can I take ibuprofen with my blood pressure tablets? I'm 72";
const QUESTION_AR = 'هل يمكنني تناول الإيبوبروفين مع أقراص ضغط الدم؟ عمري 72 عامًا';

/** The report form's purpose line, and what its first question is described by. */
const purpose = (page) => inWidget(page, (b) => {
  const root = b.getRootNode();
  const ids = b.querySelector('fieldset').getAttribute('aria-describedby').split(' ');
  return { shown: b.querySelector('#fp-purpose').textContent, described: ids.map((id) => root.getElementById(id).textContent).join(' ').trim() };
});

/** The signposting in the widget's thank-you, and how it looks beside the thank-you. */
const signpost = (page) => inWidget(page, (b) => {
  const p = b.querySelector('[role=status] .help');
  if (!p) return null;
  const s = getComputedStyle(p), thanks = getComputedStyle(b.querySelector('[role=status] .done'));
  return { text: p.textContent, elements: p.childElementCount, left: s.borderLeftWidth, right: s.borderRightWidth,
    weight: s.fontWeight, thanksWeight: thanks.fontWeight, direction: s.direction };
});

/** Every report the widget posts: its Idempotency-Key and body. */
function reportsSent(page) {
  const sent = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/reports')) {
      sent.push({ key: r.headers()['idempotency-key'], body: JSON.parse(r.postData()) });
    }
  });
  return sent;
}

Object.assign(scenarios, {
  // A reader asks for personal advice in the report form: the answer is lost on the way back once
  // (the report is stored), they send again, and the thank-you carries the site's signposting.
  async signposting_after_a_question(page) {
    const T = await strings('en');
    const sent = reportsSent(page);
    await page.goto(DEMO);
    await page.getByRole('button', { name: T.report }).click();
    const line = await purpose(page);
    check(line.shown === T.report_purpose && line.shown.includes("can't answer personal medical questions"), `purpose line: ${line.shown}`);
    check(line.described.startsWith(T.report_purpose), `the categories are described by it: ${line.described}`);
    await axe(page, 'report form with its purpose');
    await shot(page, '60-report-purpose');
    await page.getByRole('radio', { name: T.c_other }).check();
    await page.getByLabel(T.details).fill(QUESTION);
    await page.waitForTimeout(1600);
    // The server stores the report; its answer never reaches the reader.
    let storedFirst = 0;
    await page.route('**/api/v1/reports', async (route) => {
      storedFirst = (await route.fetch()).status();
      await route.abort('internetdisconnected');
    });
    await page.getByRole('button', { name: T.send_report }).click();
    await page.getByText(T.offline).waitFor();
    check(storedFirst === 201, `the first attempt was stored: ${storedFirst}`);
    await page.unroute('**/api/v1/reports');
    await page.getByRole('button', { name: T.send_report }).click();
    await expectStatus(page, T.reported);
    await expectStatus(page, SIGNPOST_EN);
    const help = await signpost(page);
    // Its "<https://…>" is text, not a tag.
    check(help && help.text === SIGNPOST_EN && help.elements === 0, `signposting shown as text: ${JSON.stringify(help)}`);
    check(help.left === '4px' && help.right === '0px' && help.weight === '400' && help.thanksWeight === '700',
      `set apart from the thank-you: ${JSON.stringify(help)}`);
    check((await focused(page)) === T.report, 'focus returns to the report button');
    await axe(page, 'signposting');
    await shot(page, '61-signposting');

    check(sent.length === 2 && sent[0].key && sent[0].key === sent[1].key, `one key, reused on retry: ${JSON.stringify(sent.map((r) => r.key))}`);
    check(/^[0-9a-f-]{36}$/.test(sent[0].key), `a random key: ${sent[0].key}`);
    check(sent.every((r) => r.body.lang === 'en'), `lang sent: ${JSON.stringify(sent.map((r) => r.body.lang))}`);
    const a = await stored(DEMO);
    const mine = a.recent_reports.filter((r) => r.details === QUESTION);
    check(mine.length === 1, `stored once: ${JSON.stringify(a.recent_reports)}`);

    // A problem with the article: a new key, and the plain thank-you.
    await page.getByRole('button', { name: T.report }).click();
    await page.getByRole('radio', { name: T.c_typo }).check();
    await page.getByLabel(T.details).fill('"anaemia" is misspelt in the second heading');
    await page.waitForTimeout(1600);
    await page.getByRole('button', { name: T.send_report }).click();
    // The form closes when the answer is in; the earlier thank-you is replaced.
    await page.getByRole('heading', { name: T.report_title }).waitFor({ state: 'detached' });
    await expectStatus(page, T.reported);
    check((await signpost(page)) === null, 'no signposting after a problem with the article');
    check(sent.length === 3 && sent[2].key !== sent[0].key, 'a new submission, a new key');
  },

  // The same in Arabic, right to left, the strings fetched beside the plain script.
  async signposting_in_arabic(page) {
    const T = await strings('ar');
    const sent = reportsSent(page);
    const url = `${HOST_URL}/ar`;
    await page.goto(url);
    await page.getByRole('button', { name: T.report }).click();
    const line = await purpose(page);
    check(line.shown === T.report_purpose && line.described.startsWith(T.report_purpose), `purpose line: ${JSON.stringify(line)}`);
    await page.getByRole('radio', { name: T.c_other }).check();
    await page.getByLabel(T.details).fill(QUESTION_AR);
    await page.waitForTimeout(1600);
    await page.getByRole('button', { name: T.send_report }).click();
    await expectStatus(page, T.reported);
    const help = await signpost(page);
    check(help && help.text === SIGNPOST_AR, `Arabic signposting: ${JSON.stringify(help)}`);
    // Right to left: the bar stands on the right.
    check(help.direction === 'rtl' && help.right === '4px' && help.left === '0px', `right to left: ${JSON.stringify(help)}`);
    check(sent.length === 1 && sent[0].body.lang === 'ar' && sent[0].key, `lang and key sent: ${JSON.stringify(sent)}`);
    await axe(page, 'Arabic signposting');
    await shot(page, '62-signposting-arabic');
    const r = (await stored(url)).recent_reports[0];
    check(r.details === QUESTION_AR && r.category === 'other', `stored: ${JSON.stringify(r)}`);
  },
});

const run = scenarios[scenario];
if (!run) {
  console.error(`unknown scenario ${scenario}; known: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
const noScript = ['no_javascript', 'no_javascript_rtl'].includes(scenario);
const context = await browser.newContext({ javaScriptEnabled: !noScript, viewport: { width: 900, height: 900 } });
const page = await context.newPage();
const problems = [];
page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('console', (m) => {
  // Blocked requests in the failure scenario are the point of that scenario.
  if (m.type() === 'error' && !(['failures_keep_input', 'signposting_after_a_question'].includes(scenario) && /Failed to load resource|ERR_INTERNET_DISCONNECTED|429/.test(m.text()))) {
    problems.push(`console error: ${m.text()}`);
  }
});
try {
  await run(page);
  check(problems.length === 0, problems.join('\n'));
  console.log(`ok ${scenario}`);
} catch (e) {
  console.error(`FAILED ${scenario}: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
