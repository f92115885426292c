/**
 * Turns the schema-checked input into plan parts, checking every scalar format
 * (time zones, time ranges, dates, E.164, CIDRs, countries) and every reference
 * (members, destinations, trunks, schedules, holidays, departments, menus,
 * voicemail boxes) at the node it is written on. Owns the defaults of optional
 * fields. Leaves out: whole-plan checks (validate.ts) and freezing (compile.ts).
 */
import type { DialplanErrorCode } from './errors.ts';
import type {
  Department, Destination, FeatureCodes, HolidayRule, Menu, MenuVariantSpec, NumberClass, NumberEntry, OutboundRule,
  PickupGroup, Prompt, Queue, Restriction, RingGroup, RingMember, Schedule, Settings, TimeRange, Trunk, User, VoicemailBox,
} from './plan-types.ts';
import type { DialplanInput } from './schema.ts';
import type { PathSegment, Reporter } from './load.ts';
import { parseDestination, destinationText } from './destination.ts';
import { isValidZone, WEEKDAYS } from './schedule.ts';
import { buildHolidays, timeRange } from './build-calendar.ts';
import { isCountry, normaliseNumber, canonicalCaller } from './e164.ts';
import { closest } from './diagnostic-format.ts';
import { parseCidr } from '../common/index.ts';

export type PlanParts = {
  settings: Settings;
  users: Map<string, User>;
  departments: Map<string, Department>;
  trunks: Map<string, Trunk>;
  numbers: Map<string, NumberEntry>;
  schedules: Map<string, Schedule>;
  ringGroups: Map<string, RingGroup>;
  queues: Map<string, Queue>;
  pickupGroups: Map<string, PickupGroup>;
  menus: Map<string, Menu>;
  voicemail: Map<string, VoicemailBox>;
  outbound: OutboundRule[];
  restrictions: Restriction[];
  blacklist: Set<string>;
  extensions: Map<string, Destination>;
  pickupOf: Map<string, string[]>;
  /** `kind:id` of every ring group, queue, menu and box some destination names. */
  referenced: Set<string>;
};

export const DEFAULT_FEATURE_CODES: FeatureCodes = {
  pickupGroup: '*98',
  pickupDirect: '**',
  voicemail: '*97',
  dndToggle: '*76',
  forwardOn: '*72',
  forwardOff: '*73',
  nightToggle: '*28',
  nightAuto: '*280',
  nightOpen: '*281',
  nightClosed: '*282',
};

const FEATURE_KEYS: readonly [keyof FeatureCodes, string][] = [
  ['pickupGroup', 'pickup_group'], ['pickupDirect', 'pickup_direct'], ['voicemail', 'voicemail'], ['dndToggle', 'dnd_toggle'],
  ['forwardOn', 'forward_on'], ['forwardOff', 'forward_off'], ['nightToggle', 'night_toggle'], ['nightAuto', 'night_auto'],
  ['nightOpen', 'night_open'], ['nightClosed', 'night_closed'],
];

const REJECTED: Destination = { kind: 'reject', status: 500, reason: 'Invalid destination' };

function isCidr(s: string): boolean {
  return parseCidr(s) !== undefined;
}

export function buildPlan(input: DialplanInput, r: Reporter): PlanParts {
  const s = input.settings ?? {};
  const country = (s.default_country ?? 'NL').toUpperCase();
  if (!isCountry(country)) r.error('DIALPLAN_BAD_COUNTRY', ['settings', 'default_country'], `\`${country}\` is not an ISO 3166 country code libphonenumber knows; write e.g. NL, SE, FR, US`);
  const timeZone = s.time_zone ?? 'UTC';
  if (!isValidZone(timeZone)) r.error('DIALPLAN_BAD_TIME_ZONE', ['settings', 'time_zone'], `\`${timeZone}\` is not an IANA time zone; write e.g. Europe/Amsterdam`);

  const users = input.users ?? {};
  const groups = input.ring_groups ?? {};
  const queuesIn = input.queues ?? {};
  const menusIn = input.ivr_menus ?? {};
  const boxes = input.voicemail ?? {};
  const depts = input.departments ?? {};
  const trunksIn = input.trunks ?? {};
  const schedIn = input.schedules ?? {};
  const holIn = input.holidays ?? {};
  const referenced = new Set<string>();

  const e164 = (v: string, path: readonly PathSegment[], what: string): string | null => {
    const n = normaliseNumber(v, country);
    if (n === null) r.error('DIALPLAN_BAD_E164', path, `${what} \`${v}\` is not a valid phone number; write it in E.164 form such as +31201234567 (quote it in YAML)`);
    return n;
  };

  // Extensions first: destinations may name any of them.
  const extensions = new Map<string, Destination>();
  const extWhere = new Map<string, string>();
  const claim = (ext: string, d: Destination, path: readonly PathSegment[], onKey: boolean): void => {
    if (!/^[0-9]{2,10}$/.test(ext)) {
      r.error('DIALPLAN_INVALID_VALUE', path, `extension \`${ext}\` must be 2-10 digits`, onKey);
      return;
    }
    const prev = extWhere.get(ext);
    if (prev !== undefined) {
      r.error('DIALPLAN_DUPLICATE_EXTENSION', path, `extension ${ext} is already used by ${prev}; give one of them another number`, onKey);
      return;
    }
    extWhere.set(ext, destinationText(d));
    extensions.set(ext, d);
  };
  for (const ext of Object.keys(users)) claim(ext, { kind: 'user', ext }, ['users', ext], true);
  for (const [id, g] of Object.entries(groups)) if (g.extension !== undefined) claim(g.extension, { kind: 'ring_group', id }, ['ring_groups', id, 'extension'], false);
  for (const [id, q] of Object.entries(queuesIn)) if (q.extension !== undefined) claim(q.extension, { kind: 'queue', id }, ['queues', id, 'extension'], false);
  for (const [id, m] of Object.entries(menusIn)) if (m.extension !== undefined) claim(m.extension, { kind: 'menu', id }, ['ivr_menus', id, 'extension'], false);

  const dest = (text: string, path: readonly PathSegment[]): Destination => {
    const p = parseDestination(text);
    if ('error' in p) {
      r.error('DIALPLAN_BAD_DESTINATION', path, p.error);
      return REJECTED;
    }
    const unknown = (code: DialplanErrorCode, what: string, id: string, known: readonly string[], section: string): Destination => {
      const hint = closest(id, known);
      r.error(code, path, `unknown ${what} \`${id}\`${hint ? `; did you mean \`${hint}\`?` : ''} (define it under \`${section}:\`)`);
      return REJECTED;
    };
    switch (p.kind) {
      case 'extension': {
        const d = extensions.get(p.ext);
        if (!d) return unknown('DIALPLAN_UNKNOWN_DESTINATION', 'extension', p.ext, [...extensions.keys()], 'users');
        referenced.add(destinationText(d));
        return d;
      }
      case 'user':
        if (!(p.ext in users)) return unknown('DIALPLAN_UNKNOWN_DESTINATION', 'user', p.ext, Object.keys(users), 'users');
        return p;
      case 'ring_group':
        if (!(p.id in groups)) return unknown('DIALPLAN_UNKNOWN_DESTINATION', 'ring group', p.id, Object.keys(groups), 'ring_groups');
        referenced.add(destinationText(p));
        return p;
      case 'queue':
        if (!(p.id in queuesIn)) return unknown('DIALPLAN_UNKNOWN_DESTINATION', 'queue', p.id, Object.keys(queuesIn), 'queues');
        referenced.add(destinationText(p));
        return p;
      case 'menu':
        if (!(p.id in menusIn)) return unknown('DIALPLAN_UNKNOWN_MENU', 'IVR menu', p.id, Object.keys(menusIn), 'ivr_menus');
        referenced.add(destinationText(p));
        return p;
      case 'voicemail':
        if (!(p.box in boxes)) return unknown('DIALPLAN_UNKNOWN_VOICEMAIL', 'voicemail box', p.box, Object.keys(boxes), 'voicemail');
        referenced.add(destinationText(p));
        return p;
      case 'external': {
        const n = e164(p.number, path, 'external number');
        return n === null ? REJECTED : { kind: 'external', number: n };
      }
      case 'announce':
      case 'reject':
        return p;
    }
  };

  // ---- settings ----
  const fc = { ...DEFAULT_FEATURE_CODES } as Record<keyof FeatureCodes, string>;
  const given = s.feature_codes ?? {};
  for (const [k, yamlKey] of FEATURE_KEYS) {
    const v = (given as Record<string, string | undefined>)[yamlKey];
    if (v !== undefined) fc[k] = v;
  }
  const seen = new Map<string, string>();
  for (const [k, yamlKey] of FEATURE_KEYS) {
    const code = fc[k];
    if (!/^[*#][0-9*#]*$/.test(code)) r.error('DIALPLAN_INVALID_VALUE', ['settings', 'feature_codes', yamlKey], `feature code \`${code}\` must start with * or # and contain only digits, * and #`);
    const prev = seen.get(code);
    if (prev !== undefined) {
      const path = yamlKey in given ? ['settings', 'feature_codes', yamlKey] : ['settings', 'feature_codes'];
      r.error('DIALPLAN_DUPLICATE_FEATURE_CODE', path, `feature code ${code} is used for both ${prev} and ${yamlKey}; choose another code for one of them`);
    }
    seen.set(code, yamlKey);
  }
  const premiumPrefixes = (s.premium_prefixes ?? []).map((p, i) => {
    if (!/^\+[0-9]+$/.test(p)) r.error('DIALPLAN_BAD_E164', ['settings', 'premium_prefixes', i], `premium prefix \`${p}\` must be an E.164 prefix such as +31900`);
    return p;
  });
  const nightSchedule = s.night_schedule ?? null;
  if (nightSchedule !== null && !(nightSchedule in schedIn)) r.error('DIALPLAN_UNKNOWN_SCHEDULE', ['settings', 'night_schedule'], `unknown schedule \`${nightSchedule}\` (define it under \`schedules:\`)`);

  // ---- departments, trunks, voicemail ----
  const departments = new Map<string, Department>();
  for (const [id, d] of Object.entries(depts)) {
    const number = d.number === undefined ? null : e164(d.number, ['departments', id, 'number'], 'department number');
    departments.set(id, { id, name: d.name, number });
  }
  const trunks = new Map<string, Trunk>();
  for (const [id, t] of Object.entries(trunksIn)) {
    const register = t.register ?? false;
    if (register && (t.username === undefined || t.password === undefined)) {
      r.error('DIALPLAN_MISSING_CREDENTIALS', ['trunks', id], `trunk \`${id}\` has register: true but no username/password; add them (placeholders like \${TRUNK_PASSWORD} are fine) or set register: false`, true);
    }
    (t.inbound ?? []).forEach((c, i) => {
      if (!isCidr(c)) r.error('DIALPLAN_BAD_CIDR', ['trunks', id, 'inbound', i], `\`${c}\` is not an IP address or CIDR such as 192.0.2.0/24`);
    });
    const callerId = t.caller_id === undefined ? null : e164(t.caller_id, ['trunks', id, 'caller_id'], 'trunk caller id');
    trunks.set(id, {
      id, host: t.host, port: t.port ?? (t.transport === 'tls' ? 5061 : 5060), transport: t.transport ?? 'udp', register,
      username: t.username ?? null, password: t.password ?? null, inbound: t.inbound ?? [], ping: t.ping ?? 30,
      numberFormat: t.number_format ?? 'e164', callerId,
    });
  }
  const voicemail = new Map<string, VoicemailBox>();
  for (const [id, b] of Object.entries(boxes)) {
    voicemail.set(id, { id, pin: b.pin ?? null, email: b.email ?? null, greeting: b.greeting === undefined ? null : prompt(b.greeting) });
  }

  // ---- holidays and schedules ----
  const calendars = new Map<string, HolidayRule[]>();
  for (const [cal, entries] of Object.entries(holIn)) calendars.set(cal, buildHolidays(cal, entries, r));
  const schedules = new Map<string, Schedule>();
  for (const [id, sc] of Object.entries(schedIn)) {
    const zone = sc.time_zone ?? timeZone;
    if (sc.time_zone !== undefined && !isValidZone(zone)) r.error('DIALPLAN_BAD_TIME_ZONE', ['schedules', id, 'time_zone'], `\`${zone}\` is not an IANA time zone; write e.g. Europe/Amsterdam or America/New_York`);
    const week: TimeRange[][] = WEEKDAYS.map((day) => {
      const list = sc.week?.[day] ?? [];
      return list.map((t, i) => timeRange(t, ['schedules', id, 'week', day, i], r, true));
    });
    const holidays: HolidayRule[] = [];
    (sc.holidays ?? []).forEach((cal, i) => {
      const c = calendars.get(cal);
      if (!c) {
        const hint = closest(cal, [...calendars.keys()]);
        r.error('DIALPLAN_UNKNOWN_HOLIDAYS', ['schedules', id, 'holidays', i], `unknown holiday calendar \`${cal}\`${hint ? `; did you mean \`${hint}\`?` : ''} (define it under \`holidays:\`)`);
      } else holidays.push(...c);
    });
    schedules.set(id, { id, zone, week, holidays });
  }
  const scheduleRef = (id: string | undefined, path: readonly PathSegment[]): string | null => {
    if (id === undefined) return nightSchedule;
    if (!(id in schedIn)) {
      const hint = closest(id, Object.keys(schedIn));
      r.error('DIALPLAN_UNKNOWN_SCHEDULE', path, `unknown schedule \`${id}\`${hint ? `; did you mean \`${hint}\`?` : ''} (define it under \`schedules:\`)`);
      return null;
    }
    return id;
  };

  // ---- users ----
  const userRingTime = s.user_ring_time ?? 20;
  const userMap = new Map<string, User>();
  for (const [ext, u] of Object.entries(users)) {
    const base: PathSegment[] = ['users', ext];
    if (u.password === undefined && u.ha1 === undefined) r.error('DIALPLAN_MISSING_CREDENTIALS', base, `user ${ext} has neither password nor ha1; add one so the phone can register`, true);
    (u.networks ?? []).forEach((c, i) => {
      if (!isCidr(c)) r.error('DIALPLAN_BAD_CIDR', [...base, 'networks', i], `\`${c}\` is not an IP address or CIDR such as 10.0.0.0/8`);
    });
    if (u.department !== undefined && !(u.department in depts)) {
      const hint = closest(u.department, Object.keys(depts));
      r.error('DIALPLAN_UNKNOWN_DEPARTMENT', [...base, 'department'], `unknown department \`${u.department}\`${hint ? `; did you mean \`${hint}\`?` : ''} (define it under \`departments:\`)`);
    }
    if (u.voicemail !== undefined && !(u.voicemail in boxes)) {
      r.error('DIALPLAN_UNKNOWN_VOICEMAIL', [...base, 'voicemail'], `unknown voicemail box \`${u.voicemail}\` (define it under \`voicemail:\`)`);
    } else if (u.voicemail !== undefined) referenced.add(`voicemail:${u.voicemail}`);
    const f = u.forward ?? {};
    const fwd = (v: string | undefined, key: string): Destination | null => (v === undefined ? null : dest(v, [...base, 'forward', key]));
    const callerId = u.caller_id ?? 'own';
    if (callerId !== 'own' && callerId !== 'department') e164(callerId, [...base, 'caller_id'], 'caller id (own, department or an E.164 number)');
    if (callerId === 'department' && u.department === undefined) r.error('DIALPLAN_UNKNOWN_DEPARTMENT', [...base, 'caller_id'], `caller_id: department needs a \`department:\` on user ${ext}`);
    const a = u.anywhere;
    userMap.set(ext, {
      ext, name: u.name, password: u.password ?? null, ha1: u.ha1 ?? null, networks: u.networks ?? [], maxContacts: u.max_contacts ?? 3,
      department: u.department ?? null,
      forward: { always: fwd(f.always, 'always'), busy: fwd(f.busy, 'busy'), noAnswer: fwd(f.no_answer, 'no_answer'), noAnswerAfter: f.no_answer_after ?? userRingTime, unreachable: fwd(f.unreachable, 'unreachable') },
      dnd: u.dnd ?? false,
      anywhere: a === undefined ? null : {
        numbers: a.numbers.map((n, i) => e164(n, [...base, 'anywhere', 'numbers', i], 'Anywhere number') ?? n),
        delay: a.delay ?? 0, keepCallerId: a.keep_caller_id ?? true, diversion: a.diversion ?? true,
      },
      voicemail: u.voicemail ?? null,
      callerId: callerId === 'own' || callerId === 'department' ? callerId : (normaliseNumber(callerId, country) ?? callerId),
      recording: u.recording ?? 'never',
    });
  }

  // ---- ring groups, queues, pickup ----
  const ringGroups = new Map<string, RingGroup>();
  for (const [id, g] of Object.entries(groups)) {
    const base: PathSegment[] = ['ring_groups', id];
    const members: RingMember[] = [];
    g.members.forEach((m, i) => {
      const target = typeof m === 'string' ? m : m.target;
      const ringTime = typeof m === 'string' ? (g.ring_time ?? 20) : (m.ring_time ?? g.ring_time ?? 20);
      const path = typeof m === 'string' ? [...base, 'members', i] : [...base, 'members', i, 'target'];
      const asExt = target.startsWith('user:') ? target.slice(5) : target;
      if (asExt in users) members.push({ target: { kind: 'user', ext: asExt }, ringTime });
      else if (target.startsWith('+') || target.startsWith('external:')) {
        const n = e164(target.replace(/^external:/, ''), path, 'member number');
        if (n !== null) members.push({ target: { kind: 'external', number: n }, ringTime });
      } else {
        const hint = closest(asExt, Object.keys(users));
        r.error('DIALPLAN_UNKNOWN_MEMBER', path, `unknown member \`${target}\` in ring group ${id}${hint ? `; did you mean \`${hint}\`?` : ''}: members are user extensions or +E.164 numbers`);
      }
    });
    ringGroups.set(id, {
      id, extension: g.extension ?? null, strategy: g.strategy ?? 'ringall', members,
      totalRingTime: g.total_ring_time ?? 60, busy: g.busy ?? 'skip', followForwarding: g.follow_forwarding ?? false,
      overflow: g.overflow === undefined ? { kind: 'reject', status: 480, reason: 'Temporarily Unavailable' } : dest(g.overflow, [...base, 'overflow']),
      callerIdPrefix: g.caller_id_prefix ?? '',
    });
  }
  const memberRef = (ext: string, path: readonly PathSegment[], what: string): boolean => {
    if (ext in users) return true;
    const hint = closest(ext, Object.keys(users));
    r.error('DIALPLAN_UNKNOWN_MEMBER', path, `unknown member \`${ext}\` in ${what}${hint ? `; did you mean \`${hint}\`?` : ''}: members are user extensions`);
    return false;
  };
  const queues = new Map<string, Queue>();
  for (const [id, q] of Object.entries(queuesIn)) {
    const members = q.members.filter((m, i) => memberRef(m, ['queues', id, 'members', i], `queue ${id}`));
    queues.set(id, {
      id, extension: q.extension ?? null, strategy: q.strategy ?? 'ringall', members, maxWait: q.max_wait ?? 300, music: q.music ?? null,
      overflow: q.overflow === undefined ? { kind: 'reject', status: 480, reason: 'Temporarily Unavailable' } : dest(q.overflow, ['queues', id, 'overflow']),
    });
  }
  const pickupGroups = new Map<string, PickupGroup>();
  const pickupOf = new Map<string, string[]>();
  for (const [id, pg] of Object.entries(input.pickup_groups ?? {})) {
    const members = pg.members.filter((m, i) => memberRef(m, ['pickup_groups', id, 'members', i], `pickup group ${id}`));
    pickupGroups.set(id, { id, members });
    for (const m of members) pickupOf.set(m, [...(pickupOf.get(m) ?? []), id]);
  }

  // ---- menus ----
  const menus = new Map<string, Menu>();
  for (const [id, m] of Object.entries(menusIn)) {
    const base: PathSegment[] = ['ivr_menus', id];
    const variant = (v: NonNullable<typeof m.closed>, name: string): MenuVariantSpec => {
      const keys = new Map<string, Destination>();
      for (const [k, d] of Object.entries(v.keys ?? {})) {
        if (!/^[0-9*#]$/.test(k)) r.error('DIALPLAN_INVALID_VALUE', [...base, name, 'keys', k], `menu key \`${k}\` must be one DTMF digit 0-9, * or #`, true);
        if (d === null) {
          r.error('DIALPLAN_MENU_KEY_NO_DESTINATION', [...base, name, 'keys', k], `menu key ${k} has no destination; write one (e.g. \`ring_group:sales\`) or remove the key`, true);
          continue;
        }
        keys.set(k, dest(d, [...base, name, 'keys', k]));
      }
      return {
        prompt: prompt(v.prompt), keys,
        timeout: v.timeout === undefined ? { kind: 'announce', prompt: 'goodbye' } : dest(v.timeout, [...base, name, 'timeout']),
        invalid: v.invalid === undefined ? { kind: 'announce', prompt: 'goodbye' } : dest(v.invalid, [...base, name, 'invalid']),
      };
    };
    const open = variant(m.open, 'open');
    menus.set(id, {
      id, extension: m.extension ?? null, schedule: scheduleRef(m.schedule, [...base, 'schedule']), open,
      closed: m.closed === undefined ? open : variant(m.closed, 'closed'),
      timeoutSeconds: m.timeout_seconds ?? 5, retries: m.retries ?? 2, directDial: m.direct_dial ?? false,
    });
  }

  // ---- numbers ----
  const numbers = new Map<string, NumberEntry>();
  const numberWhere = new Map<string, string>();
  for (const [did, n] of Object.entries(input.numbers ?? {})) {
    const base: PathSegment[] = ['numbers', did];
    const norm = did.startsWith('+') ? normaliseNumber(did, country) : null;
    if (norm === null) {
      r.error('DIALPLAN_BAD_E164', base, `DID \`${did}\` is not a valid E.164 number; write it quoted with a plus, e.g. "+31201234567"`, true);
      continue;
    }
    const prev = numberWhere.get(norm);
    if (prev !== undefined) {
      r.error('DIALPLAN_DUPLICATE_NUMBER', base, `number ${norm} is already defined as \`${prev}\`; keep one entry`, true);
      continue;
    }
    numberWhere.set(norm, did);
    if (typeof n === 'string') {
      const d = dest(n, base);
      numbers.set(norm, { did: norm, schedule: null, open: d, closed: d, holiday: d });
    } else {
      const open = dest(n.open, [...base, 'open']);
      const closed = n.closed === undefined ? open : dest(n.closed, [...base, 'closed']);
      const holiday = n.holiday === undefined ? closed : dest(n.holiday, [...base, 'holiday']);
      numbers.set(norm, { did: norm, schedule: scheduleRef(n.schedule, [...base, 'schedule']), open, closed, holiday });
    }
  }

  // ---- outbound, restrictions, blacklist ----
  const outbound: OutboundRule[] = (input.outbound ?? []).map((o, i) => {
    o.trunks.forEach((t, j) => {
      if (!(t in trunksIn)) {
        const hint = closest(t, Object.keys(trunksIn));
        r.error('DIALPLAN_UNKNOWN_TRUNK', ['outbound', i, 'trunks', j], `unknown trunk \`${t}\`${hint ? `; did you mean \`${hint}\`?` : ''} (define it under \`trunks:\`)`);
      }
    });
    o.prefixes.forEach((p, j) => {
      if (!/^\+?[0-9*#]*$/.test(p)) r.error('DIALPLAN_INVALID_VALUE', ['outbound', i, 'prefixes', j], `prefix \`${p}\` must be digits, optionally starting with + for E.164 prefixes`);
    });
    return { name: o.name, prefixes: o.prefixes, trunks: o.trunks, strip: o.strip ?? 0, prepend: o.prepend ?? '' };
  });
  const restrictions: Restriction[] = (input.restrictions ?? []).map((x, i) => {
    (x.exempt_users ?? []).forEach((u, j) => memberRef(u, ['restrictions', i, 'exempt_users', j], `restriction ${x.name}`));
    (x.exempt_departments ?? []).forEach((d, j) => {
      if (!(d in depts)) r.error('DIALPLAN_UNKNOWN_DEPARTMENT', ['restrictions', i, 'exempt_departments', j], `unknown department \`${d}\` (define it under \`departments:\`)`);
    });
    (x.countries ?? []).forEach((c, j) => {
      if (!isCountry(c.toUpperCase())) r.error('DIALPLAN_BAD_COUNTRY', ['restrictions', i, 'countries', j], `\`${c}\` is not an ISO 3166 country code; write e.g. NL, DE, CU`);
    });
    return {
      name: x.name, classes: (x.classes ?? []) as NumberClass[], countries: (x.countries ?? []).map((c) => c.toUpperCase()),
      prefixes: x.prefixes ?? [], exemptUsers: x.exempt_users ?? [], exemptDepartments: x.exempt_departments ?? [],
    };
  });
  const blacklist = new Set((input.blacklist ?? []).map((b) => canonicalCaller(b, country)));

  const settings: Settings = {
    timeZone, defaultCountry: country, premiumPrefixes, featureCodes: fc, defaultSchedule: nightSchedule, userRingTime,
    unassigned: s.unassigned === undefined ? { kind: 'reject', status: 404, reason: 'Not Found' } : dest(s.unassigned, ['settings', 'unassigned']),
  };
  return {
    settings, users: userMap, departments, trunks, numbers, schedules, ringGroups, queues, pickupGroups, menus, voicemail,
    outbound, restrictions, blacklist, extensions, pickupOf, referenced,
  };
}

function prompt(p: string | { tts: string }): Prompt {
  return typeof p === 'string' ? { file: p } : { tts: p.tts };
}
