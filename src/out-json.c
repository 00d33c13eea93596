/*
 * out-json.c - the report as one JSON document, written as it is walked:
 * the text json-c's pretty printer gives (two-space indent, "key": value),
 * without holding the whole document in memory, and lazy arrays
 * (report_at) made one element at a time.
 */
#include "out.h"

#include "report.h"

#define FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

static void indent(FILE *fp, int level)
{
	int i;

	for (i = 0; i < level; i++)
		fputs("  ", fp);
}

static int value(FILE *fp, json_object *v, int level);

static int key(FILE *fp, const char *k)
{
	json_object *s = json_object_new_string(k);
	const char *t = s ? json_object_to_json_string_ext(s, FLAGS) : NULL;
	int rc = t && fputs(t, fp) >= 0 ? 0 : -1;

	json_object_put(s);
	return rc;
}

static int object(FILE *fp, json_object *o, int level)
{
	int had = 0;

	fputs("{\n", fp);
	json_object_object_foreach(o, k, v) {
		if (had)
			fputs(",\n", fp);
		had = 1;
		indent(fp, level + 1);
		if (key(fp, k) < 0)
			return -1;
		fputs(": ", fp);
		if (value(fp, v, level + 1) < 0)
			return -1;
	}
	if (had)
		fputc('\n', fp);
	indent(fp, level);
	return fputc('}', fp) == EOF ? -1 : 0;
}

static int array(FILE *fp, json_object *a, int level)
{
	size_t i, n = report_len(a);

	fputs("[\n", fp);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(",\n", fp);
		indent(fp, level + 1);
		if (value(fp, report_at(a, i), level + 1) < 0)
			return -1;
	}
	if (n)
		fputc('\n', fp);
	indent(fp, level);
	return fputc(']', fp) == EOF ? -1 : 0;
}

static int value(FILE *fp, json_object *v, int level)
{
	const char *t;

	if (!v)
		return fputs("null", fp) < 0 ? -1 : 0;
	if (json_object_is_type(v, json_type_object))
		return object(fp, v, level);
	if (json_object_is_type(v, json_type_array))
		return array(fp, v, level);
	t = json_object_to_json_string_ext(v, FLAGS);
	return t && fputs(t, fp) >= 0 ? 0 : -1;
}

int out_json(FILE *fp, json_object *report)
{
	if (value(fp, report, 0) < 0)
		return -1;
	return fputc('\n', fp) == EOF || ferror(fp) ? -1 : 0;
}
