/* gen_fixtures_app.c - the --app fixture: HTTP-like keep-alive turns around a migration whose VM pauses (included by gen_fixtures.c). */
/*
 * app_mig.pcap: a VM (10.0.1.9, MAC 02:00:00:00:09:09) serves HTTP on
 * port 80 to a client (10.0.1.50) over two keep-alive connections.  Each
 * client sends a 120-byte request 18 ms after the previous answer; the
 * server answers in 2 ms with 3000 bytes in three segments 100 us apart
 * (5 ms for one second after the VM resumes: post-copy-like).  A migration
 * 10.0.0.1 -> 10.0.0.2:49152 runs from A0 + 12 s; its final burst ends at
 * F; the VM is paused over [F - 50 ms, F + 80 ms): an answer due then comes
 * at F + 81 ms.  RARP announces from F + 70 ms.  One connection is refused
 * (SYN answered by RST) at A0 + 5 s, one is reset at A0 + 20.1 s.  No
 * pings: the downtime can only come from the app's own traffic.
 *
 * The answers, worked out here from the definitions (README "Application
 * impact"), go to app_expect.json; tests/golden.sh compares the report.
 */

#define AX_A0 (T0 + NS_PER_S)
#define AX_RT (2 * NS_PER_MS)
#define AX_RT_SLOW (5 * NS_PER_MS)
#define AX_THINK (18 * NS_PER_MS)
#define AX_END (AX_A0 + 30 * NS_PER_S)
#define AX_MAX_TURNS 4096

struct ax_turn {
	int64_t req, done;
};

struct ax_state {
	struct ax_turn t[AX_MAX_TURNS];
	size_t n;
	int64_t pay[3 * AX_MAX_TURNS];	/* server payload times */
	size_t npay;
};

static int ax_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* One turn on f: the request at `req`, the answer when the VM can give it. */
static int64_t ax_turn(struct ax_state *st, struct tflow *f, int64_t req, int64_t p0, int64_t p1)
{
	static const uint8_t get[120] = "GET /index.html HTTP/1.1\r\nHost: vm\r\n\r\n";
	uint8_t seg[1448];
	int64_t rt = req >= p1 && req < p1 + NS_PER_S ? AX_RT_SLOW : AX_RT, done = req + rt;
	int k;

	if (done >= p0 && done < p1)
		done = p1 + NS_PER_MS;
	else if (req >= p0 && req < p1)
		done = p1 + NS_PER_MS;
	tf_data(f, req, 0, get, sizeof(get));
	for (k = 0; k < 3; k++) {
		memset(seg, 0x41 + k, sizeof(seg));
		tf_data(f, done + k * 100 * NS_PER_US, 1, seg, k < 2 ? 1448 : 104);
		if (st->npay < sizeof(st->pay) / sizeof(st->pay[0]))
			st->pay[st->npay++] = done + k * 100 * NS_PER_US;
	}
	tf_ack(f, done + 300 * NS_PER_US, 0);
	if (st->n < AX_MAX_TURNS) {
		st->t[st->n].req = req;
		st->t[st->n].done = done;
		st->n++;
	}
	return done;
}

/* The exact median of v[0..n) as medset_median gives it (n > 0; sorts v). */
static int64_t ax_median(int64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), ax_cmp);
	return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

/* Turns done in [lo, hi): their count, response-time median and longest (or -1 each). */
static void ax_phase(const struct ax_state *st, int64_t lo, int64_t hi, const char *name, FILE *fp, int last)
{
	int64_t *v = malloc(AX_MAX_TURNS * sizeof(*v)), mx = -1;
	size_t i, n = 0;

	if (!v)
		die("out of memory");
	for (i = 0; i < st->n; i++) {
		if (st->t[i].done < lo || st->t[i].done >= hi)
			continue;
		v[n++] = st->t[i].done - st->t[i].req;
		if (st->t[i].done - st->t[i].req > mx)
			mx = st->t[i].done - st->t[i].req;
	}
	fprintf(fp, "    \"%s\": {\"start_ns\": %" PRId64 ", \"end_ns\": %" PRId64 ", \"turns\": %zu, "
		"\"median_ns\": %" PRId64 ", \"longest_stall_ns\": %" PRId64 "}%s\n", name, lo, hi, n,
		n ? ax_median(v, n) : -1, mx, last ? "" : ",");
	free(v);
}

static void fx_app(void)
{
	static const uint8_t vm_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x09, 0x09 };
	static const int64_t round_ms[5] = { 0, 50, 150, 300, 500 };
	struct ax_state *st = calloc(1, sizeof(*st));
	struct cap cap = { 0 };
	struct tflow c[2], mig, refused, rst;
	struct ip vm = ip4(10, 0, 1, 9), cl = ip4(10, 0, 1, 50);
	uint8_t page[1448];
	int64_t next[2], f_end, p0, p1, resumed, sw_end = -1, best_gap = -1, gap_from = 0;
	int64_t *sp;
	size_t k, nsp = 0;
	char path[4096];
	FILE *fp;
	int i;

	if (!st)
		die("out of memory");
	/* The migration: SYN at A0 + 12 s, 3000 pages 1 ms apart, FIN. */
	tf_init(&mig, &cap, L_ETH, ip4(10, 0, 0, 1), 40000, ip4(10, 0, 0, 2), 49152, 7000000u, 8000000u);
	tf_handshake(&mig, AX_A0 + 12 * NS_PER_S);
	for (k = 0; k < 3000; k++) {
		memset(page, 0x40 + (int)(k % 64), sizeof(page));
		if (k == 0)
			memcpy(page, qevm, sizeof(qevm));
		tf_data(&mig, AX_A0 + 12 * NS_PER_S + NS_PER_MS + (int64_t)k * NS_PER_MS, 0, page, sizeof(page));
		if (k % 2)
			tf_ack(&mig, AX_A0 + 12 * NS_PER_S + NS_PER_MS + (int64_t)k * NS_PER_MS + 50 * NS_PER_US, 1);
	}
	f_end = AX_A0 + 12 * NS_PER_S + NS_PER_MS + 2999 * NS_PER_MS;
	tf_ack(&mig, f_end + 50 * NS_PER_US, 1);
	tf_close(&mig, f_end + 2 * NS_PER_MS);
	p0 = f_end - 50 * NS_PER_MS;
	p1 = f_end + 80 * NS_PER_MS;
	resumed = f_end + 70 * NS_PER_MS;
	for (i = 0; i < 5; i++)
		cap_add(&cap, resumed + round_ms[i] * NS_PER_MS, mx_rarp(vm_mac, 0));

	/* The service: two keep-alive connections, turns until A0 + 30 s. */
	for (i = 0; i < 2; i++) {
		tf_init(&c[i], &cap, L_ETH, cl, (uint16_t)(42001 + i), vm, 80, 100000u * (unsigned)(i + 1),
			900000u * (unsigned)(i + 1));
		tf_handshake(&c[i], AX_A0 + i * 5 * NS_PER_MS);
		next[i] = AX_A0 + 10 * NS_PER_MS + i * 10 * NS_PER_MS;
	}
	while (next[0] < AX_END || next[1] < AX_END) {
		i = next[0] <= next[1] ? 0 : 1;
		next[i] = ax_turn(st, &c[i], next[i], p0, p1) + 300 * NS_PER_US + AX_THINK;
	}
	for (i = 0; i < 2; i++)
		tf_close(&c[i], AX_END + NS_PER_S + i * NS_PER_MS);
	/* Refused: the SYN answered by RST. */
	tf_init(&refused, &cap, L_ETH, cl, 42003, vm, 80, 5555u, 0u);
	tf_seg(&refused, AX_A0 + 5 * NS_PER_S, 0, 0x02, 5555u, NULL, 0, 0);
	tf_seg(&refused, AX_A0 + 5 * NS_PER_S + 100 * NS_PER_US, 1, 0x14, 0u, NULL, 0, 0);
	/* Reset: one turn, then the client resets. */
	tf_init(&rst, &cap, L_ETH, cl, 42004, vm, 80, 6666u, 7777u);
	tf_handshake(&rst, AX_A0 + 20 * NS_PER_S);
	ax_turn(st, &rst, AX_A0 + 20 * NS_PER_S + NS_PER_MS, p0, p1);
	tf_seg(&rst, AX_A0 + 20 * NS_PER_S + 100 * NS_PER_MS, 0, 0x14, rst.nxt[0], NULL, 0, 0);

	cap_write(&cap, "app_mig.pcap", link_dlt(L_ETH), 128, 0);
	cap_free(&cap);

	/* The answers. The switchover ends at the first answer after the announce within 10 x 2 ms. */
	for (k = 0; k < st->n; k++)
		if (st->t[k].done >= resumed && st->t[k].done - st->t[k].req <= 10 * AX_RT &&
		    (sw_end < 0 || st->t[k].done < sw_end))
			sw_end = st->t[k].done;
	qsort(st->pay, st->npay, sizeof(st->pay[0]), ax_cmp);
	sp = malloc(st->npay * sizeof(*sp));
	if (!sp)
		die("out of memory");
	for (k = 1; k < st->npay; k++) {
		int64_t d = st->pay[k] - st->pay[k - 1];

		if (d <= 0)
			continue;
		sp[nsp++] = d;
		/* The longest silence of the service overlapping [F - 1 s, resumed + 1 s]. */
		if (st->pay[k - 1] <= resumed + NS_PER_S && st->pay[k] >= f_end - NS_PER_S && d > best_gap) {
			best_gap = d;
			gap_from = st->pay[k - 1];
		}
	}
	path_of(path, sizeof(path), "app_expect.json");
	fp = fopen(path, "w");
	if (!fp)
		die("%s: %s", path, strerror(errno));
	fprintf(fp, "{\n  \"turns\": %zu,\n  \"goodput_bytes\": %zu,\n  \"client_bytes\": %zu,\n"
		"  \"conns_opened\": 4,\n  \"conns_refused\": 1,\n  \"conns_reset\": 1,\n"
		"  \"migration_start_ns\": %" PRId64 ",\n  \"final_burst_end_ns\": %" PRId64 ",\n"
		"  \"resumed_ns\": %" PRId64 ",\n  \"switchover_end_ns\": %" PRId64 ",\n"
		"  \"blackout\": {\"source\": \"app\", \"start_ns\": %" PRId64 ", \"gap_ns\": %" PRId64
		", \"resolution_ns\": %" PRId64 "},\n  \"phases\": {\n",
		st->n, st->n * 3000, st->n * 120, (int64_t)(AX_A0 + 12 * NS_PER_S), f_end, resumed, sw_end,
		gap_from, best_gap, ax_median(sp, nsp));
	ax_phase(st, (int64_t)(AX_A0 + 2 * NS_PER_S), (int64_t)(AX_A0 + 12 * NS_PER_S), "before", fp, 0);
	ax_phase(st, (int64_t)(AX_A0 + 12 * NS_PER_S), f_end, "pre-copy", fp, 0);
	ax_phase(st, f_end, sw_end, "switchover", fp, 0);
	ax_phase(st, sw_end, sw_end + 10 * NS_PER_S, "after", fp, 1);
	fputs("  }\n}\n", fp);
	if (fclose(fp) != 0)
		die("app_expect.json: write failed");
	free(sp);
	free(st);
}
