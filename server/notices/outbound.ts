/**
 * Outbound HTTP to an address someone else chose (a citizen's notification webhook, a bank's consent
 * webhook): the request must not reach this network's insides (SSRF). A check of the host name as
 * written is not enough: `hooks.attacker.example` may resolve to 127.0.0.1 or 169.254.169.254. So the
 * host is resolved here (every address), every address must be public unicast (ipaddr.js classifies),
 * and the connection is pinned to the address that was checked (a `lookup` that answers with it), so a
 * second DNS answer between check and connect (rebinding) cannot redirect it. TLS still verifies the
 * certificate against the host name. Redirects are not followed.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a host name resolves to (injected in tests; the system resolver otherwise). */
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolve: Resolve = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

export interface OutboundRequest {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** POSTs and answers the HTTP status; throws when nothing was delivered (refused, unreachable). */
export type OutboundPost = (url: string, request: OutboundRequest) => Promise<{ status: number }>;

/** Refused before any connection: the target is not a public address. */
export class OutboundRefusedError extends Error {
  override readonly name = 'OutboundRefusedError';
}

/**
 * The range an address falls in, by ipaddr.js: `unicast` is the only public one. IPv4-mapped IPv6
 * (::ffff:127.0.0.1) is judged as the IPv4 address it carries; NAT64, 6to4 and Teredo prefixes, which
 * also embed IPv4 addresses, are ranges of their own and so refused.
 */
export function addressRange(address: string): string {
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address().range();
  }
  return parsed.range();
}

export const isPublicAddress = (address: string): boolean => addressRange(address) === 'unicast';

export interface OutboundPolicy {
  /** Outside production only (WEBHOOK_ALLOW_PRIVATE): tests and local demos call receivers on 127.0.0.1. */
  allowPrivate: boolean;
  resolve?: Resolve;
}

/** The address to connect to, checked; throws OutboundRefusedError for a non-public one. */
export async function checkedAddress(hostname: string, policy: OutboundPolicy): Promise<ResolvedAddress> {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = ipaddr.isValid(bare);
  const addresses: ResolvedAddress[] = literal
    ? [{ address: bare, family: ipaddr.parse(bare).kind() === 'ipv6' ? 6 : 4 }]
    : await (policy.resolve ?? systemResolve)(bare);
  if (addresses.length === 0) throw new OutboundRefusedError(`${bare} does not resolve`);
  if (!policy.allowPrivate) {
    // Every answer must be public: otherwise the client library could pick the private one.
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad) {
      const range = addressRange(bad.address);
      throw new OutboundRefusedError(
        literal
          ? `${bare} (${range}) is not a public address`
          : `${bare} resolves to ${bad.address} (${range}), not a public address`,
      );
    }
  }
  return addresses[0]!;
}

/** A `lookup` that answers with the checked address only (Node asks with `all` when it races families). */
export function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (err: null, addresses: ResolvedAddress[]) => void)(null, [pinned]);
    } else {
      callback(null, pinned.address, pinned.family);
    }
  };
}

export function guardedPost(policy: OutboundPolicy): OutboundPost {
  return async (target, req) => {
    const url = new URL(target);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new OutboundRefusedError(`${url.protocol} is not http or https`);
    }
    const pinned = await checkedAddress(url.hostname, policy);
    const options: RequestOptions = {
      method: 'POST',
      headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
      lookup: pinnedLookup(pinned),
      signal: AbortSignal.timeout(req.timeoutMs),
      // A fresh connection each time: a pooled socket would have been pinned for another check.
      agent: false,
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const outgoing = send(url, options, (res: IncomingMessage) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
  };
}

/** Adapts a fetch (tests that fake the network) to OutboundPost; no address check. */
export function fetchPost(send: typeof fetch): OutboundPost {
  return async (url, req) => {
    const response = await send(url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    await response.body?.cancel();
    return { status: response.status };
  };
}
