/*
 * privs.c - capability handling for the prober's privilege separation.
 *
 * DESIGN.md (Processes): only the process that holds the raw socket has
 * CAP_NET_RAW, and it keeps nothing else.  We use the raw capget/capset
 * system calls (the kernel ABI, version 3) rather than libcap: two calls do
 * not justify a dependency.  Dropping goes through every set - effective,
 * permitted, inheritable, ambient and the bounding set - and ends with
 * no_new_privs, so neither an exec nor a setuid file can bring a capability
 * back.
 */
#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "darkwatch/probe.h"
#include "probe/privs.h"

uint64_t dw_probe_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t dw_probe_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int dw_priv_bound_only(uint64_t mask)
{
	/* CAP_SETPCAP (needed to drop from the bounding set) goes last */
	for (int k = 0; k < 64; k++) {
		int c = k == 63 ? CAP_SETPCAP : k == CAP_SETPCAP ? 63 : k;
		if (mask >> c & 1)
			continue;
		/* EINVAL: no such capability on this kernel; EPERM: no
		 * CAP_SETPCAP, an unprivileged process (nothing to drop) */
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL &&
		    errno != EPERM)
			return -errno;
	}
	return 0;
}

/* Keep exactly the capabilities in mask (bits 0..63) everywhere. */
int dw_priv_keep_only(uint64_t mask)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0, 0, 0}, {0, 0, 0}};

	int rc = dw_priv_bound_only(mask);
	if (rc < 0)
		return rc;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		return -errno;
	d[0].effective = d[0].permitted = (uint32_t)mask;
	d[1].effective = d[1].permitted = (uint32_t)(mask >> 32);
	if (syscall(SYS_capset, &h, d) < 0)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

int dw_priv_drop_all(void)
{
	return dw_priv_keep_only(0);
}

int dw_priv_effective(uint64_t *mask)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	*mask = (uint64_t)d[1].effective << 32 | d[0].effective;
	return 0;
}
