/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Failure and kill points, in test builds only (-Dtest_hooks=true): BRNET_FAIL_STEP=<step>
 * fails that step as if the kernel refused it, and BRNET_KILL_STEP=<step> SIGKILLs the process
 * right after the step was journaled. A step is named ("lease", "publish", "veth",
 * "container"; in teardown "undo-veth", "undo-publish", "undo-lease"; "policy" in brnet
 * policy; "remove-rules", "remove-bridge" in a network's removal) or numbered: N is the Nth
 * step this process reaches, counting from 1. Elsewhere it does nothing.
 */
#pragma once

#include "brnet.h"

/* 0, or (BRNET_FAIL_STEP) -EIO with err set. */
int step_hook(const char *name, struct brnet_error *err);
