import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPrivateOrUnusableAddress, RtpSession } from '../../../src/rtp/index.ts';

test('latching: the first packet from the SDP address latches its real port (RFC 4961)', () => {
  const s = new RtpSession({ remoteAddress: '203.0.113.5', remotePort: 4000 });
  assert.equal(s.remotePort, 4000, 'SDP port is the first guess');
  assert.equal(s.acceptRtp('203.0.113.5', 61000, 1, 0), 'latch');
  assert.equal(s.remotePort, 61000);
  assert.equal(s.remoteRtcpPort, 61001);
  assert.equal(s.acceptRtp('203.0.113.5', 61000, 1, 20), 'accept');
});

test('latching: with a public SDP address, packets from elsewhere never latch', () => {
  const s = new RtpSession({ remoteAddress: '203.0.113.5', remotePort: 4000 });
  assert.equal(s.acceptRtp('198.51.100.9', 4000, 1, 0), 'drop');
  assert.equal(s.latched, false);
  assert.equal(s.droppedForeign, 1);
});

test('latching: a private SDP address (phone behind NAT) latches any source', () => {
  const s = new RtpSession({ remoteAddress: '192.168.1.20', remotePort: 4000 });
  assert.equal(s.acceptRtp('198.51.100.9', 33333, 1, 0), 'latch');
  assert.equal(s.remoteAddress, '198.51.100.9');
});

test('latching: once latched, a stranger is dropped while the latched source is active', () => {
  const s = new RtpSession({ remoteAddress: '10.0.0.2', remotePort: 4000, relatchGuardMs: 1000 });
  s.acceptRtp('198.51.100.9', 33333, 1, 0);
  assert.equal(s.acceptRtp('198.51.100.66', 1234, 2, 500), 'drop');
  assert.equal(s.remoteAddress, '198.51.100.9');
});

test('latching: a new SSRC from a new source re-latches after the guard', () => {
  const s = new RtpSession({ remoteAddress: '10.0.0.2', remotePort: 4000, relatchGuardMs: 1000 });
  s.acceptRtp('198.51.100.9', 33333, 1, 0);
  assert.equal(s.acceptRtp('198.51.100.66', 1234, 1, 2000), 'drop', 'same SSRC from a foreign address: not a candidate');
  assert.equal(s.acceptRtp('198.51.100.66', 1234, 2, 2000), 'relatch');
  assert.equal(s.remoteAddress, '198.51.100.66');
  assert.equal(s.remotePort, 1234);
});

test('latching: NAT rebinding (same address, new port) re-latches after the guard', () => {
  const s = new RtpSession({ remoteAddress: '203.0.113.5', remotePort: 4000, relatchGuardMs: 500 });
  s.acceptRtp('203.0.113.5', 5000, 1, 0);
  assert.equal(s.acceptRtp('203.0.113.5', 5002, 1, 100), 'drop');
  assert.equal(s.acceptRtp('203.0.113.5', 5002, 1, 700), 'relatch');
});

test('latching: RTCP follows the latched RTP address', () => {
  const s = new RtpSession({ remoteAddress: '203.0.113.5', remotePort: 4000 });
  s.acceptRtp('203.0.113.5', 5000, 1, 0);
  assert.equal(s.acceptRtcp('198.51.100.1', 5001), false);
  assert.equal(s.acceptRtcp('203.0.113.5', 5009), true);
  assert.equal(s.remoteRtcpPort, 5009);
});

test('hold by c=0.0.0.0: no destination until the phone sends', () => {
  const s = new RtpSession({ remoteAddress: '0.0.0.0', remotePort: 4000 });
  assert.equal(s.hasDestination, false);
  assert.equal(s.acceptRtp('203.0.113.5', 5000, 1, 0), 'latch');
  assert.equal(s.hasDestination, true);
});

test('private address ranges (RFC 1918, RFC 6598, link-local, ULA)', () => {
  for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.1', '100.64.0.1', '169.254.1.1', '0.0.0.0', 'fd00::1', 'fe80::1', undefined]) {
    assert.equal(isPrivateOrUnusableAddress(a), true, String(a));
  }
  for (const a of ['203.0.113.1', '172.32.0.1', '127.0.0.1', '2001:db8::1', '8.8.8.8']) {
    assert.equal(isPrivateOrUnusableAddress(a), false, a);
  }
});
