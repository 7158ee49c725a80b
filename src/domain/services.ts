import { createApiKeyService } from './apikey/apikey.service.js';
import { createAuditService } from './audit/audit.service.js';
import { createConnectionService } from './connection/connection.service.js';
import { createEventService } from './event/event.service.js';
import { createGroupService } from './group/group.service.js';
import type { ServiceDeps } from './shared/service-kit.js';
import { createTenantService } from './tenant/tenant.service.js';
import { createUserService } from './user/user.service.js';
import { createWebhookService } from './webhook/webhook.service.js';

/** The domain, as both front doors (GraphQL and SCIM) see it. */
export function createServices(deps: ServiceDeps) {
  return {
    tenants: createTenantService(deps),
    users: createUserService(deps),
    groups: createGroupService(deps),
    connections: createConnectionService(deps),
    apiKeys: createApiKeyService(deps),
    audit: createAuditService(deps),
    webhooks: createWebhookService(deps),
    events: createEventService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
