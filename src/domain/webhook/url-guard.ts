import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { InvalidValueError } from '../errors.js';
import { MAX_URL_LENGTH } from './webhook.js';

/**
 * Webhook URLs are admin input (docs/architecture.md#webhook-url-guard): Roster must not become a
 * way into the network it runs in. A URL is checked when it is registered and again before every
 * delivery, after DNS resolution, and the request connects to the very address that was checked,
 * so a name that resolves differently the second time (DNS rebinding) cannot slip through.
 */

/** Ranges an operator may open with WEBHOOK_ALLOW_PRIVATE_NETWORKS=true (receivers inside the network). */
const PRIVATE_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat']);

/** Where IPv6 global unicast addresses are (RFC 4291 §2.4); nothing outside it is public. */
const GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');

export type AddressVerdict = 'public' | 'private' | 'forbidden';

/**
 * What kind of address this is. Only global unicast is public. Loopback, RFC 1918, unique-local
 * and CGNAT are private. Everything else is forbidden whatever the configuration: link-local
 * (cloud metadata services live at 169.254.169.254), multicast, broadcast, unspecified, reserved,
 * IPv4-mapped and other IPv6 forms that embed an IPv4 address (NAT64, 6to4, Teredo).
 */
export function classifyAddress(address: string): AddressVerdict {
  if (!ipaddr.isValid(address)) return 'forbidden';
  const parsed = ipaddr.parse(address);
  const range = parsed.range();
  // An IPv6 address is public only inside global unicast, 2000::/3 (RFC 4291 §2.4): ipaddr.js
  // calls everything it names no range for "unicast", the deprecated IPv4-compatible ::/96
  // (::7f00:1 is 127.0.0.1) among them.
  if (range === 'unicast') return parsed.kind() === 'ipv4' || (parsed as ipaddr.IPv6).match(GLOBAL_UNICAST) ? 'public' : 'forbidden';
  return PRIVATE_RANGES.has(range) ? 'private' : 'forbidden';
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a host name to every address it has (the port the guard and the sender share). */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const resolveHost: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export interface TargetPolicy {
  readonly allowPrivateNetworks: boolean;
  readonly resolve: HostResolver;
}

/** Why a URL is refused, in words an admin can act on; `field` is "url". */
export class UnsafeUrlError extends InvalidValueError {
  constructor(message: string) {
    super(message, 'url');
  }
}

/** The URL's form alone: absolute http(s), no credentials, no fragment, bounded. Returns it parsed. */
export function parseWebhookUrl(value: unknown): URL {
  if (typeof value !== 'string' || value.length === 0) throw new UnsafeUrlError('"url" is required');
  if (value.length > MAX_URL_LENGTH) throw new UnsafeUrlError(`"url" is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UnsafeUrlError('"url" is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UnsafeUrlError('"url" must be an https URL');
  if (url.username || url.password) throw new UnsafeUrlError('"url" must not hold credentials; requests are signed instead');
  if (url.hash) throw new UnsafeUrlError('"url" must not have a fragment');
  return url;
}

/** The host of a URL as a resolver or an address check takes it (IPv6 literals without brackets). */
export const bareHost = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Checks a URL against the policy and returns the addresses a request may connect to. Every
 * address the name resolves to must pass: https to public addresses always; to private ones
 * (and plain http, which only they may use) when the operator allows private networks.
 */
export async function checkTarget(value: unknown, policy: TargetPolicy): Promise<{ url: URL; addresses: readonly ResolvedAddress[] }> {
  const url = parseWebhookUrl(value);
  const host = bareHost(url);
  let addresses: readonly ResolvedAddress[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }];
  } else {
    try {
      addresses = await policy.resolve(host);
    } catch {
      throw new UnsafeUrlError(`the host of "url" does not resolve`);
    }
    if (addresses.length === 0) throw new UnsafeUrlError(`the host of "url" does not resolve`);
  }
  const verdicts = addresses.map((a) => classifyAddress(a.address));
  if (verdicts.includes('forbidden')) throw new UnsafeUrlError('"url" points at an address webhooks may not reach (link-local, multicast, reserved or similar)');
  const internal = verdicts.includes('private');
  if (internal && !policy.allowPrivateNetworks) {
    throw new UnsafeUrlError('"url" points at a loopback or private address; the operator has not allowed private networks (WEBHOOK_ALLOW_PRIVATE_NETWORKS)');
  }
  if (url.protocol === 'http:' && !(internal && policy.allowPrivateNetworks && verdicts.every((v) => v === 'private'))) {
    throw new UnsafeUrlError('"url" must be an https URL (plain http only to private networks, when the operator allows them)');
  }
  return { url, addresses };
}
