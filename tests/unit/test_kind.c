/* test_kind.c - stream kind detection from the first payload bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kind.h"

static enum kind detect(const void *p, size_t n, enum kind_sender *s)
{
	return kind_detect(p, n, s);
}

static void test_qemu(void **state)
{
	enum kind_sender s;

	(void)state;
	assert_int_equal(detect("QEVM\0\0\0\3\x01", 9, &s), KIND_QEMU);
	assert_int_equal(s, KIND_FROM_CLIENT);
	assert_int_equal(detect("QEVM\0\0\0\2", 8, &s), KIND_QEMU);
	/* cut at snaplen after the magic: still QEMU */
	assert_int_equal(detect("QEVM\0\0", 6, &s), KIND_QEMU);
	/* wrong version */
	assert_int_equal(detect("QEVM\0\0\0\x09", 8, &s), KIND_UNKNOWN);
	assert_int_equal(s, KIND_FROM_UNKNOWN);
}

static void test_multifd(void **state)
{
	enum kind_sender s;

	(void)state;
	assert_int_equal(detect("\x11\x22\x33\x44\0\0\0\1uuid", 12, &s), KIND_MULTIFD);
	assert_int_equal(s, KIND_FROM_CLIENT);
	assert_int_equal(detect("\x11\x22\x33\x44\0\0\0\7", 8, &s), KIND_UNKNOWN);
}

static void test_nbd(void **state)
{
	enum kind_sender s;

	(void)state;
	assert_int_equal(detect("NBDMAGICIHAVEOPT\0\3", 18, &s), KIND_NBD);
	assert_int_equal(s, KIND_FROM_LISTENER);
	assert_int_equal(detect("NBDMAGI", 7, &s), KIND_UNKNOWN);
}

static void test_tls(void **state)
{
	static const uint8_t ch[] = { 0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00 };
	static const uint8_t sh[] = { 0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00 };
	static const uint8_t app[] = { 0x17, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00 };
	enum kind_sender s;

	(void)state;
	assert_int_equal(detect(ch, sizeof(ch), &s), KIND_TLS);
	assert_int_equal(s, KIND_FROM_CLIENT);
	assert_int_equal(detect(sh, sizeof(sh), &s), KIND_TLS);
	assert_int_equal(s, KIND_FROM_LISTENER);
	assert_int_equal(detect(app, sizeof(app), &s), KIND_UNKNOWN);
}

static void test_unknown_and_short(void **state)
{
	enum kind_sender s;

	(void)state;
	assert_int_equal(detect("GET / HTTP/1.1", 14, &s), KIND_UNKNOWN);
	assert_int_equal(detect("QEV", 3, &s), KIND_UNKNOWN);
	assert_int_equal(kind_detect(NULL, 0, &s), KIND_UNKNOWN);
	assert_string_equal(kind_name(KIND_QEMU), "qemu");
	assert_string_equal(kind_name(KIND_MULTIFD), "multifd");
	assert_string_equal(kind_name(KIND_NBD), "nbd");
	assert_string_equal(kind_name(KIND_TLS), "tls");
	assert_string_equal(kind_name(KIND_UNKNOWN), "unknown");
	assert_string_equal(kind_name((enum kind)99), "unknown");
}

/* MultiFDInit_t (QEMU migration/multifd.c): magic, version 1, 16-byte UUID, channel id, reserved. */
static void test_multifd_init(void **state)
{
	uint8_t b[64];
	struct kind_multifd mi;
	size_t i;

	(void)state;
	memset(b, 0, sizeof(b));
	b[0] = 0x11, b[1] = 0x22, b[2] = 0x33, b[3] = 0x44, b[7] = 1;
	for (i = 0; i < 16; i++)
		b[8 + i] = (uint8_t)(0xa0 + i);
	b[24] = 7;
	b[25] = 0xee;		/* reserved: not read */
	assert_int_equal(kind_multifd_init(b, sizeof(b), &mi), 0);
	assert_int_equal(mi.channel, 7);
	assert_int_equal(mi.uuid[0], 0xa0);
	assert_int_equal(mi.uuid[15], 0xaf);
	/* Exactly up to the channel id is enough; one byte less is the snap length. */
	assert_int_equal(kind_multifd_init(b, KIND_MULTIFD_INIT_LEN, &mi), 0);
	assert_int_equal(kind_multifd_init(b, KIND_MULTIFD_INIT_LEN - 1, &mi), -1);
	assert_int_equal(mi.channel, 0);
	assert_int_equal(mi.uuid[0], 0);
	assert_int_equal(kind_multifd_init(b, 3, &mi), -1);
	assert_int_equal(kind_multifd_init(NULL, 64, &mi), -1);
	/* Cut after the magic: still possibly multifd, just short. */
	assert_int_equal(kind_multifd_init(b, 6, &mi), -1);
	/* Another magic, even cut short, or another version: not a MultiFDInit_t. */
	memcpy(b, "QEVM", 4);
	assert_int_equal(kind_multifd_init(b, 5, &mi), -2);
	assert_int_equal(kind_multifd_init(b, sizeof(b), &mi), -2);
	b[0] = 0x11, b[1] = 0x22, b[2] = 0x33, b[3] = 0x44, b[7] = 2;
	assert_int_equal(kind_multifd_init(b, sizeof(b), &mi), -2);
}

static void test_unreadable_names(void **state)
{
	(void)state;
	assert_null(kind_unreadable_name(KIND_READ));
	assert_string_equal(kind_unreadable_name(KIND_UNREAD_TLS), "tls");
	assert_string_equal(kind_unreadable_name(KIND_UNREAD_SNAPLEN), "snaplen");
	assert_string_equal(kind_unreadable_name(KIND_UNREAD_NO_FIRST_PAYLOAD), "no_first_payload");
	assert_string_equal(kind_unreadable_name(KIND_UNREAD_NO_PAYLOAD), "no_payload");
	assert_string_equal(kind_unreadable_name(KIND_UNREAD_UNRECOGNISED), "unrecognised");
	assert_string_equal(kind_unreadable_name(KIND_UNREAD_TLS_BULK), "tls_bulk");
	assert_string_equal(kind_unreadable_name((enum kind_unreadable)99), "unrecognised");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu),
		cmocka_unit_test(test_multifd),
		cmocka_unit_test(test_nbd),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_unknown_and_short),
		cmocka_unit_test(test_multifd_init),
		cmocka_unit_test(test_unreadable_names),
	};

	return cmocka_run_group_tests_name("kind", tests, NULL, NULL);
}
