import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isoUtc } from '../../../src/store/iso-time.ts';

const MAX_FAST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

test('isoUtc writes exactly what toISOString writes, for every integer time with a four-digit year', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: MAX_FAST }), (ms) => {
      assert.equal(isoUtc(ms), new Date(ms).toISOString());
    }),
    { numRuns: 20_000 },
  );
});

test('isoUtc is exact across day, month, year and leap-day edges, in any order (the cached day is replaced)', () => {
  const edges = [
    0, 999, 1000, 86_399_999, 86_400_000, Date.UTC(2024, 1, 28, 23, 59, 59, 999), Date.UTC(2024, 1, 29), Date.UTC(2024, 2, 1),
    Date.UTC(2025, 11, 31, 23, 59, 59, 999), Date.UTC(2026, 0, 1), Date.UTC(2000, 1, 29, 12), MAX_FAST,
  ];
  for (const ms of [...edges, ...edges.reverse()]) assert.equal(isoUtc(ms), new Date(ms).toISOString(), String(ms));
});

test('isoUtc falls back to toISOString outside the fast range: before 1970, fractional, six-digit years, invalid', () => {
  for (const ms of [-1, -62_167_219_200_000, 1.5, 1_767_603_600_000.75, MAX_FAST + 1, 8.64e15]) assert.equal(isoUtc(ms), new Date(ms).toISOString(), String(ms));
  assert.throws(() => isoUtc(Number.NaN), RangeError);
  assert.throws(() => isoUtc(8.64e15 + 1), RangeError);
});
