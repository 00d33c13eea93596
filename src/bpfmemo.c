/* bpfmemo.c - BPF verdicts kept by the bytes the program read (see bpfmemo.h for why that is exact). */
#include "bpfmemo.h"

#include <stdlib.h>
#include <string.h>

#define MEMO_END     64		/* a key covers at most the first 64 bytes of a frame */
#define MEMO_WORDS   (MEMO_END / 8)
#define MEMO_LOADS   32		/* loads per trace, after removing repeats */
#define MEMO_ENTRIES 2048	/* verdicts, direct-mapped */
#define MEMO_WINDOW  8192	/* lookups between hit-rate checks */
#define MEMO_REST    65536	/* frames passed straight to libpcap when the memo does not pay */

/* One place a trace read: size bytes at off. */
struct load {
	uint32_t off;
	uint8_t size;
};

/*
 * A kept verdict.  The key is the frame's first 64 bytes, masked to the
 * bytes some trace read (bytes past caplen are zero), then one word of
 * min(caplen, end) and, when a trace read it, the wire length.  Only the
 * words with a masked byte are stored (the others are always zero).
 */
struct entry {
	uint64_t key[MEMO_WORDS + 1];
	uint32_t verdict;
	uint32_t valid;
};

struct bpfmemo {
	const struct bpf_program *prog;
	int usable;		/* 0: the program has instructions the tracer does not model */
	/*
	 * The union of the bytes every kept trace read, as a mask over the
	 * frame's start.  A key over more bytes than one trace read is still
	 * exact (the bytes it read are among them); the mask only grows, and
	 * the table is emptied when it does.
	 */
	uint8_t mask[MEMO_END];
	uint64_t wmask[MEMO_WORDS];
	unsigned nw;		/* words the key covers: ceil(end / 8); 0 until a trace is kept */
	uint8_t wi[MEMO_WORDS];	/* the words with a masked byte: only they make the key */
	unsigned nwi;
	uint32_t end;		/* last masked byte + 1 */
	int use_len;		/* some trace read the wire length (BPF_LEN) */
	struct entry *tab;	/* MEMO_ENTRIES */
	uint64_t hits, misses;
	unsigned win_n, win_hits;
	unsigned rest;		/* frames left to pass straight through */
};

/* The instructions libpcap's interpreter runs, minus Linux's ancillary data loads. */
static int program_usable(const struct bpf_program *prog)
{
	unsigned i;

	if (!prog || !prog->bf_insns || prog->bf_len == 0)
		return 0;
	for (i = 0; i < prog->bf_len; i++) {
		const struct bpf_insn *in = &prog->bf_insns[i];

		switch (BPF_CLASS(in->code)) {
		case BPF_LD:
		case BPF_LDX:
			/* ancillary data (SKF_AD_OFF = -4096) lives outside the packet */
			if ((BPF_MODE(in->code) == BPF_ABS || BPF_MODE(in->code) == BPF_IND) &&
			    in->k >= 0xfffff000u)
				return 0;
			break;
		default:
			break;
		}
	}
	return 1;
}

struct bpfmemo *bpfmemo_new(const struct bpf_program *prog)
{
	struct bpfmemo *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->prog = prog;
	m->usable = program_usable(prog);
	m->tab = calloc(MEMO_ENTRIES, sizeof(*m->tab));
	if (!m->tab) {
		free(m);
		return NULL;
	}
	return m;
}

void bpfmemo_free(struct bpfmemo *m)
{
	if (!m)
		return;
	free(m->tab);
	free(m);
}

void bpfmemo_stats(const struct bpfmemo *m, uint64_t *hits, uint64_t *misses)
{
	*hits = m->hits;
	*misses = m->misses;
}

/* A trace being recorded. */
struct trace {
	struct load ld[MEMO_LOADS];
	unsigned nld;
	int use_len;
	int bad;		/* too many loads, or a load out of bounds: not kept */
};

static void note(struct trace *t, uint32_t off, uint8_t size)
{
	unsigned i;

	for (i = 0; i < t->nld; i++)
		if (t->ld[i].off == off && t->ld[i].size == size)
			return;
	if (t->nld == MEMO_LOADS) {
		t->bad = 1;
		return;
	}
	t->ld[t->nld].off = off;
	t->ld[t->nld].size = size;
	t->nld++;
}

static uint32_t rd(const u_char *p, uint32_t off, uint8_t size)
{
	switch (size) {
	case 4:
		return (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 |
		       (uint32_t)p[off + 2] << 8 | p[off + 3];
	case 2:
		return (uint32_t)p[off] << 8 | p[off + 1];
	default:
		return p[off];
	}
}

static uint8_t size_of(uint16_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_W:
		return 4;
	case BPF_H:
		return 2;
	default:
		return 1;
	}
}

/*
 * libpcap's bpf_filter (bpf_filter.c, libpcap 1.10) with every packet load
 * noted.  Returns the program's return value; t->bad when a load fell out
 * of bounds (libpcap returns 0 there too, but such a trace is not kept).
 */
static uint32_t run_traced(const struct bpf_program *prog, const u_char *p, uint32_t wirelen,
			   uint32_t buflen, struct trace *t)
{
	const struct bpf_insn *pc = prog->bf_insns;
	uint32_t A = 0, X = 0, k, mem[BPF_MEMWORDS];
	unsigned steps = 0;
	uint8_t sz;

	memset(mem, 0, sizeof(mem));
	--pc;
	for (;;) {
		++pc;
		if (pc < prog->bf_insns || pc >= prog->bf_insns + prog->bf_len || ++steps > 65536) {
			/* off the program, or a loop libpcap would not run this long: no trace */
			t->bad = 1;
			return 0;
		}
		switch (pc->code) {
		case BPF_RET | BPF_K:
			return pc->k;
		case BPF_RET | BPF_A:
			return A;
		case BPF_LD | BPF_W | BPF_ABS:
		case BPF_LD | BPF_H | BPF_ABS:
		case BPF_LD | BPF_B | BPF_ABS:
			k = pc->k;
			sz = size_of(pc->code);
			if (k > buflen || sz > buflen - k) {
				t->bad = 1;
				return 0;
			}
			note(t, k, sz);
			A = rd(p, k, sz);
			continue;
		case BPF_LD | BPF_W | BPF_LEN:
			t->use_len = 1;
			A = wirelen;
			continue;
		case BPF_LDX | BPF_W | BPF_LEN:
			t->use_len = 1;
			X = wirelen;
			continue;
		case BPF_LD | BPF_W | BPF_IND:
		case BPF_LD | BPF_H | BPF_IND:
		case BPF_LD | BPF_B | BPF_IND:
			sz = size_of(pc->code);
			if (pc->k > buflen || X > buflen - pc->k || sz > buflen - pc->k - X) {
				t->bad = 1;
				return 0;
			}
			k = X + pc->k;
			note(t, k, sz);
			A = rd(p, k, sz);
			continue;
		case BPF_LDX | BPF_MSH | BPF_B:
			k = pc->k;
			if (k >= buflen) {
				t->bad = 1;
				return 0;
			}
			note(t, k, 1);
			X = (uint32_t)(p[k] & 0xf) << 2;
			continue;
		case BPF_LD | BPF_IMM:
			A = pc->k;
			continue;
		case BPF_LDX | BPF_IMM:
			X = pc->k;
			continue;
		case BPF_LD | BPF_MEM:
			A = mem[pc->k % BPF_MEMWORDS];
			continue;
		case BPF_LDX | BPF_MEM:
			X = mem[pc->k % BPF_MEMWORDS];
			continue;
		case BPF_ST:
			mem[pc->k % BPF_MEMWORDS] = A;
			continue;
		case BPF_STX:
			mem[pc->k % BPF_MEMWORDS] = X;
			continue;
		case BPF_JMP | BPF_JA:
			/* libpcap's "ip6 protochain" jumps backwards: k is signed, as libpcap reads it */
			pc += (int32_t)pc->k;
			continue;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += (A > pc->k) ? pc->jt : pc->jf;
			continue;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += (A >= pc->k) ? pc->jt : pc->jf;
			continue;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += (A == pc->k) ? pc->jt : pc->jf;
			continue;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (A & pc->k) ? pc->jt : pc->jf;
			continue;
		case BPF_JMP | BPF_JGT | BPF_X:
			pc += (A > X) ? pc->jt : pc->jf;
			continue;
		case BPF_JMP | BPF_JGE | BPF_X:
			pc += (A >= X) ? pc->jt : pc->jf;
			continue;
		case BPF_JMP | BPF_JEQ | BPF_X:
			pc += (A == X) ? pc->jt : pc->jf;
			continue;
		case BPF_JMP | BPF_JSET | BPF_X:
			pc += (A & X) ? pc->jt : pc->jf;
			continue;
		case BPF_ALU | BPF_ADD | BPF_X:
			A += X;
			continue;
		case BPF_ALU | BPF_SUB | BPF_X:
			A -= X;
			continue;
		case BPF_ALU | BPF_MUL | BPF_X:
			A *= X;
			continue;
		case BPF_ALU | BPF_DIV | BPF_X:
			if (X == 0)
				return 0;
			A /= X;
			continue;
		case BPF_ALU | BPF_MOD | BPF_X:
			if (X == 0)
				return 0;
			A %= X;
			continue;
		case BPF_ALU | BPF_AND | BPF_X:
			A &= X;
			continue;
		case BPF_ALU | BPF_OR | BPF_X:
			A |= X;
			continue;
		case BPF_ALU | BPF_XOR | BPF_X:
			A ^= X;
			continue;
		case BPF_ALU | BPF_LSH | BPF_X:
			A = X < 32 ? A << X : 0;
			continue;
		case BPF_ALU | BPF_RSH | BPF_X:
			A = X < 32 ? A >> X : 0;
			continue;
		case BPF_ALU | BPF_ADD | BPF_K:
			A += pc->k;
			continue;
		case BPF_ALU | BPF_SUB | BPF_K:
			A -= pc->k;
			continue;
		case BPF_ALU | BPF_MUL | BPF_K:
			A *= pc->k;
			continue;
		case BPF_ALU | BPF_DIV | BPF_K:
			if (pc->k == 0)
				return 0;
			A /= pc->k;
			continue;
		case BPF_ALU | BPF_MOD | BPF_K:
			if (pc->k == 0)
				return 0;
			A %= pc->k;
			continue;
		case BPF_ALU | BPF_AND | BPF_K:
			A &= pc->k;
			continue;
		case BPF_ALU | BPF_OR | BPF_K:
			A |= pc->k;
			continue;
		case BPF_ALU | BPF_XOR | BPF_K:
			A ^= pc->k;
			continue;
		case BPF_ALU | BPF_LSH | BPF_K:
			A = pc->k < 32 ? A << pc->k : 0;
			continue;
		case BPF_ALU | BPF_RSH | BPF_K:
			A = pc->k < 32 ? A >> pc->k : 0;
			continue;
		case BPF_ALU | BPF_NEG:
			A = (uint32_t)-(int64_t)A;
			continue;
		case BPF_MISC | BPF_TAX:
			X = A;
			continue;
		case BPF_MISC | BPF_TXA:
			A = X;
			continue;
		default:
			/* an instruction this tracer does not model: never keep the trace */
			t->bad = 1;
			return 0;
		}
	}
}

/*
 * The frame's key.  Two frames with equal keys hold the same bytes at
 * every offset a kept trace read, and either both captured all of them
 * or both stop at the same caplen (the trace read below it): same path.
 */
static void gather(const struct bpfmemo *m, const struct pcap_pkthdr *h, const u_char *d,
		   uint64_t key[MEMO_WORDS + 1])
{
	uint32_t cap = h->caplen < m->end ? h->caplen : m->end;
	unsigned i;

	if (cap == m->end && h->caplen >= m->nw * 8) {
		for (i = 0; i < m->nwi; i++) {
			uint64_t w;

			memcpy(&w, d + 8 * m->wi[i], 8);
			key[i] = w & m->wmask[m->wi[i]];
		}
	} else {
		uint64_t b[MEMO_WORDS];

		memset(b, 0, sizeof(b));
		memcpy(b, d, cap);
		for (i = 0; i < m->nwi; i++)
			key[i] = b[m->wi[i]] & m->wmask[m->wi[i]];
	}
	key[m->nwi] = (uint64_t)cap | (m->use_len ? (uint64_t)h->len << 32 : 0);
}

static size_t slot_of(const struct bpfmemo *m, const uint64_t *key)
{
	uint64_t h = 0;
	unsigned i;

	/* independent multiplications (a different odd constant a word), then the finaliser */
	for (i = 0; i <= m->nwi; i++)
		h ^= (key[i] + i) * (0x9E3779B97F4A7C15ULL + 2 * (uint64_t)i);
	/* MurmurHash3's finaliser: a byte high in a word must reach the low bits too. */
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (size_t)(h & (MEMO_ENTRIES - 1));
}

static int key_eq(const struct bpfmemo *m, const uint64_t *a, const uint64_t *b)
{
	uint64_t d = 0;
	unsigned i;

	for (i = 0; i <= m->nwi; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

/* Keeps a verdict, first widening the mask to the trace's bytes (which empties the table). */
static void record(struct bpfmemo *m, const struct trace *t, const struct pcap_pkthdr *h,
		   const u_char *d, uint32_t verdict)
{
	uint64_t key[MEMO_WORDS + 1];
	struct entry *e;
	int grew = 0;
	unsigned i, j;

	for (i = 0; i < t->nld; i++)
		if (t->ld[i].off + t->ld[i].size > MEMO_END)
			return;	/* reads too deep: frames of this kind always ask libpcap */
	for (i = 0; i < t->nld; i++) {
		for (j = 0; j < t->ld[i].size; j++) {
			uint32_t o = t->ld[i].off + j;

			if (!m->mask[o]) {
				m->mask[o] = 0xff;
				grew = 1;
				if (o + 1 > m->end)
					m->end = o + 1;
			}
		}
	}
	if (t->use_len && !m->use_len) {
		m->use_len = 1;
		grew = 1;
	}
	if (grew) {
		memcpy(m->wmask, m->mask, sizeof(m->wmask));
		m->nw = (m->end + 7) / 8;
		m->nwi = 0;
		for (i = 0; i < m->nw; i++)
			if (m->wmask[i])
				m->wi[m->nwi++] = (uint8_t)i;
		memset(m->tab, 0, MEMO_ENTRIES * sizeof(*m->tab));
	}
	gather(m, h, d, key);
	e = &m->tab[slot_of(m, key)];
	memcpy(e->key, key, sizeof(key));
	e->verdict = verdict;
	e->valid = 1;
}

/* The kept verdict for this frame, or -1. */
static int64_t lookup(const struct bpfmemo *m, const struct pcap_pkthdr *h, const u_char *d)
{
	uint64_t key[MEMO_WORDS + 1];
	const struct entry *e;

	if (m->nw == 0)
		return -1;
	gather(m, h, d, key);
	e = &m->tab[slot_of(m, key)];
	if (!e->valid || !key_eq(m, e->key, key))
		return -1;
	return e->verdict;
}

int bpfmemo_filter(struct bpfmemo *m, const struct pcap_pkthdr *h, const u_char *data)
{
	struct trace t;
	int64_t v;
	uint32_t r;

	if (!m->usable || m->rest) {
		if (m->rest)
			m->rest--;
		return pcap_offline_filter(m->prog, h, data);
	}
	v = lookup(m, h, data);
	if (++m->win_n == MEMO_WINDOW) {
		/* A scan (every frame a new flow) gains nothing: step aside for a while. */
		if (m->win_hits < MEMO_WINDOW / 4)
			m->rest = MEMO_REST;
		m->win_n = m->win_hits = 0;
	}
	if (v >= 0) {
		m->hits++;
		m->win_hits++;
		return v != 0;
	}
	m->misses++;
	r = (uint32_t)pcap_offline_filter(m->prog, h, data);
	memset(&t, 0, sizeof(t));
	if (run_traced(m->prog, data, h->len, h->caplen, &t) == r && !t.bad)
		record(m, &t, h, data, r);
	return r != 0;
}
