// The load client's native UDP receive path: sockets bound here, one epoll set, and a receive loop
// (recvmmsg, 64 datagrams per call) run in a worker thread of the load client. Per socket ("slot")
// it keeps the counters Reader.onRtp keeps in JS (bench/load-client/reader.ts) in shared memory
// that JS reads: no JS callback and no Buffer per datagram. Layout: bench/load-client/native-sink.ts.
//
// A reader's socket gets a datagram every few ms, so reading it as soon as it is readable costs a
// wake-up and a recvmmsg per datagram. The loop instead lets datagrams queue for `coalesceMs`
// between passes (the 512 KB buffers hold seconds of a reader's stream), and takes arrival times
// from the kernel's receive timestamp (SO_TIMESTAMPNS), not from when the loop got to the packet.
#define _GNU_SOURCE
#include <node_api.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <time.h>

// Int32 control words: CTL_HEADER words (STOP), then CTL_STRIDE per slot (fd, enabled, kind).
#define CTL_HEADER 4
#define CTL_STRIDE 4
#define CTL_STOP 0
#define C_FD 0
#define C_ENABLED 1
#define C_KIND 2
// Slot kinds.
#define KIND_RTP 1
#define KIND_RTP_H264 2
#define KIND_RTCP 3
// Float64 counters: F_HEADER words (total RTP counted), then F_STRIDE per slot.
#define F_HEADER 4
#define F_STRIDE 40
#define F_TOTAL 0
enum { F_PACKETS = 0, F_RTCP, F_NSSRC, F_OVERFLOW, F_FIRST_TS, F_MAX_TS_OFF, F_FIRST_AT, F_LAST_AT, F_KEY_AT, F_SSRC0 = 10 };
// One SSRC entry: S_SIZE words from F_SSRC0 + i * S_SIZE.
enum { S_SSRC = 0, S_RECEIVED, S_FIRST_SEQ, S_MIN_EXT, S_MAX_EXT, S_GAPS, S_LAST_EXT, S_SIZE };
#define MAX_SSRC 4

#define BATCH 64
#define BUF_BYTES 4096
#define EVENTS 256
#define WAIT_MS 50

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "udp_sink: bad arguments");         \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

static napi_value make_num(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

static double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double real_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline uint32_t u32(const uint8_t* b) { return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3]; }

// The typed array's data and element count, of the wanted type (the buffer may be a SharedArrayBuffer).
static void* typed(napi_env env, napi_value v, napi_typedarray_type want, size_t* count) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return NULL;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  void* data;
  if (napi_get_typedarray_info(env, v, &type, count, &data, &ab, &off) != napi_ok || type != want) return NULL;
  return data;
}

// RFC 6184: an IDR slice, SPS or PPS as a single NAL unit, an FU-A start of an IDR slice, or a
// STAP-A holding one of them. The same test as startsKeyFrame in reader.ts.
static int is_key(int t) { return t == 5 || t == 7 || t == 8; }
static int starts_key_frame(const uint8_t* b, size_t len) {
  size_t off = 12 + 4 * (size_t)(b[0] & 0x0f);
  if (b[0] & 0x10) {
    if (len < off + 4) return 0;
    off += 4 + 4 * (size_t)((b[off + 2] << 8) | b[off + 3]);
  }
  if (off >= len) return 0;
  int type = b[off] & 0x1f;
  if (type == 28) return off + 1 < len && (b[off + 1] & 0x80) && (b[off + 1] & 0x1f) == 5;
  if (type == 24) {
    for (size_t p = off + 1; p + 2 < len;) {
      size_t size = ((size_t)b[p] << 8) | b[p + 1];
      if (size > 0 && is_key(b[p + 2] & 0x1f)) return 1;
      p += 2 + size;
    }
    return 0;
  }
  return is_key(type);
}

// The whole header is consistent (CSRCs, extension, padding): checked once per new SSRC, as
// parseRtpPacket is in reader.ts.
static int header_ok(const uint8_t* b, size_t len) {
  size_t off = 12 + 4 * (size_t)(b[0] & 0x0f);
  if (len < off) return 0;
  if (b[0] & 0x10) {
    if (len < off + 4) return 0;
    off += 4 + 4 * (size_t)((b[off + 2] << 8) | b[off + 3]);
    if (len < off) return 0;
  }
  if (b[0] & 0x20) {
    size_t pad = b[len - 1];
    if (pad == 0 || len - off < pad) return 0;
  }
  return 1;
}

// One RTP packet of an enabled slot: what Reader.onRtp does.
// The kernel's receive time of a datagram (SO_TIMESTAMPNS, CLOCK_REALTIME) on CLOCK_MONOTONIC, in ms;
// `now` (monotonic) when there is none.
static double arrival(struct msghdr* h, double real_to_mono, double now) {
  for (struct cmsghdr* c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      struct timespec ts;
      memcpy(&ts, CMSG_DATA(c), sizeof ts);
      if (ts.tv_sec == 0 && ts.tv_nsec == 0) break;
      double t = (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6 + real_to_mono;
      return t < now ? t : now;
    }
  }
  return now;
}

// Arrival time of the packet being counted, computed only when a counter needs it.
struct when {
  struct msghdr* h;
  double real_to_mono, now, at;
};
static inline double when_at(struct when* w) {
  if (w->at == 0) w->at = arrival(w->h, w->real_to_mono, w->now);
  return w->at;
}

static void on_rtp(double* total, double* s, int h264, const uint8_t* b, size_t len, struct when* w) {
  if (len < 12 || (b[0] >> 6) != 2) return;
  uint32_t seq = ((uint32_t)b[2] << 8) | b[3];
  uint32_t ssrc = u32(b + 8);
  (*total)++;
  s[F_PACKETS]++;
  if (h264 && s[F_KEY_AT] == 0 && starts_key_frame(b, len)) s[F_KEY_AT] = when_at(w);
  int n = (int)s[F_NSSRC];
  double* e = NULL;
  for (int i = 0; i < n; i++) {
    double* c = s + F_SSRC0 + i * S_SIZE;
    if ((uint32_t)c[S_SSRC] == ssrc) {
      e = c;
      break;
    }
  }
  if (!e) {
    if (!header_ok(b, len)) return;
    if (n >= MAX_SSRC) {
      s[F_OVERFLOW]++;
      return;
    }
    e = s + F_SSRC0 + n * S_SIZE;
    e[S_SSRC] = ssrc;
    e[S_RECEIVED] = 1;
    e[S_FIRST_SEQ] = e[S_MIN_EXT] = e[S_MAX_EXT] = e[S_LAST_EXT] = seq;
    e[S_GAPS] = 0;
    s[F_NSSRC] = n + 1;
    if (n == 0) {
      s[F_FIRST_TS] = u32(b + 4);
      s[F_FIRST_AT] = s[F_LAST_AT] = when_at(w);
    }
    return;
  }
  e[S_RECEIVED]++;
  if (e == s + F_SSRC0) {
    // Highest timestamp offset, not the last: with B-frames timestamps are not monotonic.
    uint32_t off = u32(b + 4) - (uint32_t)s[F_FIRST_TS];
    if (off < 0x80000000u && off > s[F_MAX_TS_OFF]) s[F_MAX_TS_OFF] = off;
    s[F_LAST_AT] = when_at(w);
  }
  // Unwrap against the highest seen so far (RFC 3550 A.1 style): forward if within half the space.
  double max = e[S_MAX_EXT];
  uint32_t delta = (seq - ((uint32_t)(int64_t)max & 0xffff)) & 0xffff;
  double ext = delta < 0x8000 ? max + delta : max - (double)(0x10000 - delta);
  if (ext != e[S_LAST_EXT] + 1) e[S_GAPS]++;
  e[S_LAST_EXT] = ext;
  if (ext > max) e[S_MAX_EXT] = ext;
  if (ext < e[S_MIN_EXT]) e[S_MIN_EXT] = ext;
}

// bindUdp(port, rcvbufBytes) -> fd, or -errno (EADDRINUSE: the allocator tries the next pair).
static napi_value bind_udp(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t port, rcvbuf;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_int32(env, argv[0], &port));
  CHECK(napi_get_value_int32(env, argv[1], &rcvbuf));
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_num(env, -errno);
  // As dgram's setRecvBufferSize: the kernel doubles it and caps it at rmem_max.
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr*)&a, sizeof a) != 0) {
    int err = errno;
    close(fd);
    return make_num(env, -err);
  }
  return make_num(env, fd);
}

static napi_value close_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  return make_num(env, close(fd) == 0 ? 0 : -errno);
}

static napi_value epoll_new(napi_env env, napi_callback_info info) {
  int fd = epoll_create1(EPOLL_CLOEXEC);
  return make_num(env, fd >= 0 ? fd : -errno);
}

// epollAdd(epfd, fd, slot) -> 0 or -errno. Safe while the loop runs: epoll_ctl is thread-safe.
static napi_value epoll_add(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t ep, fd, slot;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_int32(env, argv[0], &ep));
  CHECK(napi_get_value_int32(env, argv[1], &fd));
  CHECK(napi_get_value_int32(env, argv[2], &slot));
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.u32 = (uint32_t)slot;
  return make_num(env, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno);
}

// receiveLoop(epfd, ctl: Int32Array, counters: Float64Array, coalesceMs) -> datagrams received.
// Blocks its thread until ctl[CTL_STOP] is set, then closes every slot's fd and epfd. A pass reads
// every ready socket until it is empty; the next pass starts coalesceMs after this one started.
static napi_value receive_loop(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t ep, coalesce_ms;
  size_t nctl, nf;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_int32(env, argv[0], &ep));
  int32_t* ctl = typed(env, argv[1], napi_int32_array, &nctl);
  double* f = typed(env, argv[2], napi_float64_array, &nf);
  CHECK(napi_get_value_int32(env, argv[3], &coalesce_ms));
  if (!ctl || !f || nctl < CTL_HEADER || nf < F_HEADER) {
    napi_throw_error(env, NULL, "udp_sink: receiveLoop(epfd, Int32Array, Float64Array, waitMs)");
    return NULL;
  }
  size_t slots = (nctl - CTL_HEADER) / CTL_STRIDE;
  if ((nf - F_HEADER) / F_STRIDE < slots) slots = (nf - F_HEADER) / F_STRIDE;

  uint8_t* bufs = malloc((size_t)BATCH * BUF_BYTES);
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  char cbuf[BATCH][CMSG_SPACE(sizeof(struct timespec))];
  struct epoll_event evs[EVENTS];
  double received = 0;
  if (!bufs) {
    napi_throw_error(env, NULL, "udp_sink: out of memory");
    return NULL;
  }
  while (!__atomic_load_n(&ctl[CTL_STOP], __ATOMIC_ACQUIRE)) {
    int n = epoll_wait(ep, evs, EVENTS, WAIT_MS);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    double pass_at = mono_ms();
    for (;;) {
      double real_to_mono = mono_ms() - real_ms();
      for (int i = 0; i < n; i++) {
        uint32_t slot = evs[i].data.u32;
        if (slot >= slots) continue;
        int32_t* c = ctl + CTL_HEADER + (size_t)slot * CTL_STRIDE;
        double* s = f + F_HEADER + (size_t)slot * F_STRIDE;
        int fd = c[C_FD];
        int kind = c[C_KIND];
        for (;;) {
          for (int k = 0; k < BATCH; k++) {
            iov[k].iov_base = bufs + (size_t)k * BUF_BYTES;
            iov[k].iov_len = BUF_BYTES;
            memset(&msgs[k].msg_hdr, 0, sizeof msgs[k].msg_hdr);
            msgs[k].msg_hdr.msg_iov = &iov[k];
            msgs[k].msg_hdr.msg_iovlen = 1;
            msgs[k].msg_hdr.msg_control = cbuf[k];
            msgs[k].msg_hdr.msg_controllen = sizeof cbuf[k];
          }
          int r = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
          if (r <= 0) break;  // EAGAIN: drained
          received += r;
          // Counted only between SETUP and TEARDOWN (the reader's `counting`); otherwise drained.
          if (__atomic_load_n(&c[C_ENABLED], __ATOMIC_ACQUIRE)) {
            double now = mono_ms();
            if (kind == KIND_RTCP) {
              s[F_RTCP] += r;
            } else {
              for (int k = 0; k < r; k++) {
                struct when w = {&msgs[k].msg_hdr, real_to_mono, now, 0};
                on_rtp(&f[F_TOTAL], s, kind == KIND_RTP_H264, iov[k].iov_base, msgs[k].msg_len, &w);
              }
            }
          }
          // A short batch emptied the queue; level-triggered epoll reports anything newer.
          if (r < BATCH) break;
        }
      }
      // More sockets were ready than one epoll_wait returns: serve them in this pass too.
      if (n < EVENTS) break;
      n = epoll_wait(ep, evs, EVENTS, 0);
      if (n <= 0) break;
    }
    // Let the sockets fill for the rest of the interval: fewer wake-ups and fuller batches.
    double rest = pass_at + coalesce_ms - mono_ms();
    if (rest > 0.1) {
      long long ns = (long long)(rest * 1e6);
      struct timespec ts = {(time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL)};
      nanosleep(&ts, NULL);
    }
  }
  free(bufs);
  for (size_t i = 0; i < slots; i++) {
    int32_t* c = ctl + CTL_HEADER + i * CTL_STRIDE;
    if (c[C_KIND] != 0 && c[C_FD] >= 0) {
      close(c[C_FD]);
      c[C_FD] = -1;
    }
  }
  close(ep);
  return make_num(env, received);
}

static napi_value layout(napi_env env) {
  napi_value o;
  napi_create_object(env, &o);
  struct { const char* k; int v; } kv[] = {
      {"ctlHeader", CTL_HEADER}, {"ctlStride", CTL_STRIDE}, {"fHeader", F_HEADER}, {"fStride", F_STRIDE},
      {"maxSsrc", MAX_SSRC},     {"ssrc0", F_SSRC0},        {"ssrcSize", S_SIZE},   {"batch", BATCH},
  };
  for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) napi_set_named_property(env, o, kv[i].k, make_num(env, kv[i].v));
  return o;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"bindUdp", NULL, bind_udp, NULL, NULL, NULL, napi_default, NULL},
      {"closeFd", NULL, close_fd, NULL, NULL, NULL, napi_default, NULL},
      {"epollCreate", NULL, epoll_new, NULL, NULL, NULL, napi_default, NULL},
      {"epollAdd", NULL, epoll_add, NULL, NULL, NULL, napi_default, NULL},
      {"receiveLoop", NULL, receive_loop, NULL, NULL, NULL, napi_default, NULL},
      {"layout", NULL, NULL, NULL, NULL, layout(env), napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
