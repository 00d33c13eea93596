/* flowtab.h - the flow-table tests' frames and table (test_flow.c, test_flow_keep.c); included after cmocka.h, not linked. */
#ifndef MM_TEST_FLOWTAB_H
#define MM_TEST_FLOWTAB_H

#include "flow.h"
#include "tcppkt.h"

/* The payload every test frame carries (a test writes its opening bytes). */
static uint8_t payload_buf[2048];

/* A frame 10.0.0.a:sport -> 10.0.0.b:dport with `len` payload bytes from payload_buf. */
static inline struct dec_pkt tcp(uint8_t a, uint16_t sport, uint8_t b, uint16_t dport, uint32_t seq,
				 uint8_t flags, uint32_t len)
{
	return tcppkt(a, sport, b, dport, seq, flags, len, payload_buf);
}

/* A table for the default migration ports, holding at most `max` flows (0: the default). */
static inline struct flow_table *table(size_t max)
{
	struct flow_cfg cfg = { .port_lo = 49152, .port_hi = 49261, .max_flows = max };
	struct flow_table *ft = flow_table_new(&cfg);

	assert_non_null(ft);
	return ft;
}

#endif
