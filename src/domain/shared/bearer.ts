/**
 * `Authorization: Bearer <token>` → the token, or null when the header is absent or holds another
 * scheme (RFC 6750 §2.1: the scheme is case-insensitive, then one or more spaces, then the token).
 * SCIM connection tokens and GraphQL API keys are both sent this way.
 */
export function bearerToken(header: string | undefined): string | null {
  const m = header ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
  return m ? m[1]! : null;
}
