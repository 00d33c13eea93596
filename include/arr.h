/* arr.h - growing arrays, and arrays that give memory back: a long capture's tables shrink again once what filled them has gone. */
#ifndef MM_ARR_H
#define MM_ARR_H

#include <stddef.h>

/*
 * Doubles *arr's room of *cap elements of `size` bytes (`first` when it has
 * none).  Returns 0, or -1 when out of memory (*arr and *cap unchanged).
 */
int arr_grow(void **arr, size_t *cap, size_t size, size_t first);

/*
 * *arr holds *cap elements of `size` bytes, the first n used.  Once under
 * a quarter is used, it is reallocated to twice n (at least `min`); with
 * n == 0 and min == 0 it is freed (*arr NULL, *cap 0).  A failed realloc
 * keeps the larger block: still right.
 */
void arr_shrink(void **arr, size_t *cap, size_t n, size_t size, size_t min);

#endif
