/*
 * telescope.h - the telescope signal: unique source IPv4 addresses of
 * unsolicited traffic per entity and time bin, from darknet packets.
 *
 * Stage "signal" of the data flow (DOMAIN.md §1, docs/TELESCOPE.md): packets
 * (pcap/pcapng files, gzip too, or a live interface; src/telescope/input.c)
 * -> packet decoder (pkt.c: link layer, IPv4, TCP/UDP/ICMP headers, every
 * length through the bounded cursor) -> noise filters (filter.c, corsaro3's
 * list) -> per-bin exact set of sources (count.c: one 8 KiB bitmap per /16
 * seen in the bin, made resident on demand, so memory is bounded by 512 MiB
 * whatever the traffic and is ~8 KiB per active /16 in practice) -> at each
 * bin's end every source is attributed once to its country, region (geo.h),
 * origin AS (a prefix-to-AS table, pfx2as.c) and geoasn, and one point per
 * entity is emitted.
 *
 * Key decisions:
 *  - Exact counts, no sketch: a darknet sees at most millions of sources a
 *    minute, which the bitmaps hold in a few MiB.
 *  - Filters run in a fixed order and a packet is counted against the first
 *    that matches (docs/TELESCOPE.md has the order), so the per-filter
 *    counts add up to the packets removed.
 *  - Every entity seen once gets a point (0 included) in every later bin in
 *    which the telescope received any packet: a network going dark must
 *    read 0, not "no data".  Bins with no packet at all (capture down) get
 *    no point.
 *  - Packets are assumed in time order; one stamped before the open bin is
 *    counted as `late` and dropped (bins already emitted never change).
 */
#ifndef DARKWATCH_TELESCOPE_H
#define DARKWATCH_TELESCOPE_H

#include <stddef.h>
#include <stdint.h>

struct dw_geo;

/* ---- the packet decoder (src/telescope/pkt.c) ---------------------- */

/* Link types we decode (values are libpcap's DLT_* numbers). */
enum {
	DW_TEL_DLT_NULL = 0,      /* BSD loopback: 4-byte host-order family */
	DW_TEL_DLT_EN10MB = 1,    /* Ethernet, 802.1Q / QinQ tags */
	DW_TEL_DLT_RAW = 12,      /* raw IP (Linux DLT_RAW) */
	DW_TEL_DLT_RAW14 = 14,    /* raw IP (BSD DLT_RAW) */
	DW_TEL_LINKTYPE_RAW = 101, /* raw IP (file link type) */
	DW_TEL_DLT_SLL = 113,     /* Linux cooked v1 */
	DW_TEL_DLT_IPV4 = 228,    /* raw IPv4 */
	DW_TEL_DLT_SLL2 = 276,    /* Linux cooked v2 */
};

/* Why a packet was not decoded.  Stable tokens: dw_tel_bad_name(). */
enum dw_tel_bad {
	DW_TEL_OK = 0,
	DW_TEL_NOT_IPV4,      /* another network protocol (IPv6, ARP): skipped */
	DW_TEL_BAD_LINKTYPE,  /* a link type we do not decode */
	DW_TEL_LINK_TRUNC,    /* link header cut short */
	DW_TEL_IP_TRUNC,      /* fewer than 20 bytes of IPv4 header */
	DW_TEL_IP_VERSION,    /* ethertype says IPv4, version field does not */
	DW_TEL_BAD_IHL,       /* IHL < 5, or options beyond the capture */
	DW_TEL_BAD_TOTLEN,    /* total length < header, or beyond the wire */
	DW_TEL_L4_TRUNC,      /* TCP/UDP/ICMP header beyond the capture */
	DW_TEL_BAD_TCPOFF,    /* TCP data offset < 5 or beyond the packet */
	DW_TEL_BAD__COUNT
};

/* A decoded IPv4 packet.  payload is a view into the packet (borrowed). */
struct dw_tel_pkt {
	uint32_t src, dst;  /* host byte order */
	uint16_t ip_len, ip_id, frag_off; /* frag_off in 8-byte units */
	uint8_t proto, ttl, mf, has_l4;   /* has_l4: ports/type below valid */
	uint16_t sport, dport;            /* TCP/UDP */
	uint8_t tcp_flags, icmp_type, icmp_code;
	uint32_t tcp_seq;
	const uint8_t *payload; /* L4 payload within the capture and ip_len */
	size_t payload_len;
};

/*
 * Decode one captured frame.  caplen bytes at data were captured of a
 * wirelen-byte frame.  Returns DW_TEL_OK with *out filled, or the reason
 * the packet was skipped.  Never reads outside [data, data + caplen).
 */
enum dw_tel_bad dw_tel_pkt_decode(int linktype, const uint8_t *data,
				  size_t caplen, size_t wirelen,
				  struct dw_tel_pkt *out);

/* "ip-truncated", ... ; never NULL. */
const char *dw_tel_bad_name(enum dw_tel_bad b);

/* ---- the noise filters (src/telescope/filter.c) -------------------- */

/* In evaluation order.  docs/TELESCOPE.md documents each. */
enum dw_tel_filter {
	DW_TF_SPECIAL_SRC = 0, /* RFC 6890 special-purpose source */
	DW_TF_SAME_SRC_DST,    /* source == destination */
	DW_TF_LAST_OCTET,      /* source ends in .0 or .255 */
	DW_TF_TTL200,          /* TTL >= 200 */
	DW_TF_FRAGMENT,        /* MF set or offset != 0 */
	DW_TF_ABNORMAL_PROTO,  /* not ICMP, TCP, UDP, IPv6-in-IPv4, GRE, ESP */
	DW_TF_PORT0,           /* TCP/UDP source or destination port 0 */
	DW_TF_TCP_FLAGS,       /* erratic TCP flags (none, SYN+FIN, ...) */
	DW_TF_BACKSCATTER,     /* replies: SYN-ACK, RST, ICMP errors/replies */
	DW_TF_DNS_RESP,        /* non-standard DNS responses */
	DW_TF_BITTORRENT,      /* BitTorrent handshakes, DHT, uTP */
	DW_TF_SCANNER,         /* ZMap / masscan fingerprints */
	DW_TF_UNROUTED,        /* source in no prefix of the pfx2as table
				  (per source, at bin end; needs one) */
	DW_TF__COUNT
};

#define DW_TF_ALL ((1u << DW_TF__COUNT) - 1)

/* "special-src", ... ; never NULL. */
const char *dw_tel_filter_name(enum dw_tel_filter f);
/* One line saying what the filter removes; never NULL. */
const char *dw_tel_filter_text(enum dw_tel_filter f);
/* The filter called name, or -1. */
int dw_tel_filter_find(const char *name);

/*
 * The first filter of `enabled` (a mask of 1u << DW_TF_*) that removes p,
 * or -1 when p passes.  DW_TF_UNROUTED is never returned here.
 */
int dw_tel_filter_match(const struct dw_tel_pkt *p, uint32_t enabled);

/* ---- prefix-to-AS table (src/telescope/pfx2as.c) -------------------- */

struct dw_pfx2as;

/* What loading found. */
struct dw_pfx2as_info {
	uint64_t lines, prefixes, bad_lines, skipped_v6, multi_origin;
};

/*
 * Load a pyasn-format table (`prefix<TAB>asn` per line, as written by
 * `darkwatch mrt pfx2as`; gzip/bzip2/xz or plain; ';' and '#' comments).
 * IPv6 lines are skipped; lines whose origin is not one ASN (AS sets
 * "a_b", "{a,b}") count as multi_origin and map to no AS.  *out owned
 * (dw_pfx2as_free).  Returns 0, -errno, DW_EFORMAT (no valid line),
 * DW_ECOMPRESS, DW_ENOMEM.
 */
int dw_pfx2as_load(const char *path, struct dw_pfx2as **out,
		   struct dw_pfx2as_info *info);

/*
 * Origin AS of the most specific prefix containing addr (host order):
 * 1 and *asn set, 0 when no prefix covers it (or its origin is ambiguous:
 * then *asn is 0 and 1 is returned only if covered).
 */
int dw_pfx2as_lookup(const struct dw_pfx2as *p, uint32_t addr, uint32_t *asn);
void dw_pfx2as_free(struct dw_pfx2as *p);

/* ---- the counter (src/telescope/count.c) ---------------------------- */

enum dw_tel_etype {
	DW_TE_COUNTRY = 0,
	DW_TE_REGION,
	DW_TE_ASN,
	DW_TE_GEOASN,
	DW_TE__COUNT
};

struct dw_tel_conf {
	uint32_t bin;     /* seconds (> 0, divides 86400 is advised) */
	uint32_t filters; /* enabled filters, 1u << DW_TF_* */
};
#define DW_TEL_CONF_DEFAULT {60, DW_TF_ALL}

/* One value of one entity in one bin (strings borrowed for the call). */
struct dw_tel_point {
	int64_t t; /* bin start, a multiple of conf.bin */
	enum dw_tel_etype etype;
	const char *code; /* "IR", "IR-Tehran", "12880", "12880-IR" */
	const char *name; /* region name, or NULL */
	uint32_t asn;     /* asn and geoasn */
	uint64_t value;   /* unique sources */
};

/*
 * Called for every entity at the end of each bin, then once with
 * p->code == NULL (end of bin: p->t and p->value = sources in the bin).
 * Return 0 to go on, <0 to stop (the error is returned by the call that
 * closed the bin).
 */
typedef int (*dw_tel_emit_fn)(void *ctx, const struct dw_tel_point *p);

struct dw_tel_stats {
	uint64_t packets;  /* frames given to dw_tel_packet */
	uint64_t ipv4;     /* decoded IPv4 packets */
	uint64_t bad[DW_TEL_BAD__COUNT]; /* skipped, by reason */
	uint64_t filtered[DW_TF__COUNT]; /* removed, by first filter;
					   unrouted counts sources */
	uint64_t late;     /* stamped before the open bin: dropped */
	uint64_t counted;  /* packets that reached the source sets */
	uint64_t bins;     /* bins emitted */
	uint64_t sources;  /* unique sources summed over bins */
	uint64_t unlocated; /* sources with no country (per bin) */
	uint64_t entities; /* distinct entities seen */
	uint64_t peak_blocks; /* most /16 bitmaps in use at once */
};

struct dw_tel;

/*
 * A counter.  geo and p2a are borrowed (may be NULL: then no geographic
 * or no AS entities) and must outlive it.  Returns 0, DW_EINVAL (bin 0),
 * DW_ENOMEM; *out owned (dw_tel_free).
 */
int dw_tel_new(const struct dw_tel_conf *conf, const struct dw_geo *geo,
	       const struct dw_pfx2as *p2a, dw_tel_emit_fn emit, void *ctx,
	       struct dw_tel **out);

/*
 * One captured frame at time ts (seconds).  Closes (emits) every bin that
 * ends at or before ts first.  Returns 0, or the emit callback's error,
 * or DW_ENOMEM.  Malformed and filtered packets are counted, not errors.
 */
int dw_tel_packet(struct dw_tel *t, int linktype, int64_t ts,
		  const uint8_t *data, size_t caplen, size_t wirelen);

/* Emit the open bin (if it saw any packet).  0 or the callback's error. */
int dw_tel_flush(struct dw_tel *t);

void dw_tel_stats(const struct dw_tel *t, struct dw_tel_stats *out);
void dw_tel_free(struct dw_tel *t);

/* ---- packet sources (src/telescope/input.c, libpcap) ---------------- */

struct dw_tel_input;

/* A captured frame; data borrowed until the next dw_tel_input_next. */
struct dw_tel_frame {
	int64_t ts;
	const uint8_t *data;
	size_t caplen, wirelen;
};

/*
 * Open a pcap or pcapng file, plain or compressed (gzip, bzip2, xz: the
 * project's stream, fed to libpcap through a FILE cookie).  "-" is standard
 * input.  Returns 0, -errno, DW_EFORMAT (not a capture: msg says why).
 */
int dw_tel_input_file(const char *path, struct dw_tel_input **out, char *msg,
		      size_t msglen);

/*
 * Capture live on interface ifname (promiscuous, snaplen 256).  Returns 0
 * or DW_EIO with libpcap's reason in msg.
 */
int dw_tel_input_live(const char *ifname, struct dw_tel_input **out,
		      char *msg, size_t msglen);

/* The link type (DLT_*). */
int dw_tel_input_linktype(const struct dw_tel_input *in);

/*
 * Next frame: 1 (*f filled), 0 end of file (or, live, no packet within
 * 200 ms: call again), <0 DW_EIO / DW_ETRUNC (file cut mid-record; msg
 * of dw_tel_input_error says more).
 */
int dw_tel_input_next(struct dw_tel_input *in, struct dw_tel_frame *f);

/*
 * SHA-256 (hex) of a plain pcap file computed while it was read (mapped
 * files only), after dw_tel_input_next returned 0 or <0: the whole file is
 * hashed, trailing bytes too.  Returns 0, DW_EUNSUPP (libpcap path: pcapng,
 * compressed, stdin, live; hash the file yourself), DW_EINVAL (not at the
 * end yet), DW_EIO.  Call once.
 */
int dw_tel_input_sha256(struct dw_tel_input *in, char hex[65]);

/* The last error text (borrowed); "" if none. */
const char *dw_tel_input_error(const struct dw_tel_input *in);

/* Stop a live capture from another thread or a signal handler. */
void dw_tel_input_break(struct dw_tel_input *in);

void dw_tel_input_free(struct dw_tel_input *in);

#endif
