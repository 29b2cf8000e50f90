/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SHA-256 against digests from coreutils' sha256sum, at every padding boundary; hex. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "shared/hex.h"
#include "shared/sha256.h"
#include "test-common.h"

static void hex(const uint8_t d[static SHA256_DIGEST_SIZE], char out[static 65])
{
	for (unsigned i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void sha256_lengths(bool cpu)
{
	/* n bytes of 'a', from `head -c n /dev/zero | tr '\0' a | sha256sum` */
	static const struct {
		size_t n;
		const char *digest;
	} cases[] = {
		{ 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ 3, "9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0" },
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
		{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
		{ 1000, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3" },
	};
	char in[1000], out[65];

	sha256_use_cpu_extensions(cpu);
	memset(in, 'a', sizeof(in));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t d[SHA256_DIGEST_SIZE];
		struct sha256 s;

		/* Whole, then in uneven pieces: the block buffer must not care. */
		sha256_init(&s);
		sha256_update(&s, in, cases[i].n);
		sha256_final(&s, d);
		hex(d, out);
		assert_string_equal(out, cases[i].digest);

		sha256_init(&s);
		for (size_t off = 0, step = 1; off < cases[i].n; off += step, step = step * 2 + 1)
			sha256_update(&s, in + off,
				      step < cases[i].n - off ? step : cases[i].n - off);
		sha256_final(&s, d);
		hex(d, out);
		assert_string_equal(out, cases[i].digest);
	}
}

static void test_sha256_lengths(void **state)
{
	(void)state;
	sha256_lengths(false);
	sha256_lengths(true);
	sha256_use_cpu_extensions(true);
}

static void digest(bool cpu, const uint8_t *in, size_t n, size_t step, uint8_t d[static 32])
{
	struct sha256 s;

	sha256_use_cpu_extensions(cpu);
	sha256_init(&s);
	for (size_t off = 0; off < n; off += step)
		sha256_update(&s, in + off, step < n - off ? step : n - off);
	sha256_final(&s, d);
}

/* The CPU's SHA instructions (where it has them) and the portable code agree on pseudo-random
 * input of every length to 4 KiB (several blocks at once), fed whole and in pieces. */
static void test_sha256_cpu(void **state)
{
	static uint8_t in[4096];
	uint32_t x = 2463534242u;

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		in[i] = (uint8_t)x;
	}
	for (size_t n = 0; n <= sizeof(in); n += n < 300 ? 1 : 61) {
		uint8_t a[SHA256_DIGEST_SIZE], b[SHA256_DIGEST_SIZE], c[SHA256_DIGEST_SIZE];

		digest(false, in, n, n ? n : 1, a);
		digest(true, in, n, n ? n : 1, b);
		digest(true, in, n, 1 + n % 97, c);
		assert_memory_equal(a, b, sizeof(a));
		assert_memory_equal(a, c, sizeof(a));
	}
	sha256_use_cpu_extensions(true);
}

/* Lower-case hex both ways; anything but exactly 2n lower-case digits refused. */
static void test_hex(void **state)
{
	static const uint8_t data[3] = { 0x00, 0xa5, 0xff };
	uint8_t back[3];
	char text[7];

	(void)state;
	hex_encode(data, sizeof(data), text);
	assert_string_equal(text, "00a5ff");
	assert_int_equal(hex_decode(text, back, sizeof(back)), 0);
	assert_memory_equal(back, data, sizeof(data));
	assert_int_equal(hex_decode("00A5ff", back, 3), -1);
	assert_int_equal(hex_decode("00a5f", back, 3), -1);
	assert_int_equal(hex_decode("00a5ff0", back, 3), -1);
	assert_int_equal(hex_decode("00a5fg", back, 3), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_lengths),
		cmocka_unit_test(test_sha256_cpu),
		cmocka_unit_test(test_hex),
	};

	return cmocka_run_group_tests_name("hash", tests, NULL, NULL);
}
