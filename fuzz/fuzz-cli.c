/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Command lines: the input is split at NUL bytes into argv for `brnet setup`'s parser. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brnet.h"
#include "cli/cli.h"

#define ARGS_MAX 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[ARGS_MAX + 2];
	struct cli_global g = { 0 };
	brnet_config *cfg = NULL;
	struct cli_setup_opts opts = { .json = false };
	int argc = 1;

	if (!buf || brnet_config_new(&cfg) < 0) {
		free(buf);
		return 0;
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = (char *)"setup";
	for (char *p = buf; p < buf + size && argc <= ARGS_MAX; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	/* Messages go to stderr; what matters is no crash, no leak, no overread. */
	(void)cli_setup_parse(argc, argv, cfg, &g, &opts);
	brnet_config_free(cfg);
	free(buf);
	return 0;
}
