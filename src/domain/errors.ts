/**
 * Domain errors. Each has one stable code; the GraphQL layer renders it as `extensions.code`
 * and the SCIM layer as an HTTP status plus `scimType` (docs/architecture.md#errors).
 */
export type DomainErrorCode =
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_VALUE'
  | 'INVALID_FILTER'
  | 'PRECONDITION_FAILED'
  | 'FORBIDDEN'
  | 'MANAGED_BY_SCIM'
  | 'UNAUTHENTICATED'
  | 'UNAVAILABLE';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** The attribute (domain path) the error is about, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class NotFoundError extends DomainError {
  constructor(resource: string, id: string) {
    super('NOT_FOUND', `${resource} ${id} not found`);
  }
}

/** The uniqueness rules of the data model (docs/architecture.md#data-model). */
export type UniqueRule = 'user.userName' | 'user.loginName' | 'group.displayName' | 'tenant.name' | 'connection.name';

export class ConflictError extends DomainError {
  constructor(
    message: string,
    field?: string,
    /** Which uniqueness rule the value broke, when known; services may react to it (login-name suffixes). */
    readonly rule?: UniqueRule,
  ) {
    super('CONFLICT', message, field);
  }
}

export class InvalidValueError extends DomainError {
  constructor(message: string, field?: string) {
    super('INVALID_VALUE', message, field);
  }
}

export class InvalidFilterError extends DomainError {
  constructor(message: string, field?: string) {
    super('INVALID_FILTER', message, field);
  }
}

export class PreconditionFailedError extends DomainError {
  constructor(message: string) {
    super('PRECONDITION_FAILED', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

export class ManagedByScimError extends DomainError {
  constructor(resource: string, id: string) {
    super(
      'MANAGED_BY_SCIM',
      `${resource} ${id} is managed by a SCIM connection; release it (releaseFromScim) before changing it here`,
    );
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'Missing or invalid credentials') {
    super('UNAUTHENTICATED', message);
  }
}

/**
 * Why work could not be done now; a retry later may succeed (docs/architecture.md#robustness).
 * Each reason is one label value of the rejection metric.
 */
export type UnavailableReason =
  /** No database connection became free within the configured wait. */
  | 'pool_timeout'
  /** A statement ran past its statement_timeout, or waited too long for a lock. */
  | 'statement_timeout'
  /** The database is down, restarting, or the connection to it broke. */
  | 'connection_lost'
  /** The transaction conflicted with a concurrent one (serialization failure, deadlock). */
  | 'serialization_conflict'
  /** The tenant already has as many requests in progress as it may. */
  | 'tenant_limit';

export class UnavailableError extends DomainError {
  constructor(
    message: string,
    readonly reason: UnavailableReason,
    /** The fault underneath (a driver error), for the log; never shown to the caller. */
    override readonly cause?: unknown,
  ) {
    super('UNAVAILABLE', message);
  }
}

/**
 * A write computed from a state that changed before the write landed (another write got there
 * first): nothing of it was written, and the service runs it again from a read under the row's
 * lock (docs/architecture.md#optimistic-writes). Never shown to a caller.
 */
export class StaleWriteError extends Error {
  constructor(override readonly cause?: unknown) {
    super('the row changed after it was read');
    this.name = 'StaleWriteError';
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
