/* What the parts of belfry's addon share (addon.c defines belfry_export). */
#ifndef BELFRY_ADDON_H
#define BELFRY_ADDON_H
#include <node_api.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

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

/* An IPv4 or IPv6 socket address, as the kernel fills it in. */
typedef union {
  struct sockaddr sa;
  struct sockaddr_in v4;
  struct sockaddr_in6 v6;
} belfry_addr;

static inline uint16_t belfry_addr_port(const belfry_addr *a) { return ntohs(a->sa.sa_family == AF_INET ? a->v4.sin_port : a->v6.sin6_port); }

/* The address as text; an IPv4-mapped IPv6 address as its IPv4 form. out holds INET6_ADDRSTRLEN bytes. */
static inline void belfry_addr_text(const belfry_addr *a, char *out) {
  out[0] = 0;
  if (a->sa.sa_family == AF_INET) inet_ntop(AF_INET, &a->v4.sin_addr, out, INET6_ADDRSTRLEN);
  else if (IN6_IS_ADDR_V4MAPPED(&a->v6.sin6_addr)) inet_ntop(AF_INET, &a->v6.sin6_addr.s6_addr[12], out, INET6_ADDRSTRLEN);
  else inet_ntop(AF_INET6, &a->v6.sin6_addr, out, INET6_ADDRSTRLEN);
}

#endif
