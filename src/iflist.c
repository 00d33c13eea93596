/* iflist.c - the interfaces command: every link with its state, addresses and counters. */
#include "iflist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"

static json_object *link_json(const struct netif_link *l)
{
	json_object *j = json_object_new_object(), *a = json_object_new_array();
	size_t i;

	json_object_object_add(j, "ifindex", json_object_new_int(l->ifindex));
	json_object_object_add(j, "name", json_object_new_string(l->name));
	json_object_object_add(j, "kind", l->kind[0] ? json_object_new_string(l->kind) : NULL);
	json_object_object_add(j, "state", json_object_new_string(l->operstate));
	json_object_object_add(j, "admin_up", json_object_new_boolean(l->admin_up));
	json_object_object_add(j, "carrier", json_object_new_boolean(l->carrier));
	json_object_object_add(j, "mtu", json_object_new_int64(l->mtu));
	json_object_object_add(j, "mac", l->mac[0] ? json_object_new_string(l->mac) : NULL);
	for (i = 0; i < l->naddrs; i++)
		json_object_array_add(a, json_object_new_string(l->addrs[i]));
	json_object_object_add(j, "addresses", a);
	json_object_object_add(j, "counters", report_link_counters(&l->c));
	return j;
}

static void link_text(FILE *fp, const struct netif_link *l)
{
	char kind[40] = "";
	size_t i;

	if (l->kind[0])
		snprintf(kind, sizeof(kind), " (%s)", l->kind);
	fprintf(fp, "%d: %s%s  state %s%s  mtu %u%s%s\n", l->ifindex, l->name, kind, l->operstate,
		l->admin_up ? "" : " (admin down)", l->mtu, l->mac[0] ? "  mac " : "", l->mac);
	for (i = 0; i < l->naddrs; i++)
		fprintf(fp, "    %s\n", l->addrs[i]);
	fprintf(fp, "    rx %llu bytes %llu packets %llu dropped   tx %llu bytes %llu packets %llu dropped\n",
		(unsigned long long)l->c.rx_bytes, (unsigned long long)l->c.rx_packets,
		(unsigned long long)l->c.rx_dropped, (unsigned long long)l->c.tx_bytes,
		(unsigned long long)l->c.tx_packets, (unsigned long long)l->c.tx_dropped);
}

/* Whether `name` was asked for (no names: all). */
static int wanted(const struct cli_opts *o, const char *name)
{
	size_t i;

	if (o->nargs == 0)
		return 1;
	for (i = 0; i < o->nargs; i++)
		if (strcmp(o->args[i], name) == 0)
			return 1;
	return 0;
}

int iflist_main(int argc, char **argv)
{
	struct cli_opts o;
	struct netif_link *links = NULL;
	size_t n = 0, i, j;
	json_object *arr = NULL;
	char err[512];
	int done, rc, json;

	rc = cli_parse(CLI_INTERFACES, argc, argv, &o, &done);
	if (rc || done)
		return rc;
	json = strcmp(o.format, "json") == 0;
	if (!json && strcmp(o.format, "text") != 0) {
		fprintf(stderr, "migmeter: interfaces prints text or json\n");
		return CLI_EXIT_USAGE;
	}
	if (netif_list(&links, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "migmeter: %s\n", err);
		return CLI_EXIT_RUNTIME;
	}
	for (j = 0; j < o.nargs; j++) {
		for (i = 0; i < n && strcmp(links[i].name, o.args[j]) != 0; i++)
			;
		if (i == n) {
			fprintf(stderr, "migmeter: no interface called '%s' (see 'migmeter interfaces')\n",
				o.args[j]);
			free(links);
			return CLI_EXIT_RUNTIME;
		}
	}
	if (json)
		arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		if (!wanted(&o, links[i].name))
			continue;
		if (json)
			json_object_array_add(arr, link_json(&links[i]));
		else
			link_text(stdout, &links[i]);
	}
	if (json) {
		json_object *r = json_object_new_object();

		json_object_object_add(r, "schema", json_object_new_string("migmeter-interfaces/1"));
		json_object_object_add(r, "interfaces", arr);
		puts(json_object_to_json_string_ext(r, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(r);
	}
	free(links);
	rc = fflush(stdout) == 0 ? 0 : CLI_EXIT_RUNTIME;
	if (rc)
		fprintf(stderr, "migmeter: cannot write to standard output\n");
	return rc;
}
