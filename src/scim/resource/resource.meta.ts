import type { Json } from './resource.normalise.js';

/**
 * Versions on the wire (RFC 7644 §3.14): `meta.version` and the ETag header are a weak validator
 * over the row version; If-Match and If-None-Match are read against it.
 */

export const etagOf = (version: number): string => `W/"${version}"`;

const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(d)).toISOString();

export function metaOf(resourceType: 'User' | 'Group', r: { id: string; version: number; createdAt: Date; updatedAt: Date }, baseUrl: string): Json {
  return {
    resourceType,
    created: iso(r.createdAt),
    lastModified: iso(r.updatedAt),
    location: `${baseUrl}/${resourceType}s/${r.id}`,
    version: etagOf(r.version),
  };
}

/** `W/"3"` or `"3"` → 3; `*` → null (any version); absent → undefined; anything else can never match. */
export function parseIfMatch(h: string | undefined): number | null | undefined {
  if (h === undefined || h.trim() === '') return undefined;
  const v = h.trim();
  if (v === '*') return null;
  const m = /^(?:W\/)?"(\d+)"$/.exec(v);
  return m ? Number(m[1]) : -1;
}

/** Whether an If-None-Match header names this version (or `*`). */
export function etagMatches(header: string | undefined, version: number): boolean {
  if (!header) return false;
  const tag = etagOf(version);
  return header.split(',').some((t) => {
    const s = t.trim();
    return s === '*' || s === tag || s === tag.slice(2);
  });
}
