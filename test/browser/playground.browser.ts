import { chromium, type Browser } from 'playwright-core';
import { gqlOk } from '../support/graphql.js';
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

  it('runs a subscription over WebSocket with the key entered, showing events as they commit', async () => {
    const { createTenant } = await gqlOk(h, 'mutation { createTenant(input: { name: "Playground events" }) { tenant { id } } }', {}, h.adminKey);
    const tenantId = createTenant.tenant.id as string;
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${h.baseUrl}/graphql`);
    await page.waitForSelector('.graphiql-container', { timeout: 20_000 });
    await page.fill('#api-key', h.adminKey);
    await page.click('#roster-key button[type=submit]');
    await page.waitForSelector('.graphiql-execute-button', { timeout: 20_000 });
    // GraphiQL remounts with the key once it is entered; until it has, a click may land on the
    // instance that is going away. So the subscription is started again if no event shows.
    const result = page.locator('.result-window');
    const subscription = 'subscription Events($tenantId: ID) { events(tenantId: $tenantId, types: ["user.created"]) { type position data } }';
    let shown = '';
    for (let attempt = 0; attempt < 3 && !shown.includes('playground-sub-'); attempt++) {
      // The example tab with the subscription, its variables naming the tenant; typed as a user
      // would, so the editor names the operation to run from what it holds. Page-side code goes
      // as strings: it runs in the browser, which this file's types do not describe.
      await page.getByText('Events', { exact: true }).first().click();
      await page.waitForFunction("/subscription Events/.test(document.querySelector('.graphiql-query-editor')?.textContent ?? '')");
      await page.evaluate(`document.querySelector('.graphiql-editor-tool .CodeMirror').CodeMirror.setValue(${JSON.stringify(JSON.stringify({ tenantId }))})`);
      await page.evaluate(`document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(${JSON.stringify(subscription)})`);
      await page.click('.graphiql-execute-button');
      // Changes commit while the subscription is open; each shows up as it commits.
      const deadline = Date.now() + 8_000;
      while (!shown.includes('playground-sub-') && Date.now() < deadline) {
        await gqlOk(h, 'mutation($t: ID!, $u: String!) { createUser(input: { tenantId: $t, userName: $u }) { user { id } } }', { t: tenantId, u: `playground-sub-${Date.now()}@example.com` }, h.adminKey);
        await new Promise((r) => setTimeout(r, 500));
        shown = await result.innerText();
      }
    }
    expect(shown).toContain('"type": "user.created"');
    expect(shown).toContain('playground-sub-');
    expect(problems).toEqual([]);
  });
});
