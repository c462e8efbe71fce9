/*
 * xmem — allocation that does not fail.
 *
 * Every allocator here aborts the process on out-of-memory, so callers never
 * test for NULL and error paths stay for real errors. This module does not
 * pool, track or free anything on its own.
 */
#ifndef XMEM_H
#define XMEM_H

#include <stddef.h>

/* New memory of n bytes (uninitialised); never NULL. */
void *xmalloc(size_t n);
/* New zeroed memory for nmemb * size bytes; aborts on overflow. */
void *xcalloc(size_t nmemb, size_t size);
/* Resizes p (which may be NULL) to n bytes; never NULL. */
void *xrealloc(void *p, size_t n);
/* New copy of s; s must not be NULL. */
char *xstrdup(const char *s);
/* New NUL-terminated copy of the first n bytes of s. */
char *xstrndup(const char *s, size_t n);
/* New string formatted like printf. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Installs jansson allocation hooks that abort on OOM; call once at start. */
void xmem_jansson_init(void);

#endif
