/* db_text.c: text helpers for portable queries (see db.h): LIKE patterns and prefix ranges. */
#include <string.h>

#include "core/arena.h"
#include "db/db.h"

char *db_like_contains(struct arena *a, const char *q)
{
    size_t len = strlen(q);
    char *p = arena_alloc(a, len * 2 + 3), *w = p;
    *w++ = '%';
    for (const char *c = q; *c != '\0'; c++) {
        if (*c == '%' || *c == '_' || *c == '\\')
            *w++ = '\\';
        *w++ = *c;
    }
    *w++ = '%';
    *w = '\0';
    return p;
}

char *db_prefix_upper(struct arena *a, const char *prefix)
{
    char *hi = arena_strdup(a, prefix);
    size_t len = strlen(hi);
    if (len > 0)
        hi[len - 1]++;          /* "/1/5/" -> "/1/50": every path below "/1/5/" sorts under it */
    return hi;
}
