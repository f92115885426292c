/** SDP: parse and validate, serialize, offer/answer, anchor rewrite. */
export * from './sdp-types.ts';
export * from './parse.ts';
export * from './serialize.ts';
export * from './origin.ts';
export * from './offer-answer.ts';
export * from './rewrite.ts';
