import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALAW_TO_ULAW, codecByName, codecByStaticPt, needsTranscoding, relayMappings, ULAW_TO_ALAW } from '../../../src/media/index.ts';

test('registry: PCMU 0, PCMA 8, telephone-event at 8000 Hz', () => {
  assert.equal(codecByStaticPt(0)?.name, 'PCMU');
  assert.equal(codecByStaticPt(8)?.name, 'PCMA');
  assert.equal(codecByStaticPt(18), undefined);
  assert.equal(codecByName('PCMA', 8000)?.payloadType, 8);
  assert.equal(codecByName('Telephone-Event', 8000)?.dynamic, true);
  assert.equal(codecByName('PCMU', 16000), undefined);
});

test('transcoding decision: same law passes through, different laws convert', () => {
  const u = { codec: 'PCMU', payloadType: 0, telephoneEventPt: 101 } as const;
  const a = { codec: 'PCMA', payloadType: 8, telephoneEventPt: 96 } as const;
  assert.equal(needsTranscoding(u, u), false);
  assert.equal(needsTranscoding(u, a), true);
  assert.deepEqual(relayMappings(u, u), []);
  const m = relayMappings(u, a);
  assert.deepEqual(m[0], { fromPt: 0, toPt: 8, table: ULAW_TO_ALAW });
  assert.deepEqual(m[1], { fromPt: 101, toPt: 96 });
  assert.equal(relayMappings(a, u)[0]?.table, ALAW_TO_ULAW);
});

test('relay mappings: telephone-event towards a leg without it is dropped', () => {
  const m = relayMappings({ codec: 'PCMU', payloadType: 0, telephoneEventPt: 101 }, { codec: 'PCMU', payloadType: 0 });
  assert.deepEqual(m, [{ fromPt: 101, toPt: 101, drop: true }]);
});
