/**
 * The YAML schema of the dialplan (zod, strict objects: an unknown key is an
 * error). Owns: shapes, defaults and scalar formats. Leaves out: anything that
 * needs two places at once (references, loops, duplicates), which validate.ts
 * checks with positions. Destinations are `kind:id` strings parsed later.
 */
import { z } from 'zod';

/** Extensions and box ids may be written as YAML numbers; keep them as text. */
const id = z.union([z.string().min(1), z.number().int().nonnegative()]).transform((v) => String(v));
const seconds = z.number().int().min(0).max(86_400);
const destination = z.string().min(1);
const prompt = z.union([z.string().min(1), z.strictObject({ tts: z.string().min(1) })]);
const ranges = z.array(z.string());

const featureCodes = z.strictObject({
  pickup_group: z.string().min(1).optional(),
  pickup_direct: z.string().min(1).optional(),
  voicemail: z.string().min(1).optional(),
  dnd_toggle: z.string().min(1).optional(),
  forward_on: z.string().min(1).optional(),
  forward_off: z.string().min(1).optional(),
  night_toggle: z.string().min(1).optional(),
  night_auto: z.string().min(1).optional(),
  night_open: z.string().min(1).optional(),
  night_closed: z.string().min(1).optional(),
});

const settings = z.strictObject({
  time_zone: z.string().min(1).optional(),
  default_country: z.string().length(2).optional(),
  unassigned: destination.optional(),
  premium_prefixes: z.array(z.string().min(1)).optional(),
  feature_codes: featureCodes.optional(),
  night_schedule: z.string().min(1).optional(),
  user_ring_time: seconds.optional(),
});

const forward = z.strictObject({
  always: destination.optional(),
  busy: destination.optional(),
  no_answer: destination.optional(),
  no_answer_after: seconds.optional(),
  unreachable: destination.optional(),
});

const user = z.strictObject({
  name: z.string().min(1),
  password: z.string().min(1).optional(),
  ha1: z.string().regex(/^([0-9a-f]{32}|[0-9a-f]{64})$/i, 'ha1 must be 32 (MD5) or 64 (SHA-256) hex digits of user:realm:password').optional(),
  networks: z.array(z.string()).optional(),
  max_contacts: z.number().int().min(1).max(32).optional(),
  department: z.string().min(1).optional(),
  forward: forward.optional(),
  dnd: z.boolean().optional(),
  anywhere: z
    .strictObject({
      numbers: z.array(z.string().min(1)).min(1),
      delay: seconds.optional(),
      keep_caller_id: z.boolean().optional(),
      diversion: z.boolean().optional(),
    })
    .optional(),
  voicemail: id.optional(),
  caller_id: z.string().min(1).optional(),
  recording: z.enum(['never', 'always', 'on_demand']).optional(),
});

const department = z.strictObject({ name: z.string().min(1), number: z.string().min(1).optional() });

const trunk = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535).optional(),
  transport: z.enum(['udp', 'tcp', 'tls']).optional(),
  register: z.boolean().optional(),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  inbound: z.array(z.string()).optional(),
  ping: seconds.optional(),
  number_format: z.enum(['e164', 'national', 'with_plus']).optional(),
  caller_id: z.string().min(1).optional(),
});

const numberEntry = z.union([
  destination,
  z.strictObject({
    schedule: z.string().min(1).optional(),
    open: destination,
    closed: destination.optional(),
    holiday: destination.optional(),
  }),
]);

const schedule = z.strictObject({
  time_zone: z.string().min(1).optional(),
  week: z
    .strictObject({
      mon: ranges.optional(),
      tue: ranges.optional(),
      wed: ranges.optional(),
      thu: ranges.optional(),
      fri: ranges.optional(),
      sat: ranges.optional(),
      sun: ranges.optional(),
    })
    .optional(),
  holidays: z.array(z.string().min(1)).optional(),
});

const holiday = z.strictObject({
  name: z.string().min(1),
  date: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  yearly: z.string().optional(),
  hours: ranges.optional(),
});

const member = z.union([id, z.strictObject({ target: id, ring_time: seconds.optional() })]);
const strategy = z.enum(['ringall', 'hunt', 'rrmemory', 'leastrecent', 'fewestcalls', 'random']);

const ringGroup = z.strictObject({
  extension: id.optional(),
  strategy: strategy.optional(),
  members: z.array(member).min(1),
  ring_time: seconds.optional(),
  total_ring_time: seconds.optional(),
  busy: z.enum(['skip', 'ring']).optional(),
  follow_forwarding: z.boolean().optional(),
  overflow: destination.optional(),
  caller_id_prefix: z.string().optional(),
});

const queue = z.strictObject({
  extension: id.optional(),
  strategy: strategy.optional(),
  members: z.array(id).min(1),
  max_wait: seconds.optional(),
  music: z.string().min(1).optional(),
  overflow: destination.optional(),
});

const pickupGroup = z.strictObject({ members: z.array(id).min(1) });

const menuVariant = z.strictObject({
  prompt,
  keys: z.record(z.string(), z.union([destination, z.null()])).optional(),
  timeout: destination.optional(),
  invalid: destination.optional(),
});

const menu = z.strictObject({
  extension: id.optional(),
  schedule: z.string().min(1).optional(),
  open: menuVariant,
  closed: menuVariant.optional(),
  timeout_seconds: z.number().int().min(1).max(60).optional(),
  retries: z.number().int().min(0).max(10).optional(),
  direct_dial: z.boolean().optional(),
});

const voicemailBox = z.strictObject({
  pin: z.string().min(1).optional(),
  email: z.string().min(3).optional(),
  greeting: prompt.optional(),
});

const outboundRule = z.strictObject({
  name: z.string().min(1),
  prefixes: z.array(z.string().min(1)).min(1),
  trunks: z.array(z.string().min(1)).min(1),
  strip: z.number().int().min(0).max(20).optional(),
  prepend: z.string().optional(),
});

const numberClass = z.enum(['premium', 'international', 'national', 'mobile']);
const restriction = z.strictObject({
  name: z.string().min(1),
  classes: z.array(numberClass).optional(),
  countries: z.array(z.string().min(1)).optional(),
  prefixes: z.array(z.string().min(1)).optional(),
  exempt_users: z.array(id).optional(),
  exempt_departments: z.array(z.string().min(1)).optional(),
});

const map = <T extends z.ZodType>(v: T) => z.record(z.string(), v);

/** The merged document: every section optional, each from at most one file. */
export const dialplanSchema = z.strictObject({
  settings: settings.optional(),
  users: map(user).optional(),
  departments: map(department).optional(),
  trunks: map(trunk).optional(),
  numbers: map(numberEntry).optional(),
  schedules: map(schedule).optional(),
  holidays: map(z.array(holiday)).optional(),
  ring_groups: map(ringGroup).optional(),
  queues: map(queue).optional(),
  pickup_groups: map(pickupGroup).optional(),
  ivr_menus: map(menu).optional(),
  voicemail: map(voicemailBox).optional(),
  outbound: z.array(outboundRule).optional(),
  restrictions: z.array(restriction).optional(),
  blacklist: z.array(z.string().min(1)).optional(),
});

export type DialplanInput = z.output<typeof dialplanSchema>;
export const SECTION_NAMES: readonly string[] = Object.keys(dialplanSchema.shape);
