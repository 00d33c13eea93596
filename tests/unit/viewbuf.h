/* viewbuf.h - for the view parsers' units: a view_file over bytes in memory (NULs and all). */
#ifndef MM_TEST_VIEWBUF_H
#define MM_TEST_VIEWBUF_H

#include <stdlib.h>
#include <string.h>

#include "view.h"

/* A view_file holding n bytes of s (a copy: the parser may not keep pointers into the test's literal). */
static inline void viewbuf(struct view_file *f, const char *s, size_t n)
{
	memset(f, 0, sizeof(*f));
	f->path = "t.log";
	f->buf = malloc(n ? n : 1);
	memcpy(f->buf, s, n);
	f->len = n;
}

#define VIEWBUF(f, lit) viewbuf((f), (lit), sizeof(lit) - 1)

#endif
