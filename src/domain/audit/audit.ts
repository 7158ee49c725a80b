export type ActorType = 'connection' | 'apiKey' | 'system';
export type AuditOutcome = 'success' | 'failure';

export interface AuditEvent {
  readonly id: string;
  readonly tenantId: string;
  readonly occurredAt: Date;
  readonly actorType: ActorType;
  readonly actorId: string | null;
  /** e.g. user.create, user.update, group.members.add, connection.rotate */
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId: string;
  /** Names of the attributes that changed; never their values (they may be personal data). */
  readonly changes: readonly string[];
  readonly requestId: string | null;
  readonly outcome: AuditOutcome;
  /** For a failure: a stable code (CONFLICT, INVALID_VALUE, INVALID_PATH, ...). */
  readonly errorCode: string | null;
  /** For a failure: what was wrong, in words that hold no value of the request (docs/architecture.md#audit-events). */
  readonly errorDetail: string | null;
  /**
   * For a refused SCIM user create: the userName it was for. The one request value the log keeps,
   * because without it an admin cannot tell whose provisioning failed (there is no id yet).
   */
  readonly userName: string | null;
}

export interface AuditQuery {
  readonly resourceType?: string | null;
  readonly resourceId?: string | null;
  readonly actorType?: ActorType | null;
  readonly actorId?: string | null;
  readonly action?: string | null;
  readonly outcome?: AuditOutcome | null;
  readonly from?: Date | null;
  readonly to?: Date | null;
}

/** The resourceId of an event about a resource that does not exist (a create that failed). */
export const NO_RESOURCE = '00000000-0000-0000-0000-000000000000';
