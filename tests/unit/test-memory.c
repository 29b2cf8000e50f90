/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* prefault(): the pages under a range, and only those, are mapped in; content unchanged. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shared/memory.h"
#include "test-common.h"

#define PAGES 8

/* Which of the PAGES pages at p are mapped in, as a bit mask. */
static unsigned resident(void *p)
{
	unsigned char v[PAGES];
	unsigned mask = 0;

	assert_int_equal(mincore(p, PAGES * (size_t)getpagesize(), v), 0);
	for (unsigned i = 0; i < PAGES; i++)
		if (v[i] & 1)
			mask |= 1u << i;
	return mask;
}

static void test_prefault(void **state)
{
	size_t page = (size_t)getpagesize();
	char *p = mmap(NULL, PAGES * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);

	(void)state;
	assert_true(p != MAP_FAILED);
	assert_int_equal(resident(p), 0);
	assert_int_equal(prefault(p + page, 0), 0);
	assert_int_equal(resident(p), 0);
	/* page 0 alone, as the kernel takes it (MADV_POPULATE_WRITE is from Linux 5.14; Debian
	 * 12's is 6.1: an -EINVAL here is a failure, not a skip CI would not see) */
	assert_int_equal(prefault(p, page), 0);
	assert_int_equal(resident(p), 0x1);
	/* from inside page 2 to the first byte of page 4: pages 2 to 4, whole */
	assert_int_equal(prefault(p + 2 * page + 100, 2 * page - 99), 0);
	assert_int_equal(resident(p), 0x1d);
	/* the content is as it was: zero (page 1 is not read, which would map it) */
	for (size_t i = 0; i < 5 * page; i++)
		if (i / page != 1)
			assert_int_equal(p[i], 0);
	/* written content stays */
	p[6 * page] = 'x';
	assert_int_equal(prefault(p + 5 * page, 2 * page), 0);
	assert_int_equal(resident(p), 0x7d);
	assert_int_equal(p[6 * page], 'x');
	/* an address with nothing mapped there is refused, and harms nothing */
	assert_int_equal(munmap(p + 7 * page, page), 0);
	assert_int_equal(prefault(p + 7 * page, page), -ENOMEM);
	assert_int_equal(munmap(p, 7 * page), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefault),
	};

	return cmocka_run_group_tests_name("memory", tests, NULL, NULL);
}
