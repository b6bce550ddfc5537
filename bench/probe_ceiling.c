/*
 * probe_ceiling.c - the reference for bench/probe_bench.sh: the fastest
 * one process can push ICMP echo probes through one raw socket, with none of
 * the prober's work (no belief, no pacing, no second process, no store).
 *
 * It sends N of the prober's own 24-byte echo requests (dw_icmp_build, so
 * the same checksum and SipHash cost per packet) with one sendto() each, as
 * the sender does, to 127.B.C.1-16 for B.C over the first `blocks` /24s of
 * 127.1.0.0, and drains the replies the namespace's kernel sends back.
 * Prints probes/s and CPU seconds per million probes (getrusage; the
 * kernel's work of answering counts, as it does for the prober's sender).
 *
 * NETWORK RULE: destinations are built here inside 127.0.0.0/8 and nowhere
 * else; the script runs it in a network namespace it created.  Needs
 * CAP_NET_RAW.  usage: probe_ceiling N BLOCKS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "darkwatch/probe.h"
#include "probe/icmp.h"

static double secs(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	uint64_t key[2] = {0x0123456789abcdefull, 0xfedcba9876543210ull};
	uint8_t pkt[DW_PROBE_PKT_LEN], buf[2048];
	struct timespec a, b;
	struct rusage ru;
	unsigned long n, blocks, replies = 0, errs = 0;
	int fd;

	if (argc != 3 || (n = strtoul(argv[1], NULL, 10)) == 0 ||
	    (blocks = strtoul(argv[2], NULL, 10)) == 0 || blocks > 65000) {
		fprintf(stderr, "usage: probe_ceiling N BLOCKS (BLOCKS <= 65000)\n");
		return 1;
	}
	if ((fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ICMP)) < 0) {
		fprintf(stderr, "probe_ceiling: raw socket: %s\n", strerror(errno));
		return 1;
	}
	int big = 8 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (unsigned long i = 0; i < n; i++) {
		unsigned long blk = i % blocks;
		/* 127.1.0.0 + blk /24s, host .1-.16: always inside 127/8 */
		uint32_t dst = 0x7f010000u + (uint32_t)(blk << 8) +
			       1 + (uint32_t)((i / blocks) % 16);
		struct sockaddr_in sa = {.sin_family = AF_INET};
		sa.sin_addr.s_addr = htonl(dst);
		if ((dst >> 24) != 127)
			return 2; /* cannot happen; the rule is absolute */
		dw_icmp_build(pkt, key, dst, i);
		if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&sa,
			   sizeof(sa)) < 0)
			errs++;
		if ((i & 31) == 31)
			while (recv(fd, buf, sizeof(buf), 0) > 0)
				replies++;
	}
	while (recv(fd, buf, sizeof(buf), 0) > 0)
		replies++;
	clock_gettime(CLOCK_MONOTONIC, &b);
	getrusage(RUSAGE_SELF, &ru);
	double wall = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	double cpu = secs(&ru.ru_utime) + secs(&ru.ru_stime);
	printf("ceiling %lu probes %.0f pps cpu_per_M %.3f user %.3f sys %.3f "
	       "replies %lu errors %lu\n",
	       n, (double)n / wall, cpu / ((double)n / 1e6), secs(&ru.ru_utime),
	       secs(&ru.ru_stime), replies, errs);
	close(fd);
	return 0;
}
