/*
 * pcap_read.c - the telescope benchmark's reference and its input
 * (bench/telescope_bench.sh).
 *
 *   pcap_read gen N FILE   write N packets (raw IPv4 + TCP SYN, 40 bytes,
 *                          snaplen 64) to FILE: sources drawn from 2 million
 *                          addresses with a skew (a few busy scanners, a long
 *                          tail), 100,000 packets a second of capture time
 *   pcap_read read FILE    the bare libpcap loop: pcap_next_ex over every
 *                          packet, touching one byte of each; prints packets,
 *                          seconds and packets/s
 *
 * The read loop is what `darkwatch telescope` cannot beat (it runs the same
 * libpcap reader, then decodes, filters and counts), so the script prints
 * the ratio of the two.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static double now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static uint64_t rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int gen(unsigned long long n, const char *path)
{
	static const uint8_t hdr[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0,
					0, 0, 0, 0, 0, 0, 0, 0,
					64, 0, 0, 0, 101, 0, 0, 0};
	FILE *f = fopen(path, "wb");
	uint64_t s = 42;
	uint8_t rec[56];

	if (!f || fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr))
		return perror(path), 1;
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	for (unsigned long long i = 0; i < n; i++) {
		uint64_t r = rng(&s);
		/* source: index skewed towards small numbers, spread over the
		 * routed space 1.0.0.0 - 223.255.255.255 by a fixed mixing */
		uint32_t idx = (uint32_t)((r & 0xffff) * ((r >> 16) & 0x1f)) % 2000000u;
		uint32_t src = 0x01000000u + (uint32_t)(rng(&(uint64_t){idx}) % 0xde000000u);
		uint32_t dst = 0xc6120000u | (uint32_t)((r >> 24) & 0x1ffff);
		uint8_t *b = rec + 16;
		le32(rec, (uint32_t)(1573862400 + i / 100000));
		le32(rec + 4, (uint32_t)(i % 100000) * 10);
		le32(rec + 8, 40);
		le32(rec + 12, 40);
		memset(b, 0, 40);
		b[0] = 0x45;
		b[3] = 40;
		b[5] = 1;
		b[8] = 64;
		b[9] = 6;
		for (int k = 0; k < 4; k++) {
			b[12 + k] = (uint8_t)(src >> (24 - 8 * k));
			b[16 + k] = (uint8_t)(dst >> (24 - 8 * k));
		}
		b[20] = 0x9c;
		b[21] = 0x40;
		b[23] = (r >> 50) & 1 ? 23 : 445;
		b[22] = (r >> 50) & 1 ? 0 : 1;
		b[24] = (uint8_t)(r >> 56);
		b[32] = 0x50;
		b[33] = 0x02;
		if (fwrite(rec, 1, sizeof(rec), f) != sizeof(rec))
			return perror(path), 1;
	}
	return fclose(f) ? (perror(path), 1) : 0;
}

static int readall(const char *path)
{
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, eb);
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long long n = 0, sum = 0;
	double t0 = now(), secs;

	if (!pc)
		return fprintf(stderr, "%s: %s\n", path, eb), 1;
	while (pcap_next_ex(pc, &h, &d) == 1) {
		n++;
		sum += d[h->caplen > 12 ? 12 : 0];
	}
	secs = now() - t0;
	pcap_close(pc);
	printf("packets %llu seconds %.3f pps %.0f (checksum %llu)\n", n, secs,
	       secs > 0 ? (double)n / secs : 0.0, sum);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "gen"))
		return gen(strtoull(argv[2], NULL, 10), argv[3]);
	if (argc == 3 && !strcmp(argv[1], "read"))
		return readall(argv[2]);
	fprintf(stderr, "usage: pcap_read gen N FILE | pcap_read read FILE\n");
	return 1;
}
