/**
 * Whether two values of plain data (what a profile holds: strings, numbers, booleans, null,
 * arrays, plain objects) are the same. Object keys compare in any order: PostgreSQL's jsonb and
 * the front doors each order keys their own way, and a key set to `undefined` counts as absent.
 * Arrays compare in order: multi-valued attributes are stored and returned in the order sent, so
 * another order is another value (docs/architecture.md#audit-events).
 *
 * Iterative rather than recursive, so a deeply nested extension document cannot exhaust the stack
 * (docs/architecture.md#robustness).
 */
export function sameData(a: unknown, b: unknown): boolean {
  const pending: [unknown, unknown][] = [[a, b]];
  while (pending.length > 0) {
    const [x, y] = pending.pop()!;
    if (Object.is(x, y)) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x)) {
      const ys = y as unknown[];
      if (x.length !== ys.length) return false;
      x.forEach((v, i) => pending.push([v, ys[i]]));
      continue;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);
    const xk = keys(xo);
    if (xk.length !== keys(yo).length) return false;
    for (const k of xk) {
      if (!Object.hasOwn(yo, k)) return false;
      pending.push([xo[k], yo[k]]);
    }
  }
  return true;
}
