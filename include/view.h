/* view.h - what every parser of the other views (ping logs, nova, libvirt, QEMU) shares: the file, its lines, tokens, log time zones. */
#ifndef MM_VIEW_H
#define MM_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cursor.h"
#include "mmtime.h"

/* Caps: a log is untrusted text, read whole but never past these. */
#define VIEW_MAX_FILE (256u << 20)	/* bytes read of one file */
#define VIEW_MAX_LINE 8192		/* longer lines are skipped and counted */
#define VIEW_ERR 512

/*
 * A whole file in memory and a line cursor over it.  Lines end at '\n'
 * (a trailing '\r' is dropped); NUL bytes are only bytes.  Line numbers
 * count from 1.
 */
struct view_file {
	const char *path;
	uint8_t *buf;
	size_t len;
	size_t pos;
	unsigned long lineno;
	unsigned long lines;		/* lines handed out */
	unsigned long overlong;		/* lines over VIEW_MAX_LINE, skipped */
};

/*
 * Reads `path` ("-": standard input) whole.  Returns 0, or -1 with a
 * one-line reason in err ("FILE: cannot read: ...", "FILE: larger than
 * 256 MiB").  view_file_close releases it (a zeroed struct is fine).
 */
int view_file_open(struct view_file *f, const char *path, char *err, size_t errlen);
void view_file_close(struct view_file *f);

/* The next line (without its end) in *line; 1, or 0 at the end of the file. Overlong lines are skipped and counted. */
int view_file_line(struct view_file *f, struct cur *line);

/* Line tokens: each returns 1 and advances on a match, else 0 leaving the cursor where it was. */
void vt_ws(struct cur *c);				/* skips blanks and tabs */
int vt_lit(struct cur *c, const char *s);		/* exactly s */
int vt_lit_ci(struct cur *c, const char *s);		/* s, ASCII case ignored */
int vt_find(struct cur *c, const char *s);		/* anywhere ahead: to just past s */
int vt_u64(struct cur *c, uint64_t *v);			/* decimal digits, no overflow */
int vt_i64(struct cur *c, int64_t *v);			/* an optional '-' and digits */
/* A decimal ("12", "0.045", "-3.5"), value x 10^9 exactly (up to 9 decimals used), no overflow. */
int vt_nano(struct cur *c, int64_t *v);
/* "YYYY-MM-DD", 'T' or ' ', "HH:MM:SS[.frac]": fields in *tm (not normalised), fraction in *frac_ns. */
int vt_datetime(struct cur *c, struct tm *tm, mm_ns *frac_ns);
/* Whether the line ahead is empty or only blanks. */
int vt_blank(const struct cur *c);
/* Copies the bytes [from, to) of a line as a C string (printable ASCII kept, others '?'), truncated to n-1. */
void vt_copy(char *dst, size_t n, const uint8_t *from, const uint8_t *to);

/*
 * The zone log times are read in: "UTC", a fixed offset ("+02:00",
 * "-0530"), or a zoneinfo name ("Europe/Berlin").  NULL: the machine's
 * (TZ, else /etc/localtime).  `name` says which, `from` where it came
 * from ("--log-tz", "TZ", "/etc/localtime").
 */
struct view_tz {
	char name[96];
	const char *from;
	int fixed;			/* 1: offset_s applies, no zone rules */
	long offset_s;			/* east of UTC */
	char tzval[112];		/* what TZ is set to while converting */
};

/* Returns 0, or -1 with err ("unknown time zone 'X' (a zoneinfo name, UTC or +HH:MM)"). */
int view_tz_init(struct view_tz *z, const char *zone, char *err, size_t errlen);

/*
 * Local time tm (+ frac_ns) in zone z as nanoseconds since the epoch
 * (a time the clock skipped or doubled at a DST change: the C library's
 * choice).  MM_NS_NONE when the fields are out of range.
 */
mm_ns view_tz_epoch(const struct view_tz *z, const struct tm *tm, mm_ns frac_ns);

/* UTC fields (+ frac_ns) as epoch nanoseconds, MM_NS_NONE when out of range. */
mm_ns view_utc_epoch(const struct tm *tm, mm_ns frac_ns);

#endif
