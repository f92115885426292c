/**
 * Per ring group statistics the dialplan's order-dependent strategies read
 * (rrmemory, leastrecent, fewestcalls), fed by call outcomes. The plan stays
 * immutable (STYLE G13): the engine keeps this mutable book and passes a
 * snapshot to decide() in Toggles.groupStats.
 *
 *   answered(group, member)      → lastAnswered        (rrmemory resumes after it)
 *   ended(group, member, at)     → lastCallEnd[member]  (leastrecent)
 *                                  callCount[member]++  (fewestcalls: completed calls)
 *
 * Members are keyed as the plan writes them: the extension, or the external
 * number. Leaves out: persistence (a restart starts every group afresh, as
 * Asterisk's app_queue does without its astdb cache), wrap-up time.
 */
import type { GroupStats } from '../dialplan/index.ts';

interface MutableStats {
  lastAnswered: string | undefined;
  lastCallEnd: Record<string, number>;
  callCount: Record<string, number>;
}

export class GroupStatsBook {
  readonly #groups = new Map<string, MutableStats>();
  /** Cached frozen snapshot; invalidated by every update (decide() runs far more often than calls end). */
  #snapshot: Readonly<Record<string, GroupStats>> | undefined;

  #of(group: string): MutableStats {
    let s = this.#groups.get(group);
    if (s === undefined) {
      s = { lastAnswered: undefined, lastCallEnd: {}, callCount: {} };
      this.#groups.set(group, s);
    }
    return s;
  }

  /** A member answered a call from this group. */
  answered(group: string, member: string): void {
    this.#of(group).lastAnswered = member;
    this.#snapshot = undefined;
  }

  /** A call a member answered from this group has ended at `at` (epoch ms). */
  ended(group: string, member: string, at: number): void {
    const s = this.#of(group);
    s.lastCallEnd[member] = at;
    s.callCount[member] = (s.callCount[member] ?? 0) + 1;
    this.#snapshot = undefined;
  }

  /** Forget groups the running plan no longer has (after a reload). */
  retain(groups: ReadonlySet<string> | ReadonlyMap<string, unknown>): void {
    for (const id of [...this.#groups.keys()]) if (!groups.has(id)) this.#groups.delete(id);
    this.#snapshot = undefined;
  }

  snapshot(): Readonly<Record<string, GroupStats>> {
    if (this.#snapshot !== undefined) return this.#snapshot;
    const out: Record<string, GroupStats> = {};
    for (const [id, s] of this.#groups) {
      out[id] = Object.freeze({
        ...(s.lastAnswered === undefined ? {} : { lastAnswered: s.lastAnswered }),
        lastCallEnd: Object.freeze({ ...s.lastCallEnd }),
        callCount: Object.freeze({ ...s.callCount }),
      });
    }
    this.#snapshot = Object.freeze(out);
    return this.#snapshot;
  }
}
