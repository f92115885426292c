/**
 * Run-time switches that outlive a restart: the night switch (global and
 * per schedule) and per-user DND / forwarding set by feature codes. Kept in
 * one small JSON file in the data folder, written atomically (write + rename).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Destination, NightState, Toggles, UserOverride } from '../dialplan/index.ts';

interface Persisted {
  night: NightState;
  nightBySchedule: Record<string, NightState>;
  users: Record<string, { dnd?: boolean; forwardAlways?: Destination | null }>;
}

const NIGHT: readonly NightState[] = ['auto', 'open', 'closed'];

export class TogglesStore {
  readonly #file: string;
  #state: Persisted = { night: 'auto', nightBySchedule: {}, users: {} };

  constructor(dataDir: string) {
    this.#file = join(dataDir, 'toggles.json');
    try {
      const raw = JSON.parse(readFileSync(this.#file, 'utf8')) as Partial<Persisted>;
      if (raw.night && NIGHT.includes(raw.night)) this.#state.night = raw.night;
      for (const [k, v] of Object.entries(raw.nightBySchedule ?? {})) if (NIGHT.includes(v)) this.#state.nightBySchedule[k] = v;
      if (raw.users && typeof raw.users === 'object') this.#state.users = raw.users;
    } catch {
      // First start or unreadable file: defaults (auto, no overrides).
    }
  }

  get night(): NightState {
    return this.#state.night;
  }

  setNight(state: NightState, schedule: string | null = null): void {
    if (schedule === null) this.#state.night = state;
    else if (state === 'auto') delete this.#state.nightBySchedule[schedule];
    else this.#state.nightBySchedule[schedule] = state;
    this.#save();
  }

  user(ext: string): UserOverride {
    return this.#state.users[ext] ?? {};
  }

  setUser(ext: string, o: UserOverride): void {
    const merged = { ...this.#state.users[ext], ...o };
    this.#state.users[ext] = merged;
    this.#save();
  }

  /** The toggles part that comes from here (busy counts and group stats are added by the switch). */
  toggles(): Pick<Toggles, 'night' | 'nightBySchedule' | 'users'> {
    return { night: this.#state.night, nightBySchedule: { ...this.#state.nightBySchedule }, users: { ...this.#state.users } };
  }

  #save(): void {
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#state, null, 2));
    renameSync(tmp, this.#file);
  }
}
