/** Public face of sip/auth: digest challenges, verification and trunk answers. */
export { DigestServer } from './digest-server.ts';
export type { DigestServerConfig, DigestCredentials, ChallengeOptions, VerifyRequest, VerifyResult, ServerAlgorithm } from './digest-server.ts';
export { answerChallenge, pickChallenge } from './digest-client.ts';
export type { AnswerChallengeInput, AuthClientError } from './digest-client.ts';
export { computeHa1, computeResponse } from './digest.ts';
export type { DigestAlgorithm } from './digest.ts';
export { parseDigestParams } from './challenge-params.ts';
export type { DigestParams } from './challenge-params.ts';
export { AUTH_FAIL_CODES, AUTH_ERROR_CODES, AuthConfigError } from './errors.ts';
export type { AuthFailCode, AuthClientCode } from './errors.ts';
