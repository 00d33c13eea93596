/* report-unresp.h - unresponsive time in the report tree: per echo stream and per migration (README "Unresponsive time"). */
#ifndef MM_REPORT_UNRESP_H
#define MM_REPORT_UNRESP_H

#include <json-c/json.h>

#include "echo.h"
#include "meter.h"
#include "migration.h"

/* The rule a stream's threshold came from, as the report states it. */
const char *report_unresp_rule(int fixed);

/*
 * Adds to stream object js (downtime.streams[]) its unresponsive figures:
 * unresponsive_threshold_s, _threshold_rule, _total_s, _longest_s,
 * _worst_rtt_s, n_unresponsive_episodes, unlisted_unresponsive_episodes
 * and the unresponsive_episodes list; null where the stream cannot tell
 * (replies only, never answered).
 */
void report_stream_unresp(json_object *js, const struct echo_stream_info *s, int digits);

/*
 * Record r's "unresponsive" object: threshold_s, threshold_rule (of the
 * streams its episodes came from, else of the streams to its VM; the
 * largest when they differ), total_s (0 when its VM's stream measured
 * none; null when no stream could tell), worst_rtt_s and the episodes of
 * stage mt attributed to it.
 */
json_object *report_unresp_record(const struct meter *m, const struct mig_table *mt, const struct mig_record *r,
				  int digits);

/* One unresponsive episode of the stage, as the migrations and the outside list show it. */
json_object *report_unresp_episode(const struct mig_episode *e, int digits);

#endif
