/* nodeinfo.h - which node wrote a record and which end of its migration it is: for migmeter merge. */
#ifndef MM_NODEINFO_H
#define MM_NODEINFO_H

#include <json-c/json.h>

#include "decode.h"

/* node_addresses lists at most this many of the host's addresses. */
#define NODEINFO_MAX_ADDRS 64

/*
 * Adds "node" (this host's name, gethostname; null when it has none) and
 * "vantage" to a migration record j: "source" when its source address is
 * one of this host's addresses (getifaddrs: the network namespace the
 * process runs in), "destination" when its destination is, else null (a
 * mirror port or an observer).  README "Merging records from many nodes".
 */
void nodeinfo_stamp_record(json_object *j, const struct dec_addr *source, const struct dec_addr *destination);

/*
 * Adds "node" and "node_addresses" (the host's addresses, at most
 * NODEINFO_MAX_ADDRS) to a live capture's report: its `migrations` stay
 * equal to a replay's of the -w file, and merge tells each record's
 * vantage from the addresses.
 */
void nodeinfo_stamp_report(json_object *report);

#endif
