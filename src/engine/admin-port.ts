/**
 * The read-only queries and controls the admin API may use (STYLE G7: the
 * consumer-facing port of the engine). The API never sees calls, legs or the
 * SIP stack, only these plain views.
 */
export type NightMode = 'auto' | 'open' | 'closed';

export interface RegistrationView {
  readonly aor: string;
  readonly user: string;
  readonly contact: string;
  readonly flow: string;
  readonly expiresAt: string;
  readonly userAgent: string | undefined;
  readonly reachable: boolean | undefined;
}

export interface LiveCallView {
  readonly id: string;
  readonly direction: string;
  readonly from: string;
  readonly to: string;
  readonly state: string;
  readonly startedAt: string;
  readonly answeredAt: string | undefined;
  readonly legs: number;
}

export interface TrunkView {
  readonly name: string;
  readonly registration: string;
  readonly reachable: boolean | undefined;
  readonly lastError: string | undefined;
  /** Added by the trunk manager (optional for older producers): stable code of lastError, next REGISTER, binding expiry (ISO). */
  readonly lastErrorCode?: string | undefined;
  readonly nextAttempt?: string | undefined;
  readonly registeredUntil?: string | undefined;
}

export interface CdrQuery {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly direction?: string | undefined;
  readonly src?: string | undefined;
  readonly dst?: string | undefined;
  readonly limit: number;
  readonly offset: number;
}

export interface ReloadReport {
  readonly ok: boolean;
  readonly diagnostics: readonly string[];
  readonly warnings: readonly string[];
  readonly planVersion: number;
}

export interface RecordingView {
  readonly callId: string;
  readonly path: string;
  readonly bytes: number;
}

export interface AdminPort {
  health(): { readonly status: 'ok'; readonly uptimeS: number; readonly version: string; readonly planVersion: number };
  listCdrs(q: CdrQuery): { readonly total: number; readonly items: readonly unknown[] };
  getCdr(callId: string): unknown;
  listRegistrations(): readonly RegistrationView[];
  listCalls(): readonly LiveCallView[];
  hangupCall(id: string): boolean;
  listTrunks(): readonly TrunkView[];
  listRecordings(): readonly RecordingView[];
  /** Absolute path of a recording file inside the data folder, or undefined. */
  recordingFile(callId: string): string | undefined;
  reload(): Promise<ReloadReport>;
  lastReload(): ReloadReport | undefined;
  getNight(): { readonly mode: NightMode };
  setNight(mode: NightMode): { readonly mode: NightMode };
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
}
