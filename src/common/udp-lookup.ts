/**
 * A `lookup` for dgram sockets that answers IP literals at once. Node's dgram
 * `send` on an unconnected socket resolves the destination with dns.lookup
 * every time, even for "127.0.0.1"; for an IP literal that costs a
 * process.nextTick and an async-hooks scope per datagram before the send.
 * Every peer address belfry sends SIP or RTP to is an IP literal (flows,
 * latched RTP sources), so the send happens in the same tick. A name (only
 * from configuration, e.g. a trunk host) still goes through dns.lookup.
 */
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** dgram passes the address family (4 or 6) as `options`. */
export function literalFirstLookup(hostname: string, options: number | LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) {
    callback(null, hostname, family);
    return;
  }
  const opts: LookupOneOptions = typeof options === 'number' ? { family: options } : options;
  dnsLookup(hostname, opts, callback);
}
