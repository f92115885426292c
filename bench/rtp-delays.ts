/**
 * Per-direction counters of the RTP bench (bench/rtp-calls.ts and its
 * generator threads): packets sent and received inside the measurement
 * window, and a delay histogram of 50 µs buckets up to 200 ms, as plain
 * numbers so it crosses a worker boundary by structured clone.
 */
export type DirectionName = 'fwd' | 'back';

export interface Direction {
  sent: number;
  received: number;
  sum: number;
  max: number;
  readonly buckets: number[];
}

export function newDirection(): Direction {
  return { sent: 0, received: 0, sum: 0, max: 0, buckets: new Array<number>(4001).fill(0) };
}

export function mergeDirections(ds: readonly Direction[]): Direction {
  const out = newDirection();
  for (const d of ds) {
    out.sent += d.sent;
    out.received += d.received;
    out.sum += d.sum;
    out.max = Math.max(out.max, d.max);
    d.buckets.forEach((n, i) => (out.buckets[i] = (out.buckets[i] ?? 0) + n));
  }
  return out;
}

/** Packets/s, loss and delay percentiles of one direction over `wallS` seconds. */
export function summarise(d: Direction, wallS: number) {
  const r = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
  const pct = (p: number): number | null => {
    if (d.received === 0) return null;
    let c = 0;
    for (let i = 0; i < d.buckets.length; i++) {
      c += d.buckets[i] ?? 0;
      if (c >= p * d.received) return (i + 1) / 20;
    }
    return 200;
  };
  return {
    sent: d.sent,
    received: d.received,
    lossPct: d.sent ? Math.round(((d.sent - d.received) / d.sent) * 1e5) / 1e3 : null,
    pps: Math.round(d.received / wallS),
    meanMs: d.received ? r(d.sum / d.received) : null,
    p50Ms: r(pct(0.5)),
    p99Ms: r(pct(0.99)),
    maxMs: r(d.max),
  };
}
