import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122164434 } from './Migration20261122164434.js';
import { Migration20261122171232_login_name } from './Migration20261122171232_login_name.js';
import { Migration20261122172918_membership_member_index } from './Migration20261122172918_membership_member_index.js';
import { Migration20261204120000_webhooks } from './Migration20261204120000_webhooks.js';
import { Migration20261204130000_connection_paused } from './Migration20261204130000_connection_paused.js';
import { Migration20261204140000_change_events } from './Migration20261204140000_change_events.js';
import { Migration20261204150000_user_deprovisioned } from './Migration20261204150000_user_deprovisioned.js';
import { Migration20261204160000_webhook_fan_out } from './Migration20261204160000_webhook_fan_out.js';
import { Migration20261204180000_credential_notify } from './Migration20261204180000_credential_notify.js';
import { Migration20261204190000_values_as_sent } from './Migration20261204190000_values_as_sent.js';
import { Migration20261204200000_provisioning_log } from './Migration20261204200000_provisioning_log.js';
import { Migration20261204210000_webhook_delivery_retention } from './Migration20261204210000_webhook_delivery_retention.js';
import { Migration20261204220000_webhook_secret_overlap } from './Migration20261204220000_webhook_secret_overlap.js';
import { Migration20261205090000_tenant_keys } from './Migration20261205090000_tenant_keys.js';
import { Migration20261205100000_users_visible_index } from './Migration20261205100000_users_visible_index.js';
import { Migration20261206090000_expect_row } from './Migration20261206090000_expect_row.js';
import { Migration20261207090000_user_value_columns } from './Migration20261207090000_user_value_columns.js';
import { Migration20261208090000_external_id_order } from './Migration20261208090000_external_id_order.js';
import { Migration20261209090000_payload_statistics } from './Migration20261209090000_payload_statistics.js';
import { Migration20261210090000_sampled_statistics } from './Migration20261210090000_sampled_statistics.js';
import { Migration20261211090000_webhook_endpoint_notify } from './Migration20261211090000_webhook_endpoint_notify.js';

/** Every migration, oldest first. A new migration file is added here too. */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261122164434', class: Migration20261122164434 },
  { name: 'Migration20261122171232_login_name', class: Migration20261122171232_login_name },
  { name: 'Migration20261122172918_membership_member_index', class: Migration20261122172918_membership_member_index },
  { name: 'Migration20261204120000_webhooks', class: Migration20261204120000_webhooks },
  { name: 'Migration20261204130000_connection_paused', class: Migration20261204130000_connection_paused },
  { name: 'Migration20261204140000_change_events', class: Migration20261204140000_change_events },
  { name: 'Migration20261204150000_user_deprovisioned', class: Migration20261204150000_user_deprovisioned },
  { name: 'Migration20261204160000_webhook_fan_out', class: Migration20261204160000_webhook_fan_out },
  { name: 'Migration20261204180000_credential_notify', class: Migration20261204180000_credential_notify },
  { name: 'Migration20261204190000_values_as_sent', class: Migration20261204190000_values_as_sent },
  { name: 'Migration20261204200000_provisioning_log', class: Migration20261204200000_provisioning_log },
  { name: 'Migration20261204210000_webhook_delivery_retention', class: Migration20261204210000_webhook_delivery_retention },
  { name: 'Migration20261204220000_webhook_secret_overlap', class: Migration20261204220000_webhook_secret_overlap },
  { name: 'Migration20261205090000_tenant_keys', class: Migration20261205090000_tenant_keys },
  { name: 'Migration20261205100000_users_visible_index', class: Migration20261205100000_users_visible_index },
  { name: 'Migration20261206090000_expect_row', class: Migration20261206090000_expect_row },
  { name: 'Migration20261207090000_user_value_columns', class: Migration20261207090000_user_value_columns },
  { name: 'Migration20261208090000_external_id_order', class: Migration20261208090000_external_id_order },
  { name: 'Migration20261209090000_payload_statistics', class: Migration20261209090000_payload_statistics },
  { name: 'Migration20261210090000_sampled_statistics', class: Migration20261210090000_sampled_statistics },
  { name: 'Migration20261211090000_webhook_endpoint_notify', class: Migration20261211090000_webhook_endpoint_notify },
];
