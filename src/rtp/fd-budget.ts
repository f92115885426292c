/**
 * How many RTP port pairs the process may hold open, from its file
 * descriptor limit. Every bound RTP or RTCP socket is a descriptor, and so is
 * every SIP connection, the SQLite database and its WAL, the admin API's
 * sockets. Without a budget an overload (calls stuck for 64·T1 waiting for
 * ACKs, plus released pairs kept bound for reuse) took the process to its
 * limit: SQLite could no longer open its files ("unable to open database
 * file", CDRs lost) and every new call failed (measured: 19,036 of 20,000
 * descriptors after a 2,000 calls/s step of the call bench). With the budget,
 * calls beyond it are refused with a clear error and everything else keeps
 * its descriptors.
 *
 * Linux: the soft "Max open files" limit from /proc/self/limits; elsewhere,
 * or unreadable, 1024 (the usual default).
 */
import { readFileSync } from 'node:fs';

/** Descriptors kept out of the RTP budget for SIP, SQLite, the API and Node itself. */
export const FD_RESERVE = 2048;

export function openFileLimit(read: () => string = () => readFileSync('/proc/self/limits', 'latin1')): number {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(read());
    if (m === null || m[1] === undefined) return 1024;
    return m[1] === 'unlimited' ? 1_048_576 : Number(m[1]);
  } catch {
    return 1024;
  }
}

/** RTP pairs (two descriptors each) the whole process may hold, split over `pools` pools; at least 2 per pool. */
export function rtpPairBudget(limit: number, pools: number): number {
  const usable = Math.max(0, limit - Math.min(FD_RESERVE, Math.floor(limit / 2)));
  return Math.max(2, Math.floor(usable / 2 / Math.max(1, pools)));
}
