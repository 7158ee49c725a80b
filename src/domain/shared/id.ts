/**
 * Ids are UUIDs (v7, time-ordered), the same in GraphQL and SCIM (docs/architecture.md#data-model).
 * Callers may send them in any case; PostgreSQL returns them lower-case, so an id is compared,
 * cached and stored in its canonical, lower-case form.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `s` has the shape of an id. Anything else names nothing: lookups answer "not found". */
export const isUuid = (s: string): boolean => UUID.test(s);

/** The form PostgreSQL returns an id in. */
export const canonicalId = (id: string): string => id.toLowerCase();
