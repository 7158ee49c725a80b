import { chromium, type Browser } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness.js';

/**
 * The playground in a real headless Chromium (Debian's `chromium`; run with `npm run test:browser`).
 * It must load only from this server, take an API key, run a query and show the result.
 */
let h: Harness;
let browser: Browser;
beforeAll(async () => {
  h = await startHarness();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('GraphiQL playground', () => {
  it('loads from this server alone, takes an API key, runs a query and shows the result', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    page.on('response', (r) => {
      if (r.status() >= 400 && r.status() !== 401) problems.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      // The schema fetch before a key is entered is refused (401) on purpose.
      if (m.type() === 'error' && !/401|Unauthorized|Failed to load resource/.test(m.text())) problems.push(m.text());
    });

    await page.goto(`${h.baseUrl}/graphql`);
    await page.waitForSelector('.graphiql-container', { timeout: 20_000 });
    await page.fill('#api-key', h.adminKey);
    await page.click('#roster-key button[type=submit]');
    await page.waitForSelector('.graphiql-execute-button', { timeout: 20_000 });
    // The first example tab asks who we are.
    await page.click('.graphiql-execute-button');
    const result = page.locator('.result-window');
    await result.getByText('"platform": true').waitFor({ timeout: 20_000 });
    expect(await result.innerText()).toContain('"name": "bootstrap"');

    // The header editor is there for callers who prefer to set the Authorization header themselves.
    await page.getByText('Headers', { exact: true }).first().click();
    expect(await page.locator('.graphiql-editor-tool').count()).toBeGreaterThan(0);

    expect(requested.filter((u) => !u.startsWith(h.baseUrl))).toEqual([]);
    expect(problems).toEqual([]);
    await page.screenshot({ path: process.env.PLAYGROUND_SCREENSHOT ?? '/tmp/roster-playground.png' });
  });
});
