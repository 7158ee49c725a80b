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
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  // The pairs still to compare: xs[i] against ys[i]. Two flat stacks, not a stack of pairs, and
  // keys counted in place rather than listed: a profile's attributes are compared on every change
  // of a user, and this allocates nothing per value compared.
  const xs: unknown[] = [a];
  const ys: unknown[] = [b];
  while (xs.length > 0) {
    const x = xs.pop();
    const y = ys.pop();
    if (Object.is(x, y)) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    const isArray = Array.isArray(x);
    if (isArray !== Array.isArray(y)) return false;
    if (isArray) {
      const xa = x as unknown[];
      const ya = y as unknown[];
      if (xa.length !== ya.length) return false;
      for (let i = 0; i < xa.length; i++) {
        xs.push(xa[i]);
        ys.push(ya[i]);
      }
      continue;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    // Keys set on x less those set on y: zero when both hold the same keys (each of x's is on y).
    let keys = 0;
    for (const k in xo) {
      if (!Object.hasOwn(xo, k) || xo[k] === undefined) continue;
      if (!Object.hasOwn(yo, k)) return false;
      keys++;
      xs.push(xo[k]);
      ys.push(yo[k]);
    }
    for (const k in yo) if (Object.hasOwn(yo, k) && yo[k] !== undefined) keys--;
    if (keys !== 0) return false;
  }
  return true;
}

/**
 * A deep copy of plain data (as `sameData` takes it): new arrays and plain objects all the way
 * down, anything else (strings, numbers, booleans, null, a Date) shared. For a resource about to
 * be changed in place, such as a SCIM PATCH's document: `structuredClone` went through V8's
 * serializer and cost about eight times as much for a user (docs/performance.md#fewer-copies-through-the-serializer).
 *
 * Iterative, as `sameData` is, so a deeply nested extension document cannot exhaust the stack; an
 * own `__proto__` key (JSON.parse makes one) is copied as a key, not taken for the prototype.
 */
export function copyData<T>(value: T): T {
  // The objects still to fill: to[i] gets the contents of from[i].
  const from: object[] = [];
  const to: object[] = [];
  const fresh = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    const proto: unknown = Object.getPrototypeOf(v);
    const copy = Array.isArray(v) ? [] : proto === Object.prototype || proto === null ? {} : null;
    if (copy === null) return v;
    from.push(v);
    to.push(copy);
    return copy;
  };
  const root = fresh(value) as T;
  while (from.length > 0) {
    const source = from.pop()!;
    const target = to.pop()!;
    if (Array.isArray(source)) {
      const out = target as unknown[];
      for (let i = 0; i < source.length; i++) out.push(fresh(source[i]));
      continue;
    }
    const src = source as Record<string, unknown>;
    const out = target as Record<string, unknown>;
    for (const k in src) {
      if (!Object.hasOwn(src, k)) continue;
      if (k === '__proto__') Object.defineProperty(out, k, { value: fresh(src[k]), enumerable: true, writable: true, configurable: true });
      else out[k] = fresh(src[k]);
    }
  }
  return root;
}
