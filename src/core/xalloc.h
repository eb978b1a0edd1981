/* xalloc.h: allocation that never returns NULL.
 * Running out of memory is not an error callers can handle well, so these log one line and
 * abort (as git, Redis and h2o do). Sizes that come from input must be capped before they
 * reach here. Threads: safe. */
#ifndef DJ_XALLOC_H
#define DJ_XALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
