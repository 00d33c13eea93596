/* prom.h - a capture's metrics for Prometheus, fed by each migration record as it is written. */
#ifndef MM_PROM_H
#define MM_PROM_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "prom-text.h"

/*
 * Aggregates over the migration records (the JSON objects --records
 * writes, one per migration, each observed once), never one series per
 * migration: the labels are node (this host), peer (the other end's
 * address), direction (outgoing: this node is the source; incoming: the
 * destination; transit: neither is one of this host's addresses, and peer
 * is "SOURCE->DESTINATION"), status and role.  At most PROM_MAX_PEERS
 * (peer, direction) pairs are kept; records of later pairs are counted
 * under peer="other".  README "Prometheus" lists the metrics.
 */
#define PROM_MAX_PEERS 256

/* The captures whose kernel drop counters are exported (label capture="migration"|"icmp"). */
enum prom_capture { PROM_CAP_MIGRATION, PROM_CAP_ICMP, PROM_CAP_N };

/* 1 when addr (a record's "source"/"destination" string) is one of this host's addresses. */
typedef int (*prom_local_fn)(void *ctx, const char *addr);

struct prom;

/* Metrics of node `node` (copied); is_local may be NULL (every migration is transit). NULL when out of memory. */
struct prom *prom_new(const char *node, prom_local_fn is_local, void *ctx);
void prom_free(struct prom *p);		/* NULL is a no-op */

/*
 * Counts one migration record: migrations_total by status and bytes by
 * role for every record; the histograms (duration_s, downtime_total_s,
 * unresponsive.total_s, mean_bps) and the last-migration gauge only for
 * status "completed", each figure only when the record has it (null or
 * absent: no observation).  Returns 0, or -1 when out of memory (nothing
 * of the record counted).
 */
int prom_observe(struct prom *p, json_object *rec);

/* A capture's frames dropped so far (kernel and interface, as pcap_stats counts them); never goes down. */
void prom_set_dropped(struct prom *p, enum prom_capture cap, uint64_t frames);

/* Records observed so far. */
uint64_t prom_observed(const struct prom *p);

/*
 * Renders every metric into t (prom_text_init'ed by the caller, who
 * releases it).  Returns 0, or -1 when t failed (out of memory or over
 * PROM_TEXT_MAX).
 */
int prom_render(const struct prom *p, struct prom_text *t);

#endif
