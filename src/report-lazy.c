/*
 * report-lazy.c - arrays of the report tree whose elements are made when a
 * writer reaches them: a capture of 10,000 migrations would otherwise hold
 * 10,000 records and their flows as json-c objects (about 8 KB each) at
 * once, where the meter's own state holds them in a few hundred bytes.
 */
#include "report.h"

#include <stdlib.h>

struct lazy {
	size_t n;
	report_make_fn make;
	void *ctx;
	void (*free_ctx)(void *ctx);
	json_object *cache;	/* the element made last */
	size_t cached;
};

static void lazy_delete(json_object *jso, void *userdata)
{
	struct lazy *z = userdata;

	(void)jso;
	json_object_put(z->cache);
	if (z->free_ctx)
		z->free_ctx(z->ctx);
	free(z);
}

json_object *report_lazy_array(size_t n, report_make_fn make, void *ctx, void (*free_ctx)(void *ctx))
{
	json_object *arr = json_object_new_array();
	struct lazy *z = calloc(1, sizeof(*z));

	if (!arr || !z) {
		json_object_put(arr);
		free(z);
		if (free_ctx)
			free_ctx(ctx);
		return NULL;
	}
	z->n = n;
	z->make = make;
	z->ctx = ctx;
	z->free_ctx = free_ctx;
	json_object_set_userdata(arr, z, lazy_delete);
	return arr;
}

/* report_lazy_list's context: the list's owner, the digits, the element maker. */
struct list_ctx {
	const void *owner;
	int digits;
	report_list_fn make;
};

static json_object *list_elem(void *ctx, size_t i)
{
	const struct list_ctx *c = ctx;

	return c->make(c->owner, i, c->digits);
}

json_object *report_lazy_list(const void *owner, size_t n, int digits, report_list_fn make)
{
	struct list_ctx *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	c->owner = owner;
	c->digits = digits;
	c->make = make;
	return report_lazy_array(n, list_elem, c, free);
}

/* The array's maker, or NULL for an ordinary array (json-c's doubles keep their own userdata). */
static struct lazy *lazy_of(json_object *arr)
{
	if (!arr || !json_object_is_type(arr, json_type_array))
		return NULL;
	return json_object_get_userdata(arr);
}

size_t report_len(json_object *arr)
{
	struct lazy *z = lazy_of(arr);

	if (z)
		return z->n;
	return arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
}

json_object *report_at(json_object *arr, size_t i)
{
	struct lazy *z = lazy_of(arr);

	if (!z)
		return arr && json_object_is_type(arr, json_type_array) ? json_object_array_get_idx(arr, i) : NULL;
	if (i >= z->n)
		return NULL;
	if (z->cache && z->cached == i)
		return z->cache;
	json_object_put(z->cache);
	z->cache = z->make(z->ctx, i);
	z->cached = i;
	return z->cache;
}

int report_is_lazy(json_object *arr)
{
	return lazy_of(arr) != NULL;
}

int report_materialize(json_object *parent, const char *key)
{
	json_object *arr = NULL, *real;
	struct lazy *z;
	size_t i;

	if (!json_object_object_get_ex(parent, key, &arr) || !(z = lazy_of(arr)))
		return 0;
	real = json_object_new_array_ext((int)(z->n ? z->n : 1));
	if (!real)
		return -1;
	for (i = 0; i < z->n; i++) {
		json_object *e = z->make(z->ctx, i);

		if (!e || json_object_array_add(real, e) < 0) {
			json_object_put(e);
			json_object_put(real);
			return -1;
		}
	}
	json_object_object_add(parent, key, real);
	return 0;
}
