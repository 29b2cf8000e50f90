/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Context creation: resolves and opens the state directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "lib/ctx.h"
#include "shared/error.h"
#include "shared/fileio.h"
#include "shared/macro.h"

void brnet_ctx_free(brnet_ctx *ctx)
{
	if (!ctx)
		return;
	closep(&ctx->dirfd);
	closep(&ctx->networks_dirfd);
	closep(&ctx->attachments_dirfd);
	free(ctx->state_dir);
	free(ctx);
}
DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)

int brnet_ctx_new(const char *state_dir, brnet_ctx **ret, struct brnet_error *err)
{
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	int r;

	if (!ret)
		return -EINVAL;
	if (!state_dir || !*state_dir)
		state_dir = getenv("BRNET_STATE_DIR");
	if (!state_dir || !*state_dir)
		state_dir = BRNET_STATE_DIR_DEFAULT;
	if (state_dir[0] != '/')
		return brnet_err(err, EINVAL, "invalid state directory \"%s\": must be absolute",
				 state_dir);
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->dirfd = ctx->networks_dirfd = ctx->attachments_dirfd = -EBADF;
	ctx->state_dir = strdup(state_dir);
	if (!ctx->state_dir)
		return -ENOMEM;
	/* Made only when it is missing: opening is the common case, and one system call. */
	ctx->dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ctx->dirfd < 0 && errno == ENOENT) {
		r = mkdir_parents(state_dir);
		if (r < 0)
			return brnet_err(err, r, "cannot create state directory %s: %s", state_dir,
					 strerror(-r));
		ctx->dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (ctx->dirfd < 0)
		return brnet_err(err, errno, "cannot open state directory %s: %s", state_dir,
				 strerror(errno));
	r = ctx->networks_dirfd = open_dir_made(ctx->dirfd, "networks");
	if (r >= 0)
		r = ctx->attachments_dirfd = open_dir_made(ctx->dirfd, "attachments");
	if (r < 0)
		return brnet_err(err, r, "cannot open state directory %s: %s", state_dir,
				 strerror(-r));
	*ret = steal_pointer(&ctx);
	return 0;
}

const char *brnet_ctx_state_dir(const brnet_ctx *ctx)
{
	return ctx ? ctx->state_dir : NULL;
}
