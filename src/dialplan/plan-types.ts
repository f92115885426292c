/**
 * Types of the compiled, deep-frozen dialplan (Plan), of the call facts and
 * toggles that decide() reads, and of the Decision union it returns (STYLE G13).
 * Owns: the contract between the dialplan and the call engine / IVR.
 * Leaves out: SIP details (the engine maps Decisions to requests and responses).
 */

export type NightState = 'auto' | 'open' | 'closed';
export type Strategy = 'ringall' | 'hunt' | 'rrmemory' | 'leastrecent' | 'fewestcalls' | 'random';
export type BusyPolicy = 'skip' | 'ring';
export type NumberFormat = 'e164' | 'national' | 'with_plus';
export type RecordingPolicy = 'never' | 'always' | 'on_demand';
export type NumberClass = 'premium' | 'international' | 'national' | 'mobile' | 'unknown';
export type MenuVariant = 'open' | 'closed';

/** Where a call can go. Written in YAML as `kind:id` strings (see docs/dialplan.md). */
export type Destination =
  | { readonly kind: 'user'; readonly ext: string }
  | { readonly kind: 'ring_group'; readonly id: string }
  | { readonly kind: 'queue'; readonly id: string }
  | { readonly kind: 'menu'; readonly id: string }
  | { readonly kind: 'voicemail'; readonly box: string }
  | { readonly kind: 'external'; readonly number: string }
  | { readonly kind: 'announce'; readonly prompt: string }
  | { readonly kind: 'reject'; readonly status: number; readonly reason: string };

export type Prompt = { readonly file: string } | { readonly tts: string };

/** Minutes since local midnight; end may exceed 1440 for overnight ranges. */
export type TimeRange = { readonly start: number; readonly end: number };

export type HolidayRule =
  | { readonly kind: 'date'; readonly name: string; readonly from: number; readonly to: number; readonly hours: readonly TimeRange[] | null }
  | { readonly kind: 'yearly'; readonly name: string; readonly monthDay: number; readonly hours: readonly TimeRange[] | null };

export type Schedule = {
  readonly id: string;
  readonly zone: string;
  /** Index 0 = Monday … 6 = Sunday (ISO weekday − 1). */
  readonly week: readonly (readonly TimeRange[])[];
  readonly holidays: readonly HolidayRule[];
};

export type Forwarding = {
  readonly always: Destination | null;
  readonly busy: Destination | null;
  readonly noAnswer: Destination | null;
  readonly noAnswerAfter: number;
  readonly unreachable: Destination | null;
};

export type Anywhere = {
  readonly numbers: readonly string[];
  readonly delay: number;
  readonly keepCallerId: boolean;
  readonly diversion: boolean;
};

export type User = {
  readonly ext: string;
  readonly name: string;
  readonly password: string | null;
  readonly ha1: string | null;
  readonly networks: readonly string[];
  readonly maxContacts: number;
  readonly department: string | null;
  readonly forward: Forwarding;
  readonly dnd: boolean;
  readonly anywhere: Anywhere | null;
  readonly voicemail: string | null;
  /** 'own' | 'department' | an E.164 presentation number. */
  readonly callerId: string;
  readonly recording: RecordingPolicy;
};

export type Department = { readonly id: string; readonly name: string; readonly number: string | null };

export type Trunk = {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly transport: 'udp' | 'tcp' | 'tls';
  readonly register: boolean;
  readonly username: string | null;
  readonly password: string | null;
  readonly inbound: readonly string[];
  readonly ping: number;
  readonly numberFormat: NumberFormat;
  readonly callerId: string | null;
};

export type NumberEntry = {
  readonly did: string;
  readonly schedule: string | null;
  readonly open: Destination;
  readonly closed: Destination;
  readonly holiday: Destination;
};

export type RingMember = {
  readonly target: { readonly kind: 'user'; readonly ext: string } | { readonly kind: 'external'; readonly number: string };
  readonly ringTime: number;
};

export type RingGroup = {
  readonly id: string;
  readonly extension: string | null;
  readonly strategy: Strategy;
  readonly members: readonly RingMember[];
  readonly totalRingTime: number;
  readonly busy: BusyPolicy;
  readonly followForwarding: boolean;
  readonly overflow: Destination;
  readonly callerIdPrefix: string;
};

export type Queue = {
  readonly id: string;
  readonly extension: string | null;
  readonly strategy: Strategy;
  readonly members: readonly string[];
  readonly maxWait: number;
  readonly music: string | null;
  readonly overflow: Destination;
};

export type PickupGroup = { readonly id: string; readonly members: readonly string[] };

export type MenuVariantSpec = {
  readonly prompt: Prompt;
  readonly keys: ReadonlyMap<string, Destination>;
  readonly timeout: Destination;
  readonly invalid: Destination;
};

export type Menu = {
  readonly id: string;
  readonly extension: string | null;
  readonly schedule: string | null;
  readonly open: MenuVariantSpec;
  readonly closed: MenuVariantSpec;
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly directDial: boolean;
};

export type VoicemailBox = { readonly id: string; readonly pin: string | null; readonly email: string | null; readonly greeting: Prompt | null };

export type OutboundRule = {
  readonly name: string;
  readonly prefixes: readonly string[];
  readonly trunks: readonly string[];
  readonly strip: number;
  readonly prepend: string;
};

export type Restriction = {
  readonly name: string;
  readonly classes: readonly NumberClass[];
  readonly countries: readonly string[];
  readonly prefixes: readonly string[];
  readonly exemptUsers: readonly string[];
  readonly exemptDepartments: readonly string[];
};

export type FeatureCodes = {
  readonly pickupGroup: string;
  readonly pickupDirect: string;
  readonly voicemail: string;
  readonly dndToggle: string;
  readonly forwardOn: string;
  readonly forwardOff: string;
  readonly nightToggle: string;
  readonly nightAuto: string;
  readonly nightOpen: string;
  readonly nightClosed: string;
};

export type Settings = {
  readonly timeZone: string;
  readonly defaultCountry: string;
  readonly unassigned: Destination;
  readonly premiumPrefixes: readonly string[];
  readonly featureCodes: FeatureCodes;
  /** The schedule the night switch toggles act on when a number or menu names none. */
  readonly defaultSchedule: string | null;
  readonly userRingTime: number;
};

/** A prefix trie node for longest-prefix lookups (outbound rules). */
export type PrefixNode<T> = { readonly value: T | null; readonly next: ReadonlyMap<string, PrefixNode<T>> };

export type Plan = {
  readonly settings: Settings;
  readonly users: ReadonlyMap<string, User>;
  readonly departments: ReadonlyMap<string, Department>;
  readonly trunks: ReadonlyMap<string, Trunk>;
  readonly numbers: ReadonlyMap<string, NumberEntry>;
  readonly schedules: ReadonlyMap<string, Schedule>;
  readonly ringGroups: ReadonlyMap<string, RingGroup>;
  readonly queues: ReadonlyMap<string, Queue>;
  readonly pickupGroups: ReadonlyMap<string, PickupGroup>;
  readonly menus: ReadonlyMap<string, Menu>;
  readonly voicemail: ReadonlyMap<string, VoicemailBox>;
  readonly outbound: readonly OutboundRule[];
  readonly outboundTrie: PrefixNode<OutboundRule>;
  readonly restrictions: readonly Restriction[];
  readonly blacklist: ReadonlySet<string>;
  /** Internal extension → what it reaches (users, groups, queues, menus with an extension). */
  readonly extensions: ReadonlyMap<string, Destination>;
  /** Pickup groups each user belongs to. */
  readonly pickupOf: ReadonlyMap<string, readonly string[]>;
  /** A user's own public number: the first DID whose open destination is that user. */
  readonly userNumbers: ReadonlyMap<string, string>;
};

// ---- inputs of decide() -------------------------------------------------------

export type CallFacts =
  | {
      readonly kind: 'inbound';
      readonly trunk: string;
      readonly did: string;
      readonly callerNumber: string;
      readonly callerName?: string;
    }
  | { readonly kind: 'internal'; readonly caller: string; readonly dialled: string };

/** Per-member state the engine keeps for one ring group (plan stays immutable). */
export type GroupStats = {
  /** rrmemory: member key (ext or number) of the last one that answered. */
  readonly lastAnswered?: string;
  /** leastrecent: epoch ms of the last call each member finished from this group. */
  readonly lastCallEnd?: Readonly<Record<string, number>>;
  /** fewestcalls: completed calls per member from this group. */
  readonly callCount?: Readonly<Record<string, number>>;
};

export type UserOverride = { readonly dnd?: boolean; readonly forwardAlways?: Destination | null };

export type Toggles = {
  /** Global night switch; a per-schedule value other than 'auto' wins over it. */
  readonly night?: NightState;
  readonly nightBySchedule?: Readonly<Record<string, NightState>>;
  /** DND / forwarding set by feature codes, per extension. */
  readonly users?: Readonly<Record<string, UserOverride>>;
  /** belfry's own count of live calls per extension (busy = count > 0). */
  readonly busyCounts?: Readonly<Record<string, number>>;
  readonly groupStats?: Readonly<Record<string, GroupStats>>;
  /** Seed for the `random` strategy so decide() stays pure. */
  readonly seed?: number;
};

/** How decide() works, not what it decides. */
export type DecideOptions = {
  /** Build the human-readable `trace` (default true). false: every trace is empty, the decision is otherwise the same. */
  readonly trace?: boolean;
};

// ---- output of decide() -------------------------------------------------------

export type RingTarget =
  | { readonly kind: 'user'; readonly ext: string; readonly delay: number; readonly timeout: number }
  | {
      readonly kind: 'external';
      readonly number: string;
      readonly routes: readonly TrunkRoute[];
      readonly delay: number;
      readonly timeout: number;
      /** Anywhere/forwarded legs: keep the original caller id and prove the path with Diversion. */
      readonly keepCallerId: boolean;
      readonly diversion: string | null;
    };

export type TrunkRoute = { readonly trunk: string; readonly dial: string };

export type FeatureAction =
  | { readonly kind: 'pickup-group'; readonly groups: readonly string[]; readonly members: readonly string[] }
  | { readonly kind: 'pickup-direct'; readonly ext: string }
  | { readonly kind: 'voicemail'; readonly box: string | null }
  | { readonly kind: 'dnd-toggle'; readonly ext: string; readonly dnd: boolean }
  | { readonly kind: 'forward-on'; readonly ext: string; readonly to: Destination }
  | { readonly kind: 'forward-off'; readonly ext: string }
  | { readonly kind: 'night-set'; readonly schedule: string | null; readonly state: NightState };

export type Fallbacks = { readonly noAnswer: Decision; readonly busy: Decision; readonly unreachable: Decision };

export type Decision = (
  | {
      readonly kind: 'ring';
      readonly via: string;
      readonly strategy: Strategy | 'user';
      readonly targets: readonly RingTarget[];
      readonly totalTimeout: number;
      readonly recording: RecordingPolicy;
      /** Prefix for the caller's display name on the members' phones (ring groups), else ''. */
      readonly callerNamePrefix: string;
      readonly fallbacks: Fallbacks;
    }
  | { readonly kind: 'menu'; readonly menu: string; readonly variant: MenuVariant; readonly prompt: Prompt; readonly timeoutSeconds: number }
  | { readonly kind: 'queue'; readonly queue: string; readonly members: readonly string[]; readonly maxWait: number; readonly overflow: Decision }
  | { readonly kind: 'voicemail'; readonly box: string; readonly reason: 'no-answer' | 'busy' | 'unreachable' | 'direct' }
  | {
      readonly kind: 'external';
      readonly number: string;
      readonly routes: readonly TrunkRoute[];
      readonly callerId: string | null;
      readonly diversion: string | null;
    }
  | { readonly kind: 'announce-hangup'; readonly prompt: string }
  | { readonly kind: 'reject'; readonly status: number; readonly cause: number; readonly reason: string; readonly intercepted: boolean }
  | { readonly kind: 'feature'; readonly feature: FeatureAction }
) & { readonly trace: readonly string[] };

export type MenuKeyResult = Decision | { readonly kind: 'menu-retry'; readonly menu: string; readonly variant: MenuVariant; readonly attempt: number; readonly trace: readonly string[] };
