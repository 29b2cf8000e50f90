/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* read_lines(), which reads --egress-allow-file and a record's allowlist: the first byte picks
 * the buffer's size (2 to 65 bytes), the rest is the file. Every line must come out as it went
 * in, numbered, and a line too long for the buffer, or one with a NUL byte, must stop the
 * read at its number. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shared/fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct expect {
	const char *text; /* the file */
	size_t len, at; /* its length; where the next line starts */
	unsigned lines; /* seen so far */
};

/* The next line of the file, by another way than read_lines()'s. */
static size_t next_line(const struct expect *e)
{
	const char *nl = memchr(e->text + e->at, '\n', e->len - e->at);

	return nl ? (size_t)(nl - (e->text + e->at)) : e->len - e->at;
}

static int line(char *text, size_t len, unsigned lineno, void *userdata)
{
	struct expect *e = userdata;

	if (e->at >= e->len || lineno != ++e->lines || len != next_line(e) || text[len] != '\0' ||
	    memcmp(text, e->text + e->at, len) != 0)
		abort();
	e->at += len + 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expect e = { 0 };
	size_t bufsize, at = 0;
	unsigned lines = 0, lineno;
	char *buf;
	int fd, r, want = 0;

	if (size < 1)
		return 0;
	bufsize = 2 + data[0] % 64;
	e.text = (const char *)data + 1;
	e.len = size - 1;
	/* What should happen: every line read, or a stop at the first that does not fit or is
	 * not text. */
	while (at < e.len) {
		struct expect probe = { e.text, e.len, at, 0 };
		size_t n = next_line(&probe);

		lines++;
		if (n > bufsize - 1 || memchr(e.text + at, '\0', n)) {
			want = n > bufsize - 1 ? -ENOBUFS : -EILSEQ;
			break;
		}
		at += n + 1;
	}
	fd = memfd_create("lines", MFD_CLOEXEC);
	buf = malloc(bufsize);
	if (fd < 0 || !buf || write(fd, e.text, e.len) != (ssize_t)e.len ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	r = read_lines(fd, buf, bufsize, line, &e, &lineno);
	if (r != want || lineno != lines || e.lines != (want ? lines - 1 : lines))
		abort();
	free(buf);
	close(fd);
	return 0;
}
