/*
 * rtp-gen: a lean RTP load generator for bench/rtp-calls.ts (STYLE G11).
 *
 * Why C: on a 2-core machine the Node generator (bench/rtp-generator-worker.ts)
 * saturated before belfry did, so the loss it reported was the generator's.
 * This program does the same job with a few syscalls per packet and no
 * allocation after start, so the figure is belfry's.
 *
 * What it does: binds --streams UDP sockets on 127.0.0.1 (one per call end,
 * because belfry latches symmetric RTP to the port in the SDP), prints their
 * ports, then reads control lines on stdin:
 *
 *   remote <index> <port> <dir>   stream <index> sends to 127.0.0.1:<port>;
 *                                 dir 0 = caller->callee ("fwd"), 1 = back
 *   run <warmup_ms> <window_ms>   start sending on every stream with a remote
 *
 * While running, every stream sends one 172-byte PCMU packet (RTP version 2,
 * PT 0, seq/timestamp/SSRC per RFC 3550 §5.1, 160 payload bytes) every 20 ms.
 * Streams are spread evenly over the 20 ms frame, as independent phones would
 * be, instead of bursting together. The payload carries the send time
 * (CLOCK_MONOTONIC, ns) and the stream index; belfry passes payloads through
 * untouched, so on arrival the added delay is now - stamp on the same clock.
 * Packets are received with recvmmsg on the sockets epoll reports readable.
 *
 * Output on stdout: "ports p0 p1 ...", then "window-start" and "window-end"
 * (so the caller can sample belfry's CPU over exactly the window), then one
 * JSON line: per direction sent/received inside the window, loss, delay
 * percentiles (10 us buckets up to 100 ms, 1 ms buckets up to 10 s), and this
 * process's user and system CPU over the window. Packets count when their send stamp lies inside the window;
 * sending stops at the window end and 500 ms are left for stragglers.
 *
 * Bounded: SIGALRM after --max-seconds ends the process whatever happens;
 * EOF on stdin before "run" ends it too. 127.0.0.1 only.
 *
 * sendmmsg batches datagrams of one socket only; every stream needs its own
 * source port, so a send is one sendmmsg of one datagram per stream per frame
 * (the same cost as sendto). A wake-up more than 3 frames late skips those
 * slots instead of bursting them, and says how many (lateSkipped).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PKT 172
#define FRAME_NS 20000000LL
/* Delay histogram: 10 us buckets up to 100 ms, then 1 ms buckets up to 10 s; the last holds everything later. */
#define FINE_NS 10000LL
#define FINE_BUCKETS 10000
#define COARSE_NS 1000000LL
#define NBUCKETS (FINE_BUCKETS + 9900 + 1)
#define MAX_CATCHUP 3 /* frames */
#define RECV_BATCH 16

struct stream {
  int fd;
  int dir; /* direction this stream sends; -1 = no remote yet */
  struct sockaddr_in remote;
  uint16_t seq;
  uint32_t ts;
  uint32_t ssrc;
};

struct direction {
  uint64_t sent, received, late_skipped;
  double sum_ns;
  int64_t max_ns;
  uint64_t buckets[NBUCKETS];
};

static struct stream *streams;
static int nstreams;
static struct direction dirs[2];

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* CPU seconds of this process: user, or system (the kernel's UDP work, loopback delivery included). */
static double cpu_s(int sys) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  struct timeval t = sys ? r.ru_stime : r.ru_utime;
  return t.tv_sec + t.tv_usec / 1e6;
}

static void die(const char *what) {
  fprintf(stderr, "rtp-gen: %s: %s\n", what, strerror(errno));
  exit(2);
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = (v >> 16) & 0xff; p[2] = (v >> 8) & 0xff; p[3] = v & 0xff; }

static int bucket_of(int64_t delay_ns) {
  if (delay_ns < FINE_BUCKETS * FINE_NS) return (int)(delay_ns / FINE_NS);
  int64_t i = FINE_BUCKETS + (delay_ns - FINE_BUCKETS * FINE_NS) / COARSE_NS;
  return i < NBUCKETS ? (int)i : NBUCKETS - 1;
}

/* Upper edge of bucket i in ms (percentiles are reported as that edge). */
static double bucket_upper_ms(int i) {
  if (i < FINE_BUCKETS) return (double)(i + 1) * FINE_NS / 1e6;
  return (double)(FINE_BUCKETS * FINE_NS + (int64_t)(i - FINE_BUCKETS + 1) * COARSE_NS) / 1e6;
}

static double pct(const struct direction *d, double p) {
  if (d->received == 0) return -1;
  uint64_t c = 0, want = (uint64_t)(p * (double)d->received);
  if (want == 0) want = 1;
  for (int i = 0; i < NBUCKETS; i++) {
    c += d->buckets[i];
    if (c >= want) return bucket_upper_ms(i);
  }
  return bucket_upper_ms(NBUCKETS - 1);
}

static void print_dir(const char *name, const struct direction *d, double window_s) {
  double loss = d->sent ? 100.0 * ((double)d->sent - (double)d->received) / (double)d->sent : -1;
  printf("\"%s\":{\"sent\":%llu,\"received\":%llu,\"lossPct\":%.3f,\"pps\":%.0f,\"meanMs\":%.3f,\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"p999Ms\":%.3f,\"maxMs\":%.3f,\"lateSkipped\":%llu}",
         name, (unsigned long long)d->sent, (unsigned long long)d->received, loss, (double)d->received / window_s,
         d->received ? d->sum_ns / (double)d->received / 1e6 : 0.0, pct(d, 0.5), pct(d, 0.99), pct(d, 0.999), (double)d->max_ns / 1e6,
         (unsigned long long)d->late_skipped);
}

int main(int argc, char **argv) {
  int max_seconds = 300, rcvbuf = 1 << 18;
  nstreams = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--streams")) nstreams = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--max-seconds")) max_seconds = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--rcvbuf")) rcvbuf = atoi(argv[i + 1]);
  }
  if (nstreams <= 0 || max_seconds <= 0) {
    fprintf(stderr, "usage: rtp-gen --streams N [--max-seconds 300] [--rcvbuf 262144]\n");
    return 2;
  }
  alarm((unsigned)max_seconds); /* default action of SIGALRM: terminate */

  streams = calloc((size_t)nstreams, sizeof *streams);
  if (!streams) die("calloc");
  int ep = epoll_create1(0);
  if (ep < 0) die("epoll_create1");
  srandom((unsigned)now_ns());
  printf("ports");
  for (int i = 0; i < nstreams; i++) {
    struct stream *s = &streams[i];
    s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (s->fd < 0) die("socket");
    setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s->fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
    socklen_t al = sizeof a;
    if (getsockname(s->fd, (struct sockaddr *)&a, &al) < 0) die("getsockname");
    s->dir = -1;
    s->seq = (uint16_t)random();
    s->ts = (uint32_t)random();
    s->ssrc = (uint32_t)random();
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev) < 0) die("epoll_ctl");
    printf(" %d", ntohs(a.sin_port));
  }
  printf("\n");
  fflush(stdout);

  char line[256];
  long warmup_ms = -1, window_ms = -1;
  while (fgets(line, sizeof line, stdin)) {
    int idx, port, dir;
    if (sscanf(line, "remote %d %d %d", &idx, &port, &dir) == 3) {
      if (idx < 0 || idx >= nstreams || port <= 0 || port > 65535 || (dir != 0 && dir != 1)) continue;
      struct stream *s = &streams[idx];
      s->dir = dir;
      s->remote.sin_family = AF_INET;
      s->remote.sin_port = htons((uint16_t)port);
      s->remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else if (sscanf(line, "run %ld %ld", &warmup_ms, &window_ms) == 2) {
      break;
    }
  }
  if (warmup_ms < 0 || window_ms <= 0) return 0; /* EOF before run */

  /* The streams that send, in index order (both ends of a call sit next to each other). */
  int *active = malloc((size_t)nstreams * sizeof *active);
  if (!active) die("malloc");
  int nact = 0;
  for (int i = 0; i < nstreams; i++)
    if (streams[i].dir >= 0) active[nact++] = i;

  /* Every buffer is allocated here, once. */
  static uint8_t sendbuf[PKT];
  memset(sendbuf, 0xff, PKT);
  sendbuf[0] = 0x80; /* V=2, no padding, no extension, CC=0 */
  sendbuf[1] = 0;    /* M=0, PT=0 (PCMU) */
  struct iovec siov = {.iov_base = sendbuf, .iov_len = PKT};
  struct mmsghdr smsg;
  memset(&smsg, 0, sizeof smsg);
  smsg.msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
  smsg.msg_hdr.msg_iov = &siov;
  smsg.msg_hdr.msg_iovlen = 1;
  uint64_t send_errors = 0;
  static uint8_t recvbuf[RECV_BATCH][2048];
  struct mmsghdr rmsg[RECV_BATCH];
  struct iovec riov[RECV_BATCH];
  for (int k = 0; k < RECV_BATCH; k++) {
    riov[k].iov_base = recvbuf[k];
    riov[k].iov_len = sizeof recvbuf[k];
    memset(&rmsg[k], 0, sizeof rmsg[k]);
    rmsg[k].msg_hdr.msg_iov = &riov[k];
    rmsg[k].msg_hdr.msg_iovlen = 1;
  }
  struct epoll_event events[512];

  const int64_t t0 = now_ns();
  const int64_t wstart = t0 + warmup_ms * 1000000LL;
  const int64_t wend = wstart + window_ms * 1000000LL;
  const int64_t stop = wend + 500000000LL;
  /* The k-th send overall is stream active[k % nact] in frame k / nact, at its phase in the frame. */
  uint64_t k = 0;
  int in_window = 0;
  double user0 = 0, user1 = 0, sys0 = 0, sys1 = 0;
  int64_t tw0 = 0, tw1 = 0;

  for (;;) {
    int64_t now = now_ns();
    if (!in_window && now >= wstart) {
      in_window = 1;
      user0 = cpu_s(0);
      sys0 = cpu_s(1);
      tw0 = now;
      printf("window-start\n");
      fflush(stdout);
    }
    if (in_window == 1 && now >= wend) {
      in_window = 2;
      user1 = cpu_s(0);
      sys1 = cpu_s(1);
      tw1 = now;
      printf("window-end\n");
      fflush(stdout);
    }
    if (now >= stop) break;

    /* Send everything that is due, one slot at a time in schedule order. */
    int64_t due = 0;
    while (nact > 0) {
      uint64_t frame = k / (uint64_t)nact;
      int pos = (int)(k % (uint64_t)nact);
      due = t0 + (int64_t)frame * FRAME_NS + (int64_t)pos * FRAME_NS / nact;
      if (due > now || due >= wend) break;
      struct stream *s = &streams[active[pos]];
      k++;
      if (now - due > MAX_CATCHUP * FRAME_NS) {
        /* Hopelessly late (the generator was descheduled): skip rather than burst; reported. */
        if (due >= wstart) dirs[s->dir].late_skipped++;
        s->seq++;
        s->ts += 160;
        continue;
      }
      uint8_t *b = sendbuf;
      put16(b + 2, s->seq++);
      put32(b + 4, s->ts);
      s->ts += 160;
      put32(b + 8, s->ssrc);
      int64_t stamp = now_ns();
      memcpy(b + 12, &stamp, 8);
      uint32_t idx = (uint32_t)active[pos];
      memcpy(b + 20, &idx, 4);
      smsg.msg_hdr.msg_name = &s->remote;
      if (sendmmsg(s->fd, &smsg, 1, 0) == 1) {
        if (stamp >= wstart && stamp < wend) dirs[s->dir].sent++;
      } else if (stamp >= wstart && stamp < wend) {
        send_errors++;
      }
    }

    /* Wait for packets or the next send, whichever comes first (1 ms granularity). */
    now = now_ns();
    int64_t next = (nact > 0 && due < wend) ? due : stop;
    if (in_window == 0 && wstart < next) next = wstart;
    if (in_window == 1 && wend < next) next = wend;
    int timeout = next <= now ? 0 : (int)((next - now + 999999) / 1000000);
    int ne = epoll_wait(ep, events, 512, timeout);
    if (ne < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    int64_t rnow = now_ns();
    for (int e = 0; e < ne; e++) {
      struct stream *s = &streams[events[e].data.u32];
      if (s->dir < 0) {
        /* A socket without a remote: drain and ignore. */
        while (recvmmsg(s->fd, rmsg, RECV_BATCH, MSG_DONTWAIT, NULL) > 0) {}
        continue;
      }
      struct direction *d = &dirs[1 - s->dir]; /* what arrives here was sent by the other end */
      for (;;) {
        int r = recvmmsg(s->fd, rmsg, RECV_BATCH, MSG_DONTWAIT, NULL);
        if (r <= 0) break;
        for (int j = 0; j < r; j++) {
          if (rmsg[j].msg_len < 24) continue;
          int64_t stamp;
          memcpy(&stamp, recvbuf[j] + 12, 8);
          if (stamp < wstart || stamp >= wend) continue;
          int64_t delay = rnow - stamp;
          if (delay < 0) delay = 0;
          d->received++;
          d->sum_ns += (double)delay;
          if (delay > d->max_ns) d->max_ns = delay;
          d->buckets[bucket_of(delay)]++;
        }
        if (r < RECV_BATCH) break;
      }
    }
  }

  double window_s = (double)(tw1 - tw0) / 1e9;
  printf("{\"streams\":%d,\"windowS\":%.3f,\"sendErrors\":%llu,\"cpuPct\":%.1f,\"cpuUserPct\":%.1f,\"cpuSysPct\":%.1f,", nact, window_s, (unsigned long long)send_errors,
         window_s > 0 ? 100.0 * (user1 - user0 + sys1 - sys0) / window_s : 0.0, window_s > 0 ? 100.0 * (user1 - user0) / window_s : 0.0,
         window_s > 0 ? 100.0 * (sys1 - sys0) / window_s : 0.0);
  print_dir("callerToCallee", &dirs[0], window_s);
  printf(",");
  print_dir("calleeToCaller", &dirs[1], window_s);
  printf("}\n");
  fflush(stdout);
  return 0;
}
