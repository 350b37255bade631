/**
 * Who the client is, for the limits that count per client address (failed
 * authentication, connections): the socket's peer address, unless that peer
 * is one of the operator's trusted proxies (`BAZAAR_TRUSTED_PROXIES`), in
 * which case `X-Forwarded-For` is read from the right, skipping trusted hops,
 * and the first address a trusted proxy vouches for is the client. A header
 * from anyone else is ignored: a client cannot escape its own address by
 * sending `X-Forwarded-For: <random>`.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/**
 * Parse `BAZAAR_TRUSTED_PROXIES`: comma-separated addresses or CIDR ranges
 * (`10.0.0.0/8, 192.0.2.7, fd00::/8`). Throws an Error naming the bad entry.
 */
export function parseTrustedProxies(text: string): string[] {
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || extra !== undefined || !prefixOk) throw new Error(`has "${entry}", which is not an IP address or CIDR range`);
  }
  return entries;
}

/** The trusted proxies as a lookup. */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly size: number;

  constructor(entries: readonly string[]) {
    for (const entry of parseTrustedProxies(entries.join(','))) {
      const [address = '', prefix] = entry.split('/');
      const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) this.#list.addAddress(address, type);
      else this.#list.addSubnet(address, Number(prefix), type);
    }
    this.size = entries.length;
  }

  has(address: string): boolean {
    if (this.size === 0) return false;
    const family = isIP(address);
    return family !== 0 && this.#list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** `::ffff:192.0.2.7` (an IPv4 peer on a dual-stack socket) → `192.0.2.7`; anything else as it is. */
export function normaliseAddress(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/** The client's address of `req` (see the top of this file). */
export function clientAddress(req: IncomingMessage, trusted: TrustedProxies): string {
  let address = normaliseAddress(req.socket.remoteAddress);
  if (!trusted.has(address)) return address;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normaliseAddress(hops[i]);
    // Garbage added by a trusted proxy's client: the last address we can vouch for is the client.
    if (isIP(hop) === 0) return address;
    address = hop;
    if (!trusted.has(hop)) return hop;
  }
  return address;
}
