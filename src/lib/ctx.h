/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library context: the state directory and its two subdirectories, held open. */
#pragma once

#include "brnet.h"

struct brnet_ctx {
	char *state_dir;
	int dirfd; /* state_dir */
	int networks_dirfd; /* state_dir/networks: one directory per bridge */
	int attachments_dirfd; /* state_dir/attachments: one record per attachment */
};
