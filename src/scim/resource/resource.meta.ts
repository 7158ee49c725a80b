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

/** An If-Match that names no version of the resource: it matches none (see assertVersion). */
const NO_VERSION = -1;

/**
 * If-Match (RFC 9110 §13.1.1: `*` or a list of entity tags) as the version a write must find:
 * `W/"3"` or `"3"` → 3; `*` → null (any version); absent → undefined. Tags that are not of this
 * form were never given out here and match nothing, so a list with one version among them asks for
 * that one. A list of none is NO_VERSION, and so is one of several, even when one of them is
 * current: a write is guarded by one version (docs/entra.md#tolerance-rules).
 */
export function parseIfMatch(h: string | undefined): number | null | undefined {
  if (h === undefined || h.trim() === '') return undefined;
  const tags = h.split(',').map((t) => t.trim());
  if (tags.includes('*')) return null;
  const versions = new Set(tags.flatMap((t) => /^(?:W\/)?"(\d+)"$/.exec(t)?.[1] ?? []).map(Number));
  return versions.size === 1 ? [...versions][0]! : NO_VERSION;
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
