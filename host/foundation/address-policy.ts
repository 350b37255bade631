/**
 * Which IP addresses `ctx.fetch` may connect to. A plugin names hosts; DNS
 * decides where they point, and a hostile or careless DNS answer must not
 * reach the host's own network (SSRF). Refused unless the operator sets
 * BAZAAR_ALLOW_PRIVATE_NETWORKS: loopback, private (RFC 1918, ULA), link-local
 * (incl. cloud metadata 169.254.169.254), CGNAT, multicast, unspecified,
 * reserved/benchmark/documentation ranges, and the IPv6 forms that embed an
 * IPv4 address (node's BlockList matches IPv4-mapped `::ffff:a.b.c.d` against
 * the IPv4 rules, so `::ffff:127.0.0.1` is loopback too).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const BLOCKED_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

const BLOCKED_V6: readonly [string, number][] = [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const blocked = new BlockList();
for (const [net, prefix] of BLOCKED_V4) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of BLOCKED_V6) blocked.addSubnet(net, prefix, 'ipv6');

/** Whether `address` (an IP literal) is one a plugin must not reach; anything unparseable counts as refused. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The private address a URL names literally (`http://127.0.0.1/`, `http://[::1]/`),
 * or `null` when its host is a DNS name or a public address. Literal hosts never
 * reach a socket's `lookup` hook, so callers check them before connecting; DNS
 * names are checked by `guardedLookup` at connect time. Shared by `ctx.fetch`
 * and webhook deliveries.
 */
export function privateLiteralHost(url: URL): string | null {
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(literal) !== 0 && isPrivateAddress(literal) ? literal : null;
}

/**
 * A socket `lookup` that resolves the name and refuses it when any address is
 * private; the socket then connects to exactly these addresses (no second
 * resolution, so no DNS-rebinding window). Handles both call shapes node uses
 * (`all: true` with autoSelectFamily, and single). `refuse` builds the error
 * the caller's users see.
 */
export function guardedLookup(allowPrivateNetworks: boolean, refuse: (message: string) => Error): LookupFunction {
  return function guardedLookup(hostname, options, callback) {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const first = addresses[0];
      if (first === undefined) return callback(refuse(`${hostname} has no address`), '', 0);
      const bad = allowPrivateNetworks ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (bad !== undefined) return callback(refuse(`${hostname} resolves to ${bad.address}, a private or reserved address`), '', 0);
      if (options.all === true) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, first.address, first.family);
    });
  };
}
