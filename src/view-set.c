/* view-set.c - loads every view file the command line names, each through its own parser. */
#include "view-set.h"

#include <stdio.h>
#include <string.h>

int view_opts_any(const struct view_opts *o)
{
	return o->ping || o->nova || o->mlist || o->domjobinfo || o->qmp;
}

void view_set_free(struct view_set *s)
{
	if (!s)
		return;
	vping_free(&s->ping);
	vnova_free(&s->nova);
	vnlist_free(&s->mlist);
	vjobs_free(&s->dom);
	vjobs_free(&s->qmp);
}

enum which { W_PING, W_NOVA, W_MLIST, W_DOM, W_QMP };

static int load_one(struct view_set *s, enum which w, const char *path, char *err, size_t errlen)
{
	struct view_file f;
	int rc;

	if (!path)
		return 0;
	if (view_file_open(&f, path, err, errlen) < 0)
		return -1;
	err[0] = '\0';
	switch (w) {
	case W_PING:
		rc = vping_parse(&s->ping, &f, s->o.asked, err, errlen);
		break;
	case W_NOVA:
		rc = vnova_parse(&s->nova, &f, &s->tz, err, errlen);
		break;
	case W_MLIST:
		rc = vnlist_parse(&s->mlist, &f, err, errlen);
		break;
	case W_DOM:
		rc = vjob_parse_domjobinfo(&s->dom, &f, err, errlen);
		break;
	default:
		rc = vjob_parse_qmp(&s->qmp, &f, err, errlen);
		break;
	}
	s->overlong += f.overlong;
	view_file_close(&f);
	return rc;
}

int view_set_load(struct view_set *s, const struct view_opts *o, char *err, size_t errlen)
{
	char why[VIEW_ERR];

	memset(s, 0, sizeof(*s));
	s->o = *o;
	if (view_tz_init(&s->tz, o->log_tz, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--log-tz: %s", why);
		return -1;
	}
	if (load_one(s, W_PING, o->ping, err, errlen) < 0 || load_one(s, W_NOVA, o->nova, err, errlen) < 0 ||
	    load_one(s, W_MLIST, o->mlist, err, errlen) < 0 || load_one(s, W_DOM, o->domjobinfo, err, errlen) < 0 ||
	    load_one(s, W_QMP, o->qmp, err, errlen) < 0)
		return -1;
	return 0;
}
