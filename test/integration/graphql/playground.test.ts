import { startHarness, type Harness } from '../../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('playground (served without a browser; test/browser drives it in Chromium)', () => {
  it('serves GraphiQL to a browser asking /graphql for HTML, without credentials', async () => {
    const res = await fetch(`${h.baseUrl}/graphql`, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('/graphql/assets/graphiql.js');
    // Offline: nothing is loaded from another origin.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it.each([
    ['react.js', 'text/javascript', 'React'],
    ['react-dom.js', 'text/javascript', 'ReactDOM'],
    ['graphiql.js', 'text/javascript', 'GraphiQL'],
    ['graphiql.css', 'text/css', '.graphiql-container'],
    ['playground.js', 'text/javascript', 'createFetcher'],
    ['playground.css', 'text/css', '#graphiql'],
  ])('serves the asset %s from the installed packages', async (name, type, marker) => {
    const res = await fetch(`${h.baseUrl}/graphql/assets/${name}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(type);
    expect(await res.text()).toContain(marker);
  });

  it('sends the page and every asset with nosniff and no referrer, keeping its CSP and cache headers', async () => {
    const page = await fetch(`${h.baseUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect({
      nosniff: page.headers.get('x-content-type-options'),
      referrer: page.headers.get('referrer-policy'),
      csp: page.headers.get('content-security-policy'),
      cache: page.headers.get('cache-control'),
    }).toEqual({ nosniff: 'nosniff', referrer: 'no-referrer', csp: expect.stringContaining("default-src 'self'"), cache: 'no-store' });
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    for (const name of ['react.js', 'react-dom.js', 'graphiql.js', 'graphiql.css', 'playground.js', 'playground.css']) {
      for (const method of ['GET', 'HEAD']) {
        const res = await fetch(`${h.baseUrl}/graphql/assets/${name}`, { method });
        expect({ name, method, nosniff: res.headers.get('x-content-type-options'), referrer: res.headers.get('referrer-policy'), cache: res.headers.get('cache-control') }).toEqual({
          name, method, nosniff: 'nosniff', referrer: 'no-referrer', cache: 'public, max-age=3600',
        });
      }
    }
  });

  it('runs subscriptions over WebSocket at the same path, with the key in connection_init', async () => {
    const script = await (await fetch(`${h.baseUrl}/graphql/assets/playground.js`)).text();
    expect(script).toContain('subscriptionUrl: wsUrl');
    expect(script).toContain("(location.protocol === 'https:' ? 'wss:' : 'ws:')");
    expect(script).toContain('subscription Events');
  });

  it('answers unknown assets with 404 and never serves other files', async () => {
    for (const p of ['/graphql/assets/nope.js', '/graphql/assets/..%2fpackage.json', '/graphql/other']) {
      expect((await fetch(`${h.baseUrl}${p}`)).status).toBe(404);
    }
  });

  it('still answers GraphQL to a GET that does not ask for HTML', async () => {
    const res = await fetch(`${h.baseUrl}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { authorization: `Bearer ${h.adminKey}` } });
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
