/**
 * Deterministic bad input for the flood test and bench/flood.ts: random
 * bytes, mutated valid messages and truncated ones, from a seeded PRNG so a
 * failure can be replayed.
 */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

const VALID = [
  'OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKflood{n};rport\r\nMax-Forwards: 70\r\nFrom: <sip:a@example.com>;tag=f{n}\r\nTo: <sip:127.0.0.1>\r\nCall-ID: flood-{n}\r\nCSeq: {n} OPTIONS\r\nContent-Length: 0\r\n\r\n',
  'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKinv{n}\r\nMax-Forwards: 70\r\nFrom: "A" <sip:a@example.com>;tag=a{n}\r\nTo: <sip:bob@example.com>\r\nCall-ID: inv-{n}@x\r\nCSeq: 1 INVITE\r\nContact: <sip:a@192.0.2.2>\r\nContent-Type: application/sdp\r\nContent-Length: 25\r\n\r\nv=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n',
  'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKstray{n}\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@c>;tag=2\r\nCall-ID: stray{n}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
];

export type FloodKind = 'random' | 'mutated' | 'truncated';

/** The i-th flood datagram (kind chosen round-robin). */
export function floodDatagram(rand: () => number, i: number): { kind: FloodKind; bytes: Buffer } {
  const base = Buffer.from((VALID[i % VALID.length] ?? '').replaceAll('{n}', String(i)), 'latin1');
  switch (i % 3) {
    case 0: {
      const b = Buffer.alloc(1 + Math.floor(rand() * 1400));
      for (let k = 0; k < b.length; k++) b[k] = Math.floor(rand() * 256);
      return { kind: 'random', bytes: b };
    }
    case 1: {
      const b = Buffer.from(base);
      const flips = 1 + Math.floor(rand() * 8);
      for (let k = 0; k < flips; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      return { kind: 'mutated', bytes: b };
    }
    default:
      return { kind: 'truncated', bytes: base.subarray(0, Math.floor(rand() * base.length)) };
  }
}
