/*
 * mmdirty.c - the test guest's memory load: fills FILL_MIB of anonymous
 * memory with a known pattern, then rewrites it page by page at a bounded
 * rate, checking each page's previous contents before it rewrites it.
 *
 * Usage: mmdirty FILL_MIB DIRTY_KIB_PER_S
 *
 * Every page holds its own index, a generation number and 510 words derived
 * from both, so a page that a migration moved wrongly (lost, stale, or
 * another page's contents) is caught the next time it comes round.  Pages
 * are rewritten every 10 ms in small batches, so the dirty rate is smooth
 * and pre-copy converges at the test's shaped link rate.  Prints
 * "mmguest: ready" once the memory is filled, then once a second
 * "mmguest: alive ..." with the running counts; the test reads both from
 * the serial console.  Built static (gcc -static) by build-guest.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define PAGE 4096u
#define WORDS (PAGE / sizeof(uint64_t))
#define TICK_NS 10000000L /* 10 ms */

static uint64_t word_of(uint64_t page, uint64_t gen, uint64_t i)
{
	uint64_t x = page * 0x9E3779B97F4A7C15ull ^ (gen << 32) ^ (i * 0xD6E8FEB86659FD93ull);

	x ^= x >> 29;
	return x | 1; /* never zero: QEMU must send every page in full */
}

static void page_write(uint64_t *w, uint64_t page, uint64_t gen)
{
	w[0] = page;
	w[1] = gen;
	for (uint64_t i = 2; i < WORDS; i++)
		w[i] = word_of(page, gen, i);
}

static int page_ok(const uint64_t *w, uint64_t page)
{
	uint64_t gen = w[1];

	if (w[0] != page)
		return 0;
	for (uint64_t i = 2; i < WORDS; i++)
		if (w[i] != word_of(page, gen, i))
			return 0;
	return 1;
}

static long arg_long(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "mmdirty: bad number '%s' (%ld..%ld)\n", s, lo, hi);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct timespec next;
	uint64_t pages, cursor = 0, dirtied = 0, errors = 0, ticks = 0;
	uint64_t per_tick_milli, acc = 0;
	unsigned char *buf;
	long fill_mib, rate_kib;

	if (argc != 3) {
		fprintf(stderr, "usage: mmdirty FILL_MIB DIRTY_KIB_PER_S\n");
		return 2;
	}
	fill_mib = arg_long(argv[1], 1, 4096);
	rate_kib = arg_long(argv[2], 0, 1048576);
	pages = (uint64_t)fill_mib * (1024 * 1024 / PAGE);
	/* pages a tick, in thousandths: rate KiB/s / 4 KiB = pages/s, / 100 ticks/s */
	per_tick_milli = (uint64_t)rate_kib * 1000 / 4 / 100;

	buf = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		fprintf(stderr, "mmdirty: mmap %ld MiB: %s\n", fill_mib, strerror(errno));
		return 1;
	}
	for (uint64_t p = 0; p < pages; p++)
		page_write((uint64_t *)(buf + p * PAGE), p, 0);
	printf("mmguest: ready fill=%ldMiB dirty=%ldKiB/s\n", fill_mib, rate_kib);
	fflush(stdout);

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		next.tv_nsec += TICK_NS;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
		acc += per_tick_milli;
		for (; acc >= 1000; acc -= 1000) {
			uint64_t *w = (uint64_t *)(buf + cursor * PAGE);

			if (!page_ok(w, cursor)) {
				if (errors == 0) {
					printf("mmguest: CORRUPT page %" PRIu64 " (holds index %" PRIu64
					       " gen %" PRIu64 ")\n", cursor, w[0], w[1]);
				}
				errors++;
			}
			page_write(w, cursor, w[1] + 1);
			dirtied++;
			cursor = (cursor + 1) % pages;
		}
		if (++ticks % 100 == 0) {
			printf("mmguest: alive t=%" PRIu64 "s dirtied=%" PRIu64 "KiB errors=%" PRIu64 "\n",
			       ticks / 100, dirtied * (PAGE / 1024), errors);
			fflush(stdout);
		}
	}
}
