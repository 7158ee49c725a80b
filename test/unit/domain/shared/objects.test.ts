import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { extended } from '../../../../src/domain/shared/objects.js';

describe('extended', () => {
  it('copies the base and adds the new fields, as a spread would', () => {
    const base = { a: 1, b: 'two', list: [1, 2] };
    const out = extended(base, { c: true });
    expect(out).toEqual({ a: 1, b: 'two', list: [1, 2], c: true });
    expect(Object.keys(out)).toEqual(['a', 'b', 'list', 'c']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('lets the new fields replace the base’s and leaves the base as it was', () => {
    const base = { a: 1, b: 'two' };
    const out = extended(base, { b: 'three' });
    expect(out).toEqual({ a: 1, b: 'three' });
    expect(out).not.toBe(base);
    expect(base).toEqual({ a: 1, b: 'two' });
  });
});

/**
 * Why `extended` exists (docs/performance.md#objects-made-by-a-spread-outlive-the-young-generation):
 * on the V8 of Node.js 20, objects copied by a spread and then given a field their source lacks
 * survive the young generation's collections; copies made by `extended` do not, on any engine.
 * Measured in a plain Node.js process, as the server runs, by the bytes its scavenges promote to
 * the old generation (`--trace-gc-nvp`), while objects that are dropped at once are made by the
 * million.
 */
const objects = fileURLToPath(new URL('../../../../src/domain/shared/objects.ts', import.meta.url));

function promotedBy(make: string): number {
  const script = `
const { extended } = await import(${JSON.stringify(objects)});
const profile = (userName) => ({ userName, externalId: null, displayName: null, title: null, active: true, emails: [], extensions: {} });
const make = ${make};
let kept = 0;
for (let round = 0; round < 120; round++) {
  for (let i = 0; i < 20000; i++) kept += make(profile('u' + i)).loginName.length;
  await new Promise((resolve) => setImmediate(resolve));
}
process.stderr.write('made ' + kept + '\\n');
`;
  const r = spawnSync(process.execPath, ['--max-semi-space-size=32', '--trace-gc-nvp', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toMatch(/made \d+/);
  const promoted = [...r.stdout.matchAll(/\bgc=s\b.*?\bpromoted=(\d+)/g)].map((m) => Number(m[1]));
  expect(promoted.length).toBeGreaterThan(3);
  return promoted.reduce((a, b) => a + b, 0);
}

/** Whether this engine promotes spread copies that add a field: Node.js 20's V8 (11.3) does, those of Node.js 22 and 24 do not. */
const SPREAD_COPIES_PROMOTED = Number(process.versions.node.split('.')[0]) === 20;

describe('copies made on every request', () => {
  it('do not outlive the young generation when made by extended, and never more than copies made by a spread that adds a field', () => {
    const spread = promotedBy('(p) => ({ ...p, loginName: p.userName })');
    const assigned = promotedBy('(p) => extended(p, { loginName: p.userName })');
    // What loading and compiling promote, with copies that are plain literals.
    const literal = promotedBy('(p) => ({ userName: p.userName, loginName: p.userName })');
    const MiB = 2 ** 20;
    expect(assigned - literal).toBeLessThan(2 * MiB);
    expect(assigned).toBeLessThanOrEqual(spread + 2 * MiB);
    // The premise, on the engine the helper was written for (337 MiB promoted against 0.7 for literals
    // there; 2 against 0.6–1.0 on Node.js 22 and 24): once Node.js 20 is no longer supported, a plain
    // spread will do.
    expect({ node: process.version, spreadCopiesPromoted: spread - literal > 50 * MiB }).toEqual({ node: process.version, spreadCopiesPromoted: SPREAD_COPIES_PROMOTED });
  }, 120_000);
});
