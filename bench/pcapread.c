/* pcapread.c - baseline for the benchmarks: a bare libpcap read loop touching every frame. */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned long long frames = 0, bytes = 0, sum = 0;
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pcapread FILE\n");
		return 2;
	}
	p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p) {
		fprintf(stderr, "pcapread: %s\n", err);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		frames++;
		bytes += h->len;
		sum += h->caplen > 40 ? d[40] : 0;	/* touch the data like a parser would */
	}
	pcap_close(p);
	printf("%llu frames %llu bytes %llu\n", frames, bytes, sum);
	return rc == PCAP_ERROR ? 1 : 0;
}
