/*
 * test_probe_sender.c - the sender process enforces the safety rules
 * itself, whatever the unprivileged side asks: blocklisted destinations
 * and malformed packets are refused at the send path, allowed probes go
 * out and their replies come back, and the sender keeps only CAP_NET_RAW.
 *
 * NETWORK RULE: the test first moves itself into a new, empty network
 * namespace (unshare(CLONE_NEWNET), lo only) so no packet can leave the
 * machine; it sends only to 127.0.0.0/8.  Needs root (CI runs as root);
 * without it the test fails rather than silently skipping.
 */
#include <errno.h>
#include <linux/capability.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "darkwatch/probe.h"
#include "probe/icmp.h"
#include "testutil.h"

static int lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (rc == 0)
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return rc;
}

static int replies;
static void on_rx(void *ctx, const uint8_t *ip, size_t len, uint64_t t)
{
	struct dw_icmp_reply r;
	(void)t;
	if (dw_icmp_parse(ip, len, ctx, &r) == DW_RK_OK)
		replies++;
}

static uint64_t capeff(int pid, const char *key)
{
	char path[64], line[256];
	uint64_t v = ~0ull;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return v;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtoull(line + strlen(key) + 1, NULL, 16);
	fclose(f);
	return v;
}

int main(void)
{
	struct dw_blocklist *bl = NULL;
	struct dw_sender *s = NULL;
	struct dw_sender_stats st;
	uint64_t key[2] = {7, 11};

	if (unshare(CLONE_NEWNET) < 0 || lo_up() < 0) {
		fprintf(stderr, "FAIL: needs root for a private network namespace: %s\n",
			strerror(errno));
		return 1;
	}
	CHECK_EQ_INT(dw_blocklist_new(&bl), 0);
	CHECK_EQ_INT(dw_blocklist_add(bl, 0x7f090000, 16), 0); /* 127.9/16 */
	dw_blocklist_loopback_only(bl);
	struct dw_sender_conf sc = {1000, bl, -1, 65534};
	CHECK_EQ_INT(dw_sender_spawn(&sc, &s), 0);
	if (!s)
		return dw_test_finish();
	int pid = dw_sender_pid(s);
	usleep(100000);
	CHECK_EQ_U64(capeff(pid, "CapEff:"), 1ull << CAP_NET_RAW);
	CHECK_EQ_U64(capeff(pid, "CapPrm:"), 1ull << CAP_NET_RAW);
	CHECK_EQ_U64(capeff(pid, "CapBnd:"), 1ull << CAP_NET_RAW);

	/* allowed, blocklisted by the user, outside 127/8 (unroutable in
	 * this namespace anyway), allowed but malformed */
	uint32_t dst[5] = {0x7f000005, 0x7f090001, 0x0a000001, 0x7f000006,
			   0x7f010203};
	uint8_t pkt[5][DW_PROBE_PKT_LEN];
	for (int i = 0; i < 5; i++)
		dw_icmp_build(pkt[i], key, dst[i], 1000 + (uint64_t)i);
	pkt[3][0] = 0; /* an echo reply is not something the sender emits */
	CHECK_EQ_INT(dw_sender_send(s, dst, (const uint8_t (*)[DW_PROBE_PKT_LEN])pkt, 5), 0);
	for (int i = 0; i < 50 && replies < 2; i++) {
		struct pollfd pf = {dw_sender_fd(s), POLLIN, 0};
		if (poll(&pf, 1, 20) > 0)
			dw_sender_recv(s, on_rx, key);
	}
	CHECK_EQ_INT(replies, 2);
	dw_sender_close(s, &st);
	CHECK_EQ_U64(st.sent, 2);
	CHECK_EQ_U64(st.refused, 2);
	CHECK_EQ_U64(st.bad_requests, 1);
	CHECK_EQ_U64(st.send_errors, 0);
	dw_blocklist_free(bl);
	return dw_test_finish();
}
