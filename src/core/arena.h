/* arena.h: bump allocator for work that dies with one request (or one CLI command).
 * Memory is freed all at once by arena_destroy(); nothing is freed alone. Allocations are
 * 16-byte aligned. Large requests get a chunk of their own, so one big string does not waste
 * a whole chunk. Threads: an arena belongs to one request, so never share one. */
#ifndef DJ_ARENA_H
#define DJ_ARENA_H
#include <stdarg.h>
#include <stddef.h>

struct arena;                                           /* opaque */

struct arena *arena_create(size_t chunk_size);          /* 0 = default (8 KiB) */
void arena_destroy(struct arena *a);                    /* NULL is fine */
/* Forget everything handed out and keep one general chunk for the next user: a request
 * context kept for the next request on the same thread costs no malloc. */
void arena_reset(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);           /* never NULL, uninitialised */
void *arena_zalloc(struct arena *a, size_t n);          /* never NULL, zeroed */
char *arena_strdup(struct arena *a, const char *s);     /* NULL -> NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
size_t arena_used(const struct arena *a);               /* bytes handed out, for tests/stats */

#endif
