/*
 * yamlx.h - strict typed access to a libyaml document, for scenario files.
 *
 * The scenario parser (scenario.c) reads a YAML document tree built by
 * libyaml's loader and needs, at every node, "this must be a mapping with
 * only these keys", "this scalar must be a 32-bit integer", and an error
 * message that names the file and line.  These helpers do that once.
 *
 * Key decision: every helper writes its message into the context and
 * returns DW_EINVAL, so the parser is a chain of `if ((rc = ...)) goto fail;`
 * and the first problem found is the one reported.
 */
#ifndef DW_SIM_YAMLX_H
#define DW_SIM_YAMLX_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "darkwatch/addr.h"

struct dw_yx {
	yaml_document_t *doc;
	const char *path;
	char *err;
	size_t errlen;
};

/* Write "path:line: message" (line of n, or none when n is NULL). */
int dw_yx_fail(struct dw_yx *x, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The node with id `id` (never NULL for ids taken from the document). */
yaml_node_t *dw_yx_node(struct dw_yx *x, int id);

/*
 * Check that n is a mapping whose keys are scalars, unique, and all among
 * the NULL-terminated `allowed` list.  `what` names it in messages.
 */
int dw_yx_map(struct dw_yx *x, const yaml_node_t *n, const char *what,
	      const char *const *allowed);
/* Value of `key` in mapping n, or NULL when absent. */
yaml_node_t *dw_yx_get(struct dw_yx *x, const yaml_node_t *n, const char *key);
/* Like dw_yx_get, but a missing key is an error naming `what`. */
int dw_yx_need(struct dw_yx *x, const yaml_node_t *map, const char *what,
	       const char *key, yaml_node_t **out);
/* Check that n is a sequence; *len gets its length. */
int dw_yx_seq(struct dw_yx *x, const yaml_node_t *n, const char *what,
	      size_t *len);
/* Item i of sequence n (i < length). */
yaml_node_t *dw_yx_item(struct dw_yx *x, const yaml_node_t *n, size_t i);

/* Scalar values.  *s is borrowed from the document. */
int dw_yx_str(struct dw_yx *x, const yaml_node_t *n, const char **s);
/* Owned copy (free()). */
int dw_yx_strdup(struct dw_yx *x, const yaml_node_t *n, char **out);
int dw_yx_u32(struct dw_yx *x, const yaml_node_t *n, uint32_t *out);
int dw_yx_u64(struct dw_yx *x, const yaml_node_t *n, uint64_t *out);
int dw_yx_double(struct dw_yx *x, const yaml_node_t *n, double *out);
/* A time as dw_time_parse accepts it (epoch or ISO 8601, UTC). */
int dw_yx_time(struct dw_yx *x, const yaml_node_t *n, int64_t *out);
/* A duration: seconds, or a number with s, m, h or d ("90s", "5m"). */
int dw_yx_duration(struct dw_yx *x, const yaml_node_t *n, uint32_t *out);
/* An IPv4 address. */
int dw_yx_addr4(struct dw_yx *x, const yaml_node_t *n, struct dw_addr *out);

#endif
