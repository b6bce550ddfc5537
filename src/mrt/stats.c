/*
 * stats.c - per-file MRT statistics (see mrt_stats.h).
 *
 * Distinct IPv4 prefixes up to /24 are bits of one 4 MiB bitmap (bit
 * 2^len + top len bits): no hashing and a bounded, small memory for the bulk
 * of any table.  Longer IPv4 prefixes, IPv6 prefixes and peers go to
 * open-addressing hash sets of 20-byte keys that double when 70% full.
 * Record types are few, so a small sorted array suffices.
 */
#include "darkwatch/mrt_stats.h"

#include <stdlib.h>
#include <string.h>

#include "common/arena.h"

struct key {
	uint8_t b[20];
};

struct set {
	struct key *k;
	uint8_t *used;
	size_t cap, n;
};

#define V4_BITMAP_BITS (1u << 25)

struct dw_mrt_stats {
	struct dw_mrt_stats_summary sum;
	uint64_t *v4bits;     /* prefixes /0../24 */
	uint64_t v4short;
	struct dw_mrt_stats_type types[64];
	struct set pfx4, pfx6, peers;
	struct dw_arena *arena;
};

static uint64_t hash(const struct key *k)
{
	uint64_t a, b;
	uint32_t c;
	memcpy(&a, k->b, 8);
	memcpy(&b, k->b + 8, 8);
	memcpy(&c, k->b + 16, 4);
	uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + c) * 0xC2B2AE3D27D4EB4Full;
	h ^= h >> 31;
	h *= 0x94D049BB133111EBull;
	return h ^ (h >> 29);
}

static int set_grow(struct set *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 1024;
	struct key *nk = calloc(ncap, sizeof(*nk));
	uint8_t *nu = calloc(ncap, 1);
	if (!nk || !nu) {
		free(nk);
		free(nu);
		return DW_ENOMEM;
	}
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->used[i])
			continue;
		size_t j = hash(&s->k[i]) & (ncap - 1);
		while (nu[j])
			j = (j + 1) & (ncap - 1);
		nk[j] = s->k[i];
		nu[j] = 1;
	}
	free(s->k);
	free(s->used);
	s->k = nk;
	s->used = nu;
	s->cap = ncap;
	return 0;
}

static int set_add(struct set *s, const struct key *k)
{
	if ((s->n + 1) * 10 > s->cap * 7 && set_grow(s))
		return DW_ENOMEM;
	size_t j = hash(k) & (s->cap - 1);
	while (s->used[j]) {
		if (!memcmp(&s->k[j], k, sizeof(*k)))
			return 0;
		j = (j + 1) & (s->cap - 1);
	}
	s->k[j] = *k;
	s->used[j] = 1;
	s->n++;
	return 1;
}

static void add_prefix(struct dw_mrt_stats *s, const struct dw_prefix *p)
{
	if (p->addr.af == DW_AF_INET && p->len <= 24) {
		if (!s->v4bits &&
		    !(s->v4bits = calloc(V4_BITMAP_BITS / 64, sizeof(uint64_t))))
			return; /* out of memory: the distinct count stays low */
		uint32_t a = dw_addr_v4(&p->addr);
		uint32_t bit = (1u << p->len) + (p->len ? a >> (32 - p->len) : 0);
		uint64_t m = (uint64_t)1 << (bit & 63);
		if (!(s->v4bits[bit >> 6] & m)) {
			s->v4bits[bit >> 6] |= m;
			s->v4short++;
		}
		return;
	}
	struct key k;
	memset(&k, 0, sizeof(k));
	k.b[0] = p->addr.af;
	k.b[1] = p->len;
	memcpy(k.b + 2, p->addr.b, 16);
	set_add(p->addr.af == DW_AF_INET6 ? &s->pfx6 : &s->pfx4, &k);
}

static void add_peer(struct dw_mrt_stats *s, const struct dw_addr *a, uint32_t as)
{
	struct key k;
	memset(&k, 0, sizeof(k));
	k.b[0] = a->af;
	memcpy(k.b + 1, a->b, 16);
	memcpy(k.b + 17, &as, 3);
	k.b[19] = (uint8_t)(as >> 24);
	set_add(&s->peers, &k);
}

int dw_mrt_stats_new(struct dw_mrt_stats **out)
{
	struct dw_mrt_stats *s = calloc(1, sizeof(*s));
	if (!s)
		return DW_ENOMEM;
	s->arena = dw_arena_new(64u << 20);
	if (!s->arena) { /* the /24 bitmap comes with the first IPv4 prefix */
		free(s);
		return DW_ENOMEM;
	}
	s->sum.types = s->types;
	*out = s;
	return 0;
}

static void count_type(struct dw_mrt_stats *s, uint16_t type, uint16_t st)
{
	size_t i;
	for (i = 0; i < s->sum.ntypes; i++)
		if (s->types[i].type == type && s->types[i].subtype == st) {
			s->types[i].count++;
			return;
		}
	if (s->sum.ntypes == 64)
		return;
	/* insert sorted */
	for (i = s->sum.ntypes; i > 0; i--) {
		struct dw_mrt_stats_type *p = &s->types[i - 1];
		if (p->type < type || (p->type == type && p->subtype < st))
			break;
		s->types[i] = *p;
	}
	s->types[i] = (struct dw_mrt_stats_type){type, st, 1};
	s->sum.ntypes++;
}

static uint64_t nlri_add(struct dw_mrt_stats *s, const struct dw_nlri *n)
{
	size_t off = 0;
	struct dw_prefix p;
	enum dw_reason why;
	uint64_t k = 0;
	while (dw_nlri_next(n, &off, &p, NULL, &why) > 0) {
		add_prefix(s, &p);
		k++;
	}
	return k;
}

/* Count tolerated oddities; a loss (dropped prefixes) is returned instead,
 * so the caller reports it like a skipped record. */
static int note_warn(struct dw_mrt_stats *s, const struct dw_bgp_attrs *a,
		     enum dw_reason *why)
{
	int loss = 0;
	for (unsigned i = 0; i < a->nwarn; i++) {
		if (dw_reason_is_loss(a->warn[i]) && !loss) {
			*why = a->warn[i];
			loss = 1;
		} else {
			s->sum.reasons[a->warn[i]]++;
		}
	}
	return loss;
}

static int message(struct dw_mrt_stats *s, const struct dw_mrt_record *rec,
		   enum dw_reason *why)
{
	const struct dw_mrt_message *m = &rec->u.msg;
	struct dw_bgp_opts o = {m->as4, m->addpath, 0, 0, 0};
	struct dw_bgp_msg msg;
	struct dw_bgp_update *u = &msg.u.update;
	struct dw_bgp_attrs a;
	int rc;

	add_peer(s, &m->peer, m->peer_as);
	if (m->header) {
		if ((rc = dw_bgp_msg_decode(m->msg.p, m->msg.len, &o, &msg, why)))
			return rc;
	} else {
		msg.type = m->bgp_type;
		if (m->bgp_type == DW_BGP_UPDATE &&
		    (rc = dw_bgp_update_decode(m->msg.p, m->msg.len, &o, u, why)))
			return rc;
	}
	if (msg.type <= 5)
		s->sum.messages[msg.type]++;
	if (msg.type != DW_BGP_UPDATE)
		return 0;
	if ((rc = dw_bgp_attrs_decode(u->attrs.p, u->attrs.len, &o, s->arena, &a,
				      why)) ||
	    (rc = dw_bgp_update_check(u, &a, why)))
		return rc;
	rc = note_warn(s, &a, why);
	s->sum.withdrawn += nlri_add(s, &u->withdrawn);
	s->sum.announced += nlri_add(s, &u->nlri);
	if (dw_attrs_has(&a, DW_ATTR_MP_REACH_NLRI) && !a.mp_reach.opaque)
		s->sum.announced += nlri_add(s, &a.mp_reach.nlri);
	if (dw_attrs_has(&a, DW_ATTR_MP_UNREACH_NLRI) && !a.mp_unreach.opaque)
		s->sum.withdrawn += nlri_add(s, &a.mp_unreach.nlri);
	return rc;
}

static int rib_attrs(struct dw_mrt_stats *s, const struct dw_bytes *raw,
		     uint16_t afi, uint8_t safi, int as4, enum dw_reason *why)
{
	struct dw_bgp_opts o = {(uint8_t)as4, 0, 1, afi, safi};
	struct dw_bgp_attrs a;
	int rc = dw_bgp_attrs_decode(raw->p, raw->len, &o, s->arena, &a, why);
	if (!rc)
		rc = note_warn(s, &a, why);
	return rc;
}

int dw_mrt_stats_add(struct dw_mrt_stats *s, const struct dw_mrt_record *rec,
		     enum dw_reason *why)
{
	int rc = 0;

	dw_arena_reset(s->arena);
	count_type(s, rec->type, rec->subtype);
	s->sum.records++;
	if (!s->sum.first_ts || rec->timestamp < s->sum.first_ts)
		s->sum.first_ts = rec->timestamp;
	if (rec->timestamp > s->sum.last_ts)
		s->sum.last_ts = rec->timestamp;
	switch (rec->kind) {
	case DW_MRT_K_TD1: {
		const struct dw_mrt_td1 *t = &rec->u.td1;
		int v6 = t->prefix.addr.af == DW_AF_INET6;
		add_peer(s, &t->peer, t->peer_as);
		add_prefix(s, &t->prefix);
		s->sum.rib_entries++;
		rc = rib_attrs(s, &t->attrs, v6 ? 2 : 1, 1,
			       rec->subtype >= 3, why);
		break;
	}
	case DW_MRT_K_PEER_TABLE:
		for (unsigned i = 0; i < rec->u.peers.count; i++)
			add_peer(s, &rec->u.peers.peers[i].addr,
				 rec->u.peers.peers[i].asn);
		break;
	case DW_MRT_K_RIB: {
		const struct dw_mrt_rib *r = &rec->u.rib;
		if (!r->opaque)
			add_prefix(s, &r->prefix);
		for (unsigned i = 0; i < r->count; i++) {
			enum dw_reason w;
			s->sum.rib_entries++;
			int er = rib_attrs(s, &r->entries[i].attrs, r->afi,
					   r->safi, 1, &w);
			if (er < 0 || (er > 0 && rc == 0)) {
				*why = w;
				rc = er < 0 ? DW_EMALFORMED : er;
			}
		}
		break;
	}
	case DW_MRT_K_STATE:
		add_peer(s, &rec->u.state.peer, rec->u.state.peer_as);
		break;
	case DW_MRT_K_MESSAGE:
		rc = message(s, rec, why);
		break;
	case DW_MRT_K_ENTRY:
		add_peer(s, &rec->u.entry.peer, rec->u.entry.peer_as);
		add_prefix(s, &rec->u.entry.prefix);
		s->sum.rib_entries++;
		rc = rib_attrs(s, &rec->u.entry.attrs, rec->u.entry.rafi,
			       rec->u.entry.rsafi, 0, why);
		break;
	default:
		break;
	}
	/* problems are counted by the caller through the reader's counters */
	return rc < 0 ? DW_EMALFORMED : rc;
}

void dw_mrt_stats_add_reader(struct dw_mrt_stats *s, const struct dw_mrt_counts *c)
{
	s->sum.skipped += c->skipped;
	for (int i = 0; i < DW_R__COUNT; i++)
		s->sum.reasons[i] += c->reasons[i];
}

const struct dw_mrt_stats_summary *dw_mrt_stats_summary(struct dw_mrt_stats *s)
{
	s->sum.prefixes_v4 = s->pfx4.n + s->v4short;
	s->sum.prefixes_v6 = s->pfx6.n;
	s->sum.peers = s->peers.n;
	return &s->sum;
}

void dw_mrt_stats_free(struct dw_mrt_stats *s)
{
	if (!s)
		return;
	struct set *sets[] = {&s->pfx4, &s->pfx6, &s->peers};
	for (int i = 0; i < 3; i++) {
		free(sets[i]->k);
		free(sets[i]->used);
	}
	dw_arena_free(s->arena);
	free(s->v4bits);
	free(s);
}
