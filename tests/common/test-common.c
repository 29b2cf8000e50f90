/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test-common.h"

int test_tmpdir(char ret_path[static 256])
{
	const char *tmp = getenv("TMPDIR");

	snprintf(ret_path, 256, "%s/brnet-unit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(ret_path))
		return -1;
	return open(ret_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void test_rmtree(const char *path)
{
	nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

void test_read_corpus(const char *target, const char *name, size_t max, char **ret, size_t *ret_len)
{
	const char *dir = getenv("BRNET_FUZZ_CORPUS");
	char path[512];
	char *buf;
	FILE *f;
	size_t len;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
	f = fopen(path, "re");
	if (!f)
		print_error("cannot open %s\n", path);
	assert_non_null(f);
	buf = malloc(max + 1);
	assert_non_null(buf);
	len = fread(buf, 1, max + 1, f);
	assert_false(ferror(f));
	fclose(f);
	assert_true(len <= max);
	*ret = buf;
	*ret_len = len;
}
