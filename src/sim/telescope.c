/*
 * telescope.c - the simulator's darknet captures (telescope.h).
 *
 * Every minute each AS of the world sends unsolicited traffic (TCP SYNs to
 * telnet, SMB, SSH, HTTP ports of a darknet in 198.18.0.0/15) from a
 * Poisson number of random hosts of its prefixes, with a daily cycle in
 * local time (+-35 %, peak mid-afternoon; local time from the longitude of
 * the country's first region).  A host is silent while the most specific
 * world prefix covering it is withdrawn by an event, or while its AS is
 * under a data-plane block: so the telescope signal falls exactly where
 * truth.csv says probing and telescope go dark, including ITC's data-plane
 * block that BGP cannot see.  One packet in ten is noise the telescope's
 * filters must remove (backscatter SYN-ACKs, TTL 250, private sources,
 * fragments) from random addresses, so an unfiltered count would be wrong.
 *
 * Key decisions: each minute draws from its own generator seeded by (seed,
 * minute), so a shortened run writes the same packets for the minutes it
 * covers; the BGP archives' generator is not touched (their bytes do not
 * change with --telescope).
 */
#include "sim/telescope.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "darkwatch/err.h"
#include "sim/rng.h"

#define DARKNET 0xc6120000u /* 198.18.0.0/15 */
#define MAX_PKT_MIN 200000  /* packets in one minute (cap) */

struct pkt {
	uint32_t us; /* microseconds into the minute */
	uint8_t b[40];
};

struct tel {
	const struct dw_sim_world *w;
	const struct dw_sim_timeline *t;
	uint8_t *dark;       /* per prefix */
	uint8_t lens[33];    /* prefix lengths present, longest first */
	int nlens;
	double *asw;         /* per AS: relative weight (sqrt of /24s) */
	double *tzoff;       /* per AS: hours east of UTC */
	double **cum;        /* per AS: cumulative /24s of its prefixes */
	uint32_t **pidx;     /* per AS: its prefixes */
	size_t *np;
	struct pkt *buf;
	size_t n;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An IPv4 + TCP header (40 bytes) with a valid IP checksum. */
static void mkpkt(struct pkt *k, uint32_t src, uint32_t dst, uint8_t ttl,
		  uint16_t id, uint16_t frag, uint16_t sport, uint16_t dport,
		  uint8_t flags, uint32_t seq)
{
	uint8_t *b = k->b;
	uint32_t sum = 0;

	memset(b, 0, sizeof(k->b));
	b[0] = 0x45;
	put16(b + 2, 40);
	put16(b + 4, id);
	put16(b + 6, frag);
	b[8] = ttl;
	b[9] = 6;
	put32(b + 12, src);
	put32(b + 16, dst);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(b + 10, (uint16_t)~sum);
	put16(b + 20, sport);
	put16(b + 22, dport);
	put32(b + 24, seq);
	b[32] = 0x50;
	b[33] = flags;
	put16(b + 34, 1024);
}

/* Index of the most specific world prefix covering a, or -1. */
static long owner(const struct tel *s, uint32_t a)
{
	for (int i = 0; i < s->nlens; i++) {
		int l = s->lens[i];
		uint32_t m = l ? 0xffffffffu << (32 - l) : 0;
		int k = dw_sim_world_find(s->w, a & m, (uint8_t)l);
		if (k >= 0)
			return k;
	}
	return -1;
}

static void set_dark(struct tel *s, int64_t t)
{
	const struct dw_sim_world *w = s->w;
	memset(s->dark, 0, w->npfx);
	for (size_t e = 0; e < s->t->nev; e++) {
		const struct dw_sim_tevent *te = &s->t->ev[e];
		const struct dw_sim_event *ev = te->ev;
		if (t < ev->start || t >= ev->end || ev->kind == DW_SIM_PEER_RESET)
			continue;
		for (size_t i = 0; i < te->npfx; i++)
			s->dark[te->pfx[i]] = 1;
		if (ev->kind == DW_SIM_DATAPLANE_BLOCK && ev->as_idx >= 0)
			for (size_t i = 0; i < w->npfx; i++)
				if (w->pfx[i].as == ev->as_idx)
					s->dark[i] = 1;
	}
}

static uint32_t poisson(struct dw_sim_rng *r, double lam)
{
	if (lam <= 0)
		return 0;
	if (lam > 30) {
		double u1 = dw_sim_rng_unit(r) + 1e-12, u2 = dw_sim_rng_unit(r);
		double g = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
		double v = lam + sqrt(lam) * g + 0.5;
		return v < 0 ? 0 : (uint32_t)v;
	}
	double l = exp(-lam), p = 1;
	uint32_t k = 0;
	do {
		k++;
		p *= dw_sim_rng_unit(r);
	} while (p > l);
	return k - 1;
}

static struct pkt *slot(struct tel *s, struct dw_sim_rng *r)
{
	if (s->n == MAX_PKT_MIN)
		return NULL;
	struct pkt *k = &s->buf[s->n++];
	k->us = dw_sim_rng_below(r, 60000000u);
	return k;
}

/* The packets of minute t into s->buf. */
static void minute(struct tel *s, uint64_t seed, int64_t t, double per_min)
{
	static const uint16_t ports[] = {23, 445, 22, 80, 8080, 3389, 2323, 5555};
	const struct dw_sim_world *w = s->w;
	const struct dw_sim_scenario *sc = w->sc;
	struct dw_sim_rng r;
	struct pkt *k;

	dw_sim_rng_seed(&r, dw_sim_hash2(seed ^ 0x7e1e5c0beull, (uint64_t)t));
	s->n = 0;
	for (size_t a = 0; a < sc->nases; a++) {
		if (!s->np[a])
			continue;
		double hour = fmod((double)(t % 86400) / 3600 + s->tzoff[a] + 48, 24);
		double lam = per_min * s->asw[a] *
			     (1 + 0.35 * sin(2 * M_PI * (hour - 9) / 24));
		uint32_t n = poisson(&r, lam);
		double tot = s->cum[a][s->np[a] - 1];
		for (uint32_t i = 0; i < n; i++) {
			double u = dw_sim_rng_unit(&r) * tot;
			size_t lo = 0, hi = s->np[a] - 1;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				if (s->cum[a][mid] > u)
					hi = mid;
				else
					lo = mid + 1;
			}
			const struct dw_sim_wpfx *p = &w->pfx[s->pidx[a][lo]];
			uint32_t span = p->len >= 32 ? 1 : 1u << (32 - p->len);
			uint32_t src = p->addr + dw_sim_rng_below(&r, span);
			if ((src & 0xff) == 0 || (src & 0xff) == 255)
				src ^= 1;
			long o = owner(s, src);
			if (o < 0 || s->dark[o])
				continue;
			uint32_t npk = 1 + dw_sim_rng_below(&r, 3);
			uint16_t sport = (uint16_t)(1024 + dw_sim_rng_below(&r, 60000));
			for (uint32_t j = 0; j < npk && (k = slot(s, &r)); j++)
				mkpkt(k, src, DARKNET + dw_sim_rng_below(&r, 1u << 17),
				      (uint8_t)(40 + dw_sim_rng_below(&r, 90)),
				      (uint16_t)dw_sim_rng_below(&r, 54000),
				      0, sport, ports[dw_sim_rng_below(&r, 8)], 0x02,
				      (uint32_t)dw_sim_rng_next(&r));
		}
	}
	/* noise the filters remove: one packet in ten, random sources */
	size_t clean = s->n;
	for (size_t i = 0; i < clean / 10 && (k = slot(s, &r)); i++) {
		uint32_t src = (uint32_t)dw_sim_rng_next(&r) | 1;
		uint32_t dst = DARKNET + dw_sim_rng_below(&r, 1u << 17);
		switch (i % 4) {
		case 0: /* backscatter of a SYN flood with spoofed sources */
			mkpkt(k, src, dst, 50, 7, 0, 80, 40000, 0x12, 1);
			break;
		case 1:
			mkpkt(k, src, dst, 250, 7, 0, 40000, 23, 0x02, 1);
			break;
		case 2:
			mkpkt(k, 0x0a000000u | (src & 0xffffff), dst, 60, 7, 0,
			      40000, 445, 0x02, 1);
			break;
		default:
			mkpkt(k, src, dst, 60, 7, 0x2000, 40000, 80, 0x02, 1);
		}
	}
}

static int by_time(const void *a, const void *b)
{
	const struct pkt *x = a, *y = b;
	return (x->us > y->us) - (x->us < y->us);
}

static int prepare(struct tel *s)
{
	const struct dw_sim_world *w = s->w;
	const struct dw_sim_scenario *sc = w->sc;
	uint8_t have[33] = {0};
	double wmax = 0;

	if (!(s->dark = calloc(w->npfx ? w->npfx : 1, 1)) ||
	    !(s->asw = calloc(sc->nases, sizeof(double))) ||
	    !(s->tzoff = calloc(sc->nases, sizeof(double))) ||
	    !(s->cum = calloc(sc->nases, sizeof(double *))) ||
	    !(s->pidx = calloc(sc->nases, sizeof(uint32_t *))) ||
	    !(s->np = calloc(sc->nases, sizeof(size_t))) ||
	    !(s->buf = malloc(MAX_PKT_MIN * sizeof(*s->buf))))
		return DW_ENOMEM;
	for (size_t i = 0; i < w->npfx; i++) {
		have[w->pfx[i].len] = 1;
		s->np[w->pfx[i].as]++;
	}
	for (int l = 32; l >= 0; l--)
		if (have[l])
			s->lens[s->nlens++] = (uint8_t)l;
	for (size_t a = 0; a < sc->nases; a++) {
		const struct dw_sim_country *c = &sc->countries[sc->ases[a].country];
		if (c->nregions)
			s->tzoff[a] = sc->regions[c->first_region].lon / 15;
		if (s->np[a] && (!(s->cum[a] = malloc(s->np[a] * sizeof(double))) ||
				 !(s->pidx[a] = malloc(s->np[a] * sizeof(uint32_t)))))
			return DW_ENOMEM;
		s->np[a] = 0;
	}
	for (size_t i = 0; i < w->npfx; i++) {
		size_t a = w->pfx[i].as, j = s->np[a]++;
		double n24 = w->pfx[i].len >= 24 ? 1 : (double)(1u << (24 - w->pfx[i].len));
		s->cum[a][j] = (j ? s->cum[a][j - 1] : 0) + n24;
		s->pidx[a][j] = (uint32_t)i;
	}
	for (size_t a = 0; a < sc->nases; a++) {
		s->asw[a] = s->np[a] ? sqrt(s->cum[a][s->np[a] - 1]) : 0;
		if (s->asw[a] > wmax)
			wmax = s->asw[a];
	}
	for (size_t a = 0; a < sc->nases; a++)
		s->asw[a] = wmax > 0 ? 0.1 + 0.9 * s->asw[a] / wmax : 0;
	return 0;
}

static void tel_free(struct tel *s)
{
	for (size_t a = 0; s->cum && a < s->w->sc->nases; a++) {
		free(s->cum[a]);
		free(s->pidx[a]);
	}
	free(s->cum);
	free(s->pidx);
	free(s->np);
	free(s->tzoff);
	free(s->asw);
	free(s->dark);
	free(s->buf);
}

static gzFile day_open(const char *dir, int64_t t, char *path, size_t plen)
{
	static const uint8_t hdr[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0,
					0, 0, 0, 0, 0, 0, 0, 0,
					0xff, 0xff, 0, 0, 101, 0, 0, 0};
	time_t tt = (time_t)t;
	struct tm tm;
	gzFile g;

	gmtime_r(&tt, &tm);
	snprintf(path, plen, "%s/telescope.%04d%02d%02d.pcap.gz", dir,
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	if (!(g = gzopen(path, "wb6")))
		return NULL;
	gzbuffer(g, 1 << 18);
	if (gzwrite(g, hdr, sizeof(hdr)) != (int)sizeof(hdr)) {
		gzclose(g);
		return NULL;
	}
	return g;
}

int dw_sim_telescope_write(const struct dw_sim_world *w,
			   const struct dw_sim_timeline *t,
			   const struct dw_sim_tel_conf *c, uint64_t *packets,
			   uint64_t *files, char *err, size_t errlen)
{
	struct tel s;
	char path[4096] = "";
	gzFile g = NULL;
	int64_t day = -1, t0 = c->from - c->from % 60;
	double per_min = c->per_minute > 0 ? c->per_minute : 12;
	int rc;

	memset(&s, 0, sizeof(s));
	s.w = w;
	s.t = t;
	*packets = *files = 0;
	if ((rc = prepare(&s)) < 0) {
		snprintf(err, errlen, "telescope: out of memory");
		goto out;
	}
	for (int64_t m = t0; m < c->until; m += 60) {
		if (m / 86400 != day) {
			if (g && gzclose(g) != Z_OK) {
				g = NULL;
				rc = DW_EIO;
				goto werr;
			}
			day = m / 86400;
			if (!(g = day_open(c->dir, m, path, sizeof(path)))) {
				rc = errno ? -errno : DW_EIO;
				goto werr;
			}
			++*files;
		}
		set_dark(&s, m);
		minute(&s, c->seed, m, per_min);
		qsort(s.buf, s.n, sizeof(*s.buf), by_time);
		for (size_t i = 0; i < s.n; i++) {
			uint8_t rec[16 + 40];
			uint32_t sec = (uint32_t)(m + s.buf[i].us / 1000000);
			uint32_t us = s.buf[i].us % 1000000, len = 40;
			le32(rec, sec);
			le32(rec + 4, us);
			le32(rec + 8, len);
			le32(rec + 12, len);
			memcpy(rec + 16, s.buf[i].b, 40);
			if (gzwrite(g, rec, sizeof(rec)) != (int)sizeof(rec)) {
				rc = DW_EIO;
				goto werr;
			}
		}
		*packets += s.n;
	}
	if (g && gzclose(g) != Z_OK) {
		g = NULL;
		rc = DW_EIO;
		goto werr;
	}
	g = NULL;
	rc = 0;
	goto out;
werr:
	snprintf(err, errlen, "%s: %s", path, dw_strerror(rc));
out:
	if (g)
		gzclose(g);
	tel_free(&s);
	return rc;
}
