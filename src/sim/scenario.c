/*
 * scenario.c - parse a simulation scenario (YAML, libyaml) into plain data.
 *
 * First stage of `darkwatch sim` (see sim/scenario.h; keys in docs/SIM.md).
 * libyaml's loader builds the document tree (anchors and aliases resolved);
 * this file walks it in dependency order (countries before the ASes that
 * name them, ASes before the events that name them) whatever the order of
 * the keys in the file, and checks every value against its meaning: the
 * simulator never meets a half-valid scenario.
 */
#include "sim/scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"
#include "sim/events.h"
#include "sim/yamlx.h"
#include "common/try.h"

int dw_sim_scenario_as(const struct dw_sim_scenario *sc, uint32_t asn)
{
	for (size_t i = 0; i < sc->nases; i++)
		if (sc->ases[i].asn == asn)
			return (int)i;
	return -1;
}

/* Text that goes into geo.csv unquoted: no separators, quotes or controls. */
static int csv_safe(struct dw_yx *x, const yaml_node_t *n, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == ',' || *p == '"' || *p < 0x20)
			return dw_yx_fail(x, n,
					  "'%s': commas, quotes and control "
					  "characters are not allowed here",
					  s);
	return 0;
}

/*
 * Region names are words of ASCII letters, digits and '-' separated by
 * single spaces: then darkwatch's region code (GEO.md: "CC-Name", runs of
 * separators as one '_') is simply the name with spaces as '_', the code
 * truth.csv uses.
 */
static int region_name_ok(struct dw_yx *x, const yaml_node_t *n, const char *s)
{
	const char *p = s;
	int prev_space = 1;

	for (; *p; p++) {
		int word = (*p >= 'a' && *p <= 'z') ||
			   (*p >= 'A' && *p <= 'Z') ||
			   (*p >= '0' && *p <= '9') || *p == '-';
		if (!word && (*p != ' ' || prev_space))
			break;
		prev_space = *p == ' ';
	}
	if (*p || prev_space)
		return dw_yx_fail(
			x, n,
			"region name '%s': use words of ASCII letters, "
			"digits and '-' separated by single spaces",
			s);
	return 0;
}

static int opt_str(struct dw_yx *x, const yaml_node_t *map, const char *key,
		   char **out)
{
	yaml_node_t *v = dw_yx_get(x, map, key);
	int rc;

	if (!v) {
		*out = strdup("");
		return *out ? 0 : DW_ENOMEM;
	}
	if ((rc = dw_yx_strdup(x, v, out)))
		return rc;
	return csv_safe(x, v, *out);
}

/* Resolve a data path against base (when relative). */
static int resolve(const char *base, const char *p, char **out)
{
	size_t bl, pl;

	if (p[0] == '/' || !base || !*base) {
		*out = strdup(p);
		return *out ? 0 : DW_ENOMEM;
	}
	bl = strlen(base);
	pl = strlen(p);
	*out = malloc(bl + pl + 2);
	if (!*out)
		return DW_ENOMEM;
	memcpy(*out, base, bl);
	(*out)[bl] = '/';
	memcpy(*out + bl + 1, p, pl + 1);
	return 0;
}

/* ----------------------------------------------------------- countries */

int dw_sim_scenario_region(const struct dw_sim_scenario *sc, int country,
			   const char *name)
{
	const struct dw_sim_country *c = &sc->countries[country];
	for (size_t i = 0; i < c->nregions; i++)
		if (!strcmp(sc->regions[c->first_region + i].name, name))
			return (int)(c->first_region + i);
	return -1;
}

int dw_sim_scenario_country(const struct dw_sim_scenario *sc, const char *code)
{
	for (size_t i = 0; i < sc->ncountries; i++)
		if (!strcmp(sc->countries[i].code, code))
			return (int)i;
	return -1;
}

static int parse_region(struct dw_yx *x, struct dw_sim_scenario *sc,
			int country, const yaml_node_t *n)
{
	static const char *const keys[] = {"name", "city",   "postcode", "lat",
					   "lon",  "weight", "timezone", NULL};
	struct dw_sim_region *r = &sc->regions[sc->nregions];
	yaml_node_t *v;
	int rc;

	memset(r, 0, sizeof(*r));
	r->country = country;
	r->weight = 1;
	if ((rc = dw_yx_map(x, n, "region", keys)))
		return rc;
	if ((rc = dw_yx_need(x, n, "region", "name", &v)) ||
	    (rc = dw_yx_strdup(x, v, &r->name)))
		goto fail;
	sc->nregions++; /* owned from here: freed with the scenario */
	if (!*r->name)
		return dw_yx_fail(x, v, "region name is empty");
	TRY(region_name_ok(x, v, r->name));
	if (dw_sim_scenario_region(sc, country, r->name) !=
	    (int)sc->nregions - 1)
		return dw_yx_fail(x, v, "region '%s' twice", r->name);
	TRY(opt_str(x, n, "city", &r->city));
	TRY(opt_str(x, n, "postcode", &r->postcode));
	TRY(opt_str(x, n, "timezone", &r->timezone));
	if ((v = dw_yx_get(x, n, "lat")) && (rc = dw_yx_double(x, v, &r->lat)))
		goto fail;
	if ((v = dw_yx_get(x, n, "lon")) && (rc = dw_yx_double(x, v, &r->lon)))
		goto fail;
	if (r->lat < -90 || r->lat > 90 || r->lon < -180 || r->lon > 180)
		return dw_yx_fail(x, n, "lat/lon out of range");
	if ((v = dw_yx_get(x, n, "weight"))) {
		TRY(dw_yx_double(x, v, &r->weight));
		if (!(r->weight > 0))
			return dw_yx_fail(x, v, "weight must be > 0");
	}
	return 0;
fail:
	return rc;
}

static int parse_countries(struct dw_yx *x, struct dw_sim_scenario *sc,
			   const yaml_node_t *list)
{
	static const char *const keys[] = {"code", "timezone", "regions", NULL};
	size_t n, total = 0;
	int rc;

	TRY(dw_yx_seq(x, list, "countries", &n));
	if (!n)
		return dw_yx_fail(x, list, "countries: the list is empty");
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *c = dw_yx_item(x, list, i), *r;
		size_t nr;
		TRY(dw_yx_map(x, c, "country", keys));
		TRY(dw_yx_need(x, c, "country", "regions", &r));
		TRY(dw_yx_seq(x, r, "regions", &nr));
		if (!nr)
			return dw_yx_fail(x, r, "a country needs a region");
		total += nr;
	}
	sc->countries = calloc(n, sizeof(*sc->countries));
	sc->regions = calloc(total, sizeof(*sc->regions));
	if (!sc->countries || !sc->regions)
		return DW_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *c = dw_yx_item(x, list, i), *v, *r;
		struct dw_sim_country *co = &sc->countries[i];
		const char *code = "";
		size_t nr;

		TRY(dw_yx_need(x, c, "country", "code", &v));
		TRY(dw_yx_str(x, v, &code));
		if (strlen(code) != 2 || code[0] < 'A' || code[0] > 'Z' ||
		    code[1] < 'A' || code[1] > 'Z')
			return dw_yx_fail(x, v,
					  "'%s' is not an ISO 3166-1 alpha-2 "
					  "code (two upper-case letters)",
					  code);
		if (dw_sim_scenario_country(sc, code) >= 0)
			return dw_yx_fail(x, v, "country %s twice", code);
		memcpy(co->code, code, 3);
		sc->ncountries++;
		TRY(opt_str(x, c, "timezone", &co->timezone));
		r = dw_yx_get(x, c, "regions");
		TRY(dw_yx_seq(x, r, "regions", &nr));
		co->first_region = sc->nregions;
		for (size_t j = 0; j < nr; j++) {
			co->nregions = j + 1; /* visible to region_of */
			TRY(parse_region(x, sc, (int)i, dw_yx_item(x, r, j)));
		}
	}
	return 0;
fail:
	return rc;
}

/* ---------------------------------------------------------------- ASes */

static int parse_asn_list(struct dw_yx *x, const yaml_node_t *n,
			  const char *what, uint32_t **out, size_t *len)
{
	int rc;

	TRY(dw_yx_seq(x, n, what, len));
	*out = calloc(*len ? *len : 1, sizeof(**out));
	if (!*out)
		return DW_ENOMEM;
	for (size_t i = 0; i < *len; i++) {
		yaml_node_t *v = dw_yx_item(x, n, i);
		TRY(dw_yx_u32(x, v, &(*out)[i]));
		if (!(*out)[i])
			return dw_yx_fail(x, v, "AS 0 is reserved");
	}
	return 0;
fail:
	return rc;
}

static int parse_sources(struct dw_yx *x, struct dw_sim_scenario *sc,
			 struct dw_sim_as *a, const yaml_node_t *n)
{
	static const char *const keys[] = {"asn", "region", NULL};
	size_t len;
	int rc;

	TRY(dw_yx_seq(x, n, "prefixes_of", &len));
	if (!len)
		return dw_yx_fail(x, n, "prefixes_of: the list is empty");
	a->sources = calloc(len, sizeof(*a->sources));
	if (!a->sources)
		return DW_ENOMEM;
	a->nsources = len;
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *it = dw_yx_item(x, n, i), *v;
		struct dw_sim_source *s = &a->sources[i];
		s->region = -1;
		if (it->type == YAML_SCALAR_NODE) {
			TRY(dw_yx_u32(x, it, &s->asn));
			continue;
		}
		TRY(dw_yx_map(x, it, "prefixes_of item", keys));
		TRY(dw_yx_need(x, it, "prefixes_of item", "asn", &v));
		TRY(dw_yx_u32(x, v, &s->asn));
		if ((v = dw_yx_get(x, it, "region")))
			TRY(dw_sim_region_ref(x, sc, a->country, v, &s->region));
	}
	return 0;
fail:
	return rc;
}

static int parse_as_regions(struct dw_yx *x, struct dw_sim_scenario *sc,
			    struct dw_sim_as *a, const yaml_node_t *n)
{
	const struct dw_sim_country *c = &sc->countries[a->country];
	int rc, r;

	a->region_w = calloc(c->nregions, sizeof(double));
	if (!a->region_w)
		return DW_ENOMEM;
	if (n->type == YAML_SEQUENCE_NODE) { /* [Tehran, Fars]: their weights */
		size_t len;
		TRY(dw_yx_seq(x, n, "regions", &len));
		if (!len)
			return dw_yx_fail(x, n, "regions: the list is empty");
		for (size_t i = 0; i < len; i++) {
			TRY(dw_sim_region_ref(x, sc, a->country,
					     dw_yx_item(x, n, i), &r));
			a->region_w[r - (int)c->first_region] =
				sc->regions[r].weight;
		}
		return 0;
	}
	if (n->type != YAML_MAPPING_NODE)
		return dw_yx_fail(x, n,
				  "regions: a list of names or a mapping "
				  "name: weight");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		double w;
		TRY(dw_sim_region_ref(x, sc, a->country, dw_yx_node(x, p->key),
				     &r));
		TRY(dw_yx_double(x, dw_yx_node(x, p->value), &w));
		if (!(w > 0))
			return dw_yx_fail(x, dw_yx_node(x, p->value),
					  "weight must be > 0");
		a->region_w[r - (int)c->first_region] = w;
	}
	return 0;
fail:
	return rc;
}

static int parse_as(struct dw_yx *x, struct dw_sim_scenario *sc,
		    const yaml_node_t *n)
{
	static const char *const keys[] = {
		"asn",          "name",        "country",
		"upstreams",    "prefixes_of", "regions",
		"max_prefixes", "max_slash24", NULL};
	struct dw_sim_as *a = &sc->ases[sc->nases];
	yaml_node_t *v;
	int rc;

	TRY(dw_yx_map(x, n, "AS", keys));
	a->line = (int)n->start_mark.line + 1;
	TRY(dw_yx_need(x, n, "AS", "asn", &v));
	TRY(dw_yx_u32(x, v, &a->asn));
	if (!a->asn)
		return dw_yx_fail(x, v, "AS 0 is reserved");
	if (dw_sim_scenario_as(sc, a->asn) >= 0)
		return dw_yx_fail(x, v, "AS%u twice", a->asn);
	sc->nases++; /* owned from here */
	TRY(dw_yx_need(x, n, "AS", "country", &v));
	TRY(dw_sim_country_ref(x, sc, v, &a->country));
	if ((v = dw_yx_get(x, n, "name"))) {
		TRY(dw_yx_strdup(x, v, &a->name));
		for (const char *p = a->name; *p; p++)
			if ((unsigned char)*p < 0x20)
				return dw_yx_fail(x, v,
						  "control character "
						  "in a name");
	}
	if ((v = dw_yx_get(x, n, "upstreams")))
		TRY(parse_asn_list(x, v, "upstreams", &a->upstreams,
				   &a->nupstreams));
	if ((v = dw_yx_get(x, n, "prefixes_of"))) {
		TRY(parse_sources(x, sc, a, v));
	} else {
		a->sources = calloc(1, sizeof(*a->sources));
		if (!a->sources)
			return DW_ENOMEM;
		a->sources[0].asn = a->asn;
		a->sources[0].region = -1;
		a->nsources = 1;
	}
	if ((v = dw_yx_get(x, n, "regions")))
		TRY(parse_as_regions(x, sc, a, v));
	a->max_prefixes = sc->max_prefixes;
	a->max_slash24 = sc->max_slash24;
	if ((v = dw_yx_get(x, n, "max_prefixes")))
		TRY(dw_yx_u32(x, v, &a->max_prefixes));
	if ((v = dw_yx_get(x, n, "max_slash24")))
		TRY(dw_yx_u32(x, v, &a->max_slash24));
	return 0;
fail:
	return rc;
}

static int parse_ases(struct dw_yx *x, struct dw_sim_scenario *sc,
		      const yaml_node_t *list)
{
	size_t n;
	int rc;

	TRY(dw_yx_seq(x, list, "ases", &n));
	if (!n)
		return dw_yx_fail(x, list, "ases: the list is empty");
	sc->ases = calloc(n, sizeof(*sc->ases));
	if (!sc->ases)
		return DW_ENOMEM;
	for (size_t i = 0; i < n; i++)
		TRY(parse_as(x, sc, dw_yx_item(x, list, i)));
	return 0;
fail:
	return rc;
}

/* ---------------------------------------------------------- collectors */

static int parse_peer(struct dw_yx *x, struct dw_sim_collector *c,
		      const yaml_node_t *n)
{
	static const char *const keys[] = {"address", "asn", "feed", "share",
					   NULL};
	struct dw_sim_peer *p = &c->peers[c->npeers];
	yaml_node_t *v;
	const char *feed = "";
	int rc;

	TRY(dw_yx_map(x, n, "peer", keys));
	TRY(dw_yx_need(x, n, "peer", "address", &v));
	TRY(dw_yx_addr4(x, v, &p->addr));
	for (size_t i = 0; i < c->npeers; i++)
		if (!memcmp(c->peers[i].addr.b, p->addr.b, 4))
			return dw_yx_fail(x, v, "peer address twice in %s",
					  c->name);
	TRY(dw_yx_need(x, n, "peer", "asn", &v));
	TRY(dw_yx_u32(x, v, &p->asn));
	if (!p->asn)
		return dw_yx_fail(x, v, "AS 0 is reserved");
	TRY(dw_yx_need(x, n, "peer", "feed", &v));
	TRY(dw_yx_str(x, v, &feed));
	if (!strcmp(feed, "full")) {
		p->feed = DW_SIM_FULL;
		p->share = 1;
		if (dw_yx_get(x, n, "share"))
			return dw_yx_fail(x, n,
					  "a full-feed peer has no "
					  "'share'");
	} else if (!strcmp(feed, "partial")) {
		p->feed = DW_SIM_PARTIAL;
		TRY(dw_yx_need(x, n, "partial peer", "share", &v));
		TRY(dw_yx_double(x, v, &p->share));
		if (!(p->share > 0 && p->share < 1))
			return dw_yx_fail(x, v, "share must be in (0, 1)");
	} else {
		return dw_yx_fail(x, v, "feed must be 'full' or 'partial'");
	}
	c->npeers++;
	return 0;
fail:
	return rc;
}

static int parse_collectors(struct dw_yx *x, struct dw_sim_scenario *sc,
			    const yaml_node_t *list)
{
	static const char *const keys[] = {"name", "address", "asn", "peers",
					   NULL};
	size_t n;
	int rc;

	TRY(dw_yx_seq(x, list, "collectors", &n));
	if (!n)
		return dw_yx_fail(x, list, "collectors: the list is empty");
	sc->collectors = calloc(n, sizeof(*sc->collectors));
	if (!sc->collectors)
		return DW_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *c = dw_yx_item(x, list, i), *v, *pl;
		struct dw_sim_collector *co = &sc->collectors[i];
		const char *name = "";
		size_t np;

		TRY(dw_yx_map(x, c, "collector", keys));
		TRY(dw_yx_need(x, c, "collector", "name", &v));
		TRY(dw_yx_str(x, v, &name));
		if (!*name || strlen(name) >= sizeof(co->name) ||
		    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
			    strlen(name))
			return dw_yx_fail(x, v,
					  "collector name: 1-15 of a-z 0-9 -");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(sc->collectors[j].name, name))
				return dw_yx_fail(x, v, "collector %s twice",
						  name);
		memcpy(co->name, name, strlen(name) + 1);
		sc->ncollectors++;
		TRY(dw_yx_need(x, c, "collector", "address", &v));
		TRY(dw_yx_addr4(x, v, &co->addr));
		co->asn = 12654; /* RIPE NCC RIS */
		if ((v = dw_yx_get(x, c, "asn")))
			TRY(dw_yx_u32(x, v, &co->asn));
		TRY(dw_yx_need(x, c, "collector", "peers", &pl));
		TRY(dw_yx_seq(x, pl, "peers", &np));
		if (!np || np > 1000)
			return dw_yx_fail(x, pl, "peers: 1 to 1000 of them");
		co->peers = calloc(np, sizeof(*co->peers));
		if (!co->peers)
			return DW_ENOMEM;
		for (size_t j = 0; j < np; j++)
			TRY(parse_peer(x, co, dw_yx_item(x, pl, j)));
	}
	return 0;
fail:
	return rc;
}

/* ----------------------------------------------------------- top level */

static int parse_top(struct dw_yx *x, struct dw_sim_scenario *sc,
		     const yaml_node_t *top, const char *base)
{
	static const char *const keys[] = {
		"name",       "description",      "seed",   "start",
		"end",        "full_feed_min_v4", "data",   "defaults",
		"gzip_level", "transit",          "churn",  "countries",
		"ases",       "collectors",       "events", NULL};
	static const char *const data_keys[] = {"pfx2as", "asnames", NULL};
	static const char *const def_keys[] = {"max_prefixes", "max_slash24",
					       NULL};
	yaml_node_t *v, *d;
	const char *s = "";
	int rc;

	TRY(dw_yx_map(x, top, "scenario", keys));
	TRY(dw_yx_need(x, top, "scenario", "name", &v));
	TRY(dw_yx_strdup(x, v, &sc->name));
	if ((v = dw_yx_get(x, top, "description")))
		TRY(dw_yx_strdup(x, v, &sc->description));
	if ((v = dw_yx_get(x, top, "seed")))
		TRY(dw_yx_u64(x, v, &sc->seed));
	TRY(dw_yx_need(x, top, "scenario", "start", &v));
	TRY(dw_yx_time(x, v, &sc->start));
	TRY(dw_yx_need(x, top, "scenario", "end", &v));
	TRY(dw_yx_time(x, v, &sc->end));
	if (sc->start % 300 || sc->end % 300 || sc->end <= sc->start ||
	    sc->start < 0 || sc->end > UINT32_MAX ||
	    sc->end - sc->start > 120 * 86400)
		return dw_yx_fail(x, v,
				  "start/end: multiples of 5 min, end "
				  "after start, at most 120 days, within "
				  "32-bit time");
	if ((v = dw_yx_get(x, top, "full_feed_min_v4")))
		TRY(dw_yx_u32(x, v, &sc->full_feed_min_v4));
	TRY(dw_yx_need(x, top, "scenario", "data", &d));
	TRY(dw_yx_map(x, d, "data", data_keys));
	TRY(dw_yx_need(x, d, "data", "pfx2as", &v));
	TRY(dw_yx_str(x, v, &s));
	TRY(resolve(base, s, &sc->pfx2as));
	if ((v = dw_yx_get(x, d, "asnames"))) {
		TRY(dw_yx_str(x, v, &s));
		TRY(resolve(base, s, &sc->asnames));
	}
	if ((d = dw_yx_get(x, top, "defaults"))) {
		TRY(dw_yx_map(x, d, "defaults", def_keys));
		if ((v = dw_yx_get(x, d, "max_prefixes")))
			TRY(dw_yx_u32(x, v, &sc->max_prefixes));
		if ((v = dw_yx_get(x, d, "max_slash24")))
			TRY(dw_yx_u32(x, v, &sc->max_slash24));
	}
	if ((v = dw_yx_get(x, top, "gzip_level"))) {
		uint32_t l;
		TRY(dw_yx_u32(x, v, &l));
		if (l < 1 || l > 9)
			return dw_yx_fail(x, v, "gzip_level: 1 to 9");
		sc->gzip_level = (int)l;
	}
	TRY(dw_yx_need(x, top, "scenario", "transit", &v));
	TRY(parse_asn_list(x, v, "transit", &sc->transit, &sc->ntransit));
	if (!sc->ntransit)
		return dw_yx_fail(x, v, "transit: at least one AS");
	if ((v = dw_yx_get(x, top, "churn")))
		TRY(dw_sim_parse_churn(x, sc, v));
	TRY(dw_yx_need(x, top, "scenario", "countries", &v));
	TRY(parse_countries(x, sc, v));
	TRY(dw_yx_need(x, top, "scenario", "ases", &v));
	TRY(parse_ases(x, sc, v));
	TRY(dw_yx_need(x, top, "scenario", "collectors", &v));
	TRY(parse_collectors(x, sc, v));
	if ((v = dw_yx_get(x, top, "events")))
		TRY(dw_sim_parse_events(x, sc, v));
	return 0;
fail:
	return rc;
}

static void defaults(struct dw_sim_scenario *sc)
{
	sc->seed = 1;
	sc->gzip_level = 6;
	sc->churn.flaps_per_hour = 6;
	sc->churn.flap_min = 30;
	sc->churn.flap_max = 240;
	sc->churn.path_changes_per_hour = 12;
	sc->churn.path_bursts_per_day = 4;
	sc->churn.path_hunting = 0.3;
	sc->churn.propagation = 30;
	sc->churn.variants = 3;
}

/* Directory part of path ("." when there is none); owned. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d;

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	d = malloc((size_t)(slash - path) + 1);
	if (d) {
		memcpy(d, path, (size_t)(slash - path));
		d[slash - path] = 0;
	}
	return d;
}

int dw_sim_scenario_load(const char *path, const char *data_dir,
			 struct dw_sim_scenario **out, char *err, size_t errlen)
{
	struct dw_sim_scenario *sc = NULL;
	yaml_parser_t parser;
	yaml_document_t doc;
	int parser_live = 0, doc_live = 0, rc;
	char *base = NULL;
	FILE *f = NULL;
	struct dw_yx x = {&doc, path, err, errlen};

	*out = NULL;
	if (errlen)
		err[0] = 0;
	f = fopen(path, "rb");
	if (!f) {
		rc = -errno;
		if (errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	sc = calloc(1, sizeof(*sc));
	base = data_dir ? strdup(data_dir) : dir_of(path);
	if (!sc || !base || !(sc->path = strdup(path)) ||
	    !yaml_parser_initialize(&parser)) {
		rc = DW_ENOMEM;
		goto fail;
	}
	parser_live = 1;
	defaults(sc);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		if (errlen)
			snprintf(err, errlen, "%s:%lu: YAML: %s%s%s", path,
				 (unsigned long)parser.problem_mark.line + 1,
				 parser.problem ? parser.problem : "error",
				 parser.context ? " " : "",
				 parser.context ? parser.context : "");
		rc = DW_EINVAL;
		goto fail;
	}
	doc_live = 1;
	yaml_node_t *top = yaml_document_get_root_node(&doc);
	if (!top) {
		rc = dw_yx_fail(&x, NULL, "empty scenario");
		goto fail;
	}
	if ((rc = parse_top(&x, sc, top, base)))
		goto fail;
	*out = sc;
	sc = NULL;
fail:
	if (rc == DW_ENOMEM && errlen && !err[0])
		snprintf(err, errlen, "%s: out of memory", path);
	if (doc_live)
		yaml_document_delete(&doc);
	if (parser_live)
		yaml_parser_delete(&parser);
	if (f)
		fclose(f);
	free(base);
	dw_sim_scenario_free(sc);
	return rc;
}

void dw_sim_scenario_free(struct dw_sim_scenario *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->nregions; i++) {
		free(sc->regions[i].name);
		free(sc->regions[i].city);
		free(sc->regions[i].postcode);
		free(sc->regions[i].timezone);
	}
	for (size_t i = 0; i < sc->ncountries; i++)
		free(sc->countries[i].timezone);
	for (size_t i = 0; i < sc->nases; i++) {
		free(sc->ases[i].name);
		free(sc->ases[i].upstreams);
		free(sc->ases[i].sources);
		free(sc->ases[i].region_w);
	}
	for (size_t i = 0; i < sc->ncollectors; i++)
		free(sc->collectors[i].peers);
	free(sc->regions);
	free(sc->countries);
	free(sc->ases);
	free(sc->collectors);
	free(sc->events);
	free(sc->transit);
	free(sc->path);
	free(sc->name);
	free(sc->description);
	free(sc->pfx2as);
	free(sc->asnames);
	free(sc);
}
