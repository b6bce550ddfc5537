/*
 * sender.c - the only process that can put a packet on the wire.
 *
 * OpenBSD-style privilege separation (DESIGN.md, Processes): the prober
 * opens a raw ICMP socket and forks this small sender, which keeps the
 * socket and CAP_NET_RAW and nothing else; the parent then drops every
 * capability and does all the rest (hitlist, beliefs, parsing replies,
 * the store).  They talk over a SOCK_SEQPACKET socketpair:
 *
 *   parent -> sender  'S' then n x (dst u32, 24-byte ICMP echo request)
 *   sender -> parent  'R' then n x (t_ns u64, len u16, datagram[len])
 *                     'T' then sent, refused, bad, errors, received (u64)
 *                         once, after the parent shut its side down
 *   (all big-endian; every message read through a bounds-checked cursor)
 *
 * The safety rules live here, at the send path, so that no bug or
 * compromise of the parent can break them: the sender refuses any
 * destination the blocklist (fixed at fork) blocks and any packet that is
 * not a 24-byte echo request, and paces sendto() with its own token bucket
 * at the configured rate.  It never parses what it receives: datagrams go
 * to the parent as bytes.  It dies with its parent (PR_SET_PDEATHSIG).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cursor.h"
#include "darkwatch/err.h"
#include "darkwatch/probe.h"
#include "probe/icmp.h"
#include "probe/privs.h"
#include "probe/tbucket.h"

#define REQ_MAX 128          /* probes per 'S' message */
#define REQ_LEN (4 + DW_PROBE_PKT_LEN)
#define QUEUE_LEN 1024       /* probes the sender holds */
#define RX_BATCH 64          /* datagrams per 'R' message */
#define RX_SNAP 256          /* bytes kept of each datagram */
#define MSG_MAX (1 + RX_BATCH * (10 + RX_SNAP))

struct dw_sender {
	int fd;
	pid_t pid;
	int got_stats;
	struct dw_sender_stats st;
	uint8_t buf[MSG_MAX];
};

/* ------------------------------------------------------- sender process */

struct child {
	int sp, raw;
	FILE *log;
	const struct dw_blocklist *bl;
	struct dw_tbucket tb;
	struct {
		uint32_t dst;
		uint8_t pkt[DW_PROBE_PKT_LEN];
	} q[QUEUE_LEN];
	size_t qh, qn;
	struct dw_sender_stats st;
	uint8_t msg[MSG_MAX];
};

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static int child_take(struct child *c, const uint8_t *m, size_t n)
{
	struct dw_cur cur = dw_cur_make(m, n);
	uint8_t type;
	if (dw_cur_u8(&cur, &type) < 0 || type != 'S')
		return -1;
	while (dw_cur_left(&cur)) {
		uint32_t dst;
		if (dw_cur_u32(&cur, &dst) < 0 || c->qn == QUEUE_LEN)
			return -1;
		size_t slot = (c->qh + c->qn) % QUEUE_LEN;
		if (dw_cur_copy(&cur, c->q[slot].pkt, DW_PROBE_PKT_LEN) < 0)
			return -1;
		c->q[slot].dst = dst;
		c->qn++;
	}
	return 0;
}

/* Send what the bucket allows; return ns to wait (0 if the queue is empty). */
static uint64_t child_send(struct child *c)
{
	while (c->qn) {
		uint32_t dst = c->q[c->qh].dst;
		const uint8_t *pkt = c->q[c->qh].pkt;
		if (dw_blocklist_blocked(c->bl, dst)) {
			c->st.refused++;
		} else if (!dw_icmp_is_request(pkt, DW_PROBE_PKT_LEN)) {
			c->st.bad_requests++;
		} else {
			uint64_t now = dw_probe_mono_ns();
			if (!dw_tbucket_take(&c->tb, now)) {
				/* wait for 1 ms of tokens, not for one: a
				 * wake-up per packet cost more than sending it
				 * (bench/README.md); the bucket still caps */
				uint64_t w = dw_tbucket_wait_ns(&c->tb, now);
				return w > 1000000 ? w : 1000000;
			}
			struct sockaddr_in sa = {.sin_family = AF_INET};
			sa.sin_addr.s_addr = htonl(dst);
			if (sendto(c->raw, pkt, DW_PROBE_PKT_LEN, 0,
				   (struct sockaddr *)&sa, sizeof(sa)) < 0) {
				c->st.send_errors++;
			} else {
				c->st.sent++;
				if (c->log) {
					struct timespec ts;
					clock_gettime(CLOCK_REALTIME, &ts);
					fprintf(c->log, "%lld.%09ld %u.%u.%u.%u\n",
						(long long)ts.tv_sec, ts.tv_nsec,
						dst >> 24, dst >> 16 & 255,
						dst >> 8 & 255, dst & 255);
				}
			}
		}
		c->qh = (c->qh + 1) % QUEUE_LEN;
		c->qn--;
	}
	return 0;
}

static int child_rx(struct child *c)
{
	size_t off = 1;
	int n = 0;
	c->msg[0] = 'R';
	while (n < RX_BATCH) {
		uint8_t d[65536];
		ssize_t r = recv(c->raw, d, sizeof(d), MSG_DONTWAIT);
		if (r < 0)
			break;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		size_t len = (size_t)r > RX_SNAP ? RX_SNAP : (size_t)r;
		put_u64(c->msg + off, (uint64_t)ts.tv_sec * 1000000000ull +
					      (uint64_t)ts.tv_nsec);
		c->msg[off + 8] = (uint8_t)(len >> 8);
		c->msg[off + 9] = (uint8_t)len;
		memcpy(c->msg + off + 10, d, len);
		off += 10 + len;
		n++;
		c->st.received++;
	}
	if (n && send(c->sp, c->msg, off, MSG_NOSIGNAL) < 0)
		return -1;
	return 0;
}

static void child_stats(struct child *c)
{
	uint8_t m[1 + 5 * 8];
	m[0] = 'T';
	put_u64(m + 1, c->st.sent);
	put_u64(m + 9, c->st.refused);
	put_u64(m + 17, c->st.bad_requests);
	put_u64(m + 25, c->st.send_errors);
	put_u64(m + 33, c->st.received);
	send(c->sp, m, sizeof(m), MSG_NOSIGNAL);
}

static void child_loop(struct child *c)
{
	for (;;) {
		uint64_t wait = child_send(c);
		struct pollfd pf[2] = {{c->raw, POLLIN, 0}, {c->sp, 0, 0}};
		if (c->qn + REQ_MAX <= QUEUE_LEN)
			pf[1].events = POLLIN;
		struct timespec ts = {(time_t)(wait / 1000000000ull),
				      (long)(wait % 1000000000ull)};
		if (ppoll(pf, 2, wait ? &ts : NULL, NULL) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if ((pf[0].revents & POLLIN) && child_rx(c) < 0)
			return;
		if (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = recv(c->sp, c->msg, sizeof(c->msg), 0);
			if (r <= 0) { /* the parent is done: drop the queue */
				child_stats(c);
				return;
			}
			if (child_take(c, c->msg, (size_t)r) < 0)
				c->st.bad_requests++;
		}
	}
}

/* Keep three descriptors as 3 (socketpair), 4 (raw), 5 (log), close all
 * else above 2. */
static int child_fds(int *sp, int *raw, int *log)
{
	int a = fcntl(*sp, F_DUPFD_CLOEXEC, 100);
	int b = fcntl(*raw, F_DUPFD_CLOEXEC, 100);
	int l = *log >= 0 ? fcntl(*log, F_DUPFD_CLOEXEC, 100) : -1;
	if (a < 0 || b < 0 || (*log >= 0 && l < 0))
		return -1;
	if (dup2(a, 3) < 0 || dup2(b, 4) < 0 || (l >= 0 && dup2(l, 5) < 0))
		return -1;
	*sp = 3;
	*raw = 4;
	*log = l >= 0 ? 5 : -1;
	close_range(l >= 0 ? 6 : 5, ~0u, 0);
	return 0;
}

static void child_main(const struct dw_sender_conf *conf, int sp, int raw,
		       pid_t parent)
{
	static struct child c; /* the queue is large: not on the stack */
	int log = conf->log_fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (child_fds(&sp, &raw, &log) < 0)
		_exit(1);
	if (dw_priv_bound_only(1ull << CAP_NET_RAW) < 0)
		_exit(1);
	if (getuid() == 0 && conf->drop_uid > 0) {
		/* keep CAP_NET_RAW across the uid change, then lose root */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
		    setgroups(0, NULL) < 0 ||
		    setresgid((gid_t)conf->drop_uid, (gid_t)conf->drop_uid,
			      (gid_t)conf->drop_uid) < 0 ||
		    setresuid((uid_t)conf->drop_uid, (uid_t)conf->drop_uid,
			      (uid_t)conf->drop_uid) < 0)
			_exit(1);
	}
	if (dw_priv_keep_only(1ull << CAP_NET_RAW) < 0)
		_exit(1);
	c.sp = sp;
	c.raw = raw;
	c.bl = conf->bl;
	if (log >= 0 && (c.log = fdopen(log, "w")))
		setvbuf(c.log, NULL, _IOFBF, 1 << 16);
	dw_tbucket_init(&c.tb, conf->rate, dw_probe_mono_ns());
	child_loop(&c);
	if (c.log)
		fclose(c.log);
	_exit(0);
}

/* ------------------------------------------------------- parent side */

int dw_sender_spawn(const struct dw_sender_conf *conf, struct dw_sender **out)
{
	struct dw_sender *s = NULL;
	int sv[2] = {-1, -1}, raw = -1, rc;
	pid_t parent = getpid(), pid;

	if (!conf->bl || conf->rate < 1)
		return DW_EINVAL;
	if ((raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP)) < 0) {
		rc = -errno;
		goto fail;
	}
	/* deliver echo replies only (the kernel drops every other type) */
	struct icmp_filter flt = {~(1u << ICMP_ECHOREPLY)};
	int rcvbuf = 4 << 20;
	if (setsockopt(raw, SOL_RAW, ICMP_FILTER, &flt, sizeof(flt)) < 0) {
		rc = -errno;
		goto fail;
	}
	setsockopt(raw, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		rc = -errno;
		goto fail;
	}
	if (!(s = calloc(1, sizeof(*s)))) {
		rc = DW_ENOMEM;
		goto fail;
	}
	if ((pid = fork()) < 0) {
		rc = -errno;
		goto fail;
	}
	if (pid == 0) {
		close(sv[0]);
		child_main(conf, sv[1], raw, parent);
	}
	close(sv[1]);
	close(raw);
	if (conf->log_fd >= 0)
		close(conf->log_fd);
	s->fd = sv[0];
	s->pid = pid;
	*out = s;
	return 0;
fail:
	free(s);
	if (raw >= 0)
		close(raw);
	if (sv[0] >= 0) {
		close(sv[0]);
		close(sv[1]);
	}
	return rc;
}

int dw_sender_fd(const struct dw_sender *s)
{
	return s->fd;
}

int dw_sender_pid(const struct dw_sender *s)
{
	return (int)s->pid;
}

int dw_sender_send(struct dw_sender *s, const uint32_t *dst,
		   const uint8_t (*pkt)[DW_PROBE_PKT_LEN], size_t n)
{
	uint8_t m[1 + REQ_MAX * REQ_LEN];
	size_t off = 1;
	if (n > REQ_MAX)
		return DW_EINVAL;
	if (n == 0)
		return 0;
	m[0] = 'S';
	for (size_t i = 0; i < n; i++) {
		m[off++] = (uint8_t)(dst[i] >> 24);
		m[off++] = (uint8_t)(dst[i] >> 16);
		m[off++] = (uint8_t)(dst[i] >> 8);
		m[off++] = (uint8_t)dst[i];
		memcpy(m + off, pkt[i], DW_PROBE_PKT_LEN);
		off += DW_PROBE_PKT_LEN;
	}
	for (;;) {
		if (send(s->fd, m, off, MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

static int parse_msg(struct dw_sender *s, const uint8_t *m, size_t n,
		     dw_sender_rx_fn fn, void *ctx)
{
	struct dw_cur c = dw_cur_make(m, n);
	uint8_t type;
	int count = 0;
	if (dw_cur_u8(&c, &type) < 0)
		return DW_EMALFORMED;
	if (type == 'T') {
		uint32_t v[10];
		for (int i = 0; i < 10; i++)
			if (dw_cur_u32(&c, &v[i]) < 0)
				return DW_EMALFORMED;
		s->st.sent = (uint64_t)v[0] << 32 | v[1];
		s->st.refused = (uint64_t)v[2] << 32 | v[3];
		s->st.bad_requests = (uint64_t)v[4] << 32 | v[5];
		s->st.send_errors = (uint64_t)v[6] << 32 | v[7];
		s->st.received = (uint64_t)v[8] << 32 | v[9];
		s->got_stats = 1;
		return 0;
	}
	if (type != 'R')
		return DW_EMALFORMED;
	while (dw_cur_left(&c)) {
		uint32_t hi, lo;
		uint16_t len;
		const uint8_t *d;
		if (dw_cur_u32(&c, &hi) < 0 || dw_cur_u32(&c, &lo) < 0 ||
		    dw_cur_u16(&c, &len) < 0 || len > RX_SNAP ||
		    dw_cur_bytes(&c, len, &d) < 0)
			return DW_EMALFORMED;
		if (fn)
			fn(ctx, d, len, (uint64_t)hi << 32 | lo);
		count++;
	}
	return count;
}

int dw_sender_recv(struct dw_sender *s, dw_sender_rx_fn fn, void *ctx)
{
	int total = 0;
	for (;;) {
		ssize_t r = recv(s->fd, s->buf, sizeof(s->buf), MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return total;
			return -errno;
		}
		if (r == 0)
			return total ? total : -EPIPE;
		int rc = parse_msg(s, s->buf, (size_t)r, fn, ctx);
		if (rc < 0)
			return rc;
		total += rc;
	}
}

void dw_sender_close(struct dw_sender *s, struct dw_sender_stats *st)
{
	if (!s)
		return;
	shutdown(s->fd, SHUT_WR);
	/* wait (at most ~0.5 s) for the counters, dropping late replies */
	for (int i = 0; i < 50 && !s->got_stats; i++) {
		struct pollfd pf = {s->fd, POLLIN, 0};
		if (poll(&pf, 1, 10) > 0 && dw_sender_recv(s, NULL, NULL) < 0)
			break;
	}
	close(s->fd);
	int status;
	for (int i = 0; i < 50; i++) {
		if (waitpid(s->pid, &status, WNOHANG) != 0)
			goto reaped;
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &status, 0);
reaped:
	if (st)
		*st = s->st;
	free(s);
}
