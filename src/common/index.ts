export * from './result.ts';
export * from './errors.ts';
export * from './clock.ts';
export * from './ids.ts';
export * from './log.ts';
export * from './rate-limit.ts';
export * from './cidr.ts';
export * from './udp-lookup.ts';
