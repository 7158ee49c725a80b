export type ApiKeyRole = 'admin' | 'readOnly';
export const API_KEY_ROLES: readonly ApiKeyRole[] = ['admin', 'readOnly'];

export interface ApiKey {
  readonly id: string;
  /** null for a platform-wide key, which may act on every tenant. */
  readonly tenantId: string | null;
  readonly name: string;
  readonly role: ApiKeyRole;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}
