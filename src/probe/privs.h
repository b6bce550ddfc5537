/*
 * privs.h - capability sets and clocks shared by the prober's processes.
 */
#ifndef DW_PROBE_PRIVS_H
#define DW_PROBE_PRIVS_H

#include <stdint.h>

/* Keep exactly the capabilities whose bits are set in mask (CAP_NET_RAW is
 * bit 13) in the effective and permitted sets; clear inheritable, ambient
 * and the rest of the bounding set; set no_new_privs.  0 or -errno. */
int dw_priv_keep_only(uint64_t mask);

/* Only the bounding-set part of dw_priv_keep_only (before a uid change,
 * which loses CAP_SETPCAP).  0 or -errno. */
int dw_priv_bound_only(uint64_t mask);

/* The effective capability set of this process.  0 or -errno. */
int dw_priv_effective(uint64_t *mask);

/* CLOCK_MONOTONIC in nanoseconds (the rate cap's clock). */
uint64_t dw_probe_mono_ns(void);

#endif
