/*
 * detect.h - outage detectors: one time series in, alerts out.
 *
 * Sits between the store (points) and the alert/event tables: the `detect`
 * verb reads a series' points in time order, pushes them through a
 * detector, and writes what comes out (docs/DETECT.md).  A detector knows
 * nothing of SQL; its whole memory can be saved to bytes and restored, so
 * detection is incremental (new bins only) and a restored detector gives
 * exactly the alerts the uninterrupted one would have given.
 *
 * Two methods:
 *   "median"   IODA's: moving median over a window, warning/critical
 *              fractions, anomalous values inpainted with the prediction
 *              for at most 7 days, 1 h warm-up.
 *   "seasonal" darkwatch's default: level x daily/weekly profile learnt
 *              from hourly means of the last 28 days, robust residual
 *              scale, drops only, shallow long drops accepted as level
 *              shifts (their alerts are retracted).
 *
 * Errors: 0 / negative codes from darkwatch/err.h.
 */
#ifndef DARKWATCH_DETECT_H
#define DARKWATCH_DETECT_H

#include <stddef.h>
#include <stdint.h>

enum dw_detect_method { DW_DETECT_MEDIAN = 0, DW_DETECT_SEASONAL = 1 };
#define DW_DETECT_NMETHODS 2
#define DW_DETECT_DEFAULT_METHOD "seasonal"

/* "median" / "seasonal"; NULL for other values. */
const char *dw_detect_method_name(int method);
/* The method named s, or -1. */
int dw_detect_method_find(const char *s);

enum { DW_LEVEL_NORMAL = 0, DW_LEVEL_WARNING = 1, DW_LEVEL_CRITICAL = 2 };

/* Parameters of one datasource (both methods).  Times in seconds. */
struct dw_detect_params {
	/* median (IODA) */
	int64_t med_window;   /* moving-median window */
	double med_warn;      /* warning below med_warn * history */
	double med_crit;      /* critical below med_crit * history */
	double med_low, med_high; /* inpaint while ratio < low or > high */
	int64_t med_inpaint_max;  /* inpaint at most this long */
	int64_t med_warmup;       /* no alert before this much history */
	/* seasonal */
	double warn_drop;     /* a warning needs a drop above this fraction */
	double crit_drop;     /* a critical alert needs a drop above this */
	double k_warn, k_crit; /* ... and above k x the residual scale */
	double shift_max_drop; /* runs shallower than this may be shifts */
	int64_t shift_accept;  /* ... once they have lasted this long */
	int64_t hold_max;      /* deep runs are inpainted at most this long */
	double spike_ratio;    /* upward values above this x forecast ... */
	int64_t spike_max;     /* ... are inpainted at most this long */
	int64_t level_window;  /* level = median of this much clean data */
	int64_t min_days;      /* days of history before profiles are used */
	int64_t weekly;        /* 1: learn the weekday's level too */
	double learn_drop;     /* weekly, first week: warnings need this drop */
	double count_z;        /* counts: a drop must exceed count_z x
				* sqrt(forecast) too (0: off; the signal is
				* not a noisy count) */
	/* both methods: DW_DIRECTION_DOWN (outages are drops) or
	 * DW_DIRECTION_NONE (not an outage signal: never detected; the
	 * probing loss and latency series) */
	int64_t direction;
};

enum { DW_DIRECTION_DOWN = 0, DW_DIRECTION_NONE = 1 };

/* IODA's BGP row / darkwatch's BGP defaults (docs/DETECT.md says why). */
#define DW_DETECT_PARAMS_DEFAULT                                             \
	{86400, 0.99, 0.5, 0.8, 2.0, 7 * 86400, 3600,                           \
	 0.03, 0.5, 6.0, 12.0, 0.15, 6 * 3600, 7 * 86400, 2.0, 3600, 3600, 1, 0, \
	 0.25, 0.0, DW_DIRECTION_DOWN}

/* Per-datasource parameters: built-in table, optionally a file on top. */
struct dw_detect_conf;

/*
 * A configuration holding the built-in rows (bgp, ping-slash24, merit-nt,
 * ucsd-nt, telescope, gtr, the suffix rows "*-loss" and "*-latency"
 * (direction none), and "*" for anything else).  If path is not NULL the file
 * (format in docs/DETECT.md) is read on top.  On failure, msg (if not
 * NULL) gets "FILE:LINE: why".  *out is owned: dw_detect_conf_free.
 * Returns 0, -errno (file), DW_EFORMAT (syntax), DW_EINVAL (bad value),
 * DW_ENOMEM.
 */
int dw_detect_conf_new(const char *path, struct dw_detect_conf **out,
		       char *msg, size_t msglen);
void dw_detect_conf_free(struct dw_detect_conf *c);
/*
 * The parameters for datasource ds: its own row, else the longest suffix
 * row ("*-loss") it ends with, else the "*" row.  Never fails.
 */
void dw_detect_conf_get(const struct dw_detect_conf *c, const char *ds,
			struct dw_detect_params *p);

/* One alert: what a detector says about one bin. */
struct dw_alert {
	int64_t t;
	int level;
	double value;
	double history;    /* the method's expected value; NaN while warming */
	/* "< 0.5 * history", ">= 0.99 * history", "level shift", ...; set for
	 * every non-normal alert and the normal one after them, "" for the
	 * other normal ones (formatting it for every bin cost a fifth of the
	 * detectors' time, and the store keeps none of them) */
	char condition[40];
};

/*
 * What a detector reports.  alert: one per bin pushed, in order.
 * retract: the alerts from t_from (inclusive) up to the bin being pushed
 * were a level shift, not an outage: forget them (their event too).
 * Returning <0 stops the push with that value.
 */
struct dw_detect_sink {
	int (*alert)(void *ctx, const struct dw_alert *a);
	int (*retract)(void *ctx, int64_t t_from);
	void *ctx;
};

struct dw_detector;

/*
 * A detector for one series of step seconds (1..86400).  p is copied.
 * Owned: dw_detector_free.  Returns 0, DW_EINVAL, DW_ENOMEM.
 */
int dw_detector_new(int method, const struct dw_detect_params *p,
		    int64_t step, struct dw_detector **out);
void dw_detector_free(struct dw_detector *d);

/*
 * Push the value of bin t (increasing; gaps allowed).  Calls sink->alert
 * exactly once for t (after any retract).  Returns 0, DW_EINVAL (t not
 * after the last bin, or not finite), or a sink's negative value.
 */
int dw_detector_push(struct dw_detector *d, int64_t t, double value,
		     const struct dw_detect_sink *sink);

/* Time of the last bin pushed, INT64_MIN if none. */
int64_t dw_detector_last_t(const struct dw_detector *d);

/*
 * Serialise the detector's state.  *buf is owned (free()), *len its size.
 * dw_detector_load restores it into a detector made with the same method,
 * parameters and step; a blob that does not fit is DW_EFORMAT (then start
 * afresh).  Returns 0 or a negative code.
 */
int dw_detector_save(const struct dw_detector *d, unsigned char **buf,
		     size_t *len);
int dw_detector_load(struct dw_detector *d, const unsigned char *buf,
		     size_t len);

/*
 * Event tracker: turns one series' alerts into events.  An event opens at
 * the first non-normal alert and closes at the next normal one (t_end =
 * that bin's start); score = sum over its bins of drop% x step minutes,
 * drop = |history - value| / max(history, value) x 100.
 */
struct dw_event_state {
	int open;
	int64_t t_start, t_last; /* t_last: the last non-normal bin */
	double score, max_drop;
};

/*
 * Feed one alert of a series with step seconds.  Returns 1 when the alert
 * opened an event, 2 when it extended one, 3 when it closed one (the state
 * still holds it, open == 0, with t_end = a->t), 0 when nothing changed.
 */
int dw_event_feed(struct dw_event_state *e, const struct dw_alert *a,
		  int64_t step);

/* The drop% of one alert (0 when history is unknown or value >= it). */
double dw_alert_drop(const struct dw_alert *a);

#endif
