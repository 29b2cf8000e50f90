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
