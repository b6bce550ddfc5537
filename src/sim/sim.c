/*
 * sim.c - the simulator's public face (darkwatch/sim.h): scenario → world →
 * timeline → files.
 *
 * Glue only: each stage lives in its own file (scenario.c, world.c,
 * timeline.c, meta.c, gen.c).  dw_sim_new does everything that can fail on
 * bad input (parsing, reading the data, resolving events, checking the
 * full-feed threshold) before a single file is written, so a scenario
 * mistake never leaves a half-written output directory.
 */
#include "darkwatch/sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "darkwatch/err.h"
#include "darkwatch/sim_telescope.h"
#include "sim/gen.h"
#include "sim/meta.h"
#include "sim/probing.h"
#include "sim/scenario.h"
#include "sim/telescope.h"
#include "sim/timeline.h"
#include "sim/world.h"

#define RIB_EVERY 28800

struct dw_sim {
	struct dw_sim_scenario *sc;
	struct dw_sim_world *w;
	struct dw_sim_timeline *t;
	char *out_dir;
	uint64_t seed;
	int64_t out_from, out_until;
	dw_sim_progress_fn progress;
	void *progress_ctx;
	struct dw_sim_out_stats st;
	size_t truth_rows;
	int ran;
};

int dw_sim_new(const struct dw_sim_conf *conf, struct dw_sim **out, char *err,
	       size_t errlen)
{
	struct dw_sim *s;
	int64_t from, until, t0;
	int rc;

	*out = NULL;
	if (errlen)
		err[0] = 0;
	if (!conf || !conf->scenario || !conf->out_dir) {
		snprintf(err, errlen,
			 "a scenario and an output directory "
			 "are required");
		return DW_EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->out_dir = strdup(conf->out_dir))) {
		rc = DW_ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	s->progress = conf->progress;
	s->progress_ctx = conf->progress_ctx;
	if ((rc = dw_sim_scenario_load(conf->scenario, conf->data_dir, &s->sc,
				       err, errlen)))
		goto fail;
	s->seed = conf->has_seed ? conf->seed : s->sc->seed;
	from = conf->from ? conf->from : s->sc->start;
	until = conf->until ? conf->until : s->sc->end;
	if (from < s->sc->start || until > s->sc->end || from >= until) {
		rc = DW_EINVAL;
		snprintf(err, errlen,
			 "%s: --from/--until must lie within the scenario's "
			 "period, from before until",
			 s->sc->path);
		goto fail;
	}
	t0 = s->sc->start - s->sc->start % RIB_EVERY;
	s->out_from = from - from % RIB_EVERY;
	if (s->out_from < t0)
		s->out_from = t0;
	s->out_until = until;
	if ((rc = dw_sim_world_build(s->sc, &s->w, err, errlen)) ||
	    (rc = dw_sim_timeline_build(s->w, &s->t, err, errlen)))
		goto fail;
	*out = s;
	return 0;
fail:
	dw_sim_free(s);
	return rc;
}

static int mkdir_p(const char *dir)
{
	char *p = strdup(dir);
	int rc = 0;

	if (!p)
		return DW_ENOMEM;
	for (char *q = p + 1; *q && !rc; q++) {
		if (*q != '/')
			continue;
		*q = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			rc = -errno;
		*q = '/';
	}
	if (!rc && mkdir(p, 0755) < 0 && errno != EEXIST)
		rc = -errno;
	free(p);
	return rc;
}

/* out_dir + "/" + name, owned. */
static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

int dw_sim_run(struct dw_sim *s, char *err, size_t errlen)
{
	char *geo = join(s->out_dir, "geo.csv");
	char *names = join(s->out_dir, "asnames.json.gz");
	char *truth = join(s->out_dir, "truth.csv");
	char *arch = join(s->out_dir, "archive");
	struct dw_sim_gen_conf gc;
	int rc;

	if (errlen)
		err[0] = 0;
	if (s->ran) {
		rc = DW_EINVAL;
		snprintf(err, errlen, "dw_sim_run called twice");
		goto fail;
	}
	s->ran = 1;
	if (!geo || !names || !truth || !arch) {
		rc = DW_ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if ((rc = mkdir_p(arch))) {
		snprintf(err, errlen, "%s: %s", arch, dw_strerror(rc));
		goto fail;
	}
	if ((rc = dw_sim_write_geo(s->w, geo, err, errlen)) ||
	    (rc = dw_sim_write_asnames(s->w, names, err, errlen)) ||
	    (rc = dw_sim_truth_write(s->t, truth, s->out_from, s->out_until,
				     &s->truth_rows, err, errlen)))
		goto fail;
	memset(&gc, 0, sizeof(gc));
	gc.archive_dir = arch;
	gc.seed = s->seed;
	gc.out_from = s->out_from;
	gc.out_until = s->out_until;
	gc.progress = s->progress;
	gc.progress_ctx = s->progress_ctx;
	rc = dw_sim_gen_run(s->w, s->t, &gc, &s->st, err, errlen);
fail:
	free(arch);
	free(truth);
	free(names);
	free(geo);
	return rc;
}

int dw_sim_probing(struct dw_sim *s, struct dw_sim_probing_info *info,
		   char *err, size_t errlen)
{
	struct dw_sim_probing_conf pc;
	struct dw_sim_probing_info tmp;
	char *dir = join(s->out_dir, "probing");
	char *truth = join(s->out_dir, "probing/truth.csv");
	int rc = DW_ENOMEM;

	if (errlen)
		err[0] = 0;
	if (!dir || !truth) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if ((rc = mkdir_p(dir))) {
		snprintf(err, errlen, "%s: %s", dir, dw_strerror(rc));
		goto fail;
	}
	memset(&pc, 0, sizeof(pc));
	pc.dir = dir;
	pc.truth_path = truth;
	pc.seed = s->seed;
	pc.from = s->out_from;
	pc.until = s->out_until;
	pc.progress = s->progress;
	pc.progress_ctx = s->progress_ctx;
	rc = dw_sim_probing_run(s->w, s->t, &pc, info ? info : &tmp, err,
				errlen);
fail:
	free(truth);
	free(dir);
	return rc;
}

int dw_sim_telescope(struct dw_sim *s, double per_minute, uint64_t *packets,
		     uint64_t *files, char *err, size_t errlen)
{
	struct dw_sim_tel_conf tc;
	char *dir = join(s->out_dir, "telescope");
	int rc = DW_ENOMEM;

	if (errlen)
		err[0] = 0;
	if (!dir) {
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	if ((rc = mkdir_p(dir))) {
		snprintf(err, errlen, "%s: %s", dir, dw_strerror(rc));
		free(dir);
		return rc;
	}
	memset(&tc, 0, sizeof(tc));
	tc.dir = dir;
	tc.seed = s->seed;
	tc.from = s->out_from;
	tc.until = s->out_until;
	tc.per_minute = per_minute;
	rc = dw_sim_telescope_write(s->w, s->t, &tc, packets, files, err, errlen);
	free(dir);
	return rc;
}

void dw_sim_info(const struct dw_sim *s, struct dw_sim_info *out)
{
	const struct dw_sim_scenario *sc = s->sc;

	memset(out, 0, sizeof(*out));
	out->name = sc->name;
	out->seed = s->seed;
	out->start = sc->start;
	out->end = sc->end;
	out->out_from = s->out_from;
	out->out_until = s->out_until;
	out->prefixes = (uint32_t)s->w->npfx;
	out->slash24 = s->w->n24;
	out->ases = (uint32_t)sc->nases;
	out->countries = (uint32_t)sc->ncountries;
	out->collectors = (uint32_t)sc->ncollectors;
	out->peers = (uint32_t)s->w->npeers;
	out->full_peers = (uint32_t)s->w->nfull;
	out->full_feed_min_v4 = s->t->full_feed_min_v4;
	out->events = (uint32_t)sc->nevents;
	out->truth_rows = (uint32_t)(s->ran ? s->truth_rows : s->t->nrows);
	out->files = s->st.files;
	out->bytes = s->st.bytes;
	out->records = s->st.records;
}

void dw_sim_free(struct dw_sim *s)
{
	if (!s)
		return;
	dw_sim_timeline_free(s->t);
	dw_sim_world_free(s->w);
	dw_sim_scenario_free(s->sc);
	free(s->out_dir);
	free(s);
}
