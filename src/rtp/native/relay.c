/*
 * The RTP/RTCP relay of anchored calls in native threads
 * (docs/media.md, "Native relay"). Loaded by native-anchor-host.ts; the
 * JavaScript relay (relay.ts, session.ts, stats.ts, telephone-event.ts) is
 * the specification this file follows decision for decision, and the
 * differential test (test/unit/rtp/native-relay.test.ts) feeds both the same
 * packets.
 *
 * Why native: Node's dgram costs 14-23 us of CPU per relayed packet (a JS
 * callback, a Buffer and a rinfo object per datagram, the send path through
 * JS). 1,000 calls are 100,000 packets/s in and out, more than two cores
 * carry that way (docs/benchmarks.md). Here one epoll thread per shard reads
 * with recvmmsg and sends with sendto, and nothing is allocated per packet.
 *
 * Threads: each shard is one thread with its own epoll set and mutex. The
 * thread holds the mutex while it handles one epoll round; the Node thread
 * takes it for control calls (remote, mappings, silence, stats, close), so a
 * control call waits at most one round. Anchors are freed only by their
 * shard's thread, at the end of a round, after their quarantine: an epoll
 * event of the current round may still point at a closed anchor, which is
 * marked dead and only drained.
 *
 * Quarantine (RFC 4961 s4): closed anchors keep their sockets bound for
 * quarantine_ms and drop what arrives, so stray packets of an ended call never
 * latch onto a new call; the port walk skips bound ports by itself. At the
 * descriptor budget the oldest quarantined anchor gives its ports up early.
 *
 * Events (latched, silence, telephone-event, socket errors) go to JavaScript
 * through one thread-safe function with a bounded queue (EVENT_QUEUE): when a
 * peer floods events faster than Node takes them, the excess is counted and
 * dropped, never queued without bound.
 */
#define _GNU_SOURCE
#include <node_api.h>

#include "../../common/native/addon.h"

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
#include <time.h>
#include <unistd.h>

#define MAX_TABLES 4
#define RECV_BATCH 16
#define MAX_EVENTS 256
#define PKT_MAX 2048
#define SCAN_NS 20000000LL /* silence and quarantine checks every 20 ms */
#define EVENT_QUEUE 4096
#ifndef RESERVE_MAX
#define RESERVE_MAX 128 /* pre-bound pairs per relay thread */
#endif
#define RTP_SEQ_MOD 0x10000u
#define MAX_DROPOUT 3000u
#define MAX_MISORDER 100u
#define CLOCK_RATE 8000

enum { EV_LATCHED = 1, EV_RELATCHED = 2, EV_SILENCE = 3, EV_TELEPHONE_EVENT = 4, EV_SOCKET_ERROR = 5 };

/* RFC 3550 A.1/A.8 receive statistics, as stats.ts's RtpStreamStats. */
typedef struct {
  uint64_t packets, bytes, received, invalid;
  int64_t cycles;
  uint32_t ssrc, max_seq, base_seq, bad_seq;
  double jitter;
  int32_t transit_prior;
  int has_transit, started;
} stream_stats;

struct anchor;

typedef struct {
  struct anchor *anchor;
  uint8_t side;
  uint8_t rtcp;
} sock_ref;

typedef struct {
  int fd[2]; /* RTP, RTCP */
  uint16_t port;
  /* session.ts: where RTP and RTCP go, the SDP address, the latch */
  belfry_addr dst, rtcp_dst, sdp;
  int has_dst, has_rtcp_dst, has_sdp;
  int latch_any, latched, rtcp_latched;
  uint32_t latched_ssrc;
  int64_t last_rtp_ns; /* -1: none yet */
  /* telephone-event.ts's tracker */
  int te_pt, te_has_last;
  uint32_t te_last_ts;
  /* relay.ts's DirectionMap for packets received on this side */
  int16_t out_pt[128]; /* -1 pass unchanged, -2 drop, else new PT */
  int8_t table_idx[128];
  uint8_t tables[MAX_TABLES][256];
  uint64_t packets_sent, bytes_sent, malformed, rtcp_received, dropped_foreign;
  stream_stats st;
} side_t;

typedef struct anchor {
  uint32_t id;
  struct shard *shard;
  side_t s[2];
  sock_ref refs[4];
  int64_t guard_ns, silence_ns, created_ns, closed_ns;
  int silence_fired, dead;
  struct anchor *prev, *next;
} anchor;

typedef struct engine engine;

typedef struct shard {
  engine *e;
  int ep, evfd;
  pthread_t th;
  int started;
  pthread_mutex_t mu;
  volatile int stop;
  anchor *live, *dead, *dead_tail, *reap;
  uint32_t nlive;
  uint64_t send_errors, events_dropped, reclaimed;
  /* Pairs this thread bound ahead of need, taken by create() (under mu). */
  int rsv_fd[RESERVE_MAX][2];
  uint16_t rsv_port[RESERVE_MAX];
  int nrsv, refill_asked;
  int64_t last_scan;
  struct mmsghdr msgs[RECV_BATCH];
  struct iovec iov[RECV_BATCH];
  belfry_addr from[RECV_BATCH];
  uint8_t bufs[RECV_BATCH][PKT_MAX];
} shard;

struct engine {
  int family;
  belfry_addr bind;
  char address[INET6_ADDRSTRLEN];
  uint32_t min_port, npairs;
  uint32_t cursor; /* atomic: the next pair of the round-robin walk */
  int reserve_target; /* pre-bound pairs kept per thread: min(RESERVE_MAX, budget / 8) */
  int sockbuf;
  int64_t quarantine_ns;
  uint32_t max_pairs;
  uint32_t open_pairs; /* atomic: bound pairs, live and in quarantine */
  int nshards;
  shard *shards;
  anchor **slots;
  uint32_t nslots, cap;
  uint32_t *free_slots;
  uint32_t nfree;
  uint32_t next_id;
  napi_threadsafe_function tsfn;
  int has_tsfn, closed;
  napi_env env;
};

typedef struct {
  uint32_t id;
  uint8_t kind, side;
  int64_t value;
  uint16_t port;
  char addr[INET6_ADDRSTRLEN];
} event_t;

static int64_t mono_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* ---------- addresses ---------- */

static int same_ip(const belfry_addr *a, const belfry_addr *b) {
  if (a->sa.sa_family != b->sa.sa_family) return 0;
  if (a->sa.sa_family == AF_INET) return a->v4.sin_addr.s_addr == b->v4.sin_addr.s_addr;
  return memcmp(&a->v6.sin6_addr, &b->v6.sin6_addr, sizeof(struct in6_addr)) == 0;
}

static void set_port(belfry_addr *a, uint16_t p) {
  if (a->sa.sa_family == AF_INET) a->v4.sin_port = htons(p);
  else a->v6.sin6_port = htons(p);
}

static socklen_t len_of(const belfry_addr *a) { return a->sa.sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6); }

static int parse_addr(int family, const char *s, uint16_t port, belfry_addr *out) {
  memset(out, 0, sizeof(*out));
  if (family == AF_INET) {
    out->v4.sin_family = AF_INET;
    out->v4.sin_port = htons(port);
    return inet_pton(AF_INET, s, &out->v4.sin_addr) == 1;
  }
  out->v6.sin6_family = AF_INET6;
  out->v6.sin6_port = htons(port);
  if (inet_pton(AF_INET6, s, &out->v6.sin6_addr) == 1) return 1;
  /* An IPv4 remote on a dual-stack IPv6 socket: its v4-mapped form. */
  struct in_addr v4;
  if (inet_pton(AF_INET, s, &v4) != 1) return 0;
  out->v6.sin6_addr.s6_addr[10] = 0xff;
  out->v6.sin6_addr.s6_addr[11] = 0xff;
  memcpy(&out->v6.sin6_addr.s6_addr[12], &v4, 4);
  return 1;
}

/* ---------- statistics (stats.ts) ---------- */

static void stats_init_seq(stream_stats *s, uint32_t seq) {
  s->base_seq = seq;
  s->max_seq = seq;
  s->bad_seq = RTP_SEQ_MOD + 1;
  s->cycles = 0;
  s->received = 0;
}

/* RFC 3550 A.1 update_seq without probation. */
static int stats_update_seq(stream_stats *s, uint32_t seq) {
  uint32_t udelta = (seq - s->max_seq) & 0xffff;
  if (udelta < MAX_DROPOUT) {
    if (seq < s->max_seq) s->cycles += RTP_SEQ_MOD;
    s->max_seq = seq;
  } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
    if (seq == s->bad_seq) {
      stats_init_seq(s, seq);
    } else {
      s->bad_seq = (seq + 1) & 0xffff;
      return 0;
    }
  }
  s->received++;
  return 1;
}

static void stats_update(stream_stats *s, uint32_t ssrc, uint32_t seq, uint32_t ts, uint32_t arrival, uint32_t bytes) {
  s->packets++;
  s->bytes += bytes;
  if (!s->started || ssrc != s->ssrc) {
    stats_init_seq(s, seq);
    s->ssrc = ssrc;
    s->started = 1;
    s->received = 1;
    s->has_transit = 0;
  } else if (!stats_update_seq(s, seq)) {
    s->invalid++;
    return;
  }
  /* RFC 3550 s6.4.1: D = (Rj - Ri) - (Sj - Si); J += (|D| - J) / 16, in 32-bit wrap-around. */
  int32_t transit = (int32_t)(arrival - ts);
  if (s->has_transit) {
    int32_t d = (int32_t)((uint32_t)transit - (uint32_t)s->transit_prior);
    double ad = d < 0 ? -(double)d : (double)d;
    s->jitter += (ad - s->jitter) / 16.0;
  }
  s->transit_prior = transit;
  s->has_transit = 1;
}

static int64_t stats_expected(const stream_stats *s) {
  return s->started ? s->cycles + (int64_t)s->max_seq - (int64_t)s->base_seq + 1 : 0;
}

/* ---------- events to JavaScript ---------- */

static void emit(anchor *a, uint8_t kind, uint8_t side, int64_t value, const belfry_addr *from) {
  engine *e = a->shard->e;
  if (!e->has_tsfn) return;
  event_t *ev = malloc(sizeof(event_t));
  if (ev == NULL) {
    a->shard->events_dropped++;
    return;
  }
  ev->id = a->id;
  ev->kind = kind;
  ev->side = side;
  ev->value = value;
  ev->port = from != NULL ? belfry_addr_port(from) : 0;
  ev->addr[0] = 0;
  if (from != NULL) belfry_addr_text(from, ev->addr);
  if (napi_call_threadsafe_function(e->tsfn, ev, napi_tsfn_nonblocking) != napi_ok) {
    free(ev);
    a->shard->events_dropped++;
  }
}

static void emit_error(anchor *a, uint8_t side, int err) { emit(a, EV_SOCKET_ERROR, side, err, NULL); }

/* ---------- the packet path (relay.ts #onRtp / #onRtcp, session.ts) ---------- */

enum { V_DROP = 0, V_ACCEPT = 1, V_LATCH = 2, V_RELATCH = 3 };

static void do_latch(side_t *x, const belfry_addr *from, uint32_t ssrc, int64_t now) {
  x->latched = 1;
  x->latched_ssrc = ssrc;
  x->dst = *from;
  x->has_dst = 1;
  x->last_rtp_ns = now;
  if (!x->rtcp_latched) {
    /* Until RTCP itself arrives, RTCP goes next to the latched RTP port (RFC 3550 s11). */
    x->rtcp_dst = *from;
    set_port(&x->rtcp_dst, (uint16_t)(belfry_addr_port(from) + 1));
    x->has_rtcp_dst = 1;
  }
}

/* session.ts acceptRtp: symmetric RTP (RFC 4961 s4) with the relatch guard. */
static int accept_rtp(side_t *x, const belfry_addr *from, uint32_t ssrc, int64_t now, int64_t guard_ns) {
  if (!x->latched) {
    if (!x->latch_any && !(x->has_sdp && same_ip(from, &x->sdp))) {
      x->dropped_foreign++;
      return V_DROP;
    }
    do_latch(x, from, ssrc, now);
    return V_LATCH;
  }
  int same_addr = x->has_dst && same_ip(from, &x->dst);
  if (same_addr && belfry_addr_port(from) == belfry_addr_port(&x->dst)) {
    x->last_rtp_ns = now;
    x->latched_ssrc = ssrc;
    return V_ACCEPT;
  }
  int quiet = now - x->last_rtp_ns >= guard_ns;
  int candidate = ssrc != x->latched_ssrc || same_addr;
  int allowed = x->latch_any || (x->has_sdp && same_ip(from, &x->sdp)) || same_addr;
  if (quiet && candidate && allowed) {
    do_latch(x, from, ssrc, now);
    return V_RELATCH;
  }
  x->dropped_foreign++;
  return V_DROP;
}

static int accept_rtcp(side_t *x, const belfry_addr *from) {
  if (x->latched ? !(x->has_dst && same_ip(from, &x->dst)) : (!x->latch_any && !(x->has_sdp && same_ip(from, &x->sdp)))) return 0;
  if (!x->rtcp_latched || !x->has_rtcp_dst || belfry_addr_port(&x->rtcp_dst) != belfry_addr_port(from) || !same_ip(&x->rtcp_dst, from)) {
    x->rtcp_dst = *from;
    x->has_rtcp_dst = 1;
    x->rtcp_latched = 1;
  }
  return 1;
}

/* packet.ts RtpView.reset: payload offset, or -1 when the packet is not valid RTP. */
static int rtp_payload(const uint8_t *b, uint32_t len, uint32_t *plen) {
  if (len < 12) return -1;
  uint8_t b0 = b[0];
  if ((b0 >> 6) != 2) return -1;
  uint32_t off = 12 + (uint32_t)(b0 & 0x0f) * 4;
  if (off > len) return -1;
  if (b0 & 0x10) {
    if (off + 4 > len) return -1;
    off += 4 + ((uint32_t)b[off + 2] << 8 | b[off + 3]) * 4;
    if (off > len) return -1;
  }
  uint32_t pad = 0;
  if (b0 & 0x20) {
    pad = b[len - 1];
    if (pad == 0 || off + pad > len) return -1;
  }
  *plen = len - off - pad;
  return (int)off;
}

static inline uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static void on_rtp(shard *sh, anchor *a, int si, uint8_t *b, uint32_t len, const belfry_addr *from, int64_t now) {
  side_t *x = &a->s[si];
  side_t *to = &a->s[si ^ 1];
  uint32_t plen;
  int off = rtp_payload(b, len, &plen);
  if (off < 0) {
    x->malformed++;
    return;
  }
  uint32_t ssrc = rd32(b + 8), ts = rd32(b + 4);
  uint32_t seq = (uint32_t)b[2] << 8 | b[3];
  int v = accept_rtp(x, from, ssrc, now, a->guard_ns);
  if (v == V_DROP) return;
  if (v != V_ACCEPT) emit(a, v == V_LATCH ? EV_LATCHED : EV_RELATCHED, (uint8_t)si, 0, from);
  /* Arrival in timestamp units (s6.4.1), from the monotonic clock. */
  uint32_t arrival = (uint32_t)(uint64_t)((now / 1000) * CLOCK_RATE / 1000000);
  stats_update(&x->st, ssrc, seq, ts, arrival, len);
  int pt = b[1] & 0x7f;
  if (pt == x->te_pt && plen >= 4) {
    /* RFC 4733 s2.5.1: one report per event, identified by its timestamp; later or repeated packets are not new. */
    if (!(x->te_has_last && (ts == x->te_last_ts || (int32_t)(ts - x->te_last_ts) < 0))) {
      x->te_has_last = 1;
      x->te_last_ts = ts;
      emit(a, EV_TELEPHONE_EVENT, (uint8_t)si, b[off], NULL);
    }
  }
  int out = x->out_pt[pt];
  if (out == -2) return;
  if (out >= 0) {
    int t = x->table_idx[pt];
    if (t >= 0) {
      const uint8_t *table = x->tables[t];
      uint8_t *p = b + off, *end = p + plen;
      for (; p < end; p++) *p = table[*p];
    }
    b[1] = (uint8_t)((b[1] & 0x80) | (out & 0x7f));
  }
  if (!to->has_dst) return;
  to->packets_sent++;
  to->bytes_sent += len;
  if (sendto(to->fd[0], b, len, MSG_DONTWAIT, &to->dst.sa, len_of(&to->dst)) < 0) sh->send_errors++;
}

static void on_rtcp(shard *sh, anchor *a, int si, uint8_t *b, uint32_t len, const belfry_addr *from) {
  side_t *x = &a->s[si];
  side_t *to = &a->s[si ^ 1];
  if (!accept_rtcp(x, from)) return;
  x->rtcp_received++;
  if (!to->has_rtcp_dst) return;
  if (sendto(to->fd[1], b, len, MSG_DONTWAIT, &to->rtcp_dst.sa, len_of(&to->rtcp_dst)) < 0) sh->send_errors++;
}

/* ---------- lists and the shard thread ---------- */

static void list_remove(anchor **head, anchor *a) {
  if (a->prev) a->prev->next = a->next;
  else *head = a->next;
  if (a->next) a->next->prev = a->prev;
  a->prev = a->next = NULL;
}

static void list_push(anchor **head, anchor *a) {
  a->prev = NULL;
  a->next = *head;
  if (*head) (*head)->prev = a;
  *head = a;
}

/* The dead list keeps its tail: the oldest closed anchor, reclaimed first when the budget is reached. */
static void dead_push(shard *sh, anchor *a) {
  list_push(&sh->dead, a);
  if (sh->dead_tail == NULL) sh->dead_tail = a;
}

static void dead_remove(shard *sh, anchor *a) {
  if (sh->dead_tail == a) sh->dead_tail = a->prev;
  list_remove(&sh->dead, a);
}

/* Close an anchor's sockets (once: its two pairs leave the budget). Caller holds the shard's mutex. */
static void close_fds(shard *sh, anchor *a) {
  if (a->s[0].fd[0] < 0) return;
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++)
      if (a->s[i].fd[j] >= 0) {
        epoll_ctl(sh->ep, EPOLL_CTL_DEL, a->s[i].fd[j], NULL);
        close(a->s[i].fd[j]);
        a->s[i].fd[j] = -1;
      }
  __atomic_fetch_sub(&sh->e->open_pairs, 2, __ATOMIC_RELAXED);
}

/*
 * Free closed anchors: those past their quarantine (all of them when `all`),
 * oldest first from the tail, and those that gave their ports up early.
 * Only the shard's thread calls this while running (or engine_stop after it).
 */
static void free_closed(shard *sh, int64_t now, int all) {
  while (sh->dead_tail != NULL && (all || now - sh->dead_tail->closed_ns >= sh->e->quarantine_ns)) {
    anchor *a = sh->dead_tail;
    dead_remove(sh, a);
    close_fds(sh, a);
    free(a);
  }
  while (sh->reap != NULL) {
    anchor *a = sh->reap;
    list_remove(&sh->reap, a);
    free(a);
  }
}

static void scan(shard *sh, int64_t now) {
  for (anchor *a = sh->live; a != NULL; a = a->next) {
    if (a->silence_ns <= 0 || a->silence_fired) continue;
    int64_t last = a->created_ns;
    if (a->s[0].last_rtp_ns > last) last = a->s[0].last_rtp_ns;
    if (a->s[1].last_rtp_ns > last) last = a->s[1].last_rtp_ns;
    if (now - last >= a->silence_ns) {
      a->silence_fired = 1;
      emit(a, EV_SILENCE, 0, (now - last) / 1000000, NULL);
    }
  }
  free_closed(sh, now, 0);
}

static void refill(shard *sh);
static int reclaim_oldest(engine *e);

static void *shard_main(void *arg) {
  shard *sh = arg;
  struct epoll_event evs[MAX_EVENTS];
  for (int i = 0; i < RECV_BATCH; i++) {
    sh->iov[i].iov_base = sh->bufs[i];
    sh->iov[i].iov_len = PKT_MAX;
    memset(&sh->msgs[i], 0, sizeof(struct mmsghdr));
    sh->msgs[i].msg_hdr.msg_iov = &sh->iov[i];
    sh->msgs[i].msg_hdr.msg_iovlen = 1;
    sh->msgs[i].msg_hdr.msg_name = &sh->from[i];
  }
  while (!sh->stop) {
    int n = epoll_wait(sh->ep, evs, MAX_EVENTS, (int)(SCAN_NS / 1000000));
    if (n < 0 && errno != EINTR) break;
    pthread_mutex_lock(&sh->mu);
    int64_t now = mono_ns();
    for (int i = 0; i < n; i++) {
      sock_ref *ref = evs[i].data.ptr;
      if (ref == NULL) {
        uint64_t v;
        if (read(sh->evfd, &v, sizeof v) < 0) { /* nothing to do: the flag is what counts */ }
        continue;
      }
      anchor *a = ref->anchor;
      int fd = a->s[ref->side].fd[ref->rtcp];
      if (fd < 0) continue;
      for (int i2 = 0; i2 < RECV_BATCH; i2++) {
        sh->msgs[i2].msg_hdr.msg_namelen = sizeof(belfry_addr);
        sh->msgs[i2].msg_hdr.msg_flags = 0;
      }
      int got = recvmmsg(fd, sh->msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
      if (got < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && !a->dead) emit_error(a, ref->side, errno);
        continue;
      }
      if (a->dead) continue; /* quarantine: read and dropped */
      for (int k = 0; k < got; k++) {
        uint32_t len = sh->msgs[k].msg_len;
        if (sh->msgs[k].msg_hdr.msg_flags & MSG_TRUNC) {
          if (!ref->rtcp) a->s[ref->side].malformed++;
          continue;
        }
        if (ref->rtcp) on_rtcp(sh, a, ref->side, sh->bufs[k], len, &sh->from[k]);
        else on_rtp(sh, a, ref->side, sh->bufs[k], len, &sh->from[k], now);
      }
    }
    if (now - sh->last_scan >= SCAN_NS) {
      sh->last_scan = now;
      scan(sh, now);
    }
    pthread_mutex_unlock(&sh->mu);
    refill(sh);
  }
  return NULL;
}

/* ---------- ports ---------- */

static int bind_one(engine *e, uint16_t port, int *fd_out) {
  int fd = socket(e->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  if (e->sockbuf > 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &e->sockbuf, sizeof e->sockbuf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &e->sockbuf, sizeof e->sockbuf);
  }
  belfry_addr a = e->bind;
  set_port(&a, port);
  if (bind(fd, &a.sa, len_of(&a)) < 0) {
    int err = errno;
    close(fd);
    return err;
  }
  *fd_out = fd;
  return 0;
}

/* Bind an RTP/RTCP pair on the next free even port (RFC 3550 s11), walking the range round-robin. */
static int bind_pair(engine *e, int fds[2], uint16_t *port_out) {
  for (uint32_t tries = 0; tries < e->npairs; tries++) {
    /* Relay threads (refill) and the Node thread (create) walk the same range. */
    uint16_t p = (uint16_t)(e->min_port + 2 * (__atomic_fetch_add(&e->cursor, 1, __ATOMIC_RELAXED) % e->npairs));
    int err = bind_one(e, p, &fds[0]);
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) return err;
    if (err != 0) continue;
    err = bind_one(e, (uint16_t)(p + 1), &fds[1]);
    if (err != 0) {
      close(fds[0]);
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) return err;
      continue;
    }
    *port_out = p;
    return 0;
  }
  return EADDRINUSE;
}

/* One pair of the budget (fd-budget.ts), or 0 when it is spent. */
static int budget_take(engine *e) {
  uint32_t cur = __atomic_load_n(&e->open_pairs, __ATOMIC_RELAXED);
  while (cur + 1 <= e->max_pairs)
    if (__atomic_compare_exchange_n(&e->open_pairs, &cur, cur + 1, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) return 1;
  return 0;
}

/*
 * Keep reserve_target pairs bound ahead of need, off the Node thread: binding
 * is four syscalls per pair, and create() on the Node thread then only takes
 * them (measured before: createAnchor 4.2 % of a call's CPU). Binds without
 * holding the mutex; stops at the budget.
 */
static void refill(shard *sh) {
  engine *e = sh->e;
  /* Called after every epoll round: a full reserve costs one load, not a lock; a stale value only delays the refill a round. */
  if (__atomic_load_n(&sh->nrsv, __ATOMIC_RELAXED) >= e->reserve_target) return;
  pthread_mutex_lock(&sh->mu);
  int need = e->reserve_target - sh->nrsv;
  sh->refill_asked = 0;
  pthread_mutex_unlock(&sh->mu);
  for (int i = 0; i < need && !sh->stop; i++) {
    if (!budget_take(e)) return;
    int fds[2];
    uint16_t port;
    if (bind_pair(e, fds, &port) != 0) {
      __atomic_fetch_sub(&e->open_pairs, 1, __ATOMIC_RELAXED);
      return;
    }
    pthread_mutex_lock(&sh->mu);
    int k = sh->nrsv++;
    sh->rsv_fd[k][0] = fds[0];
    sh->rsv_fd[k][1] = fds[1];
    sh->rsv_port[k] = port;
    pthread_mutex_unlock(&sh->mu);
  }
}

/* Drop anything that reached a reserved socket before its call (nothing should: its port was never advertised). */
static void drain_fd(int fd) {
  uint8_t b[64];
  while (recv(fd, b, sizeof b, MSG_DONTWAIT) >= 0) {
  }
}

/*
 * One RTP/RTCP pair for a new anchor: from sh's reserve, else bound now
 * within the budget (at the budget, after the oldest quarantined anchor gave
 * its ports up). 0 or an errno; EDQUOT means the budget is spent.
 */
/* Pop a reserved pair of sh; wake its thread when the reserve runs low. */
static int pop_reserve(engine *e, shard *sh, int fds[2], uint16_t *port) {
  pthread_mutex_lock(&sh->mu);
  int have = sh->nrsv > 0;
  if (have) {
    int k = --sh->nrsv;
    fds[0] = sh->rsv_fd[k][0];
    fds[1] = sh->rsv_fd[k][1];
    *port = sh->rsv_port[k];
  }
  int wake = sh->nrsv < e->reserve_target / 2 && !sh->refill_asked;
  if (wake) sh->refill_asked = 1;
  pthread_mutex_unlock(&sh->mu);
  if (wake) {
    uint64_t one = 1;
    if (write(sh->evfd, &one, sizeof one) < 0) { /* the thread refills at its next 20 ms tick anyway */ }
  }
  return have;
}

static int take_pair(engine *e, shard *sh, int fds[2], uint16_t *port) {
  /* The anchor's own thread's reserve first, then any other's (the ports are what matters). */
  int have = e->reserve_target > 0 && pop_reserve(e, sh, fds, port);
  for (int i = 0; !have && e->reserve_target > 0 && i < e->nshards; i++)
    if (&e->shards[i] != sh) have = pop_reserve(e, &e->shards[i], fds, port);
  if (have) {
    drain_fd(fds[0]);
    drain_fd(fds[1]);
    return 0;
  }
  if (!budget_take(e) && !(reclaim_oldest(e) && budget_take(e))) return EDQUOT;
  int err = bind_pair(e, fds, port);
  if (err != 0) __atomic_fetch_sub(&e->open_pairs, 1, __ATOMIC_RELAXED);
  return err;
}

static void close_reserve(shard *sh) {
  for (int k = 0; k < sh->nrsv; k++) {
    close(sh->rsv_fd[k][0]);
    close(sh->rsv_fd[k][1]);
    __atomic_fetch_sub(&sh->e->open_pairs, 1, __ATOMIC_RELAXED);
  }
  sh->nrsv = 0;
}

/* ---------- Node-API glue ---------- */

#define CHECK(call)                                                  \
  do {                                                               \
    if ((call) != napi_ok) {                                         \
      napi_throw_error(env, "RTP_NATIVE", "node-api call failed: " #call); \
      return NULL;                                                   \
    }                                                                \
  } while (0)

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "RTP_NATIVE_ARGS", msg);
  return NULL;
}

static void call_js(napi_env env, napi_value cb, void *ctx, void *data) {
  (void)ctx;
  event_t *ev = data;
  if (env != NULL && cb != NULL) {
    napi_value argv[6], undef;
    napi_get_undefined(env, &undef);
    napi_create_uint32(env, ev->id, &argv[0]);
    napi_create_uint32(env, ev->kind, &argv[1]);
    napi_create_uint32(env, ev->side, &argv[2]);
    napi_create_int64(env, ev->value, &argv[3]);
    napi_create_string_utf8(env, ev->addr, NAPI_AUTO_LENGTH, &argv[4]);
    napi_create_uint32(env, ev->port, &argv[5]);
    napi_call_function(env, undef, cb, 6, argv, NULL);
  }
  free(ev);
}

static void engine_stop(engine *e) {
  if (e->closed) return;
  e->closed = 1;
  for (int i = 0; i < e->nshards; i++) {
    shard *sh = &e->shards[i];
    if (sh->started) {
      sh->stop = 1;
      uint64_t one = 1;
      if (write(sh->evfd, &one, sizeof one) < 0) { /* the 20 ms epoll timeout ends the loop anyway */ }
      pthread_join(sh->th, NULL);
      sh->started = 0;
    }
    for (anchor **head = &sh->live; *head != NULL;) {
      anchor *a = *head;
      list_remove(head, a);
      close_fds(sh, a);
      free(a);
    }
    free_closed(sh, 0, 1);
    close_reserve(sh);
    if (sh->ep >= 0) close(sh->ep);
    if (sh->evfd >= 0) close(sh->evfd);
    sh->ep = sh->evfd = -1;
    pthread_mutex_destroy(&sh->mu);
  }
  if (e->has_tsfn) {
    e->has_tsfn = 0;
    napi_release_threadsafe_function(e->tsfn, napi_tsfn_abort);
  }
}

static void cleanup_hook(void *arg) { engine_stop(arg); }

static void engine_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  engine *e = data;
  if (!e->closed) napi_remove_env_cleanup_hook(env, cleanup_hook, e);
  engine_stop(e);
  free(e->shards);
  free(e->slots);
  free(e->free_slots);
  free(e);
}

static int get_u32(napi_env env, napi_value v, uint32_t *out) { return napi_get_value_uint32(env, v, out) == napi_ok; }
static int get_i64(napi_env env, napi_value v, int64_t *out) { return napi_get_value_int64(env, v, out) == napi_ok; }

static engine *get_engine(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  engine *e = p;
  return e->closed ? NULL : e;
}

/* open(address, minPort, maxPort, threads, maxPairs, quarantineMs, socketBufferBytes, onEvent) -> engine */
static napi_value js_open(napi_env env, napi_callback_info info) {
  BELFRY_ARGS(8, "open")
  char address[INET6_ADDRSTRLEN];
  size_t alen;
  if (napi_get_value_string_utf8(env, argv[0], address, sizeof address, &alen) != napi_ok) return throw_type(env, "address must be a string");
  uint32_t min_port, max_port, threads, max_pairs, quarantine_ms, sockbuf;
  if (!get_u32(env, argv[1], &min_port) || !get_u32(env, argv[2], &max_port) || !get_u32(env, argv[3], &threads) || !get_u32(env, argv[4], &max_pairs) ||
      !get_u32(env, argv[5], &quarantine_ms) || !get_u32(env, argv[6], &sockbuf))
    return throw_type(env, "ports, threads, budget, quarantine and buffer size must be numbers");
  min_port += min_port & 1;
  if (max_port > 65535 || min_port + 1 > max_port) return throw_type(env, "RTP_POOL_BAD_RANGE");
  if (threads < 1) threads = 1;
  if (threads > 64) threads = 64;
  engine *e = calloc(1, sizeof(engine));
  if (e == NULL) return throw_type(env, "out of memory");
  e->env = env;
  if (parse_addr(AF_INET, address, 0, &e->bind)) e->family = AF_INET;
  else if (parse_addr(AF_INET6, address, 0, &e->bind)) e->family = AF_INET6;
  else {
    free(e);
    return throw_type(env, "address is not an IP address");
  }
  memcpy(e->address, address, sizeof address);
  e->min_port = min_port;
  e->npairs = (max_port - min_port + 1) / 2;
  e->sockbuf = (int)sockbuf;
  e->quarantine_ns = (int64_t)quarantine_ms * 1000000LL;
  e->max_pairs = max_pairs < 2 ? 2 : max_pairs;
  /* A slice of the budget and of the range: a small range must still have free ports to walk. */
  uint32_t rsv = e->max_pairs / 8 < e->npairs / 4 ? e->max_pairs / 8 : e->npairs / 4;
  e->reserve_target = (int)(rsv / threads > RESERVE_MAX ? RESERVE_MAX : rsv / threads);
  e->nshards = (int)threads;
  e->next_id = 1;
  e->shards = calloc(threads, sizeof(shard));
  if (e->shards == NULL) {
    free(e);
    return throw_type(env, "out of memory");
  }
  napi_value name;
  CHECK(napi_create_string_utf8(env, "belfry-rtp-relay", NAPI_AUTO_LENGTH, &name));
  if (napi_create_threadsafe_function(env, argv[7], NULL, name, EVENT_QUEUE, 1, NULL, NULL, NULL, call_js, &e->tsfn) != napi_ok) {
    free(e->shards);
    free(e);
    return throw_type(env, "onEvent must be a function");
  }
  e->has_tsfn = 1;
  /* Events never keep the process alive; close() ends the threads. */
  napi_unref_threadsafe_function(env, e->tsfn);
  for (uint32_t i = 0; i < threads; i++) {
    shard *sh = &e->shards[i];
    sh->e = e;
    sh->ep = epoll_create1(EPOLL_CLOEXEC);
    sh->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    pthread_mutex_init(&sh->mu, NULL);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (sh->ep < 0 || sh->evfd < 0 || epoll_ctl(sh->ep, EPOLL_CTL_ADD, sh->evfd, &ev) < 0 || pthread_create(&sh->th, NULL, shard_main, sh) != 0) {
      e->nshards = (int)i + 1;
      engine_stop(e);
      free(e->shards);
      free(e);
      return throw_type(env, "cannot start a relay thread");
    }
    sh->started = 1;
  }
  napi_add_env_cleanup_hook(env, cleanup_hook, e);
  napi_value out;
  CHECK(napi_create_external(env, e, engine_finalize, NULL, &out));
  return out;
}

static void side_init(side_t *x) {
  x->fd[0] = x->fd[1] = -1;
  x->last_rtp_ns = -1;
  x->te_pt = -1;
  x->latch_any = 1;
  for (int i = 0; i < 128; i++) {
    x->out_pt[i] = -1;
    x->table_idx[i] = -1;
  }
  x->st.bad_seq = RTP_SEQ_MOD + 1;
}

static napi_value make_error_code(napi_env env, const char *code, int err) {
  napi_value out, c, m;
  napi_create_array_with_length(env, 2, &out);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
  napi_create_string_utf8(env, err != 0 ? strerror(err) : code, NAPI_AUTO_LENGTH, &m);
  napi_set_element(env, out, 0, c);
  napi_set_element(env, out, 1, m);
  return out;
}

/*
 * At the descriptor budget, the oldest anchor still in quarantine gives up its
 * ports early (as PortPool reuses idle pairs early): an overload that keeps
 * many calls alive must not fail new calls for ports that only wait out their
 * quarantine. Its sockets close now; the thread frees it after its round.
 */
static int reclaim_oldest(engine *e) {
  shard *best = NULL;
  int64_t oldest = 0;
  for (int i = 0; i < e->nshards; i++) {
    shard *sh = &e->shards[i];
    pthread_mutex_lock(&sh->mu);
    if (sh->dead_tail != NULL && (best == NULL || sh->dead_tail->closed_ns < oldest)) {
      best = sh;
      oldest = sh->dead_tail->closed_ns;
    }
    pthread_mutex_unlock(&sh->mu);
  }
  if (best == NULL) return 0;
  pthread_mutex_lock(&best->mu);
  anchor *a = best->dead_tail;
  if (a != NULL) {
    dead_remove(best, a);
    close_fds(best, a);
    list_push(&best->reap, a);
    best->reclaimed++;
  }
  pthread_mutex_unlock(&best->mu);
  return a != NULL;
}

/* create(engine, silenceMs, guardMs) -> [slot, id, aPort, bPort] | [code, message] */
static napi_value js_create(napi_env env, napi_callback_info info) {
  BELFRY_ARGS(3, "create")
  engine *e = get_engine(env, argv[0]);
  int64_t silence_ms, guard_ms;
  if (e == NULL) return make_error_code(env, "RTP_SESSION_CLOSED", 0);
  if (!get_i64(env, argv[1], &silence_ms) || !get_i64(env, argv[2], &guard_ms)) return throw_type(env, "silenceMs and guardMs must be numbers");
  anchor *a = calloc(1, sizeof(anchor));
  if (a == NULL) return make_error_code(env, "RTP_BIND_FAILED", ENOMEM);
  side_init(&a->s[0]);
  side_init(&a->s[1]);
  /* The shard with the fewest live anchors. */
  shard *sh = &e->shards[0];
  for (int i = 1; i < e->nshards; i++)
    if (e->shards[i].nlive < sh->nlive) sh = &e->shards[i];
  for (int i = 0; i < 2; i++) {
    int err = take_pair(e, sh, a->s[i].fd, &a->s[i].port);
    if (err != 0) {
      if (i == 1) {
        close(a->s[0].fd[0]);
        close(a->s[0].fd[1]);
        __atomic_fetch_sub(&e->open_pairs, 1, __ATOMIC_RELAXED);
      }
      free(a);
      return make_error_code(env, err == EADDRINUSE || err == EDQUOT ? "RTP_PORTS_EXHAUSTED" : "RTP_BIND_FAILED", err == EDQUOT ? 0 : err);
    }
  }
  uint32_t slot;
  if (e->nfree > 0) {
    slot = e->free_slots[--e->nfree];
  } else {
    if (e->nslots == e->cap) {
      uint32_t cap = e->cap == 0 ? 256 : e->cap * 2;
      anchor **s = realloc(e->slots, cap * sizeof(anchor *));
      uint32_t *f = s == NULL ? NULL : realloc(e->free_slots, cap * sizeof(uint32_t));
      if (s != NULL) e->slots = s;
      if (s == NULL || f == NULL) {
        for (int i = 0; i < 2; i++) {
          close(a->s[i].fd[0]);
          close(a->s[i].fd[1]);
        }
        __atomic_fetch_sub(&e->open_pairs, 2, __ATOMIC_RELAXED);
        free(a);
        return make_error_code(env, "RTP_BIND_FAILED", ENOMEM);
      }
      e->free_slots = f;
      e->cap = cap;
    }
    slot = e->nslots++;
  }
  a->id = e->next_id++;
  if (e->next_id == 0) e->next_id = 1;
  a->shard = sh;
  a->guard_ns = guard_ms * 1000000LL;
  a->silence_ns = silence_ms * 1000000LL;
  a->created_ns = mono_ns();
  e->slots[slot] = a;
  pthread_mutex_lock(&sh->mu);
  list_push(&sh->live, a);
  sh->nlive++;
  for (int i = 0; i < 4; i++) {
    a->refs[i].anchor = a;
    a->refs[i].side = (uint8_t)(i >> 1);
    a->refs[i].rtcp = (uint8_t)(i & 1);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &a->refs[i]};
    epoll_ctl(sh->ep, EPOLL_CTL_ADD, a->s[i >> 1].fd[i & 1], &ev);
  }
  pthread_mutex_unlock(&sh->mu);
  napi_value out, v;
  CHECK(napi_create_array_with_length(env, 4, &out));
  uint32_t vals[4] = {slot, a->id, a->s[0].port, a->s[1].port};
  for (uint32_t i = 0; i < 4; i++) {
    CHECK(napi_create_uint32(env, vals[i], &v));
    CHECK(napi_set_element(env, out, i, v));
  }
  return out;
}

/* The live anchor at slot with this id, its shard locked; NULL when gone. */
static anchor *lock_anchor(napi_env env, napi_value *argv) {
  engine *e = get_engine(env, argv[0]);
  uint32_t slot, id;
  if (e == NULL || !get_u32(env, argv[1], &slot) || !get_u32(env, argv[2], &id) || slot >= e->nslots) return NULL;
  anchor *a = e->slots[slot];
  if (a == NULL || a->id != id || a->dead) return NULL;
  pthread_mutex_lock(&a->shard->mu);
  return a;
}

/* setRemote(engine, slot, id, side, address, port, rtcpPort, latchAny, telephoneEventPt) */
static napi_value js_set_remote(napi_env env, napi_callback_info info) {
  BELFRY_ARGS(9, "setRemote")
  char address[INET6_ADDRSTRLEN] = {0};
  size_t alen = 0;
  uint32_t side, port, rtcp_port, latch_any;
  int32_t te_pt;
  napi_get_value_string_utf8(env, argv[4], address, sizeof address, &alen);
  if (!get_u32(env, argv[3], &side) || side > 1 || !get_u32(env, argv[5], &port) || !get_u32(env, argv[6], &rtcp_port) || !get_u32(env, argv[7], &latch_any) ||
      napi_get_value_int32(env, argv[8], &te_pt) != napi_ok)
    return throw_type(env, "bad setRemote arguments");
  anchor *a = lock_anchor(env, argv);
  if (a == NULL) return NULL;
  side_t *x = &a->s[side];
  engine *e = a->shard->e;
  /* session.ts setRemote: an unusable address (empty, 0.0.0.0, ::, or not of our family) leaves no destination. */
  int usable = port > 0 && port < 65536 && alen > 0 && strcmp(address, "0.0.0.0") != 0 && strcmp(address, "::") != 0 && parse_addr(e->family, address, (uint16_t)port, &x->dst);
  x->has_sdp = usable;
  if (usable) x->sdp = x->dst;
  x->latch_any = latch_any != 0;
  x->has_dst = usable;
  x->has_rtcp_dst = usable && rtcp_port > 0 && rtcp_port < 65536;
  if (x->has_rtcp_dst) {
    x->rtcp_dst = x->dst;
    set_port(&x->rtcp_dst, (uint16_t)rtcp_port);
  }
  x->latched = 0;
  x->rtcp_latched = 0;
  x->te_pt = te_pt >= 0 && te_pt < 128 ? te_pt : -1;
  x->te_has_last = 0;
  pthread_mutex_unlock(&a->shard->mu);
  return NULL;
}

/* setMappings(engine, slot, id, side, outPt Int16Array(128), tableIdx Int8Array(128), tables Uint8Array(n*256)) */
static napi_value js_set_mappings(napi_env env, napi_callback_info info) {
  BELFRY_ARGS(7, "setMappings")
  uint32_t side;
  napi_typedarray_type t1, t2, t3;
  size_t n1, n2, n3;
  void *d1, *d2, *d3;
  if (!get_u32(env, argv[3], &side) || side > 1 || napi_get_typedarray_info(env, argv[4], &t1, &n1, &d1, NULL, NULL) != napi_ok ||
      napi_get_typedarray_info(env, argv[5], &t2, &n2, &d2, NULL, NULL) != napi_ok || napi_get_typedarray_info(env, argv[6], &t3, &n3, &d3, NULL, NULL) != napi_ok ||
      t1 != napi_int16_array || n1 != 128 || t2 != napi_int8_array || n2 != 128 || t3 != napi_uint8_array || n3 % 256 != 0 || n3 / 256 > MAX_TABLES)
    return throw_type(env, "bad setMappings arguments");
  const int16_t *out_pt = d1;
  const int8_t *idx = d2;
  for (int i = 0; i < 128; i++)
    if (out_pt[i] < -2 || out_pt[i] > 127 || idx[i] < -1 || idx[i] >= (int)(n3 / 256)) return throw_type(env, "bad mapping value");
  anchor *a = lock_anchor(env, argv);
  if (a == NULL) return NULL;
  side_t *x = &a->s[side];
  memcpy(x->out_pt, out_pt, sizeof x->out_pt);
  memcpy(x->table_idx, idx, sizeof x->table_idx);
  if (n3 > 0) memcpy(x->tables, d3, n3);
  pthread_mutex_unlock(&a->shard->mu);
  return NULL;
}

/* setSilence(engine, slot, id, ms) */
static napi_value js_set_silence(napi_env env, napi_callback_info info) {
  BELFRY_ARGS(4, "setSilence")
  int64_t ms;
  if (!get_i64(env, argv[3], &ms)) return throw_type(env, "bad setSilence arguments");
  anchor *a = lock_anchor(env, argv);
  if (a == NULL) return NULL;
  a->silence_ns = ms * 1000000LL;
  a->silence_fired = 0;
  pthread_mutex_unlock(&a->shard->mu);
  return NULL;
}

#define STAT_FIELDS 15

/*
 * stats(engine, slot, id) -> Float64Array(2 * STAT_FIELDS) and the two
 * remote addresses as [numbers, addrA, addrB]; undefined when gone. Per
 * side: localPort, remotePort, latched, packets, bytes, expected, received,
 * jitter (timestamp units), packetsSent, bytesSent, malformed,
 * droppedForeign, rtcpReceived, invalid, hasDestination.
 */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  BELFRY_ARGS(3, "stats")
  double vals[2 * STAT_FIELDS];
  char addrs[2][INET6_ADDRSTRLEN];
  anchor *a = lock_anchor(env, argv);
  if (a == NULL) return NULL;
  for (int i = 0; i < 2; i++) {
    side_t *x = &a->s[i];
    double *v = &vals[i * STAT_FIELDS];
    v[0] = x->port;
    v[1] = x->has_dst ? belfry_addr_port(&x->dst) : 0;
    v[2] = x->latched;
    v[3] = (double)x->st.packets;
    v[4] = (double)x->st.bytes;
    v[5] = (double)stats_expected(&x->st);
    v[6] = (double)x->st.received;
    v[7] = x->st.jitter;
    v[8] = (double)x->packets_sent;
    v[9] = (double)x->bytes_sent;
    v[10] = (double)x->malformed;
    v[11] = (double)x->dropped_foreign;
    v[12] = (double)x->rtcp_received;
    v[13] = (double)x->st.invalid;
    v[14] = x->has_dst;
    addrs[i][0] = 0;
    if (x->has_dst) belfry_addr_text(&x->dst, addrs[i]);
  }
  pthread_mutex_unlock(&a->shard->mu);
  napi_value ab, arr, out, s;
  void *data;
  CHECK(napi_create_arraybuffer(env, sizeof vals, &data, &ab));
  memcpy(data, vals, sizeof vals);
  CHECK(napi_create_typedarray(env, napi_float64_array, 2 * STAT_FIELDS, ab, 0, &arr));
  CHECK(napi_create_array_with_length(env, 3, &out));
  CHECK(napi_set_element(env, out, 0, arr));
  for (uint32_t i = 0; i < 2; i++) {
    CHECK(napi_create_string_utf8(env, addrs[i], NAPI_AUTO_LENGTH, &s));
    CHECK(napi_set_element(env, out, i + 1, s));
  }
  return out;
}

/* close(engine, slot, id): the anchor stops relaying; its ports stay bound for the quarantine. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  BELFRY_ARGS(3, "close")
  anchor *a = lock_anchor(env, argv);
  if (a == NULL) return NULL;
  shard *sh = a->shard;
  engine *e = sh->e;
  uint32_t slot;
  get_u32(env, argv[1], &slot);
  e->slots[slot] = NULL;
  e->free_slots[e->nfree++] = slot;
  a->dead = 1;
  a->closed_ns = mono_ns();
  list_remove(&sh->live, a);
  sh->nlive--;
  dead_push(sh, a);
  pthread_mutex_unlock(&sh->mu);
  return NULL;
}

/* counters(engine) -> [openPairs, sendErrors, eventsDropped, reclaimedEarly, reserved pairs, live anchors of shard 0, 1, ...] */
static napi_value js_counters(napi_env env, napi_callback_info info) {
  BELFRY_ARGS(1, "counters")
  engine *e = get_engine(env, argv[0]);
  if (e == NULL) return NULL;
  napi_value out, v;
  CHECK(napi_create_array_with_length(env, 5 + (size_t)e->nshards, &out));
  double send_errors = 0, dropped = 0, reclaimed = 0, reserved = 0;
  for (int i = 0; i < e->nshards; i++) {
    pthread_mutex_lock(&e->shards[i].mu);
    send_errors += (double)e->shards[i].send_errors;
    dropped += (double)e->shards[i].events_dropped;
    reclaimed += (double)e->shards[i].reclaimed;
    reserved += e->shards[i].nrsv;
    pthread_mutex_unlock(&e->shards[i].mu);
    CHECK(napi_create_uint32(env, e->shards[i].nlive, &v));
    CHECK(napi_set_element(env, out, 5 + (uint32_t)i, v));
  }
  CHECK(napi_create_uint32(env, __atomic_load_n(&e->open_pairs, __ATOMIC_RELAXED), &v));
  CHECK(napi_set_element(env, out, 0, v));
  CHECK(napi_create_double(env, send_errors, &v));
  CHECK(napi_set_element(env, out, 1, v));
  CHECK(napi_create_double(env, dropped, &v));
  CHECK(napi_set_element(env, out, 2, v));
  CHECK(napi_create_double(env, reclaimed, &v));
  CHECK(napi_set_element(env, out, 3, v));
  CHECK(napi_create_double(env, reserved, &v));
  CHECK(napi_set_element(env, out, 4, v));
  return out;
}

/* shutdown(engine): stop the threads and close every socket. Idempotent. */
static napi_value js_shutdown(napi_env env, napi_callback_info info) {
  BELFRY_ARGS(1, "shutdown")
  void *p = NULL;
  if (napi_get_value_external(env, argv[0], &p) != napi_ok) return throw_type(env, "shutdown needs the engine");
  engine *e = p;
  if (!e->closed) {
    napi_remove_env_cleanup_hook(env, cleanup_hook, e);
    engine_stop(e);
  }
  return NULL;
}

napi_status rtp_relay_init(napi_env env, napi_value exports) {
  static const belfry_fn fns[] = {
      {"open", js_open},
      {"create", js_create},
      {"setRemote", js_set_remote},
      {"setMappings", js_set_mappings},
      {"setSilence", js_set_silence},
      {"stats", js_stats},
      {"close", js_close},
      {"counters", js_counters},
      {"shutdown", js_shutdown},
  };
  return belfry_export(env, exports, fns, sizeof fns / sizeof fns[0]);
}
