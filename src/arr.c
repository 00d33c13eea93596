/* arr.c - growing arrays, and arrays that give memory back: a long capture's tables shrink again once what filled them has gone. */
#include "arr.h"

#include <stdlib.h>

int arr_grow(void **arr, size_t *cap, size_t size, size_t first)
{
	size_t ncap = *cap ? *cap * 2 : first;
	void *na = realloc(*arr, ncap * size);

	if (!na)
		return -1;
	*arr = na;
	*cap = ncap;
	return 0;
}

void arr_shrink(void **arr, size_t *cap, size_t n, size_t size, size_t min)
{
	size_t ncap = n * 2 < min ? min : n * 2;
	void *na;

	if (n == 0 && min == 0) {
		free(*arr);
		*arr = NULL;
		*cap = 0;
		return;
	}
	if (n > *cap / 4 || ncap >= *cap)
		return;
	na = realloc(*arr, ncap * size);
	if (na) {
		*arr = na;
		*cap = ncap;
	}
}
