/**
 * Loads belfry's native addon once (build/Release/belfry_native.node, built
 * from src/common/native/addon.c and the parts it names by `npm ci`). Each
 * owner module declares the functions it uses and casts this object to its
 * own interface: rtp/native-anchor-host.ts (the relay) and
 * sip/transport/udp.ts (SIP's UDP I/O). When the addon is missing (not built:
 * `npm run build:native`), the result says why and the owners fall back to
 * their JavaScript implementations.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { err, ok, type Result } from './result.ts';

let loaded: { addon: object } | { error: string } | undefined;

export function loadNativeAddon(): Result<object, string> {
  if (loaded === undefined) {
    try {
      const require = createRequire(import.meta.url);
      loaded = { addon: require(fileURLToPath(new URL('../../build/Release/belfry_native.node', import.meta.url))) as object };
    } catch (e) {
      loaded = { error: e instanceof Error ? e.message : String(e) };
    }
  }
  return 'addon' in loaded ? ok(loaded.addon) : err(loaded.error);
}
