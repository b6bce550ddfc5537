/*
 * input.c - packet sources for the telescope: capture files and interfaces.
 *
 * First step of the telescope stage (telescope.h).  libpcap reads pcap and
 * pcapng and captures live; this file adds compressed captures: the
 * project's stream (darkwatch/stream.h: gzip, bzip2, xz, told from the magic
 * bytes) is handed to libpcap as a FILE through fopencookie, so nothing is
 * decompressed to disk.  Uncompressed files go straight to libpcap (its own
 * buffered reader is the fastest path).
 */
#include "darkwatch/telescope.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "darkwatch/err.h"
#include "darkwatch/stream.h"

struct dw_tel_input {
	pcap_t *pc;
	int linktype;
};

static ssize_t cookie_read(void *c, char *buf, size_t n)
{
	ssize_t r = dw_stream_read(c, buf, n);
	if (r < 0) {
		errno = EIO;
		return -1;
	}
	return r;
}

static int cookie_close(void *c)
{
	dw_stream_free(c);
	return 0;
}

static int wrap(pcap_t *pc, struct dw_tel_input **out)
{
	struct dw_tel_input *in = calloc(1, sizeof(*in));
	if (!in) {
		pcap_close(pc);
		return DW_ENOMEM;
	}
	in->pc = pc;
	in->linktype = pcap_datalink(pc);
	*out = in;
	return 0;
}

int dw_tel_input_file(const char *path, struct dw_tel_input **out, char *msg,
		      size_t msglen)
{
	static const cookie_io_functions_t io = {cookie_read, NULL, NULL,
						 cookie_close};
	struct dw_stream_conf sc = {1};
	struct dw_stream *s = NULL;
	char eb[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc;
	FILE *f;
	int rc;

	*out = NULL;
	if (msglen)
		msg[0] = 0;
	if (strcmp(path, "-")) {
		if ((rc = dw_stream_open(path, &sc, &s)) < 0) {
			snprintf(msg, msglen, "%s", dw_strerror(rc));
			return rc;
		}
		if (dw_stream_compression(s) == DW_COMP_NONE) {
			dw_stream_free(s);
			if (!(pc = pcap_open_offline(path, eb))) {
				snprintf(msg, msglen, "%s", eb);
				return DW_EFORMAT;
			}
			return wrap(pc, out);
		}
	} else if ((rc = dw_stream_open(path, &sc, &s)) < 0) {
		snprintf(msg, msglen, "%s", dw_strerror(rc));
		return rc;
	}
	if (!(f = fopencookie(s, "r", io))) {
		rc = -errno;
		dw_stream_free(s);
		snprintf(msg, msglen, "%s", strerror(-rc));
		return rc;
	}
	if (!(pc = pcap_fopen_offline(f, eb))) {
		fclose(f); /* frees the stream */
		snprintf(msg, msglen, "%s", eb);
		return DW_EFORMAT;
	}
	return wrap(pc, out);
}

int dw_tel_input_live(const char *ifname, struct dw_tel_input **out,
		      char *msg, size_t msglen)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc;

	*out = NULL;
	if (!(pc = pcap_create(ifname, eb))) {
		snprintf(msg, msglen, "%s", eb);
		return DW_EIO;
	}
	if (pcap_set_snaplen(pc, 256) || pcap_set_promisc(pc, 1) ||
	    pcap_set_timeout(pc, 200) || pcap_set_immediate_mode(pc, 1) ||
	    pcap_set_buffer_size(pc, 32 << 20) || pcap_activate(pc) < 0) {
		snprintf(msg, msglen, "%s", pcap_geterr(pc));
		pcap_close(pc);
		return DW_EIO;
	}
	return wrap(pc, out);
}

int dw_tel_input_linktype(const struct dw_tel_input *in)
{
	return in->linktype;
}

int dw_tel_input_next(struct dw_tel_input *in, struct dw_tel_frame *f)
{
	struct pcap_pkthdr *h;
	const u_char *d;

	switch (pcap_next_ex(in->pc, &h, &d)) {
	case 1:
		f->ts = (int64_t)h->ts.tv_sec;
		f->data = d;
		f->caplen = h->caplen;
		f->wirelen = h->len;
		return 1;
	case 0:
	case PCAP_ERROR_BREAK:
		return 0;
	default:
		return strstr(pcap_geterr(in->pc), "truncated") ? DW_ETRUNC
								 : DW_EIO;
	}
}

const char *dw_tel_input_error(const struct dw_tel_input *in)
{
	return pcap_geterr(in->pc);
}

void dw_tel_input_break(struct dw_tel_input *in)
{
	pcap_breakloop(in->pc);
}

void dw_tel_input_free(struct dw_tel_input *in)
{
	if (!in)
		return;
	pcap_close(in->pc);
	free(in);
}
