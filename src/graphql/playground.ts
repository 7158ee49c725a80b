/**
 * The GraphiQL playground served at GET /graphql to browsers. Everything it loads comes from
 * this server (GraphiQL and React from node_modules, see http/graphql.mount.ts), so it works
 * offline and under a strict Content-Security-Policy: no CDN, no inline script.
 */

export function playgroundHtml(base: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Roster GraphQL playground</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="${base}/assets/graphiql.css">
  <link rel="stylesheet" href="${base}/assets/playground.css">
</head>
<body>
  <form id="roster-key" autocomplete="off">
    <strong>Roster</strong>
    <label for="api-key">API key</label>
    <input id="api-key" type="password" placeholder="roster_key_… (sent as Authorization: Bearer)" spellcheck="false">
    <button type="submit">Use key</button>
    <span id="key-state"></span>
  </form>
  <div id="graphiql">Loading the playground…</div>
  <script src="${base}/assets/react.js"></script>
  <script src="${base}/assets/react-dom.js"></script>
  <script src="${base}/assets/graphiql.js"></script>
  <script src="${base}/assets/playground.js" data-endpoint="${base}"></script>
</body>
</html>
`;
}

export const PLAYGROUND_CSS = `html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
#roster-key { display: flex; gap: .5rem; align-items: center; padding: .4rem .75rem; border-bottom: 1px solid #ddd; }
#api-key { flex: 0 1 32rem; font-family: monospace; padding: .25rem .4rem; }
#key-state { color: #666; font-size: .9em; }
#graphiql { flex: 1; min-height: 0; }
`;

/** Example operations, one per tab, that work against a fresh start (see the README). */
const EXAMPLES: readonly { query: string; variables?: string }[] = [
  {
    query: `# Who am I? Paste an API key above (or set "Authorization: Bearer <key>" in the Headers tab).
query Viewer {
  viewer {
    platform
    apiKey { id name role tenantId }
  }
  tenants { id name createdAt }
}
`,
  },
  {
    query: `# Users of a tenant: filter, order, page with first/after, count.
query Users($tenantId: ID!) {
  tenant(id: $tenantId) {
    users(first: 20, filter: { active: { eq: true } }, orderBy: { field: USER_NAME }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id userName displayName emails { value primary } groups { displayName } } }
    }
  }
}
`,
    variables: '{ "tenantId": "<a tenant id from the first tab>" }',
  },
  {
    query: `# Create a tenant, then a user and a group in it.
mutation CreateTenant {
  createTenant(input: { name: "Acme" }) { tenant { id name } }
}

mutation CreateUser($tenantId: ID!) {
  createUser(input: { tenantId: $tenantId, userName: "ada@example.com", displayName: "Ada Lovelace",
                      emails: [{ value: "ada@example.com", primary: true }] }) {
    user { id userName version }
  }
}

mutation CreateGroup($tenantId: ID!) {
  createGroup(input: { tenantId: $tenantId, displayName: "Engineering" }) { group { id displayName } }
}
`,
    variables: '{ "tenantId": "<the id createTenant returned>" }',
  },
  {
    query: `# Change events as they commit (over WebSocket). Run it, then make a change in another tab.
# Pass "after" (a cursor from tenant { events }) to replay from there first.
subscription Events($tenantId: ID) {
  events(tenantId: $tenantId, types: ["user.created", "user.updated", "user.deactivated", "group.members_added"]) {
    type position occurredAt resourceId changedAttributes data
  }
}
`,
    variables: '{ "tenantId": "<a tenant id>" }',
  },
];

/** The boot script: renders GraphiQL with a fetcher that adds the key entered above. */
export function playgroundScript(): string {
  return `(function () {
  'use strict';
  var endpoint = document.currentScript.getAttribute('data-endpoint');
  var STORE = 'roster.apiKey';
  var input = document.getElementById('api-key');
  var state = document.getElementById('key-state');
  // The key lives in this tab's sessionStorage only, never in the URL (URLs end up in logs).
  input.value = sessionStorage.getItem(STORE) || '';
  // Subscriptions go over WebSocket to the same path (graphql-ws); the key travels in connection_init.
  var wsUrl = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + endpoint;
  var base = GraphiQL.createFetcher({ url: endpoint, subscriptionUrl: wsUrl });
  function fetcher(params, opts) {
    var key = sessionStorage.getItem(STORE);
    var headers = Object.assign({}, key ? { Authorization: 'Bearer ' + key } : {}, (opts && opts.headers) || {});
    return base(params, Object.assign({}, opts, { headers: headers }));
  }
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var generation = 0;
  function render() {
    var key = sessionStorage.getItem(STORE);
    state.textContent = key ? 'key set for this tab' : 'no key: requests will be refused (401)';
    // A new React key remounts GraphiQL, so the schema is fetched again with the new credential.
    root.render(React.createElement(GraphiQL, {
      key: 'g' + (generation++),
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      defaultTabs: ${JSON.stringify(EXAMPLES)},
    }));
  }
  document.getElementById('roster-key').addEventListener('submit', function (e) {
    e.preventDefault();
    var v = input.value.trim();
    if (v) sessionStorage.setItem(STORE, v); else sessionStorage.removeItem(STORE);
    render();
  });
  render();
})();
`;
}
