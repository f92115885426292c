/**
 * Reads belfry's admin API from integration tests: CDRs by call-id (waiting
 * until the row is closed), live calls and registrations.
 */
import type { BelfryProcess } from './belfry-process.ts';

export interface CdrLegRow {
  readonly role: 'caller' | 'callee';
  readonly endpoint: string;
  readonly dst: string | null;
  readonly sipCode: number | null;
  readonly disposition: string | null;
  readonly hangupSide: string | null;
  readonly codec: string | null;
  readonly rtpPacketsIn: number | null;
  readonly rtpPacketsOut: number | null;
  readonly answerMs: number | null;
  readonly [k: string]: unknown;
}

export interface CdrRow {
  readonly callId: string;
  readonly state: 'open' | 'closed';
  readonly src: string;
  readonly dst: string;
  readonly dstFinal: string | null;
  readonly direction: string;
  readonly disposition: string | null;
  readonly sipCode: number | null;
  readonly q850Cause: number | null;
  readonly hangupSide: string | null;
  readonly billsec: number | null;
  readonly duration: number | null;
  readonly answerMs: number | null;
  readonly extra: Record<string, unknown> | null;
  readonly legs: readonly CdrLegRow[];
  readonly [k: string]: unknown;
}

export async function api(sw: BelfryProcess, path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const r = await fetch(`http://127.0.0.1:${sw.httpPort}${path}`, { ...init, headers: { authorization: `Bearer ${sw.apiToken}`, ...(init.headers ?? {}) } });
  const text = await r.text();
  return { status: r.status, body: text.length > 0 ? (JSON.parse(text) as unknown) : undefined };
}

/** The CDR of one call, once it has been closed (polls up to `timeoutMs`). */
export async function closedCdr(sw: BelfryProcess, callId: string, timeoutMs = 10_000): Promise<CdrRow> {
  const start = Date.now();
  for (;;) {
    const r = await api(sw, `/api/v1/cdrs/${encodeURIComponent(callId)}`);
    if (r.status === 200) {
      const b = r.body as { call?: CdrRow; legs?: CdrLegRow[] } & CdrRow;
      const row: CdrRow = b.call !== undefined ? { ...b.call, legs: b.legs ?? [] } : b;
      if (row.state === 'closed') return row;
    }
    if (Date.now() - start > timeoutMs) throw new Error(`no closed CDR for ${callId} within ${timeoutMs} ms (last status ${r.status}: ${JSON.stringify(r.body)})`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Live calls as the admin API lists them. */
export async function liveCalls(sw: BelfryProcess): Promise<Array<Record<string, unknown>>> {
  const r = await api(sw, '/api/v1/calls');
  return (r.body as { items: Array<Record<string, unknown>> }).items;
}
