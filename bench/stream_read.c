/*
 * stream_read.c - time dw_stream reading a file to its end.
 *
 * The decompression stream is the first stage of every MRT job, and its
 * targets are relative: within 1.3x of `gzip -dc` and faster than one-thread
 * `bzip2 -dc`.  So besides its own time this prints, with -r, the time of the
 * reference tool for the detected format (run on the same file, output to
 * /dev/null) and the ratio.  With -c the decompressed bytes go to stdout, for
 * byte-for-byte checks with cmp.
 *
 * usage: stream_read [-t THREADS] [-b BUFSIZE] [-r] [-c] PATH
 */
#include "darkwatch/err.h"
#include "darkwatch/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct opts {
	int threads, ref, cat;
	size_t bufsize;
	const char *path;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_self(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Parse a non-negative decimal; -1 if malformed. */
static long parse_num(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return -1;
	return v;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	int c;
	long v;

	o->threads = 0;
	o->bufsize = 1 << 16;
	while ((c = getopt(argc, argv, "t:b:rc")) != -1) {
		switch (c) {
		case 't':
			if ((v = parse_num(optarg)) < 0 || v > 1024)
				return -1;
			o->threads = (int)v;
			break;
		case 'b':
			if ((v = parse_num(optarg)) < 1 || v > (1L << 30))
				return -1;
			o->bufsize = (size_t)v;
			break;
		case 'r': o->ref = 1; break;
		case 'c': o->cat = 1; break;
		default: return -1;
		}
	}
	if (optind + 1 != argc)
		return -1;
	o->path = argv[optind];
	return 0;
}

/* Run `tool -dc path >/dev/null`; returns wall seconds or -1. */
static double run_ref(const char *tool, const char *path)
{
	double t0 = now();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
			_exit(127);
		execlp(tool, tool, "-dc", path, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	/* bzip2 exits 2 on a truncated file after writing what it could. */
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 127)
		return -1;
	return now() - t0;
}

/* Read the stream to its end; returns 0 or the stream's error. */
static int drain(struct dw_stream *s, const struct opts *o, uint64_t *total)
{
	char *buf = malloc(o->bufsize);
	ssize_t n;

	if (!buf)
		return DW_ENOMEM;
	while ((n = dw_stream_read(s, buf, o->bufsize)) > 0) {
		*total += (uint64_t)n;
		if (o->cat && fwrite(buf, 1, (size_t)n, stdout) != (size_t)n) {
			n = -EIO;
			break;
		}
	}
	free(buf);
	return (int)n;
}

int main(int argc, char **argv)
{
	struct dw_stream_conf conf = DW_STREAM_CONF_DEFAULT;
	struct dw_stream *s = NULL;
	struct opts o = {0};
	uint64_t total = 0;
	double t0, c0, secs, cpu;
	int rc;

	if (parse_args(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: stream_read [-t THREADS] [-b BUFSIZE] "
				"[-r] [-c] PATH\n");
		return 2;
	}
	conf.threads = o.threads;
	t0 = now();
	c0 = cpu_self();
	rc = dw_stream_open(o.path, &conf, &s);
	if (rc < 0) {
		fprintf(stderr, "stream_read: %s: %s\n", o.path, dw_strerror(rc));
		return 1;
	}
	rc = drain(s, &o, &total);
	secs = now() - t0;
	cpu = cpu_self() - c0;
	fprintf(stderr,
		"%s: %s threads=%d bytes=%llu seconds=%.3f cpu=%.3f "
		"MB/s=%.1f end=%s\n",
		o.path, dw_compress_name(dw_stream_compression(s)), o.threads,
		(unsigned long long)total, secs, cpu,
		secs > 0 ? (double)total / secs / 1e6 : 0.0,
		rc ? dw_strerror(rc) : "ok");
	if (o.ref && dw_stream_compression(s) != DW_COMP_NONE) {
		const char *tool = dw_compress_name(dw_stream_compression(s));
		double r = run_ref(tool, o.path);
		if (r > 0)
			fprintf(stderr, "reference: %s -dc seconds=%.3f "
					"ratio(ours/ref)=%.2f\n",
				tool, r, secs / r);
	}
	dw_stream_free(s);
	return rc ? 1 : 0;
}
