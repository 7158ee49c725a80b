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

/** What the audit trail keeps of a refused write: a stable code and a message holding no request value. */
export interface RecordedFailure {
  readonly errorCode: string;
  readonly errorDetail: string;
}

/** Codes of the facade's own refusals, by scimType, in the domain's spelling. */
const SCIM_TYPE_CODE: Readonly<Record<ScimType, string>> = {
  invalidFilter: 'INVALID_FILTER',
  tooMany: 'TOO_MANY',
  uniqueness: 'CONFLICT',
  mutability: 'MUTABILITY',
  invalidSyntax: 'INVALID_SYNTAX',
  invalidPath: 'INVALID_PATH',
  noTarget: 'NO_TARGET',
  invalidValue: 'INVALID_VALUE',
  invalidVers: 'INVALID_VERSION',
  sensitive: 'SENSITIVE',
};

/**
 * Fixed words per code (docs/architecture.md#audit-events): error messages name values a client sent (a taken
 * userName, a path with its filter), and the log must hold none, so it keeps these plus the name
 * of the attribute at fault, never the message.
 */
const FAILURE_WORDS: Readonly<Record<string, string>> = {
  NOT_FOUND: 'no such resource for this connection (deleted, or managed by another source)',
  CONFLICT: 'the name is taken in the tenant (userName, login name or displayName)',
  INVALID_VALUE: 'a value of the wrong type, size or shape, or one Roster cannot store',
  INVALID_FILTER: 'the filter cannot be parsed or names an attribute that cannot be filtered',
  PRECONDITION_FAILED: 'If-Match named a version other than the stored one',
  FORBIDDEN: 'the connection may not change this resource',
  MANAGED_BY_SCIM: 'the resource is managed by a SCIM connection',
  UNAUTHENTICATED: 'the credentials were refused',
  UNAVAILABLE: 'the database was unavailable or the tenant busy; the identity provider retries',
  TOO_MANY: 'too many results or operations in one request',
  MUTABILITY: 'a read-only attribute cannot be changed',
  INVALID_SYNTAX: 'the request body is not the JSON object SCIM expects',
  INVALID_PATH: 'a PATCH path is malformed or names an attribute this resource does not have',
  NO_TARGET: 'a PATCH path matches nothing to change',
  INVALID_VERSION: 'the version given is not valid',
  SENSITIVE: 'the request carried sensitive data in its URL',
  INTERNAL: 'an unexpected error in Roster; the log line with this request id has it',
};

/** The code and value-free detail of a failed write, for its audit event. */
export function recordedFailure(e: unknown): RecordedFailure {
  let code = 'INTERNAL';
  let field: string | undefined;
  if (isDomainError(e)) {
    code = e.code;
    field = e.field;
  } else if (e instanceof ScimError) {
    code = e.scimType ? SCIM_TYPE_CODE[e.scimType] : e.status === 404 ? 'NOT_FOUND' : e.status === 401 ? 'UNAUTHENTICATED' : e.status === 403 ? 'FORBIDDEN' : `HTTP_${e.status}`;
  }
  const words = FAILURE_WORDS[code] ?? 'the request was refused';
  // An attribute name (a domain path such as "emails[2].value") says where, without the value.
  const where = field && /^[\w.$[\]:-]{1,200}$/.test(field) ? ` (at ${field})` : '';
  return { errorCode: code, errorDetail: `${words}${where}` };
}
