/*
 * replay_main.c - run a libFuzzer target over saved inputs, without libFuzzer.
 *
 * Linked with each tests/fuzz/fuzz_<x>.c into replay_<x>, so the seed corpus
 * and every kept crasher are replayed by an ordinary ctest test in every build
 * (plain, ASan+UBSan), with any compiler.  Arguments are files or
 * directories; directories are walked recursively in name order, skipping
 * dot-files (.gitkeep).  A path that does not exist is reported and skipped, so
 * a target with no corpus yet still passes.  Each input is copied into a
 * buffer of exactly its size, so a sanitizer catches a read one byte past the
 * end.  If an input crashes the target, its path is printed before dying.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional in a target; NULL when the target does not define it. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
/* Present only when linked with a sanitizer runtime. */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

/* Larger files are not fuzz inputs: refuse them. */
#define REPLAY_MAX_INPUT (64u << 20)

/* The input being run, for the crash message (test program: one thread). */
static const char *volatile current;

static void say_current(void)
{
	const char *p = current;
	if (!p)
		return;
	/* async-signal-safe: write(2) only */
	static const char pre[] = "replay: crashed on input ";
	if (write(2, pre, sizeof(pre) - 1) < 0 || write(2, p, strlen(p)) < 0 ||
	    write(2, "\n", 1) < 0)
		return;
}

static void on_signal(int sig)
{
	say_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int run_file(const char *path, unsigned long *count)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	unsigned char *buf = NULL;
	size_t size;
	int rc = -1;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) != 0 || st.st_size < 0 ||
	    (uint64_t)st.st_size > REPLAY_MAX_INPUT) {
		fprintf(stderr, "replay: %s: cannot size or too big\n", path);
		goto out;
	}
	size = (size_t)st.st_size;
	buf = malloc(size ? size : 1);
	if (!buf) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		goto out;
	}
	if (size && fread(buf, 1, size, f) != size) {
		fprintf(stderr, "replay: %s: short read\n", path);
		goto out;
	}
	current = path;
	LLVMFuzzerTestOneInput(buf, size);
	current = NULL;
	(*count)++;
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, unsigned long *count);

static int run_dir(const char *path, unsigned long *count)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **nn = realloc(names, ncap * sizeof(*nn));
			if (!nn) {
				rc = -1;
				break;
			}
			names = nn;
			cap = ncap;
		}
		names[n] = strdup(e->d_name);
		if (!names[n]) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == 0 && n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; rc == 0 && i < n; i++) {
		char sub[4096];
		int len = snprintf(sub, sizeof(sub), "%s/%s", path, names[i]);
		if (len < 0 || (size_t)len >= sizeof(sub)) {
			fprintf(stderr, "replay: %s/%s: path too long\n", path,
				names[i]);
			rc = -1;
			break;
		}
		if (run_path(sub, count) != 0)
			rc = -1;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc != 0)
		fprintf(stderr, "replay: %s: failed\n", path);
	return rc;
}

static int run_path(const char *path, unsigned long *count)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT) {
			fprintf(stderr, "replay: %s: absent, skipped\n", path);
			return 0;
		}
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return run_dir(path, count);
	return run_file(path, count);
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	int i, bad = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (__sanitizer_set_death_callback) {
		__sanitizer_set_death_callback(say_current);
	} else {
		signal(SIGSEGV, on_signal);
		signal(SIGBUS, on_signal);
		signal(SIGABRT, on_signal);
		signal(SIGFPE, on_signal);
		signal(SIGILL, on_signal);
	}
	for (i = 1; i < argc; i++)
		if (run_path(argv[i], &count) != 0)
			bad = 1;
	fprintf(stderr, "replay: %lu inputs run%s\n", count,
		bad ? ", some could not be read" : "");
	return bad;
}
