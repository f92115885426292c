/* What the parts of belfry's addon share (addon.c defines belfry_export). */
#ifndef BELFRY_ADDON_H
#define BELFRY_ADDON_H
#include <node_api.h>

typedef struct {
  const char *name;
  napi_callback cb;
} belfry_fn;

/* Define each function as a property of exports. */
napi_status belfry_export(napi_env env, napi_value exports, const belfry_fn *fns, size_t n);

/*
 * Declare argc/argv and fetch the call's first n arguments; with fewer, throw
 * a TypeError "<what> needs n arguments" and return (the caller is a bug).
 */
#define BELFRY_ARGS(n, what)                                                              \
  size_t argc = (n);                                                                      \
  napi_value argv[(n)];                                                                   \
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < (n)) {    \
    napi_throw_type_error(env, "BELFRY_NATIVE_ARGS", what " needs " #n " arguments");     \
    return NULL;                                                                          \
  }

#endif
