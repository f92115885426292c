/**
 * The messages the parser property tests start from: the bench INVITE and
 * REGISTER, a 180 built from the INVITE, and every own corpus fixture
 * (test/fixtures/sip/torture and rfc5118).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createResponse, parseSipMessage, serializeSipMessage, DEFAULT_SIP_LIMITS } from '../../src/sip/message/index.ts';
import { INVITE, REGISTER } from '../../bench/sip-inputs.ts';

const invite = parseSipMessage(INVITE, DEFAULT_SIP_LIMITS);
if (!invite.ok || invite.message.kind !== 'request') throw new Error('bench INVITE does not parse');
export const RESPONSE = serializeSipMessage(createResponse(invite.message, 180, undefined, { toTag: 'abc' }));

/** Every own corpus fixture, as bytes. */
export function fixtures(): Buffer[] {
  const out: Buffer[] = [];
  for (const dir of ['torture', 'rfc5118']) {
    const base = join(import.meta.dirname, '../fixtures/sip', dir);
    for (const f of readdirSync(base)) if (f.endsWith('.sip')) out.push(readFileSync(join(base, f)));
  }
  return out;
}

export const SIP_BASES: readonly Buffer[] = [INVITE, REGISTER, RESPONSE, ...fixtures()];
export { INVITE, REGISTER };
