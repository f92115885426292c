/** literalFirstLookup: IP literals answered in the same tick, names through dns.lookup. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { literalFirstLookup } from '../../../src/common/index.ts';

describe('literalFirstLookup', () => {
  it('answers IPv4 and IPv6 literals synchronously with their family', () => {
    const got: unknown[] = [];
    literalFirstLookup('127.0.0.1', 4, (e, a, f) => got.push([e, a, f]));
    literalFirstLookup('::1', 6, (e, a, f) => got.push([e, a, f]));
    assert.deepEqual(got, [
      [null, '127.0.0.1', 4],
      [null, '::1', 6],
    ]);
  });

  it('resolves a name through dns.lookup (asynchronously)', async () => {
    let sync = true;
    const r = await new Promise<[string, number, boolean]>((resolve, reject) => {
      literalFirstLookup('localhost', 4, (e, a, f) => (e ? reject(e) : resolve([a, f, sync])));
      sync = false;
    });
    assert.deepEqual(r, ['127.0.0.1', 4, false]);
  });

  it('a dgram socket built with it delivers datagrams to a literal address', async () => {
    const rx = createSocket('udp4');
    const tx = createSocket({ type: 'udp4', lookup: literalFirstLookup });
    await new Promise<void>((r) => rx.bind(0, '127.0.0.1', () => r()));
    const got = new Promise<string>((r) => rx.once('message', (m) => r(m.toString())));
    tx.send(Buffer.from('ping'), rx.address().port, '127.0.0.1');
    assert.equal(await got, 'ping');
    tx.close();
    rx.close();
  });
});
