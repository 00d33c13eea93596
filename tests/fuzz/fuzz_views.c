/* fuzz_views.c - libFuzzer harness: one input read as every view (ping output, nova-compute.log, migration list, domjobinfo, QMP), rendered and matched. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "view-set.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A view_file over a copy of the input (the parsers never see past its end). */
static void file_of(struct view_file *f, const uint8_t *data, size_t size)
{
	memset(f, 0, sizeof(*f));
	f->path = "fuzz";
	f->buf = malloc(size ? size : 1);
	if (f->buf)
		memcpy(f->buf, data, size);
	f->len = f->buf ? size : 0;
}

/* One migration record, 2023-11-14, that entries may or may not match. */
static json_object *report(void)
{
	json_object *r = json_object_new_object(), *a = json_object_new_array(), *m = json_object_new_object();

	json_object_object_add(m, "id", json_object_new_int(1));
	json_object_object_add(m, "start", json_object_new_double(1700000001.0));
	json_object_object_add(m, "end", json_object_new_double(1700000003.5));
	json_object_object_add(m, "duration_s", json_object_new_double(2.5));
	json_object_object_add(m, "unique_payload_bytes", json_object_new_int64(1 << 30));
	json_object_object_add(m, "downtime_total_s", json_object_new_double(0.1));
	json_object_object_add(m, "episodes", json_object_new_array());
	json_object_array_add(a, m);
	json_object_object_add(r, "migrations", a);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct view_set s;
	struct view_file f;
	char err[VIEW_ERR];
	json_object *v, *r;
	int ok = 0;

	memset(&s, 0, sizeof(s));
	s.o.ping = s.o.nova = s.o.mlist = s.o.domjobinfo = s.o.qmp = "fuzz";
	s.o.asked = 10000000;
	if (view_tz_init(&s.tz, "+02:00", err, sizeof(err)) < 0)
		return 0;
	file_of(&f, data, size);
	ok += vping_parse(&s.ping, &f, s.o.asked, err, sizeof(err)) == 0;
	view_file_close(&f);
	file_of(&f, data, size);
	ok += vnova_parse(&s.nova, &f, &s.tz, err, sizeof(err)) == 0;
	view_file_close(&f);
	file_of(&f, data, size);
	ok += vnlist_parse(&s.mlist, &f, err, sizeof(err)) == 0;
	view_file_close(&f);
	file_of(&f, data, size);
	ok += vjob_parse_domjobinfo(&s.dom, &f, err, sizeof(err)) == 0;
	view_file_close(&f);
	file_of(&f, data, size);
	ok += vjob_parse_qmp(&s.qmp, &f, err, sizeof(err)) == 0;
	view_file_close(&f);
	/* Whatever parsed: rendered, matched, and serialised as a report would be. */
	if (ok) {
		v = view_set_json(&s, 6);
		r = report();
		if (v && view_match(r, v, 6) == 0)
			(void)json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN);
		json_object_put(r);
	}
	view_set_free(&s);
	return 0;
}
