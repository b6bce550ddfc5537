/*
 * probe.h - the active-probing signal: Trinocular over raw ICMP, safely.
 *
 * Data flow (docs/PROBE.md): hitlist (per /24: ever-responsive addresses and
 * their historical response rate) -> prober engine (Bayesian belief per
 * block, adaptive probes per round, stateless reply validation) -> per-entity
 * tallies -> store (ping-slash24, ping-slash24-loss, ping-slash24-latency).
 * Packets leave only through the sender, a separate process that alone holds
 * the raw socket and CAP_NET_RAW, and that enforces the blocklist and the
 * global rate cap itself, right before sendto(), whatever the rest asks.
 *
 * Key decisions:
 *  - The engine does no I/O: it hands out probes (ICMP bytes and a
 *    destination) and takes replies (IPv4 datagrams) with the time, so the
 *    model and the scheduling are unit-tested without sockets.
 *  - Only IPv4: Trinocular's /24 blocks are an IPv4 notion.
 *  - Addresses are host-order uint32_t throughout this header.
 *
 * Errors: 0 / negative codes of darkwatch/err.h; -errno for system calls.
 */
#ifndef DARKWATCH_PROBE_H
#define DARKWATCH_PROBE_H

#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- model */

/* DOMAIN.md section 4 (Trinocular, SIGCOMM 2013). */
#define DW_BELIEF_PRIOR 0.99          /* B(up) of a block never probed */
#define DW_BELIEF_P_DOWN (0.99 / 256) /* P(reply | down): 1% loss constant */
#define DW_BELIEF_MIN 0.01            /* clamps */
#define DW_BELIEF_MAX 0.99
#define DW_BELIEF_UP 0.9              /* up if B > 0.9 */
#define DW_BELIEF_DOWN 0.1            /* down if B < 0.1 */
#define DW_BELIEF_A_MAX 0.99          /* P(reply | up) is A capped here, so
				       * one lost probe never proves a block
				       * down on its own */
#define DW_PROBE_MIN_ADDRS 15         /* probe a block only if |E(b)| >= 15 */
#define DW_PROBE_MIN_A 0.1            /* ... and A(E(b)) >= 0.1 */
#define DW_PROBE_MAX_PER_ROUND 15     /* adaptive probes per block per round */
#define DW_PROBE_CONFIRM_P 0.01       /* a new down is confirmed by silences
                                         until P(all lost | up) <= this */

enum dw_block_state { DW_BS_UNCERTAIN = 0, DW_BS_UP = 1, DW_BS_DOWN = 2 };

/*
 * One Bayes step: the belief b = B(up) after a probe of a block with
 * response rate a that got a reply (reply = 1) or none (0):
 *   B' = B P(r|up) / (B P(r|up) + (1 - B) P(r|down)),
 *   P(reply|up) = min(a, DW_BELIEF_A_MAX), P(reply|down) = DW_BELIEF_P_DOWN,
 * clamped to [DW_BELIEF_MIN, DW_BELIEF_MAX].
 */
double dw_belief_update(double b, double a, int reply);

/* up (b > 0.9), down (b < 0.1) or uncertain. */
enum dw_block_state dw_belief_state(double b);

/* "up", "down", "uncertain". */
const char *dw_block_state_name(enum dw_block_state s);

/* -------------------------------------------------------------- hitlist */

struct dw_hitlist;

enum dw_hitlist_layout {
	DW_HL_CSV = 1, /* address,rate[,asn] (docs/PROBE.md) */
	DW_HL_ISI = 2, /* ISI IPv4 response history: hex_ip history score */
};

struct dw_hitlist_block {
	uint32_t base;         /* the /24, host order, low byte 0 */
	uint32_t asn;          /* 0 when the hitlist gives none */
	double a;              /* A(E(b)): mean response rate of E(b) */
	uint16_t naddr;        /* |E(b)| (<= 256) */
	const uint8_t *octets; /* last octets of E(b), ascending */
};

struct dw_hitlist_info {
	enum dw_hitlist_layout layout;
	uint64_t lines, rows, bad_rows, dup_rows;
	uint64_t first_bad_line;      /* 0 if none */
	const char *first_bad_reason; /* static text; NULL if none */
	size_t blocks;                /* distinct /24s with an address */
	size_t eligible;              /* |E| >= 15 and A >= 0.1 */
};

/*
 * Read a hitlist file (layout told from the content: a "#fsdb" header naming
 * hex_ip and history means ISI, anything else the CSV layout).  Malformed
 * rows are skipped and counted.  On success *out is owned (dw_hitlist_free)
 * and *info filled (info may be NULL).  Returns 0, -errno, DW_EFORMAT (no
 * valid row), DW_ETOOBIG (over 2^28 rows), DW_ENOMEM.
 */
int dw_hitlist_load(const char *path, struct dw_hitlist **out,
		    struct dw_hitlist_info *info);

/* One ever-responsive address, for hitlists built in memory. */
struct dw_hitlist_row {
	uint32_t addr; /* host order */
	float rate;    /* historical response rate, [0, 1] */
	uint32_t asn;  /* origin AS of its block, 0 if unknown */
};

/*
 * The same hitlist as dw_hitlist_load would make of these rows in this
 * order (any order; the first of duplicate addresses wins; a rate outside
 * [0, 1] is skipped and counted).  Used by the simulator's responder model
 * (src/sim/probing.c).  Owned: dw_hitlist_free.  Returns 0, DW_EFORMAT (no
 * valid row), DW_ETOOBIG, DW_ENOMEM.
 */
int dw_hitlist_from_rows(const struct dw_hitlist_row *rows, size_t n,
			 struct dw_hitlist **out, struct dw_hitlist_info *info);

size_t dw_hitlist_count(const struct dw_hitlist *h);
/* Block i (< count) in address order.  Borrowed: valid until _free. */
const struct dw_hitlist_block *dw_hitlist_block(const struct dw_hitlist *h,
						size_t i);
/* 1 if the block meets Trinocular's probing conditions. */
int dw_hitlist_eligible(const struct dw_hitlist_block *b);
void dw_hitlist_free(struct dw_hitlist *h);

/* ------------------------------------------------------------ blocklist */

struct dw_blocklist;

/*
 * A blocklist holding the reserved and special-purpose IPv4 ranges (IANA
 * registry, RFC 6890 and successors: 0/8, 10/8, 100.64/10, 127/8,
 * 169.254/16, 172.16/12, 192.0.0/24, 192.0.2/24, 192.31.196/24, 192.52.193/24,
 * 192.88.99/24, 192.168/16, 192.175.48/24, 198.18/15, 198.51.100/24,
 * 203.0.113/24, 224/4, 240/4, 255.255.255.255).  Owned: dw_blocklist_free.
 */
int dw_blocklist_new(struct dw_blocklist **out);

/* Block addr/len (host order, len 0..32).  DW_EINVAL, DW_ENOMEM. */
int dw_blocklist_add(struct dw_blocklist *bl, uint32_t addr, int len);

/*
 * Add every prefix of a file: one IPv4 prefix or address per line, '#'
 * comments, blank lines.  A bad line fails the whole load (DW_EMALFORMED,
 * *bad_line set) - a blocklist is not a place to guess.  -errno on I/O.
 */
int dw_blocklist_load(struct dw_blocklist *bl, const char *path,
		      uint64_t *bad_line);

/*
 * Test-only loopback mode: from now on every address outside 127.0.0.0/8 is
 * blocked, and inside it only the ranges added by the user are.  It can only
 * narrow what may be probed: the whole of 127/8 never leaves the host.
 */
void dw_blocklist_loopback_only(struct dw_blocklist *bl);
int dw_blocklist_is_loopback_only(const struct dw_blocklist *bl);

/* 1 if no probe may go to addr (host order), else 0. */
int dw_blocklist_blocked(const struct dw_blocklist *bl, uint32_t addr);

void dw_blocklist_free(struct dw_blocklist *bl);

/* --------------------------------------------------------------- engine */

#define DW_PROBE_PKT_LEN 24 /* ICMP echo request: 8 header + 16 payload */

struct dw_prober_conf {
	uint64_t timeout_ns; /* a probe unanswered this long counts as lost */
	int max_probes;      /* per block and round, 1..DW_PROBE_MAX_PER_ROUND */
	uint64_t key[2];     /* SipHash key of the stateless validation */
	uint64_t seed;       /* address order and block order */
};
#define DW_PROBER_CONF_DEFAULT {3000000000ull, DW_PROBE_MAX_PER_ROUND, {0, 0}, 1}

/* How a received datagram was classified (and counted). */
enum dw_reply_kind {
	DW_RK_OK = 0,      /* a valid reply to the probe a block awaits */
	DW_RK_LATE,        /* valid, but older than the timeout */
	DW_RK_DUP,         /* valid, but its probe was already answered */
	DW_RK_INVALID,     /* an echo reply whose keyed value does not match:
			    * spoofed, or another program's */
	DW_RK_OTHER,       /* not an echo reply (ignored) */
	DW_RK_MALFORMED,   /* truncated or inconsistent IPv4/ICMP */
	DW_RK__COUNT
};
const char *dw_reply_kind_name(enum dw_reply_kind k);

struct dw_prober_stats {
	uint64_t sent, timeouts, rounds;
	uint64_t replies[DW_RK__COUNT];
};

struct dw_prober_block_info {
	uint32_t base;
	int eligible;
	double belief;
	enum dw_block_state state;    /* last definite state (up at start) */
	enum dw_block_state instant;  /* dw_belief_state(belief) */
	unsigned probes, replies;     /* this round */
};

struct dw_prober;

/*
 * An engine over the eligible blocks of h (h must outlive it).  Beliefs
 * start at DW_BELIEF_PRIOR.  Owned: dw_prober_free.  DW_EINVAL, DW_ENOMEM.
 */
int dw_prober_new(const struct dw_prober_conf *conf,
		  const struct dw_hitlist *h, struct dw_prober **out);
void dw_prober_free(struct dw_prober *p);

/* Start a round at now_ns: every eligible block gets one probe queued (in a
 * shuffled order); the previous round's probes in flight are forgotten. */
void dw_prober_round_start(struct dw_prober *p, uint64_t now_ns);

/*
 * The next probe to send now, if any: 1 with *dst and pkt (an ICMP echo
 * request, checksum included) filled and the probe counted as sent at
 * now_ns; 0 when nothing is queued.
 */
int dw_prober_next(struct dw_prober *p, uint64_t now_ns, uint32_t *dst,
		   uint8_t pkt[DW_PROBE_PKT_LEN]);

/*
 * A datagram from the raw socket (IPv4 header and ICMP), received at
 * now_ns.  Updates the belief of the block whose probe it answers.
 * Returns its classification (also counted in the stats).
 */
enum dw_reply_kind dw_prober_reply(struct dw_prober *p, const uint8_t *ip,
				   size_t len, uint64_t now_ns);

/* Count probes older than the timeout as lost (updating beliefs, queueing
 * follow-up probes).  Call often; cheap when nothing expired. */
void dw_prober_tick(struct dw_prober *p, uint64_t now_ns);

/* Nanoseconds until the next timeout (UINT64_MAX if none in flight). */
uint64_t dw_prober_next_timeout(const struct dw_prober *p, uint64_t now_ns);

/* 1 while probes are queued or in flight this round. */
int dw_prober_busy(const struct dw_prober *p);

/* End the round: probes still in flight are dropped without an update
 * (an interrupted round keeps what it learnt). */
void dw_prober_round_end(struct dw_prober *p);

size_t dw_prober_count(const struct dw_prober *p); /* = hitlist blocks */
/* Never probe block i again (e.g. an address of it is blocklisted). */
void dw_prober_exclude(struct dw_prober *p, size_t i);
void dw_prober_block(const struct dw_prober *p, size_t i,
		     struct dw_prober_block_info *out);
/* Round-trip times (microseconds) of the accepted replies of block i in
 * the round last ended (call between dw_prober_round_end and the next
 * round_start), ascending; returns how many were written. */
size_t dw_prober_rtts(const struct dw_prober *p, size_t i,
		      uint32_t rtt_us[DW_PROBE_MAX_PER_ROUND]);
void dw_prober_stats(const struct dw_prober *p, struct dw_prober_stats *st);

/* --------------------------------------------------------------- sender */

struct dw_sender;

struct dw_sender_conf {
	uint64_t rate;                 /* probes per second (global cap) */
	const struct dw_blocklist *bl; /* copied into the sender at spawn */
	int log_fd;                    /* >= 0: one line per packet sent,
					* "sec.nsec a.b.c.d" (an audit trail
					* of the rate cap); closed here */
	int drop_uid;                  /* uid for the sender when run as
					* root (-1: keep) */
};

struct dw_sender_stats {
	uint64_t sent, refused, bad_requests, send_errors, received;
};

/*
 * Open the raw ICMP socket (needs CAP_NET_RAW) and fork the sender, which
 * keeps only CAP_NET_RAW (and nothing in its bounding set), sets
 * no_new_privs, dies with its parent, and serves requests over a
 * socketpair: it sends only 24-byte ICMP echo requests, only to addresses
 * the blocklist allows, only as fast as its own token bucket allows, and
 * forwards every ICMP datagram it receives.  The caller should then call
 * dw_priv_drop_all().  Returns 0, -EPERM (no CAP_NET_RAW), -errno.
 * Owned: dw_sender_close.
 */
int dw_sender_spawn(const struct dw_sender_conf *conf, struct dw_sender **out);

/* The socketpair end (poll it for POLLIN to learn replies arrived). */
int dw_sender_fd(const struct dw_sender *s);
/* The sender's process id. */
int dw_sender_pid(const struct dw_sender *s);

/* Queue up to 128 probes (dst host order, pkt as from dw_prober_next) in
 * one message.  Blocks while the sender's queue is full.  0 or -errno. */
int dw_sender_send(struct dw_sender *s, const uint32_t *dst,
		   const uint8_t (*pkt)[DW_PROBE_PKT_LEN], size_t n);

typedef void (*dw_sender_rx_fn)(void *ctx, const uint8_t *ip, size_t len,
				uint64_t t_ns);
/* Read what the sender forwarded, without blocking: fn per datagram (its
 * bytes borrowed during the call).  Returns datagrams passed, 0 if nothing
 * was waiting, -EPIPE if the sender is gone, DW_EMALFORMED. */
int dw_sender_recv(struct dw_sender *s, dw_sender_rx_fn fn, void *ctx);

/* Stop the sender (it finishes its queue), collect its counters, reap it.
 * NULL is fine; st may be NULL. */
void dw_sender_close(struct dw_sender *s, struct dw_sender_stats *st);

/* Drop every capability of this process for good (effective, permitted,
 * inheritable, ambient, bounding set) and set no_new_privs.  0 or -errno. */
int dw_priv_drop_all(void);

/* CLOCK_REALTIME in nanoseconds. */
uint64_t dw_probe_now_ns(void);

#endif
