/**
 * `{ ...base, ...extra }`, for objects built on every request: `base`'s own enumerable properties
 * copied into a new object, then `extra`'s, added or replacing.
 *
 * Written with `Object.assign` because, on the V8 of Node.js 20, an object made by a spread and
 * then given a property its source lacks outlives the young generation's collections: every
 * user create promoted about a tenth of what it allocated to the old generation, which made each
 * scavenge several times slower and a mark-compact come every few seconds
 * (docs/performance.md#objects-made-by-a-spread-outlive-the-young-generation). A spread that only
 * replaces properties its source has does not, and needs no helper; nor, on Node.js 22 and 24, does
 * a spread that adds one (test/unit/domain/shared/objects.test.ts says which engine this is).
 *
 * Only for objects Roster built: a source with an own `__proto__` key (JSON.parse makes one) would
 * set the copy's prototype instead of being copied.
 */
export function extended<B extends object, E extends object>(base: B, extra: E): Omit<B, keyof E> & E {
  return Object.assign({}, base, extra);
}
