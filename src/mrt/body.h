/*
 * body.h - decoders of MRT record bodies, internal to src/mrt.
 *
 * The reader (reader.c) owns framing, buffering and resynchronisation; these
 * functions only turn one record's body bytes into the public dw_mrt_record
 * views.  Split out so each file stays small and so the body decoders can be
 * fuzzed without the framing.
 */
#ifndef DW_MRT_BODY_H
#define DW_MRT_BODY_H

#include "darkwatch/mrt.h"

struct dw_arena;

/* Peer table storage owned by the reader, filled by PEER_INDEX_TABLE. */
struct dw_mrt_peers_store {
	struct dw_mrt_peer *peers;
	size_t cap;
	uint8_t *view;
	size_t view_cap;
	struct dw_mrt_peer_table table;
	int have;
};

/*
 * Decode rec->body according to rec->type/subtype into rec->kind and rec->u.
 * Returns 0, or DW_EMALFORMED/DW_ENOMEM with *why set.  *warn collects a
 * tolerated oddity (DW_R_NONE if none).  *used is the count of body bytes
 * consumed (TABLE_DUMP bodies may hold batched entries after the first).
 */
int dw_mrt_body_decode(struct dw_mrt_record *rec, struct dw_arena *arena,
		       struct dw_mrt_peers_store *ps, enum dw_reason *why,
		       enum dw_reason *warn, size_t *used);

/*
 * TABLE_DUMP v1 entries after the first, in an early-RIS batched record: the
 * view and sequence are given once, then entries repeat without them.  *c is
 * advanced past one entry.  Returns 1 with rec->u.td1 filled, 0 at end, <0 bad.
 */
struct dw_cur;
int dw_mrt_td1_entry(struct dw_mrt_record *rec, struct dw_cur *c,
		     enum dw_reason *why);

void dw_mrt_peers_free(struct dw_mrt_peers_store *ps);

#endif
