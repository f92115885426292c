/** Public face of the rtp module: packet views, RTCP, stats, ports, sessions and the relay. */
export * from './errors.ts';
export * from './sequence.ts';
export * from './packet.ts';
export * from './rtcp.ts';
export * from './rtcp-reporter.ts';
export * from './stats.ts';
export * from './port-pool.ts';
export * from './session.ts';
export * from './relay.ts';
export * from './telephone-event.ts';
export * from './anchor-host.ts';
export * from './worker-anchor-host.ts';
export * from './native-anchor-host.ts';
export type * from './worker-protocol-types.ts';
export * from './fd-budget.ts';
