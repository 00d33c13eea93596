/* fuzz_decode.c - libFuzzer harness for the frame decoder: one input is one frame of any link type. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/dlt.h>

#include "decode.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every link type dec_frame knows, 101 being LINKTYPE_RAW as files spell it. */
static const int dlts[] = {
	DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, 101, DLT_IPV4, DLT_IPV6, DLT_NULL, DLT_LOOP,
};
#define NDLT (sizeof(dlts) / sizeof(dlts[0]))

/*
 * Input: byte 0 picks the link type (low nibble, modulo the table) and how
 * much longer the frame was on the wire than captured (high nibble:
 * 0 = not at all, else 2^n - 1 bytes, up to 32 KiB); the rest is the frame.
 * The frame is copied into a buffer of exactly caplen bytes so ASan sees
 * any read past it.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dec_pkt p;
	uint8_t *frame;
	uint32_t caplen, wire, extra;
	int dlt;

	if (size < 1 || size > 1u << 20)
		return 0;
	dlt = dlts[(data[0] & 0x0f) % NDLT];
	extra = (data[0] >> 4) ? (1u << (data[0] >> 4)) - 1u : 0;
	caplen = (uint32_t)(size - 1);
	wire = caplen + extra;
	frame = caplen ? malloc(caplen) : NULL;
	if (caplen && !frame)
		return 0;
	if (caplen)
		memcpy(frame, data + 1, caplen);
	dec_frame(dlt, frame, caplen, wire, &p);

	/* The contract in decode.h: pointers and lengths stay inside the capture. */
	if (p.status == DEC_OK && p.proto == 6) {
		if (p.tcp.payload_cap > p.tcp.payload_len)
			abort();
		if (p.tcp.payload && (p.tcp.payload < frame ||
				      p.tcp.payload + p.tcp.payload_cap > frame + caplen))
			abort();
		if (p.tcp.payload_cap && !p.tcp.payload)
			abort();
	}
	if (p.status == DEC_OK && (p.ip_off > caplen || p.ip_len > wire - p.ip_off))
		abort();
	free(frame);
	return 0;
}
