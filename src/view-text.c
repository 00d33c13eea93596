/* view-text.c - the view parsers' common ground: whole files, bounded lines, tokens, and log time zones. */
#include "view.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int view_file_open(struct view_file *f, const char *path, char *err, size_t errlen)
{
	FILE *fp;
	size_t cap = 1 << 16, n;
	uint8_t *buf, *nb;

	memset(f, 0, sizeof(*f));
	f->path = path;
	fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(cap);
	if (!buf)
		goto oom;
	for (;;) {
		n = fread(buf + f->len, 1, cap - f->len, fp);
		f->len += n;
		if (f->len < cap) {
			if (ferror(fp)) {
				snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
				goto fail;
			}
			break;
		}
		if (cap >= VIEW_MAX_FILE) {
			snprintf(err, errlen, "%s: larger than %u MiB: not a log this reads", path,
				 VIEW_MAX_FILE >> 20);
			goto fail;
		}
		nb = realloc(buf, cap * 2);
		if (!nb)
			goto oom;
		buf = nb;
		cap *= 2;
	}
	if (fp != stdin)
		fclose(fp);
	f->buf = buf;
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
fail:
	free(buf);
	if (fp != stdin)
		fclose(fp);
	f->len = 0;
	return -1;
}

void view_file_close(struct view_file *f)
{
	if (!f)
		return;
	free(f->buf);
	f->buf = NULL;
	f->len = f->pos = 0;
}

int view_file_line(struct view_file *f, struct cur *line)
{
	while (f->buf && f->pos < f->len) {
		const uint8_t *p = f->buf + f->pos;
		size_t left = f->len - f->pos;
		const uint8_t *nl = memchr(p, '\n', left);
		size_t n = nl ? (size_t)(nl - p) : left;

		f->pos += nl ? n + 1 : n;
		f->lineno++;
		if (n > VIEW_MAX_LINE) {
			f->overlong++;
			continue;
		}
		if (n > 0 && p[n - 1] == '\r')
			n--;
		cur_init(line, p, n);
		f->lines++;
		return 1;
	}
	return 0;
}

void vt_ws(struct cur *c)
{
	while (cur_left(c) && (c->p[0] == ' ' || c->p[0] == '\t'))
		c->p++;
}

static int lit(struct cur *c, const char *s, int ci)
{
	size_t n = strlen(s), i;

	if (cur_left(c) < n)
		return 0;
	for (i = 0; i < n; i++) {
		int a = c->p[i], b = (unsigned char)s[i];

		if (ci ? tolower(a) != tolower(b) : a != b)
			return 0;
	}
	c->p += n;
	return 1;
}

int vt_lit(struct cur *c, const char *s)
{
	return lit(c, s, 0);
}

int vt_lit_ci(struct cur *c, const char *s)
{
	return lit(c, s, 1);
}

int vt_find(struct cur *c, const char *s)
{
	size_t n = strlen(s), left = cur_left(c), i;

	if (n == 0 || left < n)
		return 0;
	for (i = 0; i + n <= left; i++) {
		if (memcmp(c->p + i, s, n) == 0) {
			c->p += i + n;
			return 1;
		}
	}
	return 0;
}

int vt_u64(struct cur *c, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = 0, left = cur_left(c);

	while (i < left && c->p[i] >= '0' && c->p[i] <= '9') {
		unsigned d = (unsigned)(c->p[i] - '0');

		if (x > (UINT64_MAX - d) / 10)
			return 0;
		x = x * 10 + d;
		i++;
	}
	if (i == 0)
		return 0;
	c->p += i;
	*v = x;
	return 1;
}

int vt_i64(struct cur *c, int64_t *v)
{
	struct cur s = *c;
	int neg = vt_lit(&s, "-");
	uint64_t u;

	if (!vt_u64(&s, &u) || u > (uint64_t)INT64_MAX)
		return 0;
	*v = neg ? -(int64_t)u : (int64_t)u;
	*c = s;
	return 1;
}

int vt_nano(struct cur *c, int64_t *v)
{
	struct cur s = *c;
	int neg = vt_lit(&s, "-");
	uint64_t ip = 0, frac = 0;
	int digits = 0, any = 0;

	if (vt_u64(&s, &ip))
		any = 1;
	if (cur_left(&s) && s.p[0] == '.') {
		s.p++;
		while (cur_left(&s) && s.p[0] >= '0' && s.p[0] <= '9') {
			if (digits < 9) {
				frac = frac * 10 + (uint64_t)(s.p[0] - '0');
				digits++;
			}
			s.p++;
			any = 1;
		}
	}
	if (!any || ip > (uint64_t)(INT64_MAX / MM_NS_PER_S) - 1)
		return 0;
	while (digits < 9) {
		frac *= 10;
		digits++;
	}
	*v = (int64_t)ip * MM_NS_PER_S + (int64_t)frac;
	if (neg)
		*v = -*v;
	*c = s;
	return 1;
}

/* Exactly n digits. */
static int fixed_digits(struct cur *c, int n, int *v)
{
	int x = 0, i;

	if (cur_left(c) < (size_t)n)
		return 0;
	for (i = 0; i < n; i++) {
		if (c->p[i] < '0' || c->p[i] > '9')
			return 0;
		x = x * 10 + (c->p[i] - '0');
	}
	c->p += n;
	*v = x;
	return 1;
}

int vt_datetime(struct cur *c, struct tm *tm, mm_ns *frac_ns)
{
	struct cur s = *c;
	int y, mo, d, h, mi, sec;
	mm_ns frac = 0;

	if (!fixed_digits(&s, 4, &y) || !vt_lit(&s, "-") || !fixed_digits(&s, 2, &mo) || !vt_lit(&s, "-") ||
	    !fixed_digits(&s, 2, &d))
		return 0;
	if (!vt_lit(&s, "T") && !vt_lit(&s, " "))
		return 0;
	if (!fixed_digits(&s, 2, &h) || !vt_lit(&s, ":") || !fixed_digits(&s, 2, &mi) || !vt_lit(&s, ":") ||
	    !fixed_digits(&s, 2, &sec))
		return 0;
	if (cur_left(&s) && s.p[0] == '.') {
		mm_ns scale = MM_NS_PER_S / 10;

		s.p++;
		while (cur_left(&s) && s.p[0] >= '0' && s.p[0] <= '9') {
			frac += (mm_ns)(s.p[0] - '0') * scale;
			scale /= 10;
			s.p++;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return 0;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = y - 1900;
	tm->tm_mon = mo - 1;
	tm->tm_mday = d;
	tm->tm_hour = h;
	tm->tm_min = mi;
	tm->tm_sec = sec;
	tm->tm_isdst = -1;
	*frac_ns = frac;
	*c = s;
	return 1;
}

int vt_blank(const struct cur *c)
{
	size_t i, n = cur_left(c);

	for (i = 0; i < n; i++)
		if (c->p[i] != ' ' && c->p[i] != '\t')
			return 0;
	return 1;
}

void vt_copy(char *dst, size_t n, const uint8_t *from, const uint8_t *to)
{
	size_t i = 0;

	if (n == 0)
		return;
	for (; from < to && i + 1 < n; from++)
		dst[i++] = *from >= 0x20 && *from < 0x7f ? (char)*from : '?';
	dst[i] = '\0';
}

/* "+02:00", "-0530", "+2": seconds east of UTC; -1 when not an offset. */
static int parse_offset(const char *s, long *off)
{
	struct cur c;
	uint64_t h, m = 0;
	int neg;

	cur_init(&c, (const uint8_t *)s, strlen(s));
	if (vt_lit(&c, "UTC") || vt_lit(&c, "GMT")) {
		if (!cur_left(&c)) {
			*off = 0;
			return 0;
		}
	}
	if (!cur_left(&c) || (c.p[0] != '+' && c.p[0] != '-'))
		return -1;
	neg = c.p[0] == '-';
	c.p++;
	if (cur_left(&c) >= 4 && c.p[2] != ':') {
		int hh, mm;

		if (!fixed_digits(&c, 2, &hh) || !fixed_digits(&c, 2, &mm))
			return -1;
		h = (uint64_t)hh;
		m = (uint64_t)mm;
	} else {
		if (!vt_u64(&c, &h))
			return -1;
		if (vt_lit(&c, ":") && !vt_u64(&c, &m))
			return -1;
	}
	if (cur_left(&c) || h > 14 || m > 59)
		return -1;
	*off = (long)(h * 3600 + m * 60) * (neg ? -1 : 1);
	return 0;
}

/* A zoneinfo name: letters, digits, '_', '-', '+', '/' without "..", and a file for it. */
static int zoneinfo_name(const char *s)
{
	char path[256];
	struct stat st;
	const char *p;

	if (!*s || s[0] == '/' || strstr(s, "..") || strlen(s) > 80)
		return 0;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_-+/", *p))
			return 0;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", s);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int view_tz_init(struct view_tz *z, const char *zone, char *err, size_t errlen)
{
	memset(z, 0, sizeof(*z));
	if (!zone) {
		const char *env = getenv("TZ");
		char link[256];
		ssize_t n;

		if (env && *env) {
			zone = env[0] == ':' ? env + 1 : env;
			z->from = "TZ";
		} else {
			n = readlink("/etc/localtime", link, sizeof(link) - 1);
			z->from = "/etc/localtime";
			if (n > 0) {
				char *zi;

				link[n] = '\0';
				zi = strstr(link, "zoneinfo/");
				snprintf(z->name, sizeof(z->name), "%.80s", zi ? zi + 9 : link);
			} else {
				snprintf(z->name, sizeof(z->name), "%s",
					 access("/etc/localtime", R_OK) == 0 ? "localtime" : "UTC");
			}
			snprintf(z->tzval, sizeof(z->tzval), "%s",
				 strcmp(z->name, "UTC") == 0 ? "UTC0" : ":/etc/localtime");
			z->fixed = strcmp(z->name, "UTC") == 0;
			return 0;
		}
	} else {
		z->from = "--log-tz";
	}
	snprintf(z->name, sizeof(z->name), "%.80s", zone);
	if (strcmp(zone, "Z") == 0 || parse_offset(zone, &z->offset_s) == 0) {
		z->fixed = 1;
		return 0;
	}
	if (zoneinfo_name(zone)) {
		snprintf(z->tzval, sizeof(z->tzval), ":%s", zone);
		return 0;
	}
	snprintf(err, errlen, "unknown time zone '%.80s' (a zoneinfo name such as Europe/Berlin, UTC, or an "
		 "offset such as +02:00)", zone);
	return -1;
}

mm_ns view_utc_epoch(const struct tm *tm, mm_ns frac_ns)
{
	struct tm t = *tm;
	time_t s;

	if (t.tm_year < 0 || t.tm_year > 8000)
		return MM_NS_NONE;
	t.tm_isdst = 0;
	s = timegm(&t);
	if (s == (time_t)-1 && !(tm->tm_year == 69 && tm->tm_mon == 11 && tm->tm_mday == 31))
		return MM_NS_NONE;
	if ((int64_t)s > INT64_MAX / MM_NS_PER_S - 1 || (int64_t)s < -(INT64_MAX / MM_NS_PER_S) + 1)
		return MM_NS_NONE;
	return (mm_ns)s * MM_NS_PER_S + frac_ns;
}

mm_ns view_tz_epoch(const struct view_tz *z, const struct tm *tm, mm_ns frac_ns)
{
	struct tm t = *tm;
	char *old, *saved = NULL;
	time_t s;
	mm_ns v;

	if (z->fixed) {
		v = view_utc_epoch(tm, frac_ns);
		return v == MM_NS_NONE ? v : mm_sub(v, (mm_ns)z->offset_s * MM_NS_PER_S);
	}
	if (t.tm_year < 0 || t.tm_year > 8000)
		return MM_NS_NONE;
	/* mktime reads the zone from TZ: set it for the call, then put it back. */
	old = getenv("TZ");
	if (old) {
		saved = strdup(old);
		if (!saved)
			return MM_NS_NONE;
	}
	setenv("TZ", z->tzval, 1);
	tzset();
	t.tm_isdst = -1;
	s = mktime(&t);
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
	if (s == (time_t)-1)
		return MM_NS_NONE;
	return (mm_ns)s * MM_NS_PER_S + frac_ns;
}
