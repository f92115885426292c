/** A two-leg answered internal call as the engine hands it to a CdrSink (cdr-writer and write-thread tests). */
import type { CallRecord, LegRecord } from '../../src/engine/cdr-types.ts';

export function callRecord(id: string, start: number, end: number): { call: CallRecord; legs: LegRecord[] } {
  const call: CallRecord = {
    callId: id, linkedId: id, start, answer: start + 2, end, src: '201', srcName: 'Alice', dst: '202', dstName: undefined, direction: 'internal',
    trunk: undefined, disposition: 'ANSWERED', sipCode: 200, q850: 16, hangupSide: 'caller', hangupReason: 'bye', codecA: 'PCMU', codecB: 'PCMU',
    transcoded: false, recordingPath: undefined,
  };
  const legs: LegRecord[] = [
    { legId: `${id}-a`, callId: `${id}@a`, role: 'a', peer: 'udp:192.0.2.1:5060', target: '201', trunk: undefined, start, answer: start + 2, end, sipCode: 200, codec: 'PCMU', rtp: undefined },
    { legId: `${id}-b1`, callId: `${id}@b`, role: 'b', peer: 'udp:192.0.2.2:5060', target: '202', trunk: undefined, start: start + 1, answer: start + 2, end, sipCode: 200, codec: 'PCMU', rtp: undefined },
  ];
  return { call, legs };
}
