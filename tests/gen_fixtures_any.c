/* gen_fixtures_any.c - the --ports any fixture: migrations on ports outside every range, among ordinary TCP (included by gen_fixtures.c). */
/*
 * mig_anyport.pcap: one VM (10.1.1.21) moved three times between
 * 10.8.0.1 and 10.8.0.2, none of it inside the default port range:
 *   1. a QEMU migration on port 8443 with two multifd channels (8444, 8445);
 *   2. a block migration back on 16600 (libvirt's 16509 plus a bit), its
 *      NBD stream on 16608;
 *   3. a TLS migration on 31337 (KubeVirt's proxy: a random port), 800
 *      segments of 1448 bytes: over the 1 MiB bulk threshold.
 * Among them, ordinary TCP that --ports any must leave out: six HTTP
 * exchanges (one between the same two hosts during migration 1), a small
 * HTTPS (TLS) download that closes under the threshold, and an ssh-like
 * interactive session across the whole capture.  Client ports stay out of
 * the default range too: with the default --ports nothing here is seen.
 */

/* An HTTP/1.1 exchange: request, a `size`-byte response in 1448-byte segments, close. */
static void ax_http(struct cap *cap, struct ip c, uint16_t cport, struct ip s, uint16_t sport, int64_t t,
		    size_t size, int tls)
{
	static const uint8_t get[] = "GET /index.html HTTP/1.1\r\nHost: example\r\n\r\n";
	static const uint8_t ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n";
	struct tflow f;
	uint8_t seg[1448];
	size_t off, n;
	int k = 0;

	tf_init(&f, cap, L_ETH, c, cport, s, sport, 100u + cport, 900u + cport);
	tf_handshake(&f, t);
	tf_data(&f, t + NS_PER_MS, 0, tls ? mx_tls : get, tls ? sizeof(mx_tls) : sizeof(get) - 1);
	for (off = 0; off < size; off += n, k++) {
		n = size - off < sizeof(seg) ? size - off : sizeof(seg);
		memset(seg, 0x61 + k % 26, n);
		if (off == 0 && !tls)
			memcpy(seg, ok, sizeof(ok) - 1);
		tf_data(&f, t + 2 * NS_PER_MS + k * 100 * NS_PER_US, 1, seg, n);
		if (k % 2)
			tf_ack(&f, t + 2 * NS_PER_MS + k * 100 * NS_PER_US + 20 * NS_PER_US, 0);
	}
	tf_close(&f, t + 2 * NS_PER_MS + k * 100 * NS_PER_US + NS_PER_MS);
}

/* An ssh session: banners, then a keystroke and its echo every 50 ms from t to end. */
static void ax_ssh(struct cap *cap, int64_t t, int64_t end)
{
	static const uint8_t sb[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", cb[] = "SSH-2.0-OpenSSH_9.2\r\n";
	struct tflow f;
	uint8_t key[48];
	int64_t ts;

	tf_init(&f, cap, L_ETH, ip4(10, 8, 0, 5), 50100, ip4(10, 8, 0, 1), 22, 4242u, 2424u);
	tf_handshake(&f, t);
	tf_data(&f, t + NS_PER_MS, 1, sb, sizeof(sb) - 1);
	tf_data(&f, t + 2 * NS_PER_MS, 0, cb, sizeof(cb) - 1);
	memset(key, 0x5a, sizeof(key));
	for (ts = t + 10 * NS_PER_MS; ts < end; ts += 50 * NS_PER_MS) {
		tf_data(&f, ts, 0, key, sizeof(key));
		tf_data(&f, ts + 300 * NS_PER_US, 1, key, sizeof(key));
		tf_ack(&f, ts + 400 * NS_PER_US, 0);
	}
	tf_close(&f, end);
}

static void fx_mig_anyport(void)
{
	struct cap cap = { 0 };
	struct mx_vm v = mx_vm_make(21, 0);
	struct mx_mig m[3];
	struct mx_outage out[3];
	struct mx_ep ep[3];
	int64_t resumed[3];
	struct ip h1 = ip4(10, 8, 0, 1), h2 = ip4(10, 8, 0, 2), web = ip4(10, 8, 0, 9);
	int k;

	mx_mig_init(&m[0], h1, h2, 8443, 40000, T0 + NS_PER_S, 200);
	m[0].nmultifd = 2;
	mx_uuid(m[0].uuid, 2);
	mx_mig_init(&m[1], h2, h1, 16600, 40100, T0 + 3 * NS_PER_S, 300);
	m[1].nbd = 1;
	mx_mig_init(&m[2], h1, h2, 31337, 40200, T0 + 5 * NS_PER_S, 800);
	m[2].tls = 1;
	for (k = 0; k < 3; k++) {
		mx_migration(&cap, &m[k]);
		out[k] = mx_pause(m[k].final_burst_end);
		resumed[k] = mx_announce(&cap, &v, m[k].final_burst_end, 1, 0);
	}
	for (k = 0; k < 5; k++)
		ax_http(&cap, h1, (uint16_t)(50000 + k), web, 80, T0 + NS_PER_S / 2 + k * NS_PER_S + 300 * NS_PER_MS,
			3000, 0);
	ax_http(&cap, h1, 50010, h2, 8080, T0 + NS_PER_S + 50 * NS_PER_MS, 3000, 0);
	ax_http(&cap, h1, 50020, web, 443, T0 + 2 * NS_PER_S, 20000, 1);
	ax_ssh(&cap, T0 + NS_PER_S / 2 + 100 * NS_PER_MS, T0 + 7 * NS_PER_S);
	mx_pings(&cap, &v, T0 + NS_PER_S / 2, T0 + 7 * NS_PER_S, out, 3, ep);
	mx_write(&cap, "mig_anyport.pcap");
	mx_x_begin("mig_anyport.pcap");
	for (k = 0; k < 3; k++)
		mx_x_mig(&m[k], "completed", "switchover", &v, resumed[k], ep[k].first_reply_after, 5, &ep[k],
			 k == 2);
	mx_x_end(0);
	b_free(&mx_x);
}
