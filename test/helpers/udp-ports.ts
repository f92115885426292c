/**
 * An even port base with `span` ports above it, picked from what the kernel
 * hands out as ephemeral UDP ports on 127.0.0.1 (so a range for a port pool
 * or relay under test is unlikely to collide with anything bound).
 */
import { createSocket } from 'node:dgram';

export async function freeUdpBase(span: number, fallback = 43000): Promise<number> {
  for (let i = 0; i < 40; i++) {
    const s = createSocket('udp4');
    const port = await new Promise<number>((resolve) => s.bind(0, '127.0.0.1', () => resolve(s.address().port)));
    s.close();
    if (port > 20000 && port + span < 65000) return port & ~1;
  }
  return fallback;
}
