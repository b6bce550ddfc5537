/*
 * events.c - parse a scenario's `events` and `churn` (see sim/events.h).
 *
 * Part of scenario parsing (scenario.c does the world: countries, ASes,
 * collectors; this file what happens to it).  Each event kind has its own
 * set of allowed keys, so a key that means nothing for a kind ("fraction"
 * on a peer_reset) is an error rather than silently ignored.  Times are
 * checked against the scenario's period; an event lasts at least one 5-min
 * bin so every peer sees its start before its end.
 */
#include "sim/events.h"

#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"
#include "common/try.h"

static const char *const kind_names[DW_SIM_KIND__N] = {
	"withdraw",         "partial_withdraw", "region_withdraw",
	"country_withdraw", "peer_reset",       "dataplane_block",
};

const char *dw_sim_kind_name(enum dw_sim_kind k)
{
	return (unsigned)k < DW_SIM_KIND__N ? kind_names[k] : "unknown";
}

int dw_sim_country_ref(struct dw_yx *x, const struct dw_sim_scenario *sc,
		       const yaml_node_t *n, int *out)
{
	const char *s = "";
	int rc;

	if ((rc = dw_yx_str(x, n, &s)))
		return rc;
	*out = dw_sim_scenario_country(sc, s);
	if (*out < 0)
		return dw_yx_fail(x, n, "country '%s' is not in 'countries'",
				  s);
	return 0;
}

int dw_sim_region_ref(struct dw_yx *x, const struct dw_sim_scenario *sc,
		      int country, const yaml_node_t *n, int *out)
{
	const char *s = "";
	int rc;

	if ((rc = dw_yx_str(x, n, &s)))
		return rc;
	*out = dw_sim_scenario_region(sc, country, s);
	if (*out < 0)
		return dw_yx_fail(x, n, "region '%s' is not a region of %s", s,
				  sc->countries[country].code);
	return 0;
}

/* -------------------------------------------------------------- events */

static const char *const event_keys[DW_SIM_KIND__N][10] = {
	[DW_SIM_WITHDRAW] = {"asn", "fraction", NULL},
	[DW_SIM_PARTIAL_WITHDRAW] = {"asn", "fraction", NULL},
	[DW_SIM_REGION_WITHDRAW] = {"country", "region", "fraction", NULL},
	[DW_SIM_COUNTRY_WITHDRAW] = {"country", "fraction", NULL},
	[DW_SIM_PEER_RESET] = {"collector", "peer", "down", NULL},
	[DW_SIM_DATAPLANE_BLOCK] = {"asn", NULL},
};

static int parse_event_target(struct dw_yx *x, struct dw_sim_scenario *sc,
			      struct dw_sim_event *e, const yaml_node_t *n)
{
	yaml_node_t *v;
	int rc;

	switch (e->kind) {
	case DW_SIM_WITHDRAW:
	case DW_SIM_PARTIAL_WITHDRAW:
	case DW_SIM_DATAPLANE_BLOCK:
		TRY(dw_yx_need(x, n, "event", "asn", &v));
		TRY(dw_yx_u32(x, v, &e->asn));
		e->as_idx = dw_sim_scenario_as(sc, e->asn);
		if (e->as_idx < 0)
			return dw_yx_fail(x, v, "AS%u is not in 'ases'",
					  e->asn);
		break;
	case DW_SIM_REGION_WITHDRAW:
	case DW_SIM_COUNTRY_WITHDRAW:
		TRY(dw_yx_need(x, n, "event", "country", &v));
		TRY(dw_sim_country_ref(x, sc, v, &e->country));
		if (e->kind == DW_SIM_REGION_WITHDRAW) {
			TRY(dw_yx_need(x, n, "event", "region", &v));
			TRY(dw_sim_region_ref(x, sc, e->country, v, &e->region));
		}
		break;
	case DW_SIM_PEER_RESET: {
		struct dw_addr a;
		const char *cn = "";
		uint32_t down = 180;
		TRY(dw_yx_need(x, n, "event", "collector", &v));
		TRY(dw_yx_str(x, v, &cn));
		for (size_t i = 0; i < sc->ncollectors; i++)
			if (!strcmp(sc->collectors[i].name, cn))
				e->collector = (int)i;
		if (e->collector < 0)
			return dw_yx_fail(x, v,
					  "collector '%s' is not in "
					  "'collectors'",
					  cn);
		TRY(dw_yx_need(x, n, "event", "peer", &v));
		TRY(dw_yx_addr4(x, v, &a));
		const struct dw_sim_collector *c =
			&sc->collectors[e->collector];
		for (size_t i = 0; i < c->npeers; i++)
			if (!memcmp(c->peers[i].addr.b, a.b, 4))
				e->peer = (int)i;
		if (e->peer < 0)
			return dw_yx_fail(x, v, "no such peer in %s", cn);
		if ((v = dw_yx_get(x, n, "down")))
			TRY(dw_yx_duration(x, v, &down));
		if (down < 10 || down > 86400)
			return dw_yx_fail(x, n, "down: 10 s to 1 d");
		e->end = e->start + down;
		break;
	}
	default: break;
	}
	return 0;
fail:
	return rc;
}

static int parse_event(struct dw_yx *x, struct dw_sim_scenario *sc,
		       const yaml_node_t *n)
{
	const char *allowed[16] = {"kind", "start", "end", "duration", "note"};
	struct dw_sim_event *e = &sc->events[sc->nevents];
	yaml_node_t *v, *endn, *durn;
	const char *kind = "";
	size_t k = 5;
	int rc;

	memset(e, 0, sizeof(*e));
	e->as_idx = e->country = e->region = e->collector = e->peer = -1;
	e->fraction = 1;
	e->line = (int)n->start_mark.line + 1;
	if (n->type != YAML_MAPPING_NODE)
		return dw_yx_fail(x, n, "event: expected a mapping");
	TRY(dw_yx_need(x, n, "event", "kind", &v));
	TRY(dw_yx_str(x, v, &kind));
	for (e->kind = 0; e->kind < DW_SIM_KIND__N; e->kind++)
		if (!strcmp(kind, kind_names[e->kind]))
			break;
	if (e->kind == DW_SIM_KIND__N)
		return dw_yx_fail(x, v,
				  "unknown event kind '%s' (withdraw, "
				  "partial_withdraw, region_withdraw, "
				  "country_withdraw, peer_reset, "
				  "dataplane_block)",
				  kind);
	for (size_t i = 0; event_keys[e->kind][i]; i++)
		allowed[k++] = event_keys[e->kind][i];
	allowed[k] = NULL;
	TRY(dw_yx_map(x, n, kind, allowed));
	TRY(dw_yx_need(x, n, "event", "start", &v));
	TRY(dw_yx_time(x, v, &e->start));
	if (e->start < sc->start || e->start >= sc->end)
		return dw_yx_fail(x, v,
				  "start is outside the scenario's "
				  "period");
	endn = dw_yx_get(x, n, "end");
	durn = dw_yx_get(x, n, "duration");
	if (e->kind == DW_SIM_PEER_RESET) {
		if (endn || durn)
			return dw_yx_fail(x, n,
					  "peer_reset: give 'down', not "
					  "'end' or 'duration'");
	} else if (endn && durn) {
		return dw_yx_fail(x, n, "give 'end' or 'duration', not both");
	} else if (endn) {
		TRY(dw_yx_time(x, endn, &e->end));
	} else if (durn) {
		uint32_t d;
		TRY(dw_yx_duration(x, durn, &d));
		e->end = e->start + d;
	} else {
		return dw_yx_fail(x, n,
				  "event: 'end' or 'duration' is "
				  "required");
	}
	if ((v = dw_yx_get(x, n, "fraction")))
		TRY(dw_yx_double(x, v, &e->fraction));
	if (!(e->fraction > 0 && e->fraction <= 1))
		return dw_yx_fail(x, n, "fraction must be in (0, 1]");
	if (e->kind == DW_SIM_PARTIAL_WITHDRAW && e->fraction == 1)
		return dw_yx_fail(x, n,
				  "partial_withdraw needs a fraction "
				  "below 1 (or use withdraw)");
	if (e->kind == DW_SIM_WITHDRAW && e->fraction != 1)
		return dw_yx_fail(x, n,
				  "withdraw takes every prefix (use "
				  "partial_withdraw)");
	TRY(parse_event_target(x, sc, e, n));
	if (e->kind != DW_SIM_PEER_RESET && e->end - e->start < 300)
		return dw_yx_fail(x, n, "an event lasts at least 5 minutes");
	sc->nevents++;
	return 0;
fail:
	return rc;
}

int dw_sim_parse_churn(struct dw_yx *x, struct dw_sim_scenario *sc,
		       const yaml_node_t *n)
{
	static const char *const keys[] = {
		"flaps_per_hour",        "flap_duration",
		"path_changes_per_hour", "path_bursts_per_day",
		"path_hunting",          "propagation",
		"path_variants",         NULL};
	struct dw_sim_churn *c = &sc->churn;
	yaml_node_t *v;
	int rc;

	TRY(dw_yx_map(x, n, "churn", keys));
	if ((v = dw_yx_get(x, n, "flaps_per_hour")))
		TRY(dw_yx_double(x, v, &c->flaps_per_hour));
	if ((v = dw_yx_get(x, n, "path_changes_per_hour")))
		TRY(dw_yx_double(x, v, &c->path_changes_per_hour));
	if ((v = dw_yx_get(x, n, "path_bursts_per_day")))
		TRY(dw_yx_double(x, v, &c->path_bursts_per_day));
	if (c->flaps_per_hour < 0 || c->flaps_per_hour > 3600 ||
	    c->path_changes_per_hour < 0 || c->path_changes_per_hour > 3600 ||
	    c->path_bursts_per_day < 0 || c->path_bursts_per_day > 1440)
		return dw_yx_fail(x, n,
				  "churn rates: 0 to one per second "
				  "(bursts: one per minute)");
	if ((v = dw_yx_get(x, n, "flap_duration"))) {
		size_t len;
		TRY(dw_yx_seq(x, v, "flap_duration", &len));
		if (len != 2)
			return dw_yx_fail(x, v, "flap_duration: [min, max]");
		TRY(dw_yx_duration(x, dw_yx_item(x, v, 0), &c->flap_min));
		TRY(dw_yx_duration(x, dw_yx_item(x, v, 1), &c->flap_max));
		if (c->flap_min < 1 || c->flap_min > c->flap_max ||
		    c->flap_max > 3600)
			return dw_yx_fail(x, v,
					  "flap_duration: 1 s <= min "
					  "<= max <= 1 h");
	}
	if ((v = dw_yx_get(x, n, "path_hunting"))) {
		TRY(dw_yx_double(x, v, &c->path_hunting));
		if (c->path_hunting < 0 || c->path_hunting > 1)
			return dw_yx_fail(x, v, "path_hunting: 0 to 1");
	}
	if ((v = dw_yx_get(x, n, "propagation"))) {
		TRY(dw_yx_duration(x, v, &c->propagation));
		if (c->propagation > 240)
			return dw_yx_fail(x, v,
					  "propagation: at most 240 s "
					  "(an event must land in one "
					  "5-min bin)");
	}
	if ((v = dw_yx_get(x, n, "path_variants"))) {
		uint32_t k;
		TRY(dw_yx_u32(x, v, &k));
		if (k < 1 || k > 8)
			return dw_yx_fail(x, v, "path_variants: 1 to 8");
		c->variants = k;
	}
	return 0;
fail:
	return rc;
}

int dw_sim_parse_events(struct dw_yx *x, struct dw_sim_scenario *sc,
			const yaml_node_t *list)
{
	size_t n;
	int rc;

	TRY(dw_yx_seq(x, list, "events", &n));
	sc->events = calloc(n ? n : 1, sizeof(*sc->events));
	if (!sc->events)
		return DW_ENOMEM;
	for (size_t i = 0; i < n; i++)
		TRY(parse_event(x, sc, dw_yx_item(x, list, i)));
	return 0;
fail:
	return rc;
}
