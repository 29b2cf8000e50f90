/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON writer: jansson's layout, escapes that read back, and refusals that stick. */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shared/jsonw.h"
#include "shared/macro.h"
#include "test-common.h"

static char *finish(struct jsonw *w)
{
	int r = -1;
	char *text = jsonw_finish(w, &r);

	assert_non_null(text);
	assert_int_equal(r, 0);
	return text;
}

static void assert_fails(struct jsonw *w, int error)
{
	int r = 0;

	assert_null(jsonw_finish(w, &r));
	assert_int_equal(r, error);
}

/* The same document through jansson with JSON_INDENT(1) and through the writer: the same bytes,
 * empty containers and nesting included. */
static void test_layout_is_janssons(void **state)
{
	json_t *doc = json_pack("{s:i, s:s, s:[], s:[s, s], s:{s:[i], s:{}, s:b}, s:b, s:I}",
				"version", 1, "id", "web", "publish", "journal", "lease", "veth",
				"egress", "tcp", 443, "none", "log", 0, "hairpin", 1, "big",
				(json_int_t)INT64_MIN);
	struct jsonw w = JSONW_INIT;
	char *want, *got;

	assert_non_null(doc);
	want = json_dumps(doc, JSON_INDENT(1));
	json_decref(doc);
	jsonw_object_begin(&w);
	jsonw_key(&w, "version");
	jsonw_int(&w, 1);
	jsonw_key(&w, "id");
	jsonw_string(&w, "web");
	jsonw_key(&w, "publish");
	jsonw_array_begin(&w);
	jsonw_array_end(&w);
	jsonw_key(&w, "journal");
	jsonw_array_begin(&w);
	jsonw_string(&w, "lease");
	jsonw_string(&w, "veth");
	jsonw_array_end(&w);
	jsonw_key(&w, "egress");
	jsonw_object_begin(&w);
	jsonw_key(&w, "tcp");
	jsonw_array_begin(&w);
	jsonw_int(&w, 443);
	jsonw_array_end(&w);
	jsonw_key(&w, "none");
	jsonw_object_begin(&w);
	jsonw_object_end(&w);
	jsonw_key(&w, "log");
	jsonw_bool(&w, false);
	jsonw_object_end(&w);
	jsonw_key(&w, "hairpin");
	jsonw_bool(&w, true);
	jsonw_key(&w, "big");
	jsonw_int(&w, INT64_MIN);
	jsonw_object_end(&w);
	got = finish(&w);
	assert_string_equal(got, want);
	free(got);
	free(want);
}

/* Every byte a string may hold comes back from jansson as it went in. */
static void test_strings_read_back(void **state)
{
	static const char *const cases[] = {
		"",
		"plain",
		"quote \" and backslash \\",
		"\b\f\n\r\t and \x01\x1f\x7f",
		"slash / stays",
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7",
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct jsonw w = JSONW_INIT;
		json_error_t jerr;
		json_t *back;
		char *text;

		jsonw_array_begin(&w);
		jsonw_string(&w, cases[i]);
		jsonw_int(&w, INT64_MAX);
		jsonw_int(&w, -42);
		jsonw_array_end(&w);
		text = finish(&w);
		back = json_loads(text, 0, &jerr);
		assert_non_null(back);
		assert_string_equal(json_string_value(json_array_get(back, 0)), cases[i]);
		assert_true(json_integer_value(json_array_get(back, 1)) == INT64_MAX);
		assert_true(json_integer_value(json_array_get(back, 2)) == -42);
		json_decref(back);
		free(text);
	}
}

static void test_refusals_stick(void **state)
{
	struct jsonw w = JSONW_INIT;

	/* Not UTF-8: refused, and nothing after it is written. */
	jsonw_object_begin(&w);
	jsonw_key(&w, "netns");
	jsonw_string(&w, "/run/netns/bad\xff");
	jsonw_key(&w, "id");
	jsonw_string(&w, "web");
	jsonw_object_end(&w);
	assert_fails(&w, -EILSEQ);

	/* A value without its key, a key in an array, an end that does not match, a key left
	 * without its value, containers left open, nothing at all, two values at the top. */
	jsonw_object_begin(&w);
	jsonw_int(&w, 1);
	assert_fails(&w, -EINVAL);
	jsonw_array_begin(&w);
	jsonw_key(&w, "k");
	assert_fails(&w, -EINVAL);
	jsonw_array_begin(&w);
	jsonw_object_end(&w);
	assert_fails(&w, -EINVAL);
	jsonw_object_begin(&w);
	jsonw_key(&w, "k");
	jsonw_object_end(&w);
	assert_fails(&w, -EINVAL);
	jsonw_object_begin(&w);
	assert_fails(&w, -EINVAL);
	assert_fails(&w, -EINVAL);
	jsonw_bool(&w, true);
	jsonw_bool(&w, false);
	assert_fails(&w, -EINVAL);

	/* Deeper than the limit. */
	for (unsigned i = 0; i <= JSONW_DEPTH_MAX; i++)
		jsonw_array_begin(&w);
	assert_fails(&w, -E2BIG);
}

static void test_utf8(void **state)
{
	static const struct {
		const char *s;
		bool valid;
	} cases[] = {
		{ "ascii", true },
		{ "\xc2\x80", true }, /* U+0080, the first two-byte one */
		{ "\xdf\xbf", true }, /* U+07FF */
		{ "\xe0\xa0\x80", true }, /* U+0800 */
		{ "\xed\x9f\xbf", true }, /* U+D7FF, just below the surrogates */
		{ "\xee\x80\x80", true }, /* U+E000, just above them */
		{ "\xf0\x90\x80\x80", true }, /* U+10000 */
		{ "\xf4\x8f\xbf\xbf", true }, /* U+10FFFF, the last */
		{ "\x80", false }, /* a continuation byte alone */
		{ "\xc0\x80", false }, /* overlong NUL */
		{ "\xc1\xbf", false }, /* overlong */
		{ "\xe0\x9f\xbf", false }, /* overlong three-byte */
		{ "\xf0\x8f\xbf\xbf", false }, /* overlong four-byte */
		{ "\xed\xa0\x80", false }, /* U+D800, a surrogate */
		{ "\xed\xbf\xbf", false }, /* U+DFFF */
		{ "\xf4\x90\x80\x80", false }, /* U+110000 */
		{ "\xf5\x80\x80\x80", false }, /* past 0xf4 */
		{ "\xc3", false }, /* cut short */
		{ "\xe2\x82", false }, /* cut short */
		{ "\xe2\x28\xa1", false }, /* not a continuation */
		{ "\xf0\x9f\x90\x28", false }, /* not a continuation, last byte */
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		assert_int_equal(utf8_valid(cases[i].s, strlen(cases[i].s)), cases[i].valid);
	/* The length bounds the check: a valid prefix of an invalid text is valid. */
	assert_true(utf8_valid("ok\xff", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_is_janssons),
		cmocka_unit_test(test_strings_read_back),
		cmocka_unit_test(test_refusals_stick),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests_name("jsonw", tests, NULL, NULL);
}
