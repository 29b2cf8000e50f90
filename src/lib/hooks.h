/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Failure and kill points, in test builds only (-Dtest_hooks=true): BRNET_FAIL_STEP=<step>
 * fails that step as if the kernel refused it, BRNET_KILL_STEP=<step> SIGKILLs the process
 * right after the step was journaled, and BRNET_PAUSE_STEP=<step> stops it there (SIGSTOP:
 * the test does something, then sends SIGCONT). A step is named ("lease", "publish", "veth",
 * "container"; in teardown "undo-veth", "undo-publish", "undo-lease"; "policy" in brnet
 * policy; "remove-rules", "remove-bridge" in a network's removal; "restore-commit" in a
 * restore, its records read and its transaction not yet sent) or numbered: N is the Nth
 * step this process reaches, counting from 1. Elsewhere it does nothing.
 */
#pragma once

#include "brnet.h"

/* 0, or (BRNET_FAIL_STEP) -EIO with err set. */
int step_hook(const char *name, struct brnet_error *err);
