import { RESOURCE_TYPES, SCHEMAS, type AttributeSpec, type SchemaSpec } from '../registry/attribute.registry.js';

/**
 * The discovery documents of RFC 7644 §4 (RFC 7643 §5-7), generated from the attribute registry so
 * they tell exactly what the service does. They are also committed under schema/scim/ and a test
 * fails when those files drift from what this module generates.
 */

export const DISCOVERY_SCHEMA = {
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

type Json = Record<string, unknown>;

export function serviceProviderConfig(baseUrl: string, maxResults: number): Json {
  return {
    schemas: [DISCOVERY_SCHEMA.serviceProviderConfig],
    patch: { supported: true },
    // No /Bulk endpoint: it answers 501 (RFC 7644 §3.7).
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'The secret token of a SCIM connection, sent as "Authorization: Bearer <token>". Each token binds requests to one tenant and connection.',
        specUri: 'https://www.rfc-editor.org/rfc/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string): Json[] {
  return RESOURCE_TYPES.map((rt) => ({
    schemas: [DISCOVERY_SCHEMA.resourceType],
    id: rt.name,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.schema.id,
    schemaExtensions: rt.extensions.map((e) => ({ schema: e.id, required: false })),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${rt.name}` },
  }));
}

/** RFC 7643 §7: an attribute's characteristics, without Roster's own mapping data. */
function attributeDoc(a: AttributeSpec): Json {
  return {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
    ...(a.canonicalValues ? { canonicalValues: a.canonicalValues } : {}),
    ...(a.referenceTypes ? { referenceTypes: a.referenceTypes } : {}),
    ...(a.subAttributes ? { subAttributes: a.subAttributes.map(attributeDoc) } : {}),
  };
}

function schemaDoc(s: SchemaSpec, baseUrl: string): Json {
  return {
    schemas: [DISCOVERY_SCHEMA.schema],
    id: s.id,
    name: s.name,
    description: s.description,
    attributes: s.attributes.map(attributeDoc),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${s.id}` },
  };
}

export function schemas(baseUrl: string): Json[] {
  return SCHEMAS.map((s) => schemaDoc(s, baseUrl));
}

/** The committed copies under schema/scim/, with locations relative to the server root. */
export function discoveryFiles(maxResults: number): Record<string, unknown> {
  const base = '/scim/v2';
  return {
    'ServiceProviderConfig.json': serviceProviderConfig(base, maxResults),
    'ResourceTypes.json': resourceTypes(base),
    'Schemas.json': schemas(base),
  };
}
