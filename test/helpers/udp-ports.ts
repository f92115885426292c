/**
 * An even port base with `span` free UDP ports above it on 127.0.0.1, for a
 * port pool or relay under test.
 *
 * Picked above the kernel's ephemeral range (net.ipv4.ip_local_port_range,
 * 32768–60999 by default on Linux): a range taken from inside it could hold
 * the port the kernel later gives one of the test's own sockets (bind(0)),
 * and a test that sends to every port of its range then sends to itself.
 * Where the ephemeral range leaves no room above it, the base comes from an
 * ephemeral port as before.
 */
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';

function ephemeralTop(): number | undefined {
  try {
    const top = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[1]);
    return Number.isInteger(top) ? top : undefined;
  } catch {
    return undefined;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, '127.0.0.1', () => {
      s.close();
      resolve(true);
    });
  });
}

async function allBindable(base: number, span: number): Promise<boolean> {
  for (let p = base; p < base + span; p++) if (!(await bindable(p))) return false;
  return true;
}

export async function freeUdpBase(span: number, fallback = 43000): Promise<number> {
  const top = ephemeralTop();
  if (top !== undefined) {
    const low = (top + 2) & ~1;
    const room = 65535 - span - low;
    for (let i = 0; room > 0 && i < 20; i++) {
      const base = (low + Math.floor(Math.random() * room)) & ~1;
      if (base >= low && (await allBindable(base, span))) return base;
    }
  }
  for (let i = 0; i < 40; i++) {
    const s = createSocket('udp4');
    const port = await new Promise<number>((resolve) => s.bind(0, '127.0.0.1', () => resolve(s.address().port)));
    s.close();
    if (port > 20000 && port + span < 65000) return port & ~1;
  }
  return fallback;
}
