import { InvalidValueError } from '../errors.js';
import { characterProblem } from './validate.js';

/** What Roster owns on every user and group: identity, tenant, owner, version and timestamps. */
export interface ResourceMeta {
  readonly id: string;
  readonly tenantId: string;
  /** The SCIM connection that owns the resource, or null when admins manage it. */
  readonly managedBy: string | null;
  /** Bumped by every change; the SCIM ETag and GraphQL `ifVersion`. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A required, trimmed name of at most `max` characters (tenants, connections, API keys). */
export function requireName(value: unknown, field = 'name', max = 200): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidValueError(`"${field}" is required and must not be empty`, field);
  if (value.length > max) throw new InvalidValueError(`"${field}" is longer than ${max} characters`, field);
  const problem = characterProblem(value);
  if (problem) throw new InvalidValueError(`"${field}" ${problem}`, field);
  return value.trim();
}
