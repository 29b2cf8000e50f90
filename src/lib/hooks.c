/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* step_hook(): failure and kill points for the tests (lib/hooks.h). */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "lib/hooks.h"
#include "shared/error.h"

#if BRNET_TEST_HOOKS
static bool step_matches(const char *want, const char *name, unsigned nth)
{
	char buf[16];

	if (!want)
		return false;
	snprintf(buf, sizeof(buf), "%u", nth);
	return strcmp(want, name) == 0 || strcmp(want, buf) == 0;
}
#endif

int step_hook(const char *name, struct brnet_error *err)
{
#if BRNET_TEST_HOOKS
	static unsigned nth;

	nth++;
	if (step_matches(getenv("BRNET_KILL_STEP"), name, nth))
		raise(SIGKILL);
	if (step_matches(getenv("BRNET_PAUSE_STEP"), name, nth))
		raise(SIGSTOP);
	if (step_matches(getenv("BRNET_FAIL_STEP"), name, nth))
		return brnet_err(err, EIO, "injected failure at step %s", name);
#else
	(void)name;
	(void)err;
#endif
	return 0;
}
