/**
 * The admin HTTP API: CDRs, registrations, live calls, trunks, recordings,
 * dialplan reload, night switch and Prometheus metrics. Binds 127.0.0.1 by
 * default and requires `Authorization: Bearer <token>` on every /api route
 * (compared in constant time). Bad input gets a 400 naming the field.
 */
import { createReadStream, statSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { fastify, type FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AdminPort } from '../engine/index.ts';
import type { Logger } from '../common/index.ts';
import { apiError } from './errors.ts';
import { validate } from './validate.ts';
import { safePathInside } from './safe-path.ts';

export interface ApiServerOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly admin: AdminPort;
  readonly log: Logger;
  /** Recordings are served only from inside this folder. */
  readonly dataDir: string;
}

export interface ApiServer {
  readonly port: number;
  close(): Promise<void>;
}

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date-time');
const cdrQuerySchema = z.strictObject({
  from: isoDate.optional(),
  to: isoDate.optional(),
  direction: z.enum(['internal', 'inbound', 'outbound']).optional(),
  src: z.string().max(64).optional(),
  dst: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
const nightBodySchema = z.strictObject({ mode: z.enum(['auto', 'open', 'closed']) });
const idParam = z.strictObject({ id: z.string().min(1).max(256) });

function tokenMatches(expected: Buffer, header: string | undefined): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const got = Buffer.from(header.slice(7));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export function buildApi(opts: Omit<ApiServerOptions, 'host' | 'port'>): FastifyInstance {
  const app = fastify({ logger: false, bodyLimit: 64 * 1024 });
  const expected = Buffer.from(opts.token);
  const { admin } = opts;

  app.addHook('onRequest', async (req, reply) => {
    if (req.url === '/health') return;
    if (!tokenMatches(expected, req.headers.authorization)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send(apiError('API_UNAUTHORIZED', 'a valid bearer token is required'));
    }
  });
  app.setErrorHandler(async (e: { statusCode?: number; message: string }, _req, reply) => {
    const status = e.statusCode ?? 500;
    if (status >= 500) opts.log.error({ err: e }, 'api error');
    await reply.code(status).send(apiError(status === 404 ? 'API_NOT_FOUND' : 'API_BAD_FIELD', e.message, status < 500 ? 'body' : undefined));
  });
  app.setNotFoundHandler(async (_req, reply) => reply.code(404).send(apiError('API_NOT_FOUND', 'no such route')));

  app.get('/health', async () => ({ status: admin.health().status }));
  app.get('/api/v1/health', async () => admin.health());

  app.get('/api/v1/cdrs', async (req, reply) => {
    const v = validate(cdrQuerySchema, req.query);
    if (!v.ok) return reply.code(400).send(v.body);
    return admin.listCdrs(v.value);
  });
  app.get('/api/v1/cdrs/:id', async (req, reply) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return reply.code(400).send(p.body);
    const cdr = admin.getCdr(p.value.id);
    if (cdr === undefined) return reply.code(404).send(apiError('API_NOT_FOUND', `no CDR for call ${p.value.id}`));
    return cdr;
  });
  app.get('/api/v1/registrations', async () => ({ items: admin.listRegistrations() }));
  app.get('/api/v1/calls', async () => ({ items: admin.listCalls() }));
  app.delete('/api/v1/calls/:id', async (req, reply) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return reply.code(400).send(p.body);
    if (!admin.hangupCall(p.value.id)) return reply.code(404).send(apiError('API_NOT_FOUND', `no live call ${p.value.id}`));
    return { ok: true };
  });
  app.get('/api/v1/trunks', async () => ({ items: admin.listTrunks() }));
  app.get('/api/v1/recordings', async () => ({ items: admin.listRecordings() }));
  app.get('/api/v1/recordings/:id', async (req, reply) => {
    const p = validate(idParam, req.params);
    if (!p.ok) return reply.code(400).send(p.body);
    const candidate = admin.recordingFile(p.value.id);
    const file = candidate === undefined ? undefined : safePathInside(opts.dataDir, candidate);
    if (file === undefined) return reply.code(404).send(apiError('API_NOT_FOUND', `no recording for call ${p.value.id}`));
    const size = statSync(file).size;
    return reply.header('content-type', 'audio/wav').header('content-length', size).send(createReadStream(file));
  });
  app.post('/api/v1/reload', async (_req, reply) => {
    const r = await admin.reload();
    return reply.code(r.ok ? 200 : 422).send(r);
  });
  app.get('/api/v1/reload', async (_req, reply) => {
    const r = admin.lastReload();
    if (r === undefined) return reply.code(404).send(apiError('API_NOT_FOUND', 'no reload has happened yet'));
    return r;
  });
  app.get('/api/v1/night', async () => admin.getNight());
  app.put('/api/v1/night', async (req, reply) => {
    const v = validate(nightBodySchema, req.body);
    if (!v.ok) return reply.code(400).send(v.body);
    return admin.setNight(v.value.mode);
  });
  app.get('/metrics', async (_req, reply) => {
    const m = await admin.metrics();
    return reply.header('content-type', m.contentType).send(m.body);
  });
  return app;
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const app = buildApi(opts);
  await app.listen({ host: opts.host, port: opts.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : opts.port;
  return { port, close: () => app.close() };
}
