import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseNumber, classifyNumber, formatForTrunk } from '../../../src/dialplan/index.ts';

test('normalise: national, international-prefix and spaced forms become E.164; junk is null', () => {
  assert.equal(normaliseNumber('020 123 4567', 'NL'), '+31201234567');
  assert.equal(normaliseNumber('0031201234567', 'NL'), '+31201234567');
  assert.equal(normaliseNumber('+31 (0)20-123 4567', 'NL'), '+31201234567');
  assert.equal(normaliseNumber('08-123 456 78', 'SE'), '+46812345678');
  assert.equal(normaliseNumber('(202) 555-0123', 'US'), '+12025550123');
  for (const bad of ['', 'abc', '112', '+3112', 'sip:1001@x']) assert.equal(normaliseNumber(bad, 'NL'), null, bad);
});

test('classify: premium by type or prefix, international, mobile, national', () => {
  assert.deepEqual(classifyNumber('+31900123456', 'NL', []), { cls: 'premium', country: 'NL' });
  assert.equal(classifyNumber('+31909123456', 'NL', ['+31909']).cls, 'premium');
  assert.deepEqual(classifyNumber('+442079460958', 'NL', []), { cls: 'international', country: 'GB' });
  assert.equal(classifyNumber('+31612345678', 'NL', []).cls, 'mobile');
  assert.equal(classifyNumber('+31201234567', 'NL', []).cls, 'national');
});

test('format per trunk: e164 digits, with plus, national (00 abroad)', () => {
  assert.equal(formatForTrunk('+31201234567', 'e164', 'NL'), '31201234567');
  assert.equal(formatForTrunk('+31201234567', 'with_plus', 'NL'), '+31201234567');
  assert.equal(formatForTrunk('+31201234567', 'national', 'NL'), '0201234567');
  assert.equal(formatForTrunk('+442079460958', 'national', 'NL'), '00442079460958');
});
