/* gen_fixtures_mig.c - the migration-record fixtures: many migrations per capture, announces, outages (included by gen_fixtures.c). */
/*
 * Every capture here is a small experiment: QEMU-shaped migrations (a
 * "QEVM" main stream, multifd channels opening with MultiFDInit_t, an
 * NBD stream), a VM pinged every 10 ms through all of it, and, after each
 * switchover, the destination's RARP announces (5 rounds, QEMU's
 * qemu_announce_self: 50 ms, then 100 ms steps) and/or the guest's
 * gratuitous ARP.  Requests get no reply from 40 ms before the final
 * burst ends to 60 ms after it (the VM is paused).  The generator writes
 * what it knows of each migration into expect.json ("migrations": in
 * order of start), and tests/golden.sh compares the report with it.
 *
 * This file is #included by gen_fixtures.c (it uses its builders) and is
 * not compiled on its own.
 */

#define MX_PINGER_MAC ((const uint8_t *)"\x02\x00\x00\x00\x01\x01")
#define MX_GW_MAC ((const uint8_t *)"\x02\x00\x00\x00\x01\x02")
#define MX_GAP (10 * NS_PER_MS)		/* ping interval */
#define MX_RTT (300 * NS_PER_US)
#define MX_PAUSE_BEFORE (40 * NS_PER_MS)	/* requests unanswered from F - this ... */
#define MX_PAUSE_AFTER (60 * NS_PER_MS)		/* ... to F + this */
#define MX_ANN_FIRST (25 * NS_PER_MS)		/* first announce after F */

static const uint8_t mx_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* Ethernet II with 0, 1 (802.1Q) or 2 (802.1ad + 802.1Q) tags. */
static void mx_eth(struct buf *b, const uint8_t dst[6], const uint8_t src[6], int vlan, uint16_t type)
{
	b_mem(b, dst, 6);
	b_mem(b, src, 6);
	if (vlan == 2) {
		b_be16(b, 0x88a8);
		b_be16(b, 200);
	}
	if (vlan >= 1) {
		b_be16(b, 0x8100);
		b_be16(b, 100);
	}
	b_be16(b, type);
}

/* QEMU's announce (net/announce.c, announce_self_create): RARP reverse request from the VM's MAC. */
static struct buf mx_rarp(const uint8_t mac[6], int vlan)
{
	struct buf b = { 0 };

	mx_eth(&b, mx_bcast, mac, vlan, 0x8035);
	b_be16(&b, 1);		/* Ethernet */
	b_be16(&b, 0x0800);	/* IPv4 */
	b_u8(&b, 6);
	b_u8(&b, 4);
	b_be16(&b, 3);		/* reverse request */
	b_mem(&b, mac, 6);
	b_zero(&b, 4);
	b_mem(&b, mac, 6);
	b_zero(&b, 4);
	if (b.n < 60)
		b_zero(&b, 60 - b.n);
	return b;
}

/* Gratuitous ARP request (RFC 5227 section 3: sender IP == target IP) from the VM. */
static struct buf mx_garp(const uint8_t mac[6], const struct ip *ip, int vlan)
{
	struct buf b = { 0 };

	mx_eth(&b, mx_bcast, mac, vlan, 0x0806);
	b_be16(&b, 1);
	b_be16(&b, 0x0800);
	b_u8(&b, 6);
	b_u8(&b, 4);
	b_be16(&b, 1);
	b_mem(&b, mac, 6);
	b_mem(&b, ip->a, 4);
	b_zero(&b, 6);
	b_mem(&b, ip->a, 4);
	if (b.n < 60)
		b_zero(&b, 60 - b.n);
	return b;
}

/* One VM on the network: its MAC, its address, the echo id its pinger uses. */
struct mx_vm {
	uint8_t mac[6];
	struct ip ip;
	uint16_t id;
	int vlan;
};

static struct mx_vm mx_vm_make(uint8_t n, int vlan)
{
	struct mx_vm v;

	memset(&v, 0, sizeof(v));
	v.mac[0] = 0x52;
	v.mac[1] = 0x54;
	v.mac[5] = n;
	v.ip = ip4(10, 1, 1, (uint8_t)(10 + n));
	v.id = (uint16_t)(1000 + n);
	v.vlan = vlan;
	return v;
}

/* An echo request to the VM (from the pinger's MAC) or its reply (from the VM's MAC). */
static struct buf mx_echo(const struct mx_vm *v, int reply, uint16_t seq, int64_t ts)
{
	struct ip pinger = ip4(10, 1, 1, 1);
	struct buf icmp = reply ? icmp_echo(&v->ip, &pinger, 1, v->id, seq, ts) :
				  icmp_echo(&pinger, &v->ip, 0, v->id, seq, ts);
	struct buf pkt = ipv4_pkt(reply ? &v->ip : &pinger, reply ? &pinger : &v->ip, 1, &icmp, 0), fr = { 0 };

	mx_eth(&fr, reply ? MX_PINGER_MAC : v->mac, reply ? v->mac : MX_PINGER_MAC, v->vlan, 0x0800);
	b_mem(&fr, pkt.p, pkt.n);
	b_free(&icmp);
	b_free(&pkt);
	return fr;
}

/* Outage intervals of one VM: requests sent in [lo, hi) get no reply. */
struct mx_outage {
	int64_t lo, hi;
};

/* What the generator knows of one outage's episode, once the pings are written. */
struct mx_ep {
	int64_t first_lost, first_answered, last_reply_before, first_reply_after;
	uint64_t lost;
};

/*
 * Pings the VM every MX_GAP from `from` to `to`; replies MX_RTT later
 * unless the request falls in an outage.  Fills ep[k] for each outage.
 */
static void mx_pings(struct cap *cap, const struct mx_vm *v, int64_t from, int64_t to,
		     const struct mx_outage *out, size_t nout, struct mx_ep *ep)
{
	int64_t t, last_ok = -1;
	uint16_t seq = 1;
	size_t k;

	for (k = 0; k < nout; k++)
		memset(&ep[k], 0xff, sizeof(ep[k])), ep[k].lost = 0;
	for (t = from; t < to; t += MX_GAP, seq++) {
		int lost = 0;

		cap_add(cap, t, mx_echo(v, 0, seq, t));
		for (k = 0; k < nout; k++) {
			if (t >= out[k].lo && t < out[k].hi) {
				lost = 1;
				if (ep[k].lost++ == 0) {
					ep[k].first_lost = t;
					ep[k].last_reply_before = last_ok;
				}
			} else if (t >= out[k].hi && ep[k].lost && ep[k].first_answered < 0) {
				ep[k].first_answered = t;
				ep[k].first_reply_after = t + MX_RTT;
			}
		}
		if (!lost) {
			cap_add(cap, t + MX_RTT, mx_echo(v, 1, seq, t));
			last_ok = t + MX_RTT;
		}
	}
}

/* ---- migrations ----------------------------------------------------------- */

enum mx_close { MX_FIN, MX_RST, MX_OPEN };

struct mx_mig {
	/* what to write */
	struct ip src, dst;
	uint16_t port;			/* main stream's listening port; multifd port+1.., NBD port+8 */
	uint16_t cport;			/* main stream's client port; channels cport+1.. */
	int64_t t;			/* main stream SYN */
	size_t nseg;			/* main stream data segments (1448 bytes, 1 ms apart) */
	int nmultifd;
	uint8_t uuid[16];
	int nbd;			/* NBD stream from 300 ms before the main stream */
	int tls;			/* every stream opens with a TLS ClientHello */
	int nosyn;			/* the capture begins 2 ms into the main stream */
	enum mx_close close;
	enum link link;
	/* what it wrote */
	int64_t start, first_payload, end, final_burst_end;
	uint64_t unique[4];		/* main, multifd, nbd, other: both directions */
};

/* MultiFDInit_t (QEMU migration/multifd.c), packed: magic, version, uuid, id, reserved: 64 bytes. */
static void mx_mfd_init(uint8_t out[64], const uint8_t uuid[16], uint8_t id)
{
	memset(out, 0, 64);
	out[0] = 0x11, out[1] = 0x22, out[2] = 0x33, out[3] = 0x44;
	out[7] = 1;
	memcpy(out + 8, uuid, 16);
	out[24] = id;
}

/* RFC 8446 5.1 record header + ClientHello type: what kind.c recognises as TLS. */
static const uint8_t mx_tls[6] = { 22, 3, 1, 0x02, 0x00, 1 };

static void mx_open_flow(struct tflow *f, struct cap *cap, const struct mx_mig *m, uint16_t cport,
			 uint16_t sport, int64_t t, int hs)
{
	tf_init(f, cap, m->link, m->src, cport, m->dst, sport, 1000u + cport * 7u, 5000u + sport * 3u);
	if (hs)
		tf_handshake(f, t);
}

static void mx_close_flow(struct tflow *f, int64_t t, enum mx_close how)
{
	if (how == MX_FIN)
		tf_close(f, t);
	else if (how == MX_RST)
		tf_seg(f, t, 1, 0x14, f->nxt[1], NULL, 0, 0);	/* RST|ACK from the destination */
}

/* Writes migration m into cap; fills its "what it wrote" fields. */
static void mx_migration(struct cap *cap, struct mx_mig *m)
{
	struct tflow main_f, mfd[8], nbd_f;
	uint8_t seg[1448], init[64];
	int64_t t = m->t, ts;
	size_t k;
	int c;

	memset(m->unique, 0, sizeof(m->unique));
	m->first_payload = -1;
	m->start = m->nosyn ? m->t + 3 * NS_PER_MS : m->t;
	if (m->nbd) {
		static const uint8_t greet[18] = { 'N', 'B', 'D', 'M', 'A', 'G', 'I', 'C',
						   'I', 'H', 'A', 'V', 'E', 'O', 'P', 'T', 0, 3 };
		int64_t n0 = t - 300 * NS_PER_MS;

		mx_open_flow(&nbd_f, cap, m, (uint16_t)(m->cport + 20), (uint16_t)(m->port + 8), n0, 1);
		tf_data(&nbd_f, n0 + NS_PER_MS, 1, m->tls ? mx_tls : greet, m->tls ? sizeof(mx_tls) : sizeof(greet));
		m->unique[2] += m->tls ? sizeof(mx_tls) : sizeof(greet);
		for (k = 0; k < 200; k++) {
			memset(seg, (int)(0x30 + k % 64), sizeof(seg));
			tf_data(&nbd_f, n0 + 2 * NS_PER_MS + (int64_t)k * NS_PER_MS, 0, seg, 1024);
			if (k % 4 == 3)
				tf_ack(&nbd_f, n0 + 2 * NS_PER_MS + (int64_t)k * NS_PER_MS + 50 * NS_PER_US, 1);
			m->unique[2] += 1024;
		}
		m->start = n0;
	}
	mx_open_flow(&main_f, cap, m, m->cport, m->port, t, !m->nosyn);
	for (c = 0; c < m->nmultifd; c++) {
		mx_open_flow(&mfd[c], cap, m, (uint16_t)(m->cport + 1 + c), (uint16_t)(m->port + 1 + c),
			     t + NS_PER_MS + c * 10 * NS_PER_US, !m->nosyn);
		mx_mfd_init(init, m->uuid, (uint8_t)c);
		if (m->tls)
			memcpy(init, mx_tls, sizeof(mx_tls));
		tf_data(&mfd[c], t + 2 * NS_PER_MS + c * 10 * NS_PER_US, 0, init, sizeof(init));
		m->unique[1] += sizeof(init);
	}
	/* The main stream: the opening, then the pages; each multifd channel beside it. */
	for (k = 0; k < m->nseg; k++) {
		ts = t + 3 * NS_PER_MS + (int64_t)k * NS_PER_MS;
		memset(seg, (int)(0x40 + k % 64), sizeof(seg));
		if (k == 0 && !m->nosyn)
			memcpy(seg, m->tls ? mx_tls : qevm, m->tls ? sizeof(mx_tls) : sizeof(qevm));
		tf_data(&main_f, ts, 0, seg, sizeof(seg));
		m->unique[0] += sizeof(seg);
		if (k == 0)
			m->first_payload = ts;
		if (k % 2 == 1)
			tf_ack(&main_f, ts + 50 * NS_PER_US, 1);
		for (c = 0; c < m->nmultifd && k + 1 < m->nseg; c++) {
			tf_data(&mfd[c], ts + 200 * NS_PER_US + c * 10 * NS_PER_US, 0, seg, 1000);
			m->unique[1] += 1000;
		}
	}
	m->end = m->final_burst_end = t + 3 * NS_PER_MS + (int64_t)(m->nseg - 1) * NS_PER_MS;
	tf_ack(&main_f, m->end + 50 * NS_PER_US, 1);
	if (m->close != MX_OPEN) {
		for (c = 0; c < m->nmultifd; c++)
			mx_close_flow(&mfd[c], m->end + NS_PER_MS, MX_FIN);
		mx_close_flow(&main_f, m->end + 2 * NS_PER_MS, m->close);
	}
	if (m->nbd)
		mx_close_flow(&nbd_f, m->end + 10 * NS_PER_MS, MX_FIN);
}

/* The destination announces the VM: RARP rounds (QEMU) and/or one gratuitous ARP (the guest). */
static int64_t mx_announce(struct cap *cap, const struct mx_vm *v, int64_t f, int rarp, int garp)
{
	static const int64_t round_ms[5] = { 0, 50, 150, 300, 500 };
	int64_t first = f + MX_ANN_FIRST;
	int k;

	if (rarp)
		for (k = 0; k < 5; k++)
			cap_add(cap, first + round_ms[k] * NS_PER_MS, mx_rarp(v->mac, v->vlan));
	if (garp)
		cap_add(cap, first + 5 * NS_PER_MS, mx_garp(v->mac, &v->ip, v->vlan));
	return rarp ? first : first + 5 * NS_PER_MS;
}

/* ---- expectations --------------------------------------------------------- */

static struct buf mx_x;		/* the "migrations" member being written */
static int mx_nx;

static void mx_xf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void mx_xf(const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		die("expectation too long");
	b_mem(&mx_x, tmp, (size_t)n);
}

static void mx_ns(const char *key, int64_t v)
{
	if (v < 0)
		mx_xf(", \"%s\": null", key);
	else
		mx_xf(", \"%s\": %" PRId64, key, v);
}

static void mx_x_begin(const char *name)
{
	mx_x.n = 0;
	mx_nx = 0;
	x_begin(name);
	mx_xf("\"migrations\": [");
}

/*
 * One migration's expectations: resumed/vm_first_frame < 0 for none;
 * ep NULL when no episode belongs to it.
 */
static void mx_x_mig(const struct mx_mig *m, const char *status, const char *why, const struct mx_vm *v,
		     int64_t resumed, int64_t vm_first_frame, size_t announces, const struct mx_ep *ep,
		     int inferred)
{
	char s[64], d[64], ipb[64];
	int nflows = 1 + m->nmultifd + (m->nbd ? 1 : 0);
	uint64_t other = inferred ? m->unique[1] + m->unique[2] : 0;
	size_t i;

	ip_str(&m->src, s, sizeof(s));
	ip_str(&m->dst, d, sizeof(d));
	mx_xf("%s\n    {\"status\": \"%s\", \"status_reason\": \"%s\", \"inferred\": %s, \"source\": \"%s\", "
	      "\"destination\": \"%s\", \"flows\": %d, \"multifd\": %d, \"nbd\": %d",
	      mx_nx++ ? "," : "", status, why, inferred ? "true" : "false", s, d, nflows,
	      inferred ? 0 : m->nmultifd, inferred ? 0 : m->nbd);
	mx_ns("start_ns", m->start);
	mx_ns("first_payload_ns", m->first_payload);
	mx_ns("end_ns", m->end);
	mx_ns("final_burst_end_ns", m->final_burst_end);
	mx_ns("connect_ns", m->nosyn ? -1 : m->t);
	mx_xf(", \"unique_main\": %" PRIu64 ", \"unique_multifd\": %" PRIu64 ", \"unique_nbd\": %" PRIu64
	      ", \"unique_other\": %" PRIu64, m->unique[0], inferred ? 0 : m->unique[1],
	      inferred ? 0 : m->unique[2], other);
	if (m->nmultifd && !m->tls) {
		mx_xf(", \"uuid\": \"");
		for (i = 0; i < 16; i++)
			mx_xf("%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", m->uuid[i]);
		mx_xf("\"");
	} else {
		mx_xf(", \"uuid\": null");
	}
	mx_ns("resumed_ns", resumed);
	if (resumed >= 0) {
		ip_str(&v->ip, ipb, sizeof(ipb));
		mx_xf(", \"vm_mac\": \"%02x:%02x:%02x:%02x:%02x:%02x\", \"vm_ip\": \"%s\", \"announces\": %zu",
		      v->mac[0], v->mac[1], v->mac[2], v->mac[3], v->mac[4], v->mac[5], ipb, announces);
	} else {
		mx_xf(", \"vm_mac\": null, \"vm_ip\": null, \"announces\": 0");
	}
	mx_ns("vm_first_frame_ns", vm_first_frame);
	if (ep) {
		mx_xf(", \"episodes\": 1, \"first_lost_ns\": %" PRId64 ", \"downtime_ns\": %" PRId64
		      ", \"lost\": %" PRIu64, ep->first_lost, ep->first_answered - ep->first_lost, ep->lost);
		mx_ns("first_reply_after_ns", resumed >= 0 ? ep->first_reply_after : -1);
		mx_ns("last_reply_before_ns", resumed >= 0 ? ep->last_reply_before : -1);
	} else {
		mx_xf(", \"episodes\": 0");
	}
	mx_xf("}");
}

static void mx_x_end(size_t outside)
{
	mx_xf("], \"outside_episodes\": %zu", outside);
	b_u8(&mx_x, 0);
	x_end((const char *)mx_x.p);
}

/* An outage around final burst end f (the VM paused for its switchover). */
static struct mx_outage mx_pause(int64_t f)
{
	struct mx_outage o = { f - MX_PAUSE_BEFORE, f + MX_PAUSE_AFTER };

	return o;
}

/* The first frame from the VM after `resumed` that is not a RARP: a GARP, or its first reply. */
static int64_t mx_first_frame(int64_t resumed, int64_t garp_at, const struct mx_ep *ep)
{
	if (garp_at > resumed && garp_at < ep->first_reply_after)
		return garp_at;
	return ep->first_reply_after;
}

/* ---- the fixtures ----------------------------------------------------------- */

static void mx_write(struct cap *cap, const char *name)
{
	cap_write(cap, name, DLT_EN10MB, 65535, 0);
	cap_free(cap);
}

static void mx_uuid(uint8_t u[16], uint8_t n)
{
	int i;

	for (i = 0; i < 16; i++)
		u[i] = (uint8_t)(0xa0 + n * 16 + i);
}

static void mx_mig_init(struct mx_mig *m, struct ip src, struct ip dst, uint16_t port, uint16_t cport,
			int64_t t, size_t nseg)
{
	memset(m, 0, sizeof(*m));
	m->src = src;
	m->dst = dst;
	m->port = port;
	m->cport = cport;
	m->t = t;
	m->nseg = nseg;
	m->link = L_ETH;
}

/*
 * mig_5x.pcap: one VM (10.1.1.11) moved five times between 10.1.0.1 and
 * 10.1.0.2, back and forth, 2 s apart, each on its own port; the second
 * with two multifd channels.  Announces: RARP for 1-3, RARP and a GARP
 * for 4, only a GARP for 5.  One outage each.
 */
static void fx_mig_5x(void)
{
	struct cap cap = { 0 };
	struct mx_vm v = mx_vm_make(1, 0);
	struct mx_mig m[5];
	struct mx_outage out[5];
	struct mx_ep ep[5];
	int64_t resumed[5], garp[5];
	int k;

	for (k = 0; k < 5; k++) {
		mx_mig_init(&m[k], k % 2 ? ip4(10, 1, 0, 2) : ip4(10, 1, 0, 1),
			    k % 2 ? ip4(10, 1, 0, 1) : ip4(10, 1, 0, 2), (uint16_t)(49152 + k * 10),
			    (uint16_t)(40000 + k * 100), T0 + NS_PER_S + k * 2 * NS_PER_S, 200);
		m[k].nmultifd = k == 1 ? 2 : 0;
		mx_uuid(m[k].uuid, 1);
		mx_migration(&cap, &m[k]);
		out[k] = mx_pause(m[k].final_burst_end);
		resumed[k] = mx_announce(&cap, &v, m[k].final_burst_end, k < 4, k >= 3);
		garp[k] = k >= 3 ? m[k].final_burst_end + MX_ANN_FIRST + 5 * NS_PER_MS : -1;
	}
	mx_pings(&cap, &v, T0 + NS_PER_S / 2, T0 + 11 * NS_PER_S, out, 5, ep);
	mx_write(&cap, "mig_5x.pcap");
	mx_x_begin("mig_5x.pcap");
	for (k = 0; k < 5; k++)
		mx_x_mig(&m[k], "completed", "switchover", &v, resumed[k],
			 mx_first_frame(resumed[k], garp[k], &ep[k]), k < 3 ? 5 : k == 3 ? 6 : 1, &ep[k], 0);
	mx_x_end(0);
}

/*
 * mig_concurrent.pcap: two migrations at once from 10.2.0.1 to 10.2.0.2
 * (UUIDs 1 and 2, four multifd channels each, opening interleaved), and a
 * third from 10.2.0.3 to 10.2.0.4 (UUID 3) during both.  Three VMs, their
 * outages overlapping every switchover window: each belongs to its own
 * VM's migration.
 */
static void fx_mig_concurrent(void)
{
	struct cap cap = { 0 };
	struct mx_vm v[3];
	struct mx_mig m[3];
	struct mx_outage out[3];
	struct mx_ep ep[3];
	int64_t resumed[3];
	int k;

	mx_mig_init(&m[0], ip4(10, 2, 0, 1), ip4(10, 2, 0, 2), 49152, 40000, T0 + NS_PER_S, 300);
	mx_mig_init(&m[1], ip4(10, 2, 0, 1), ip4(10, 2, 0, 2), 49160, 40100, T0 + NS_PER_S + 5 * NS_PER_MS, 400);
	mx_mig_init(&m[2], ip4(10, 2, 0, 3), ip4(10, 2, 0, 4), 49170, 40200, T0 + NS_PER_S + 20 * NS_PER_MS, 500);
	for (k = 0; k < 3; k++) {
		v[k] = mx_vm_make((uint8_t)(1 + k), 0);
		m[k].nmultifd = 4;
		mx_uuid(m[k].uuid, (uint8_t)(1 + k));
		mx_migration(&cap, &m[k]);
		out[k] = mx_pause(m[k].final_burst_end);
		resumed[k] = mx_announce(&cap, &v[k], m[k].final_burst_end, 1, 0);
	}
	for (k = 0; k < 3; k++)
		mx_pings(&cap, &v[k], T0 + NS_PER_S / 2 + k * NS_PER_MS, T0 + 3 * NS_PER_S, &out[k], 1, &ep[k]);
	mx_write(&cap, "mig_concurrent.pcap");
	mx_x_begin("mig_concurrent.pcap");
	for (k = 0; k < 3; k++)
		mx_x_mig(&m[k], "completed", "switchover", &v[k], resumed[k], ep[k].first_reply_after, 5, &ep[k], 0);
	mx_x_end(0);
}

/* mig_block.pcap: a block migration: the NBD stream 300 ms first, then the memory stream. */
static void fx_mig_block(void)
{
	struct cap cap = { 0 };
	struct mx_vm v = mx_vm_make(4, 0);
	struct mx_mig m;
	struct mx_outage out;
	struct mx_ep ep;
	int64_t resumed;

	mx_mig_init(&m, ip4(10, 3, 0, 1), ip4(10, 3, 0, 2), 49152, 40000, T0 + NS_PER_S, 300);
	m.nbd = 1;
	mx_migration(&cap, &m);
	out = mx_pause(m.final_burst_end);
	resumed = mx_announce(&cap, &v, m.final_burst_end, 1, 0);
	mx_pings(&cap, &v, T0 + NS_PER_S / 2, T0 + 3 * NS_PER_S, &out, 1, &ep);
	mx_write(&cap, "mig_block.pcap");
	mx_x_begin("mig_block.pcap");
	mx_x_mig(&m, "completed", "switchover", &v, resumed, ep.first_reply_after, 5, &ep, 0);
	mx_x_end(0);
}

/* mig_tls.pcap: a TLS migration (main stream and two channels encrypted): one inferred migration. */
static void fx_mig_tls(void)
{
	struct cap cap = { 0 };
	struct mx_vm v = mx_vm_make(5, 0);
	struct mx_mig m;
	struct mx_outage out;
	struct mx_ep ep;
	int64_t resumed;

	mx_mig_init(&m, ip4(10, 4, 0, 1), ip4(10, 4, 0, 2), 49152, 40000, T0 + NS_PER_S, 300);
	m.nmultifd = 2;
	m.tls = 1;
	mx_migration(&cap, &m);
	out = mx_pause(m.final_burst_end);
	resumed = mx_announce(&cap, &v, m.final_burst_end, 1, 0);
	mx_pings(&cap, &v, T0 + NS_PER_S / 2, T0 + 3 * NS_PER_S, &out, 1, &ep);
	mx_write(&cap, "mig_tls.pcap");
	mx_x_begin("mig_tls.pcap");
	mx_x_mig(&m, "completed", "switchover", &v, resumed, ep.first_reply_after, 5, &ep, 1);
	mx_x_end(0);
}

/*
 * mig_cut.pcap: the capture begins inside one migration (no handshake,
 * its first bytes not seen: an inferred migration, incomplete) and ends
 * inside another (still sending, no announce: incomplete).
 */
static void fx_mig_cut(void)
{
	struct cap cap = { 0 };
	struct mx_vm v = mx_vm_make(6, 0);
	struct mx_mig m[2];
	struct mx_outage out;
	struct mx_ep ep;
	int64_t resumed;

	mx_mig_init(&m[0], ip4(10, 5, 0, 1), ip4(10, 5, 0, 2), 49152, 40000, T0 + NS_PER_S, 200);
	m[0].nosyn = 1;
	mx_migration(&cap, &m[0]);
	out = mx_pause(m[0].final_burst_end);
	resumed = mx_announce(&cap, &v, m[0].final_burst_end, 1, 0);
	mx_mig_init(&m[1], ip4(10, 5, 0, 2), ip4(10, 5, 0, 1), 49153, 40100, T0 + 3 * NS_PER_S, 200);
	m[1].close = MX_OPEN;
	mx_migration(&cap, &m[1]);
	mx_pings(&cap, &v, T0 + NS_PER_S + 4 * NS_PER_MS, m[1].end, &out, 1, &ep);
	mx_write(&cap, "mig_cut.pcap");
	mx_x_begin("mig_cut.pcap");
	mx_x_mig(&m[0], "incomplete", "no_syn", &v, resumed, ep.first_reply_after, 5, &ep, 1);
	mx_x_mig(&m[1], "incomplete", "capture_end", NULL, -1, -1, 0, NULL, 0);
	mx_x_end(0);
}

/*
 * mig_failed.pcap: a migration reset by the destination, no announce;
 * an iperf3-like port collision (client port 49200) during it; and a
 * 200 ms outage 3 s later, outside every migration.
 */
static void fx_mig_failed(void)
{
	struct cap cap = { 0 };
	struct mx_vm v = mx_vm_make(7, 0);
	struct mx_mig m;
	struct mx_outage out = { T0 + 4 * NS_PER_S, T0 + 4 * NS_PER_S + 200 * NS_PER_MS };
	struct mx_ep ep;
	struct tflow col;
	uint8_t seg[1448];
	int k;

	mx_mig_init(&m, ip4(10, 6, 0, 1), ip4(10, 6, 0, 2), 49152, 40000, T0 + NS_PER_S, 200);
	m.nmultifd = 1;
	mx_uuid(m.uuid, 7);
	m.close = MX_RST;
	mx_migration(&cap, &m);
	tf_init(&col, &cap, L_ETH, ip4(10, 6, 0, 1), 49200, ip4(10, 6, 0, 9), 5201, 777u, 888u);
	tf_handshake(&col, T0 + NS_PER_S + 10 * NS_PER_MS);
	memset(seg, 0x77, sizeof(seg));
	for (k = 0; k < 50; k++)
		tf_data(&col, T0 + NS_PER_S + 11 * NS_PER_MS + k * NS_PER_MS, 0, seg, sizeof(seg));
	tf_close(&col, T0 + NS_PER_S + 70 * NS_PER_MS);
	mx_pings(&cap, &v, T0 + NS_PER_S / 2, T0 + 5 * NS_PER_S, &out, 1, &ep);
	mx_write(&cap, "mig_failed.pcap");
	mx_x_begin("mig_failed.pcap");
	mx_x_mig(&m, "failed", "rst", NULL, -1, -1, 0, NULL, 0);
	mx_x_end(1);
}

/* mig_vlan.pcap: two migrations, one behind an 802.1Q tag, one behind 802.1ad + 802.1Q (TCP, pings, RARP, GARP). */
static void fx_mig_vlan(void)
{
	struct cap cap = { 0 };
	struct mx_vm v[2] = { mx_vm_make(8, 1), mx_vm_make(9, 2) };
	struct mx_mig m[2];
	struct mx_outage out[2];
	struct mx_ep ep[2];
	int64_t resumed[2];
	int k;

	for (k = 0; k < 2; k++) {
		mx_mig_init(&m[k], ip4(10, 7, 0, 1), ip4(10, 7, 0, 2), (uint16_t)(49152 + k), (uint16_t)(40000 + k * 100),
			    T0 + NS_PER_S + k * 2 * NS_PER_S, 200);
		m[k].link = k ? L_VLAN2 : L_VLAN1;
		m[k].nmultifd = 1;
		mx_uuid(m[k].uuid, (uint8_t)(8 + k));
		mx_migration(&cap, &m[k]);
		out[k] = mx_pause(m[k].final_burst_end);
		resumed[k] = mx_announce(&cap, &v[k], m[k].final_burst_end, 1, 1);
		mx_pings(&cap, &v[k], T0 + NS_PER_S / 2 + k * NS_PER_MS, T0 + 5 * NS_PER_S, &out[k], 1, &ep[k]);
	}
	mx_write(&cap, "mig_vlan.pcap");
	mx_x_begin("mig_vlan.pcap");
	for (k = 0; k < 2; k++)
		mx_x_mig(&m[k], "completed", "switchover", &v[k], resumed[k],
			 mx_first_frame(resumed[k], resumed[k] + 5 * NS_PER_MS, &ep[k]), 6, &ep[k], 0);
	mx_x_end(0);
}

/* Every migration-record fixture. */
static void fx_migrations(void)
{
	fx_mig_5x();
	fx_mig_concurrent();
	fx_mig_block();
	fx_mig_tls();
	fx_mig_cut();
	fx_mig_failed();
	fx_mig_vlan();
	b_free(&mx_x);
}
