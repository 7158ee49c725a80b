import { isDomainError, type DomainErrorCode } from '../domain/errors.js';

/** RFC 7644 §3.12 error schema. */
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** RFC 7644 §3.12 Table 9: the detail error keywords, and the one status each belongs to. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

const SCIM_TYPE_STATUS: Readonly<Record<ScimType, number>> = {
  invalidFilter: 400,
  tooMany: 400,
  uniqueness: 409,
  mutability: 400,
  invalidSyntax: 400,
  invalidPath: 400,
  noTarget: 400,
  invalidValue: 400,
  invalidVers: 400,
  sensitive: 403,
};

/** A SCIM protocol error: an HTTP status, an optional scimType and a detail that says what to fix. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: ScimType,
  ) {
    super(detail);
    this.name = 'ScimError';
    // RFC 7644 §3.12: a scimType is only meaningful with the status the RFC gives it.
    if (scimType && SCIM_TYPE_STATUS[scimType] !== status) {
      throw new Error(`scimType ${scimType} goes with status ${SCIM_TYPE_STATUS[scimType]}, not ${status}`);
    }
  }
}

export const invalidFilter = (detail: string) => new ScimError(400, detail, 'invalidFilter');
export const invalidPath = (detail: string) => new ScimError(400, detail, 'invalidPath');
export const invalidValue = (detail: string) => new ScimError(400, detail, 'invalidValue');
export const invalidSyntax = (detail: string) => new ScimError(400, detail, 'invalidSyntax');
export const noTarget = (detail: string) => new ScimError(400, detail, 'noTarget');
export const mutability = (detail: string) => new ScimError(400, detail, 'mutability');
export const notFound = (detail: string) => new ScimError(404, detail);

/** The one SCIM rendering of each domain error (docs/architecture.md#errors). */
const DOMAIN_TO_SCIM: Readonly<Record<DomainErrorCode, { status: number; scimType?: ScimType }>> = {
  NOT_FOUND: { status: 404 },
  CONFLICT: { status: 409, scimType: 'uniqueness' },
  INVALID_VALUE: { status: 400, scimType: 'invalidValue' },
  INVALID_FILTER: { status: 400, scimType: 'invalidFilter' },
  PRECONDITION_FAILED: { status: 412 },
  FORBIDDEN: { status: 403 },
  MANAGED_BY_SCIM: { status: 403 },
  UNAUTHENTICATED: { status: 401 },
  UNAVAILABLE: { status: 503 },
};

/** Turns a thrown value into a SCIM error, or null when it is not one we can explain (a bug). */
export function toScimError(e: unknown): ScimError | null {
  if (e instanceof ScimError) return e;
  if (isDomainError(e)) {
    const m = DOMAIN_TO_SCIM[e.code];
    return new ScimError(m.status, e.message, m.scimType);
  }
  return null;
}

/** RFC 7644 §3.12: the error body; `status` is a string. */
export function errorBody(e: ScimError): Record<string, unknown> {
  return {
    schemas: [ERROR_SCHEMA],
    status: String(e.status),
    ...(e.scimType ? { scimType: e.scimType } : {}),
    detail: e.detail,
  };
}
