import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { once } from 'node:events';
import { createSipStack, type SipStack } from '../../../src/sip/index.ts';
import { options } from './sip-peer.ts';

let dir = '';
let stack: SipStack | undefined;
let port = 0;
let skip: string | false = false;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'belfry-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  } catch {
    skip = 'openssl not available: TLS tests skipped';
    console.log(skip);
    return;
  }
  stack = await createSipStack({
    listeners: [{ protocol: 'tls', host: '127.0.0.1', port: 0, tls: { certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'key.pem') } }],
    timers: { T1: 50 },
    stream: { idleTimeoutMs: 2000 },
  });
  port = stack.addresses().find((a) => a.protocol === 'tls')?.port ?? 0;
});
after(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function tlsClient(): Promise<{ s: TLSSocket; data: () => string }> {
  const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  await once(s, 'secureConnect');
  let data = '';
  s.on('data', (d: Buffer) => {
    data += d.toString('latin1');
  });
  s.on('error', () => {});
  return { s, data: () => data };
}

async function until(pred: () => boolean, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

test('TLS: OPTIONS over TLS is answered 200 on the same connection', async (t) => {
  if (skip) return t.skip(skip);
  const c = await tlsClient();
  try {
    c.s.write(options({ via: `SIP/2.0/TLS 127.0.0.1:${c.s.localPort ?? 0}` }));
    assert.ok(await until(() => c.data().includes('\r\n\r\n')));
    assert.match(c.data(), /^SIP\/2\.0 200 OK\r\n/);
    assert.match(c.data(), /\r\nVia: SIP\/2\.0\/TLS 127\.0\.0\.1:\d+;branch=/);
  } finally {
    c.s.destroy();
  }
});

test('TLS: CRLF ping gets a pong and framing works across records', async (t) => {
  if (skip) return t.skip(skip);
  const c = await tlsClient();
  try {
    c.s.write('\r\n\r\n');
    assert.ok(await until(() => c.data() === '\r\n'));
    const m = options({ via: 'SIP/2.0/TLS 127.0.0.1:5061', callId: 'tls-split' });
    c.s.write(m.slice(0, 40));
    await new Promise((r) => setTimeout(r, 30));
    c.s.write(m.slice(40));
    assert.ok(await until(() => c.data().includes('Call-ID: tls-split')));
  } finally {
    c.s.destroy();
  }
});

test('TLS: a missing certificate file is a start-up error with a stable code', async (t) => {
  if (skip) return t.skip(skip);
  await assert.rejects(
    createSipStack({ listeners: [{ protocol: 'tls', host: '127.0.0.1', port: 0, tls: { certPath: join(dir, 'nope.pem'), keyPath: join(dir, 'key.pem') } }] }),
    (e: unknown) => e instanceof Error && 'code' in e && e.code === 'SIP_TRANSPORT_TLS_CONFIG',
  );
});
