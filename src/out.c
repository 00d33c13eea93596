/* out.c - the table of report writers and atomic file output. */
#include "out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct out_writer writers[] = {
	{ "text", out_text },
	{ "csv", out_csv_flows },
	{ "json", out_json },
};

const struct out_writer *out_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (strcmp(writers[i].name, name) == 0)
			return &writers[i];
	return NULL;
}

const char *out_names(void)
{
	return "text, csv, json";
}

int out_atomic(const char *path, int (*fn)(FILE *fp, void *ctx), void *ctx, char *err, size_t errlen)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	FILE *fp = NULL;
	int fd, rc = -1;

	if (!tmp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(tmp, n, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	fp = fdopen(fd, "w");
	if (!fp) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		goto out;
	}
	if (fn(fp, ctx) < 0 || fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, errno ? strerror(errno) : "write error");
		goto out;
	}
	/* mkstemp makes 0600; a report is an ordinary file. */
	if (fchmod(fileno(fp), 0644) != 0) {
		snprintf(err, errlen, "cannot chmod %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	fp = NULL;
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fp)
		fclose(fp);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}
