/*
 * SIP over UDP with the socket's kernel work on a thread of its own
 * (udp.ts, engine 'native'; docs/sip-transport.md, "Native UDP I/O").
 *
 * Why: a loopback UDP send runs the receiver's whole network stack in the
 * sender's context. In the REGISTER profile, dgram's doSend was 11.6 % of
 * belfry's samples, about 32 us per datagram, all on the one thread that also
 * parses, authenticates and routes. Here the Node thread only copies a
 * datagram into a queue; this file's thread sends the queue with sendmmsg
 * and reads with recvmmsg, on the other core.
 *
 * Receive: the thread reads up to RECV_BATCH datagrams per recvmmsg and hands
 * each batch to JavaScript through a thread-safe function. Its queue holds
 * QUEUE_BATCHES batches; when JavaScript falls behind, the thread blocks
 * (napi_tsfn_blocking) and stops reading, so the kernel's receive buffer
 * absorbs the burst and then drops, exactly as with dgram: memory never grows
 * with the offered load. Datagrams longer than MAX_DGRAM are counted as
 * truncated and dropped (RFC 3261 s18.1.1: UDP messages that large are not
 * sent by conforming peers; the parser's own limit is lower).
 *
 * Send: JavaScript's send() copies the datagram into a node of a FIFO under a
 * mutex. The thread is woken through an eventfd once per turn of Node's event
 * loop or per received batch, not per datagram: send() only notes that a wake
 * is due; the end of each received batch, and a uv_prepare handle (which runs
 * before the loop blocks in poll, so no send waits for other I/O), write the
 * eventfd. The batch end matters: Node delivers up to 1,000 queued batches in
 * one go, and answers held until then made SIPp retransmit under load. A wake is a syscall plus a
 * cross-CPU wake-up, which in this VM costs about as much as copying the
 * datagram; a request handled in one turn often sends two or three. The FIFO holds at most MAX_QUEUED datagrams; beyond that send()
 * answers ENOBUFS synchronously (the caller's transaction sees a transport
 * error, RFC 3261 s17.1.1.2 / s8.1.3.1), so a stalled socket never grows
 * memory without bound. Errors of sendmmsg itself are counted.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>

#include "../../../common/native/addon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define RECV_BATCH 32
#define MAX_DGRAM 65536
#define SEND_BATCH 64
#define QUEUE_BATCHES 64
#define MAX_QUEUED 65536

typedef struct out_msg {
  struct out_msg *next;
  belfry_addr to;
  uint32_t len;
  uint8_t data[];
} out_msg;

/* One received batch, freed by the JavaScript side's callback. */
typedef struct {
  uint32_t n;
  uint32_t len[RECV_BATCH];
  uint16_t port[RECV_BATCH];
  char addr[RECV_BATCH][INET6_ADDRSTRLEN];
  uint32_t off[RECV_BATCH];
  uint8_t data[];
} in_batch;

typedef struct {
  int fd, ep, evfd, family;
  pthread_t th;
  int started;
  volatile int stop;
  pthread_mutex_t mu;
  out_msg *head, *tail;
  uint32_t queued;
  int wake_pending;
  int wake_due;      /* Node thread only: a send found the thread idle; wake it before the loop blocks */
  uv_prepare_t *prep; /* Node thread only; freed by its close callback */
  napi_threadsafe_function tsfn;
  int has_tsfn, closed;
  /* counters (read under mu) */
  uint64_t sent, send_errors, received, truncated;
  /* receive scratch (thread only) */
  struct mmsghdr rmsgs[RECV_BATCH];
  struct iovec riov[RECV_BATCH];
  belfry_addr rfrom[RECV_BATCH];
  uint8_t *rbuf;
} sip_udp;

static void drain_sends(sip_udp *u) {
  pthread_mutex_lock(&u->mu);
  out_msg *list = u->head;
  u->head = u->tail = NULL;
  u->queued = 0;
  u->wake_pending = 0;
  pthread_mutex_unlock(&u->mu);
  struct mmsghdr msgs[SEND_BATCH];
  struct iovec iov[SEND_BATCH];
  out_msg *batch[SEND_BATCH];
  uint64_t sent = 0, errors = 0;
  while (list != NULL) {
    unsigned n = 0;
    while (list != NULL && n < SEND_BATCH) {
      out_msg *m = list;
      list = m->next;
      batch[n] = m;
      iov[n].iov_base = m->data;
      iov[n].iov_len = m->len;
      memset(&msgs[n], 0, sizeof msgs[n]);
      msgs[n].msg_hdr.msg_name = &m->to;
      msgs[n].msg_hdr.msg_namelen = m->to.sa.sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
      msgs[n].msg_hdr.msg_iov = &iov[n];
      msgs[n].msg_hdr.msg_iovlen = 1;
      n++;
    }
    unsigned done = 0;
    while (done < n) {
      int r = sendmmsg(u->fd, msgs + done, n - done, 0);
      if (r > 0) {
        done += (unsigned)r;
        sent += (unsigned)r;
        continue;
      }
      if (r < 0 && errno == EINTR) continue;
      /* The datagram at `done` failed (e.g. EPERM, ENETUNREACH, EAGAIN with a full buffer): count it, go on with the next. */
      errors++;
      done++;
    }
    for (unsigned i = 0; i < n; i++) free(batch[i]);
  }
  pthread_mutex_lock(&u->mu);
  u->sent += sent;
  u->send_errors += errors;
  pthread_mutex_unlock(&u->mu);
}

static void read_batch(sip_udp *u) {
  for (int i = 0; i < RECV_BATCH; i++) {
    u->rmsgs[i].msg_hdr.msg_namelen = sizeof(belfry_addr);
    u->rmsgs[i].msg_hdr.msg_flags = 0;
  }
  int got = recvmmsg(u->fd, u->rmsgs, RECV_BATCH, MSG_DONTWAIT, NULL);
  if (got <= 0) return;
  size_t total = 0;
  uint32_t truncated = 0;
  for (int i = 0; i < got; i++) {
    if (u->rmsgs[i].msg_hdr.msg_flags & MSG_TRUNC) truncated++;
    else total += u->rmsgs[i].msg_len;
  }
  if (truncated > 0) {
    pthread_mutex_lock(&u->mu);
    u->truncated += truncated;
    pthread_mutex_unlock(&u->mu);
  }
  if ((uint32_t)got == truncated) return;
  in_batch *b = malloc(sizeof(in_batch) + total);
  if (b == NULL) return;
  b->n = 0;
  size_t off = 0;
  for (int i = 0; i < got; i++) {
    if (u->rmsgs[i].msg_hdr.msg_flags & MSG_TRUNC) continue;
    uint32_t k = b->n++;
    b->len[k] = u->rmsgs[i].msg_len;
    b->off[k] = (uint32_t)off;
    b->port[k] = belfry_addr_port(&u->rfrom[i]);
    belfry_addr_text(&u->rfrom[i], b->addr[k]);
    memcpy(b->data + off, u->rbuf + (size_t)i * MAX_DGRAM, b->len[k]);
    off += b->len[k];
  }
  pthread_mutex_lock(&u->mu);
  u->received += b->n;
  pthread_mutex_unlock(&u->mu);
  napi_status st = napi_call_threadsafe_function(u->tsfn, b, napi_tsfn_nonblocking);
  if (st == napi_queue_full) {
    /* JavaScript has QUEUE_BATCHES batches to take. Its answers so far leave
     * first: blocked below, this thread cannot send them, and answers held
     * behind a backlog make peers retransmit (RFC 3261 s17.1.1.2), which
     * deepens the backlog. Then block: the kernel buffer absorbs the rest. */
    drain_sends(u);
    st = napi_call_threadsafe_function(u->tsfn, b, napi_tsfn_blocking);
  }
  if (st != napi_ok) free(b);
}

static void wake_if_due(sip_udp *u) {
  if (!u->wake_due || u->evfd < 0) return;
  u->wake_due = 0;
  uint64_t one = 1;
  if (write(u->evfd, &one, sizeof one) < 0) { /* the counter is already non-zero: the thread will drain */ }
}

/* Before Node's loop blocks: one wake for all the sends of this turn. */
static void on_prepare(uv_prepare_t *h) {
  if (h->data != NULL) wake_if_due(h->data);
}

static void *udp_main(void *arg) {
  sip_udp *u = arg;
  for (int i = 0; i < RECV_BATCH; i++) {
    u->riov[i].iov_base = u->rbuf + (size_t)i * MAX_DGRAM;
    u->riov[i].iov_len = MAX_DGRAM;
    memset(&u->rmsgs[i], 0, sizeof(struct mmsghdr));
    u->rmsgs[i].msg_hdr.msg_iov = &u->riov[i];
    u->rmsgs[i].msg_hdr.msg_iovlen = 1;
    u->rmsgs[i].msg_hdr.msg_name = &u->rfrom[i];
  }
  struct epoll_event evs[4];
  while (!u->stop) {
    int n = epoll_wait(u->ep, evs, 4, 1000);
    if (n < 0 && errno != EINTR) break;
    /* Sends before reads: reading may block on a full JavaScript queue. */
    int readable = 0;
    for (int i = 0; i < n; i++) {
      if (evs[i].data.u32 == 1) {
        uint64_t v;
        if (read(u->evfd, &v, sizeof v) < 0) { /* nothing queued then */ }
        drain_sends(u);
      } else {
        readable = 1;
      }
    }
    if (readable && !u->stop) read_batch(u);
  }
  drain_sends(u);
  return NULL;
}

/* ---------- Node-API glue ---------- */

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, "SIP_NATIVE_UDP", msg);
  return NULL;
}

static void call_js(napi_env env, napi_value cb, void *ctx, void *data) {
  sip_udp *u = ctx;
  in_batch *b = data;
  if (env != NULL && cb != NULL) {
    napi_value undef, argv[3];
    napi_get_undefined(env, &undef);
    for (uint32_t i = 0; i < b->n; i++) {
      void *dst;
      if (napi_create_buffer_copy(env, b->len[i], b->data + b->off[i], &dst, &argv[0]) != napi_ok) continue;
      napi_create_string_latin1(env, b->addr[i], NAPI_AUTO_LENGTH, &argv[1]);
      napi_create_uint32(env, b->port[i], &argv[2]);
      /* An exception in the callback is the stack's bug, reported by Node; the next datagrams still go in. */
      if (napi_call_function(env, undef, cb, 3, argv, NULL) == napi_pending_exception) {
        napi_value e;
        napi_get_and_clear_last_exception(env, &e);
        napi_fatal_exception(env, e);
      }
    }
    /* Node hands over up to 1,000 queued batches without returning to its loop: the answers to this batch leave now. */
    if (!u->closed) wake_if_due(u);
  }
  free(b);
}

static void free_handle(uv_handle_t *h) { free(h); }

static void udp_stop(sip_udp *u) {
  if (u->closed) return;
  u->closed = 1;
  if (u->prep != NULL) {
    uv_prepare_stop(u->prep);
    u->prep->data = NULL;
    uv_close((uv_handle_t *)u->prep, free_handle);
    u->prep = NULL;
  }
  if (u->started) {
    u->stop = 1;
    uint64_t one = 1;
    if (write(u->evfd, &one, sizeof one) < 0) { /* the 1 s epoll timeout ends the loop anyway */ }
    /* A thread blocked handing a batch to JavaScript is released by the abort below. */
    if (u->has_tsfn) {
      u->has_tsfn = 0;
      napi_release_threadsafe_function(u->tsfn, napi_tsfn_abort);
    }
    pthread_join(u->th, NULL);
    u->started = 0;
  }
  if (u->has_tsfn) {
    u->has_tsfn = 0;
    napi_release_threadsafe_function(u->tsfn, napi_tsfn_abort);
  }
  for (out_msg *m = u->head; m != NULL;) {
    out_msg *n = m->next;
    free(m);
    m = n;
  }
  u->head = u->tail = NULL;
  if (u->fd >= 0) close(u->fd);
  if (u->ep >= 0) close(u->ep);
  if (u->evfd >= 0) close(u->evfd);
  u->fd = u->ep = u->evfd = -1;
  free(u->rbuf);
  u->rbuf = NULL;
}

static void cleanup_hook(void *arg) { udp_stop(arg); }

static void udp_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  sip_udp *u = data;
  if (!u->closed) {
    napi_remove_env_cleanup_hook(env, cleanup_hook, u);
    udp_stop(u);
  }
  pthread_mutex_destroy(&u->mu);
  free(u);
}

static sip_udp *get_udp(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) return NULL;
  return p;
}

/* udpOpen(host, port, recvBufferBytes, onDatagram) -> [handle, boundPort, grantedRecvBuffer] or throws with the errno text */
static napi_value js_udp_open(napi_env env, napi_callback_info info) {
  BELFRY_ARGS(4, "udpOpen")
  char host[INET6_ADDRSTRLEN];
  size_t hl;
  uint32_t port, rcvbuf;
  if (napi_get_value_string_utf8(env, argv[0], host, sizeof host, &hl) != napi_ok || napi_get_value_uint32(env, argv[1], &port) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &rcvbuf) != napi_ok || port > 65535)
    return fail(env, "bad udpOpen arguments");
  belfry_addr a;
  memset(&a, 0, sizeof a);
  int family;
  if (inet_pton(AF_INET, host, &a.v4.sin_addr) == 1) {
    family = AF_INET;
    a.v4.sin_family = AF_INET;
    a.v4.sin_port = htons((uint16_t)port);
  } else if (inet_pton(AF_INET6, host, &a.v6.sin6_addr) == 1) {
    family = AF_INET6;
    a.v6.sin6_family = AF_INET6;
    a.v6.sin6_port = htons((uint16_t)port);
  } else {
    return fail(env, "host is not an IP address");
  }
  sip_udp *u = calloc(1, sizeof(sip_udp));
  if (u == NULL) return fail(env, "out of memory");
  u->fd = u->ep = u->evfd = -1;
  u->family = family;
  pthread_mutex_init(&u->mu, NULL);
  u->rbuf = malloc((size_t)RECV_BATCH * MAX_DGRAM);
  u->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const char *why = NULL;
  char msg[160];
  if (u->rbuf == NULL) why = "out of memory";
  else if (u->fd < 0) why = strerror(errno);
  if (why == NULL && family == AF_INET6) {
    int one = 1;
    setsockopt(u->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  }
  if (why == NULL && rcvbuf > 0) setsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (why == NULL && bind(u->fd, &a.sa, family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) < 0) why = strerror(errno);
  if (why == NULL) {
    u->ep = epoll_create1(EPOLL_CLOEXEC);
    u->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event e1 = {.events = EPOLLIN, .data.u32 = 0}, e2 = {.events = EPOLLIN, .data.u32 = 1};
    if (u->ep < 0 || u->evfd < 0 || epoll_ctl(u->ep, EPOLL_CTL_ADD, u->fd, &e1) < 0 || epoll_ctl(u->ep, EPOLL_CTL_ADD, u->evfd, &e2) < 0) why = strerror(errno);
  }
  if (why == NULL) {
    napi_value name;
    napi_create_string_utf8(env, "belfry-sip-udp", NAPI_AUTO_LENGTH, &name);
    if (napi_create_threadsafe_function(env, argv[3], NULL, name, QUEUE_BATCHES, 1, NULL, NULL, u, call_js, &u->tsfn) != napi_ok) why = "onDatagram must be a function";
    else u->has_tsfn = 1;
  }
  if (why == NULL) {
    uv_loop_t *loop = NULL;
    u->prep = malloc(sizeof(uv_prepare_t));
    if (u->prep == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok || uv_prepare_init(loop, u->prep) != 0) {
      free(u->prep);
      u->prep = NULL;
      why = "cannot hook the event loop";
    } else {
      u->prep->data = u;
      uv_prepare_start(u->prep, on_prepare);
      /* The handle alone must not keep the process alive. */
      uv_unref((uv_handle_t *)u->prep);
    }
  }
  if (why == NULL) {
    /* Like a dgram socket, the listener keeps the process alive until it is closed. */
    if (pthread_create(&u->th, NULL, udp_main, u) != 0) why = "cannot start the UDP thread";
    else u->started = 1;
  }
  if (why != NULL) {
    snprintf(msg, sizeof msg, "udp bind %s:%u: %s", host, port, why);
    udp_stop(u);
    pthread_mutex_destroy(&u->mu);
    free(u);
    return fail(env, msg);
  }
  belfry_addr bound;
  socklen_t bl = sizeof bound;
  getsockname(u->fd, &bound.sa, &bl);
  int granted = 0;
  socklen_t gl = sizeof granted;
  getsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &granted, &gl);
  napi_add_env_cleanup_hook(env, cleanup_hook, u);
  napi_value out, h, p, g;
  napi_create_external(env, u, udp_finalize, NULL, &h);
  napi_create_uint32(env, belfry_addr_port(&bound), &p);
  napi_create_int32(env, granted, &g);
  napi_create_array_with_length(env, 3, &out);
  napi_set_element(env, out, 0, h);
  napi_set_element(env, out, 1, p);
  napi_set_element(env, out, 2, g);
  return out;
}

/* udpSend(handle, bytes, port, host) -> 0, or an errno (EINVAL bad address, ENOBUFS queue full, EBADF closed) */
static napi_value js_udp_send(napi_env env, napi_callback_info info) {
  BELFRY_ARGS(4, "udpSend")
  napi_value out;
  int err = 0;
  sip_udp *u = get_udp(env, argv[0]);
  void *data;
  size_t len;
  uint32_t port;
  char host[INET6_ADDRSTRLEN];
  size_t hl;
  if (u == NULL || napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok || napi_get_value_uint32(env, argv[2], &port) != napi_ok ||
      napi_get_value_string_utf8(env, argv[3], host, sizeof host, &hl) != napi_ok)
    return fail(env, "bad udpSend arguments");
  if (u->closed) err = EBADF;
  else if (port == 0 || port > 65535 || len > MAX_DGRAM) err = EINVAL;
  out_msg *m = NULL;
  if (err == 0) {
    m = malloc(sizeof(out_msg) + len);
    if (m == NULL) err = ENOMEM;
  }
  if (err == 0) {
    memset(&m->to, 0, sizeof m->to);
    if (u->family == AF_INET && inet_pton(AF_INET, host, &m->to.v4.sin_addr) == 1) {
      m->to.v4.sin_family = AF_INET;
      m->to.v4.sin_port = htons((uint16_t)port);
    } else if (u->family == AF_INET6 && inet_pton(AF_INET6, host, &m->to.v6.sin6_addr) == 1) {
      m->to.v6.sin6_family = AF_INET6;
      m->to.v6.sin6_port = htons((uint16_t)port);
    } else {
      err = EINVAL;
    }
  }
  if (err == 0) {
    m->len = (uint32_t)len;
    m->next = NULL;
    memcpy(m->data, data, len);
    int wake = 0;
    pthread_mutex_lock(&u->mu);
    if (u->queued >= MAX_QUEUED) {
      err = ENOBUFS;
    } else {
      if (u->tail) u->tail->next = m;
      else u->head = m;
      u->tail = m;
      u->queued++;
      if (!u->wake_pending) {
        u->wake_pending = 1;
        wake = 1;
      }
    }
    pthread_mutex_unlock(&u->mu);
    if (err == 0) {
      m = NULL;
      if (wake) u->wake_due = 1;
    }
  }
  free(m);
  napi_create_int32(env, err, &out);
  return out;
}

/* udpCounters(handle) -> [sent, sendErrors, received, truncated, queued] */
static napi_value js_udp_counters(napi_env env, napi_callback_info info) {
  BELFRY_ARGS(1, "udpCounters")
  napi_value out, v;
  sip_udp *u = get_udp(env, argv[0]);
  if (u == NULL) return fail(env, "bad handle");
  double c[5];
  pthread_mutex_lock(&u->mu);
  c[0] = (double)u->sent;
  c[1] = (double)u->send_errors;
  c[2] = (double)u->received;
  c[3] = (double)u->truncated;
  c[4] = (double)u->queued;
  pthread_mutex_unlock(&u->mu);
  napi_create_array_with_length(env, 5, &out);
  for (uint32_t i = 0; i < 5; i++) {
    napi_create_double(env, c[i], &v);
    napi_set_element(env, out, i, v);
  }
  return out;
}

/* udpClose(handle): sends what is queued, stops the thread, closes the socket. Idempotent. */
static napi_value js_udp_close(napi_env env, napi_callback_info info) {
  BELFRY_ARGS(1, "udpClose")
  sip_udp *u = get_udp(env, argv[0]);
  if (u != NULL && !u->closed) {
    napi_remove_env_cleanup_hook(env, cleanup_hook, u);
    udp_stop(u);
  }
  return NULL;
}

napi_status sip_udp_init(napi_env env, napi_value exports) {
  static const belfry_fn fns[] = {
      {"udpOpen", js_udp_open},
      {"udpSend", js_udp_send},
      {"udpCounters", js_udp_counters},
      {"udpClose", js_udp_close},
  };
  return belfry_export(env, exports, fns, sizeof fns / sizeof fns[0]);
}
