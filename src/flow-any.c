/* flow-any.c - --ports any: flows tracked on every port until their opening says migration or not. */
#include "flow-int.h"

#include <stdlib.h>
#include <string.h>

/*
 * --ports any: removes flow idx from the table, keeping the others in
 * order of first frame: its slot is emptied by backward shift (linear
 * probing), the later flows move down one.  Its later frames are ignored
 * (the `gone` bitmap).  O(flows + slots), once per flow dropped.
 */
void flow_any_drop(struct flow_table *ft, size_t idx)
{
	struct flow *f = &ft->flows[idx];
	size_t j;
	uint64_t bit;
	int s;

	if (!ft->gone)
		ft->gone = calloc(FLOW_MISS_BITS / 64, sizeof(*ft->gone));
	if (ft->gone) {
		bit = flow_miss_bit(f->addr, f->port, f->src);
		ft->gone[bit / 64] |= 1ULL << (bit % 64);
	}
	flow_slot_remove(ft, flow_find_slot(ft, f->addr, f->port, f->src));
	if (f->found == FOUND_PENDING)
		ft->pending--;
	for (s = 0; s < 2; s++) {
		ft->ivals -= f->side[s].seq.cap;
		seq_release(&f->side[s].seq);
	}
	memmove(f, f + 1, (ft->n - idx - 1) * sizeof(*f));
	ft->n--;
	for (j = 0; j < ft->nslots; j++)
		if (ft->slots[j] > idx + 1)
			ft->slots[j]--;
	/* A held flow is never retired, so it is at open_lo or later. */
	if (idx == ft->open_lo)
		flow_advance_open(ft);
}

/*
 * --ports any: held flow idx is listed from now on.  Its id is its place
 * in order of first frame among listed flows, as flow_get's index: the
 * first listed flow after it gives up its id and every later one moves up
 * by one (O(flows after it), once per flow).
 */
static void list_flow(struct flow_table *ft, size_t idx)
{
	struct flow *f = &ft->flows[idx];
	size_t i;

	ft->pending--;
	f->id = ++ft->ids;	/* the last one listed, unless one after it is */
	for (i = idx + 1; i < ft->n; i++) {
		struct flow *g = &ft->flows[i];

		if (g->found == FOUND_PENDING)
			continue;
		if (f->id == ft->ids)
			f->id = g->id;	/* the first listed one after it: ids are below ft->ids */
		g->id++;
	}
}

/* --ports any, table full: the oldest flow not yet classified makes room. 0, or -1 when none. */
int flow_any_evict(struct flow_table *ft)
{
	size_t i;

	/* held flows are never retired: none before open_lo */
	for (i = ft->open_lo; i < ft->n; i++)
		if (ft->flows[i].found == FOUND_PENDING) {
			flow_any_drop(ft, i);
			ft->not_migration++;
			return 0;
		}
	return -1;
}

/* --ports any: 1 when a frame of a flow not in the table is not worth a new entry. */
int flow_any_skip(const struct flow_table *ft, const struct dec_addr a[2], const uint16_t port[2],
		    unsigned src, const struct dec_tcp *t)
{
	uint64_t bit;

	if (t->flags & DEC_TCP_SYN)
		return 0;	/* a new connection, even on a 5-tuple dropped before */
	if (t->payload_len == 0)
		return 1;	/* the tail of a flow already dropped, or mid-stream: no kind to read */
	if (!ft->gone)
		return 0;
	bit = flow_miss_bit(a, port, src);
	return (ft->gone[bit / 64] >> (bit % 64)) & 1;
}

/*
 * --ports any: classifies a pending flow after its frame.  A QEMU,
 * multifd or NBD opening makes it migration; a TLS one waits for
 * FLOW_TLS_BULK bytes one way (then a suspected migration) and is
 * dropped if it closes first; once both sides' first payloads are
 * neither, or the flow closes, it is dropped.  Returns 1 when the flow was dropped.
 */
int flow_any_settle(struct flow_table *ft, size_t idx)
{
	struct flow *f = &ft->flows[idx];
	const struct flow_dir *d0 = &f->side[0].d, *d1 = &f->side[1].d;
	int closed = (d0->fin && d1->fin) || d0->rst || d1->rst;

	if (f->kind == KIND_QEMU || f->kind == KIND_MULTIFD || f->kind == KIND_NBD) {
		f->found = FOUND_KIND;
		list_flow(ft, idx);
		return 0;
	}
	if (f->kind == KIND_TLS) {
		if (d0->unique_payload_bytes >= FLOW_TLS_BULK || d1->unique_payload_bytes >= FLOW_TLS_BULK) {
			f->found = FOUND_TLS_BULK;
			list_flow(ft, idx);
			return 0;
		}
		if (!closed)
			return 0;
	} else if (!closed && !(f->side[0].kind_checked && f->side[1].kind_checked)) {
		/* Until both sides spoke: an NBD server's greeting may follow a client's early bytes. */
		return 0;
	}
	flow_any_drop(ft, idx);
	ft->not_migration++;
	return 1;
}
