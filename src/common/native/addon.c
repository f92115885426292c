/*
 * belfry's one native addon (build/Release/belfry_native.node, built by
 * `npm ci` through node-gyp; loaded by src/common/native-addon.ts). Each part
 * registers its own functions; the TypeScript module that owns a part is the
 * only one that calls it:
 *  - src/rtp/native/relay.c: the RTP relay (rtp/native-anchor-host.ts);
 *  - src/sip/transport/native/udp.c: SIP's UDP socket I/O (sip/transport/udp.ts).
 */
#include "addon.h"

napi_status belfry_export(napi_env env, napi_value exports, const belfry_fn *fns, size_t n) {
  for (size_t i = 0; i < n; i++) {
    napi_value f;
    napi_status st = napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb, NULL, &f);
    if (st == napi_ok) st = napi_set_named_property(env, exports, fns[i].name, f);
    if (st != napi_ok) return st;
  }
  return napi_ok;
}

napi_status rtp_relay_init(napi_env env, napi_value exports);
napi_status sip_udp_init(napi_env env, napi_value exports);

static napi_value init(napi_env env, napi_value exports) {
  if (rtp_relay_init(env, exports) != napi_ok || sip_udp_init(env, exports) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
