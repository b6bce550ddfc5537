/*
 * out.c - flushing of the CLI output buffer (see out.h).
 */
#include "cli/out.h"

#include <errno.h>
#include <unistd.h>

void dw_out_init(struct dw_out *o, int fd)
{
	o->fd = fd;
	o->err = 0;
	o->n = 0;
}

int dw_out_flush(struct dw_out *o)
{
	size_t done = 0;
	while (done < o->n && !o->err) {
		ssize_t w = write(o->fd, o->buf + done, o->n - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->err = -errno;
			break;
		}
		done += (size_t)w;
	}
	o->n = 0;
	return o->err;
}
