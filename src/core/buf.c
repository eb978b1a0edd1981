/* buf.c: growable string with a hard limit and a sticky error (see buf.h). Growth doubles, so
 * appending n bytes one at a time costs O(n). */
#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

void buf_init(struct buf *b, size_t limit)
{
    *b = (struct buf)BUF_INIT(limit);
}

void buf_fini(struct buf *b)
{
    free(b->data);
    size_t limit = b->limit;
    buf_init(b, limit);
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->failed = false;
    if (b->data != NULL)
        b->data[0] = '\0';
}

static bool grow(struct buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (extra > b->limit - b->len || b->len + extra > b->limit) {
        b->failed = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    if (cap > b->limit + 1)
        cap = b->limit + 1;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
    return true;
}

void buf_reserve(struct buf *b, size_t n)
{
    (void)grow(b, n);
}

void buf_add_slow(struct buf *b, const void *p, size_t n)
{
    if (!grow(b, n))
        return;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    char probe[1];                 /* sizing call; a NULL buffer trips -Wformat-truncation */
    va_copy(cp, ap);
    int n = vsnprintf(probe, sizeof probe, fmt, cp);
    va_end(cp);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if (!grow(b, (size_t)n))
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(b, fmt, ap);
    va_end(ap);
}

const char *buf_str(const struct buf *b)
{
    return b->data != NULL ? b->data : "";
}

bool buf_failed(const struct buf *b)
{
    return b->failed;
}

char *buf_take(struct buf *b)
{
    char *p = b->data != NULL ? b->data : xstrdup("");
    size_t limit = b->limit;
    buf_init(b, limit);
    return p;
}
