import { readFile } from 'node:fs/promises';
import { ESLint } from 'eslint';

/**
 * `npm run lint` judges schema/schema.graphql as client tooling does (graphql-eslint's
 * schema-recommended and schema-relay presets, every element described); the exceptions in
 * eslint.config.js name single schema elements and excuse nothing else.
 */
const eslint = new ESLint({ cwd: process.cwd() });
const FILE = 'schema/schema.graphql';
const problems = async (sdl: string): Promise<string[]> => {
  const [result] = await eslint.lintText(sdl, { filePath: FILE });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
};

/** `sdl` with `from` replaced by `to` in the definition that starts with `header`. */
const inDefinition = (sdl: string, header: string, from: string, to: string): string => {
  const at = sdl.indexOf(header);
  const end = sdl.indexOf('\n}\n', at);
  const body = sdl.slice(at, end);
  if (at < 0 || !body.includes(from)) throw new Error(`${header} has no ${JSON.stringify(from)}`);
  return sdl.slice(0, at) + body.replace(from, to) + sdl.slice(end);
};

let committed: string;
beforeAll(async () => {
  committed = await readFile(FILE, 'utf8');
});

describe('schema lint', () => {
  it('finds nothing in the committed schema', async () => {
    expect(await problems(committed)).toEqual([]);
  });

  it.each([
    ['a field', 'type User implements Node {', '  """The name to show for the user."""\n  displayName: String\n', '  displayName: String\n', /field "displayName" in type "User"/],
    ['an argument', 'type Tenant implements Node {', '    """Id of the user."""\n    id: ID!\n', '    id: ID!\n', /input value "id" in field "user"/],
    ['an enum value', 'enum GroupOrderField {', '  """By displayName."""\n  DISPLAY_NAME\n', '  DISPLAY_NAME\n', /enum value "DISPLAY_NAME" in enum "GroupOrderField"/],
  ])('requires a description on %s', async (_what, header, described, bare, message) => {
    expect(await problems(inDefinition(committed, header, described, bare))).toEqual([expect.stringMatching(message)]);
  });

  it('keeps the Relay rules for every connection but the one excepted by name', async () => {
    const extra = '\n"""A page."""\ntype WidgetConnection {\n  """Things."""\n  things: [String!]!\n}\n';
    const found = await problems(committed + extra);
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^roster\/relay-connection-types: .*edges/), expect.stringMatching(/^roster\/relay-connection-types: .*pageInfo/)]));
  });

  it('keeps the type-name prefix rule for fields other than the excepted ones', async () => {
    const renamed = inDefinition(committed, 'type User implements Node {', '  displayName: String\n', '  userDisplayName: String\n');
    expect(await problems(renamed)).toEqual([expect.stringMatching(/^roster\/no-typename-prefix: .*userDisplayName/)]);
  });
});
