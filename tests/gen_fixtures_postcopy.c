/* gen_fixtures_postcopy.c - a post-copy-like switchover: two lost pings, then replies late by a decaying RTT (included by gen_fixtures.c). */
/*
 * mig_postcopy.pcap: one migration of VM 10.1.1.19 from 10.1.0.1 to
 * 10.1.0.2, announced by RARP; the VM pinged every 10 ms with 0.3 ms
 * replies.  At the final burst end F the guest answers nothing for
 * 20 ms (two requests lost), then answers every request, late: the
 * reply time decays linearly from 400 ms to the normal 0.3 ms over
 * 450 ms, as a post-copy guest's does while it page-faults its memory
 * over the network.  The loss-based episode is 20 ms; the guest
 * answered nothing in time (threshold max(10 x 0.3 ms, 10 ms) = 10 ms)
 * for about 480 ms.  expect.json ("postcopy") has both: the reply gap by
 * its definition, and the interval the guest was unresponsive for by the
 * RTT law (from the last timely reply before the switchover to the
 * moment the decaying RTT reaches the threshold, plus that threshold),
 * which the measurement must match within one interval.
 *
 * This file is #included by gen_fixtures.c after gen_fixtures_mig.c (it
 * uses its builders) and is not compiled on its own.
 */

#define PC_LOST (20 * NS_PER_MS)		/* no answer at all from F for this long */
#define PC_RTT0 (400 * NS_PER_MS)		/* the first late reply's RTT ... */
#define PC_DECAY (450 * NS_PER_MS)		/* ... back to MX_RTT over this long */
#define PC_THRESHOLD (10 * NS_PER_MS)	/* max(10 x MX_RTT, MX_GAP) */

/* The reply time of a request sent `since` after the first late one (whole microseconds: a pcap's). */
static int64_t pc_rtt(int64_t since)
{
	int64_t r;

	if (since >= PC_DECAY)
		return MX_RTT;
	r = PC_RTT0 - (int64_t)((double)(PC_RTT0 - MX_RTT) * (double)since / (double)PC_DECAY);
	return r / NS_PER_US * NS_PER_US;
}

/* What the generator knows of the switchover's pings. */
struct pc_truth {
	struct mx_ep ep;		/* the loss episode */
	int64_t first_late;		/* send time of the first late request */
	int64_t last_timely_reply;	/* before the switchover */
	int64_t first_timely_reply;	/* after it: the first reply within PC_THRESHOLD */
	uint64_t late;
	int64_t worst_rtt;
};

static void pc_pings(struct cap *cap, const struct mx_vm *v, int64_t from, int64_t to, int64_t f,
		     struct pc_truth *tr)
{
	int64_t t;
	uint16_t seq = 1;

	memset(tr, 0xff, sizeof(*tr));
	tr->ep.lost = 0;
	tr->late = 0;
	tr->worst_rtt = 0;
	for (t = from; t < to; t += MX_GAP, seq++) {
		int64_t r = MX_RTT;

		cap_add(cap, t, mx_echo(v, 0, seq, t));
		if (t >= f && t < f + PC_LOST) {
			if (tr->ep.lost++ == 0) {
				tr->ep.first_lost = t;
				tr->ep.last_reply_before = tr->last_timely_reply;
			}
			continue;
		}
		if (t >= f) {
			if (tr->first_late < 0) {
				tr->first_late = t;
				tr->ep.first_answered = t;
				tr->ep.first_reply_after = t + pc_rtt(0);
			}
			r = pc_rtt(t - tr->first_late);
		}
		cap_add(cap, t + r, mx_echo(v, 1, seq, t));
		if (r > PC_THRESHOLD) {
			tr->late++;
			if (r > tr->worst_rtt)
				tr->worst_rtt = r;
		} else if (t < f) {
			tr->last_timely_reply = t + r;
		} else if (tr->first_timely_reply < 0) {
			tr->first_timely_reply = t + r;
		}
	}
}

static void fx_mig_postcopy(void)
{
	struct cap cap = { 0 };
	struct mx_vm v = mx_vm_make(9, 0);
	struct mx_mig m;
	struct pc_truth tr;
	int64_t resumed, f, t_star, known;

	mx_mig_init(&m, ip4(10, 1, 0, 1), ip4(10, 1, 0, 2), 49152, 40900, T0 + NS_PER_S, 300);
	mx_migration(&cap, &m);
	f = m.final_burst_end;
	resumed = mx_announce(&cap, &v, f, 1, 0);
	pc_pings(&cap, &v, T0 + NS_PER_S / 2 + 3 * NS_PER_MS, T0 + 5 * NS_PER_S, f, &tr);
	mx_write(&cap, "mig_postcopy.pcap");
	/* by the RTT law: the decaying RTT reaches the threshold t_star after the first late request */
	t_star = tr.first_late + (int64_t)((double)PC_DECAY * (double)(PC_RTT0 - PC_THRESHOLD) /
					   (double)(PC_RTT0 - MX_RTT));
	known = t_star + PC_THRESHOLD - tr.last_timely_reply;
	mx_x_begin("mig_postcopy.pcap");
	mx_x_mig(&m, "completed", "switchover", &v, resumed, tr.ep.first_reply_after, 5, &tr.ep, 0);
	mx_xf("], \"outside_episodes\": 0, \"postcopy\": {\"interval_ns\": %" PRId64 ", \"threshold_ns\": %" PRId64
	      ", \"loss_estimate_ns\": %" PRId64 ", \"lost\": %" PRIu64 ", \"late\": %" PRIu64
	      ", \"worst_rtt_ns\": %" PRId64 ", \"start_ns\": %" PRId64 ", \"end_ns\": %" PRId64
	      ", \"gap_ns\": %" PRId64 ", \"known_ns\": %" PRId64 "}",
	      (int64_t)MX_GAP, (int64_t)PC_THRESHOLD, tr.ep.first_answered - tr.ep.first_lost, tr.ep.lost, tr.late,
	      tr.worst_rtt, tr.last_timely_reply, tr.first_timely_reply,
	      tr.first_timely_reply - tr.last_timely_reply, known);
	b_u8(&mx_x, 0);
	x_end((const char *)mx_x.p);
}
