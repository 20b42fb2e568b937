// sendmmsg(2) for the UDP fan-out: many (packet, destination) pairs leave in one system call.
// Node's dgram sends one datagram per call and resolves the address on every call; a live packet
// to 500 readers is 500 of those. Here JS hands over one turn's worth of sends at once, on the
// fd of the dgram socket that owns the server's RTP port, so packets still come from that port.
#define _GNU_SOURCE
#include <node_api.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <stdint.h>
#include <stdlib.h>
#include <poll.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>

// Every destination is one fixed-size slot of a JS buffer: a struct sockaddr_in or sockaddr_in6
// (zero-padded), so JS moves readers in and out with a plain copy and never parses addresses.
#define SLOT 28
// The kernel takes at most UIO_MAXIOV (1024) messages per sendmmsg call.
#define CHUNK 1024

#define CHECK(call)                                                                  \
  do {                                                                               \
    if ((call) != napi_ok) {                                                         \
      napi_throw_error(env, NULL, "udp_batch: bad arguments");                      \
      return NULL;                                                                   \
    }                                                                                \
  } while (0)

static napi_value make_int(napi_env env, int64_t v) {
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}

static int get_bytes(napi_env env, napi_value v, void** data, size_t* len) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, len, data, &ab, &off) != napi_ok) return 0;
  return type == napi_uint8_array;
}

// packAddress(ip: string, port: number) -> Uint8Array(SLOT), or undefined when ip is not an IP literal.
static napi_value pack_address(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char ip[64];
  size_t iplen;
  int32_t port;
  CHECK(napi_get_value_string_utf8(env, argv[0], ip, sizeof ip, &iplen));
  CHECK(napi_get_value_int32(env, argv[1], &port));
  uint8_t slot[SLOT];
  memset(slot, 0, sizeof slot);
  struct sockaddr_in* a4 = (struct sockaddr_in*)slot;
  struct sockaddr_in6* a6 = (struct sockaddr_in6*)slot;
  if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
  } else if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
  } else {
    napi_value undef;
    napi_get_undefined(env, &undef);
    return undef;
  }
  napi_value ab, out;
  void* data;
  CHECK(napi_create_arraybuffer(env, SLOT, &data, &ab));
  memcpy(data, slot, SLOT);
  CHECK(napi_create_typedarray(env, napi_uint8_array, SLOT, ab, 0, &out));
  return out;
}

// Sends msgs[0..n) in order. A destination the kernel refuses is skipped (it would stop the
// whole call); a full socket buffer (EAGAIN) stops here, and the caller keeps the rest for later,
// as libuv does for dgram. Returns how many messages were dealt with (sent or skipped).
static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t send_all(int fd, struct mmsghdr* msgs, size_t n, int wait_ms, int64_t* sent, int64_t* skipped, int* last_errno, int* blocked) {
  size_t i = 0;
  // wait_ms > 0 only off the main thread (the fan-out worker): there a full buffer is waited out.
  int64_t deadline = wait_ms > 0 ? now_ms() + wait_ms : 0;
  while (i < n) {
    size_t want = n - i > CHUNK ? CHUNK : n - i;
    int r = sendmmsg(fd, msgs + i, (unsigned)want, 0);
    if (r > 0) {
      i += (size_t)r;
      *sent += r;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    *last_errno = r < 0 ? errno : 0;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      int64_t left = deadline - now_ms();
      if (left > 0) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        poll(&p, 1, (int)left);
        continue;
      }
      *blocked = 1;
      return i;
    }
    // This one destination failed (unreachable, not permitted, bad family, qdisc full): skip it only.
    *skipped += 1;
    i += 1;
  }
  return i;
}

// sendRuns(fd, packets: Uint8Array[], counts: number[], dests: Uint8Array, waitMs?, firstSlot?) -> [done, sent, skipped, errno, blocked]
// Run k sends packets[k] to the next counts[k] slots of dests, in order: one turn's fan-out,
// every packet still serialized once (the iovecs point at the same bytes for every reader).
// With firstSlot (>= 0), dests is a ring of dests.length / SLOT slots and the sends start at that
// slot, wrapping at its end: a fan-out worker reads the slots from shared memory the main thread
// reuses, so no buffer is allocated per turn.
static napi_value send_runs(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) {
    napi_throw_type_error(env, NULL, "udp_batch: sendRuns(fd, packets, counts, dests[, waitMs[, firstSlot]])");
    return NULL;
  }
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  int32_t wait_ms = 0;
  if (argc > 4) CHECK(napi_get_value_int32(env, argv[4], &wait_ms));
  int32_t first_slot = -1;
  if (argc > 5) CHECK(napi_get_value_int32(env, argv[5], &first_slot));
  uint32_t runs;
  CHECK(napi_get_array_length(env, argv[1], &runs));
  void* dests;
  size_t dests_len;
  if (!get_bytes(env, argv[3], &dests, &dests_len)) {
    napi_throw_type_error(env, NULL, "udp_batch: dests must be a Uint8Array");
    return NULL;
  }
  size_t total = 0;
  int32_t* counts = malloc(sizeof(int32_t) * (runs ? runs : 1));
  struct iovec* iov = malloc(sizeof(struct iovec) * (runs ? runs : 1));
  if (!counts || !iov) {
    free(counts);
    free(iov);
    napi_throw_error(env, NULL, "udp_batch: out of memory");
    return NULL;
  }
  for (uint32_t k = 0; k < runs; k++) {
    napi_value pv, cv;
    void* data;
    size_t len;
    if (napi_get_element(env, argv[1], k, &pv) != napi_ok || !get_bytes(env, pv, &data, &len) ||
        napi_get_element(env, argv[2], k, &cv) != napi_ok || napi_get_value_int32(env, cv, &counts[k]) != napi_ok ||
        counts[k] < 0) {
      free(counts);
      free(iov);
      napi_throw_type_error(env, NULL, "udp_batch: packets must be Uint8Arrays with a count each");
      return NULL;
    }
    iov[k].iov_base = data;
    iov[k].iov_len = len;
    total += (size_t)counts[k];
  }
  size_t ring = dests_len / SLOT;
  if (first_slot >= 0 && (size_t)first_slot >= ring) {
    free(counts);
    free(iov);
    napi_throw_range_error(env, NULL, "udp_batch: firstSlot is past the end of the ring");
    return NULL;
  }
  if (total * SLOT > dests_len) {
    free(counts);
    free(iov);
    napi_throw_range_error(env, NULL, "udp_batch: more sends than destination slots");
    return NULL;
  }
  // Messages are built a sendmmsg call's worth (CHUNK) at a time, so a turn of 60 000 sends needs
  // 64 KB of headers, not 4 MB: a fan-out worker's heap stays small whatever the reader count.
  size_t room = total < CHUNK ? (total ? total : 1) : CHUNK;
  struct mmsghdr* msgs = calloc(room, sizeof(struct mmsghdr));
  if (!msgs) {
    free(counts);
    free(iov);
    napi_throw_error(env, NULL, "udp_batch: out of memory");
    return NULL;
  }
  int64_t sent = 0, skipped = 0;
  int last_errno = 0, blocked = 0;
  size_t done = 0, m = 0;
  uint32_t k = 0;
  int32_t j = 0;
  while (m < total && !blocked) {
    size_t n = 0;
    for (; k < runs && n < room; k++, j = 0) {
      for (; j < counts[k] && n < room; j++, m++, n++) {
        size_t at = first_slot >= 0 ? ((size_t)first_slot + m) % ring : m;
        uint8_t* slot = (uint8_t*)dests + at * SLOT;
        sa_family_t fam = ((struct sockaddr*)slot)->sa_family;
        memset(&msgs[n], 0, sizeof msgs[n]);
        msgs[n].msg_hdr.msg_name = slot;
        msgs[n].msg_hdr.msg_namelen = fam == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
        msgs[n].msg_hdr.msg_iov = &iov[k];
        msgs[n].msg_hdr.msg_iovlen = 1;
      }
      if (j < counts[k]) break;  // the chunk is full in the middle of this run
    }
    size_t d = send_all(fd, msgs, n, wait_ms, &sent, &skipped, &last_errno, &blocked);
    done += d;
    if (d < n) break;
  }
  free(msgs);
  free(counts);
  free(iov);
  napi_value out;
  CHECK(napi_create_array_with_length(env, 5, &out));
  napi_set_element(env, out, 0, make_int(env, (int64_t)done));
  napi_set_element(env, out, 1, make_int(env, sent));
  napi_set_element(env, out, 2, make_int(env, skipped));
  napi_set_element(env, out, 3, make_int(env, last_errno));
  napi_set_element(env, out, 4, make_int(env, blocked));
  return out;
}

// dupFd(fd) -> a second descriptor of the same socket (same port), close-on-exec, for a worker
// that must keep sending safely even if the main thread closes its dgram socket meanwhile.
static napi_value dup_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  return make_int(env, fcntl(fd, F_DUPFD_CLOEXEC, 3));
}

// closeFd(fd): closes a descriptor made by dupFd.
static napi_value close_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  return make_int(env, close(fd));
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "packAddress", NAPI_AUTO_LENGTH, pack_address, NULL, &fn);
  napi_set_named_property(env, exports, "packAddress", fn);
  napi_create_function(env, "sendRuns", NAPI_AUTO_LENGTH, send_runs, NULL, &fn);
  napi_set_named_property(env, exports, "sendRuns", fn);
  napi_create_function(env, "dupFd", NAPI_AUTO_LENGTH, dup_fd, NULL, &fn);
  napi_set_named_property(env, exports, "dupFd", fn);
  napi_create_function(env, "closeFd", NAPI_AUTO_LENGTH, close_fd, NULL, &fn);
  napi_set_named_property(env, exports, "closeFd", fn);
  napi_value slot;
  napi_create_int32(env, SLOT, &slot);
  napi_set_named_property(env, exports, "slotSize", slot);
  return exports;
}
