/* out-json.c - the report as one JSON document (json-c). */
#include "out.h"

int out_json(FILE *fp, json_object *report)
{
	const char *s = json_object_to_json_string_ext(report, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!s)
		return -1;
	return fprintf(fp, "%s\n", s) < 0 ? -1 : 0;
}
