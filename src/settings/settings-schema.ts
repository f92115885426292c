/**
 * The settings file (config/belfry.yaml): listeners, limits, timers, media,
 * storage and the admin API. Routing (users, groups, numbers, trunks) lives in
 * the dialplan files, not here. Every key is documented in README.md
 * ("Configuration reference"); unknown keys are errors so typos are caught.
 */
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);

export const settingsSchema = z.strictObject({
  sip: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      /** Extra listen address for IPv6 (e.g. `::1`); off when absent. */
      host6: z.string().optional(),
      udp_port: port.default(5060),
      tcp_port: port.default(5060),
      tls: z
        .strictObject({
          enabled: z.boolean().default(false),
          port: port.default(5061),
          cert: z.string().optional(),
          key: z.string().optional(),
        })
        .prefault({}),
      /**
       * Who moves SIP's UDP bytes (docs/sip-transport.md, "Native UDP I/O"): 'native' = a thread of
       * the native addon (recvmmsg/sendmmsg); 'dgram' = Node's sockets on the main thread; 'auto' =
       * native when the addon is built, else dgram (logged).
       */
      udp_engine: z.enum(['auto', 'native', 'dgram']).default('auto'),
      realm: z.string().min(1).default('belfry'),
      /**
       * Digest algorithms offered in 401/407, in order of preference (RFC 8760 §2.4).
       * MD5 first by default: SIPp 3.6 and baresip 1.0 (libre) answer only MD5 and
       * libre gives up when it meets any other algorithm, so ['MD5'] suits them.
       */
      auth_algorithms: z.array(z.enum(['MD5', 'SHA-256'])).min(1).default(['MD5', 'SHA-256']),
      timers: z
        .strictObject({
          t1_ms: z.number().int().min(1).max(60_000).default(500),
          t2_ms: z.number().int().min(1).max(600_000).default(4000),
          t4_ms: z.number().int().min(1).max(600_000).default(5000),
        })
        .prefault({}),
      limits: z
        .strictObject({
          max_message_bytes: z.number().int().min(1024).max(1_048_576).default(65_535),
          max_headers: z.number().int().min(8).max(4096).default(128),
          max_line_length: z.number().int().min(256).max(65_535).default(8192),
          max_uri_length: z.number().int().min(64).max(65_535).default(4096),
        })
        .prefault({}),
      tcp: z
        .strictObject({
          max_connections: z.number().int().min(1).default(10_000),
          idle_timeout_s: z.number().int().min(1).default(300),
        })
        .prefault({}),
      max_transactions: z.number().int().min(100).default(200_000),
    })
    .prefault({}),
  rtp: z
    .strictObject({
      address: z.string().default('127.0.0.1'),
      port_min: port.default(20000),
      port_max: port.default(29999),
      silence_timeout_s: z.number().int().min(0).default(60),
      /**
       * Where RTP is relayed (docs/media.md, "Native relay"): 'native' = the C relay on its own
       * threads; 'js' = the JavaScript relay on the main thread or in `workers` worker threads;
       * 'auto' = native when the addon is built, else js (logged).
       */
      relay: z.enum(['auto', 'native', 'js']).default('auto'),
      /** js: 0 = relay on the main thread, N = N worker threads each owning a slice of the port range. native: relay threads (0 counts as 1). */
      workers: z.number().int().min(0).max(64).default(0),
    })
    .prefault({}),
  http: z
    .strictObject({
      enabled: z.boolean().default(true),
      host: z.string().default('127.0.0.1'),
      port: port.default(8089),
      /** Bearer token; when absent belfry uses BELFRY_API_TOKEN or makes one in data_dir/api-token. */
      token: z.string().min(16).optional(),
    })
    .prefault({}),
  /** The door (engine/door.ts): per-source-address request rate and auth-failure blocking. */
  door: z
    .strictObject({
      requests_per_s: z.number().int().min(1).default(200),
      request_burst: z.number().int().min(1).default(400),
      auth_failures: z.number().int().min(1).default(5),
      block_s: z.number().int().min(0).default(300),
      /** Exact source IPs never blocked (trunks, monitoring, load generators). */
      exempt: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  /** Outbound trunk registration (engine/trunk-manager.ts, docs/trunks.md): requested expiry and retry backoff. */
  trunks: z
    .strictObject({
      register_expires_s: z.number().int().min(10).max(86_400).default(3600),
      retry_min_ms: z.number().int().min(100).max(3_600_000).default(30_000),
      retry_max_ms: z.number().int().min(100).max(86_400_000).default(600_000),
    })
    .prefault({}),
  data_dir: z.string().default('data'),
  /** SQLite writes (bindings, CDRs) on a worker thread of their own (store/write-thread.ts, docs/cdr.md); false = on the main thread. */
  store: z.strictObject({ write_thread: z.boolean().default(true) }).prefault({}),
  dialplan_dir: z.string().default('dialplan'),
  log: z.strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') }).prefault({}),
  shutdown: z.strictObject({ grace_ms: z.number().int().min(0).max(120_000).default(5000) }).prefault({}),
});

export type Settings = z.infer<typeof settingsSchema>;
