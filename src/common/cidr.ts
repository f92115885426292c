/**
 * IPv4/IPv6 CIDR matching for source-address policies (users' allowed
 * networks, trunks' inbound addresses). Parsing is total: a bad CIDR string
 * yields undefined (configs are validated before they get here).
 */
import { isIP } from 'node:net';

export interface Cidr {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

function v4Bytes(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function v6Bytes(s: string): Uint8Array | undefined {
  let addr = s;
  const pct = addr.indexOf('%');
  if (pct >= 0) addr = addr.slice(0, pct);
  if (isIP(addr) !== 6) return undefined;
  // Embedded IPv4 tail (::ffff:1.2.3.4).
  let tail: Uint8Array | undefined;
  const lastColon = addr.lastIndexOf(':');
  if (addr.slice(lastColon + 1).includes('.')) {
    tail = v4Bytes(addr.slice(lastColon + 1));
    if (!tail) return undefined;
    addr = addr.slice(0, lastColon + 1) + '0:0';
  }
  const [head = '', rest] = addr.split('::');
  const h = head === '' ? [] : head.split(':');
  const r = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? h : [...h, ...new Array<string>(8 - h.length - r.length).fill('0'), ...r];
  if (groups.length !== 8) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  if (tail) out.set(tail, 12);
  return out;
}

export function ipBytes(ip: string): { family: 4 | 6; bytes: Uint8Array } | undefined {
  const b4 = v4Bytes(ip);
  if (b4) return { family: 4, bytes: b4 };
  const b6 = v6Bytes(ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip);
  if (!b6) return undefined;
  // An IPv4-mapped IPv6 address matches IPv4 rules (dual-stack sockets report these).
  if (b6.slice(0, 10).every((x) => x === 0) && b6[10] === 0xff && b6[11] === 0xff) return { family: 4, bytes: b6.slice(12) };
  return { family: 6, bytes: b6 };
}

export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const ip = ipBytes(slash >= 0 ? text.slice(0, slash) : text);
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return undefined;
    prefix = Number(p);
  }
  return { family: ip.family, bytes: ip.bytes, prefix };
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const a = ipBytes(ip);
  if (!a || a.family !== c.family) return false;
  let bits = c.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((a.bytes[i] ?? 0) & mask) !== ((c.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}
