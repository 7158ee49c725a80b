import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isDomainError, type DomainError, type DomainErrorCode } from '../domain/errors.js';

/**
 * Every `extensions.code` this API answers with. Clients switch on these; they are part of the
 * contract, so they only ever grow.
 */
export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  FORBIDDEN = 'FORBIDDEN',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  MANAGED_BY_SCIM = 'MANAGED_BY_SCIM',
  PRECONDITION_FAILED = 'PRECONDITION_FAILED',
  UNAVAILABLE = 'UNAVAILABLE',
  /** The operation nests deeper than the server allows. */
  QUERY_TOO_DEEP = 'QUERY_TOO_DEEP',
  /** The operation would cost more than the server allows (page sizes multiply). */
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  /** The HTTP request itself is unusable (bad JSON, too large), before any GraphQL runs. */
  BAD_REQUEST = 'BAD_REQUEST',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/** The one table from domain error codes to GraphQL codes (docs/architecture.md#errors). */
const DOMAIN_CODES: Readonly<Record<DomainErrorCode, ErrorCode>> = {
  NOT_FOUND: ErrorCode.NOT_FOUND,
  CONFLICT: ErrorCode.CONFLICT,
  INVALID_VALUE: ErrorCode.BAD_USER_INPUT,
  INVALID_FILTER: ErrorCode.BAD_USER_INPUT,
  PRECONDITION_FAILED: ErrorCode.PRECONDITION_FAILED,
  FORBIDDEN: ErrorCode.FORBIDDEN,
  MANAGED_BY_SCIM: ErrorCode.MANAGED_BY_SCIM,
  UNAUTHENTICATED: ErrorCode.UNAUTHENTICATED,
  UNAVAILABLE: ErrorCode.UNAVAILABLE,
};

/** HTTP status for errors raised before execution (authentication, request limits). */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.UNAVAILABLE]: 503,
};

export function domainErrorExtensions(e: DomainError): Record<string, unknown> {
  const code = DOMAIN_CODES[e.code] ?? ErrorCode.INTERNAL_SERVER_ERROR;
  return { code, ...(e.field ? { fields: [e.field] } : {}) };
}

/** A GraphQL error for a domain error raised outside resolvers (context creation), with its HTTP status. */
export function requestError(e: DomainError): GraphQLError {
  const extensions = domainErrorExtensions(e);
  const status = HTTP_STATUS[extensions.code as ErrorCode];
  return new GraphQLError(e.message, { extensions: { ...extensions, ...(status ? { http: { status } } : {}) } });
}

export function graphQLError(code: ErrorCode, message: string, httpStatus?: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...(httpStatus ? { http: { status: httpStatus } } : {}) } });
}

const MASKED = 'Internal server error';

/**
 * Whether an error is one we meant to show the caller: a domain error, or a GraphQLError that
 * carries a code (ours, or Apollo's for parse, validation and variable errors). Everything else
 * is a bug or an outage and is masked.
 */
export function isUnexpected(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (isDomainError(original)) return false;
  if (original instanceof GraphQLError) {
    const code = original.extensions?.code;
    if (uncodedRefusal(original)) return false;
    return typeof code !== 'string' || code === ErrorCode.INTERNAL_SERVER_ERROR;
  }
  return true;
}

/**
 * A refusal of the request that Apollo raises with an HTTP status of 4xx and no code (a persisted
 * query whose hash does not match its text, or whose version is not known): the caller's to mend,
 * answered as BAD_REQUEST.
 */
function uncodedRefusal(e: GraphQLError): boolean {
  if (typeof e.extensions?.code === 'string') return false;
  const status = (e.extensions?.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * Apollo's formatError: domain errors get their code (and the offending fields), coded GraphQL
 * errors pass, anything else becomes a bare INTERNAL_SERVER_ERROR. It must never throw: a
 * failure here would replace a useful answer with an opaque one.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  try {
    const original = unwrapResolverError(error);
    if (isDomainError(original)) {
      return { message: original.message, ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}), extensions: domainErrorExtensions(original) };
    }
    if (original instanceof GraphQLError && uncodedRefusal(original)) return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_REQUEST } };
    if (!isUnexpected(error)) return formatted;
    return { message: MASKED, ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  } catch {
    return { message: MASKED, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  }
}
