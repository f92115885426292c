/** Public face of the media module: G.711, the codec registry, SDP. */
export * from './errors.ts';
export * from './codec/g711.ts';
export * from './codec/registry.ts';
export * from './sdp/index.ts';
