/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CNI versions brnet-cni speaks. */
#include <string.h>

#include "cni/cni.h"

const char *const cni_versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0" };
const size_t cni_n_versions = ELEMENTSOF(cni_versions);

bool cni_version_supported(const char *v)
{
	for (size_t i = 0; i < cni_n_versions; i++)
		if (v && strcmp(v, cni_versions[i]) == 0)
			return true;
	return false;
}

bool cni_version_is_legacy(const char *v)
{
	return cni_version_cmp(v, "1.0.0") < 0;
}

/* Exactly three numbers of at most nine digits, dot-separated, and nothing after: a version we
 * do not know sorts first. (Not sscanf(): its %u takes a sign and spaces, and pulling in the
 * scanf machinery cost an ADD its pages.) */
static bool parse(const char *v, unsigned x[3])
{
	if (!v)
		return false;
	for (int i = 0; i < 3; i++) {
		unsigned n = 0, digits = 0;

		for (; *v >= '0' && *v <= '9' && digits < 9; v++, digits++)
			n = n * 10 + (unsigned)(*v - '0');
		if (digits == 0 || *v != (i < 2 ? '.' : '\0'))
			return false;
		x[i] = n;
		v += i < 2;
	}
	return true;
}

int cni_version_cmp(const char *a, const char *b)
{
	unsigned x[3], y[3];
	bool pa = parse(a, x), pb = parse(b, y);

	if (!pa || !pb)
		return (int)pa - (int)pb;
	for (int i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}
