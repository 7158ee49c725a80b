import { randomBytes } from 'node:crypto';
import type { ProvisioningPolicies } from '../connection/connection.js';

/**
 * The login name is the name a person signs in with locally (docs/architecture.md#provisioning-policies). By default it is the
 * userName as sent; a connection may instead derive it from the part of the userName before "@"
 * (SingleID, Tealium: "alice@contoso.com" signs in as "alice"). The userName itself is always
 * stored and returned exactly as sent, so an identity provider's matching query still finds it.
 */
export function loginNameBase(userName: string, policies: Pick<ProvisioningPolicies, 'loginName'>): string {
  if (policies.loginName === 'asSent') return userName;
  const at = userName.indexOf('@');
  return at > 0 ? userName.slice(0, at) : userName;
}

/** How many numbered variants are tried before a random suffix (Tealium: four). */
export const NUMBERED_TRIES = 4;

/** The names tried, in order, when the base is taken and collisions get a suffix. */
export function loginNameCandidates(base: string): string[] {
  return [base, ...Array.from({ length: NUMBERED_TRIES }, (_, i) => `${base}${i + 1}`)];
}

/**
 * How many transactions a create may try under the suffix policy. Parallel creates can choose the
 * same free name; the unique index lets one win and the others retry with that name now taken.
 * Each round takes at least one more numbered name, so every numbered name plus one random one,
 * and a spare, is enough.
 */
export const CREATE_ATTEMPTS = NUMBERED_TRIES + 3;

export const randomSuffixed = (base: string): string => `${base}-${randomBytes(3).toString('hex')}`;
