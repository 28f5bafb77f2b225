// Browser scenarios for the widget and the dashboard, in Debian's Chromium via playwright-core.
// Run by tests/api/browser.rs, which starts flagpole and a second "publisher" site and passes:
//   APP_URL   flagpole, e.g. http://127.0.0.1:41234
//   HOST_URL  the publisher site on another origin, e.g. http://localhost:41235
//   TOKEN     an API token, to check what landed in the database
//   SHOTS_DIR where screenshots of each state go (not committed; look at them)
//   EDITOR_EMAIL, EDITOR_PASSWORD  an editor who can sign in to the dashboard
// Usage: node scenarios.mjs SCENARIO. Exits non-zero with the reason on the first failed check.

import fs from 'node:fs';
import { chromium } from 'playwright-core';

const { APP_URL, HOST_URL, TOKEN, SHOTS_DIR, EDITOR_EMAIL, EDITOR_PASSWORD } = process.env;
const scenario = process.argv[2];
const AXE = fs.readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
const DEMO = `${APP_URL}/widget/demo`;

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

const scenarios = {
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

const run = scenarios[scenario];
if (!run) {
  console.error(`unknown scenario ${scenario}; known: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
const context = await browser.newContext({ javaScriptEnabled: scenario !== 'no_javascript', viewport: { width: 900, height: 900 } });
const page = await context.newPage();
const problems = [];
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('console', (m) => {
  // Blocked requests in the failure scenario are the point of that scenario.
  if (m.type() === 'error' && !(scenario === 'failures_keep_input' && /Failed to load resource|ERR_INTERNET_DISCONNECTED|429/.test(m.text()))) {
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
