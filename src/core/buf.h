/* buf.h: the one growable string type (curl dynbuf, git strbuf).
 * Every buffer has a size limit; going over it sets a sticky error instead of growing, so input
 * can never turn into an unbounded allocation. Append freely, then check buf_failed() once.
 * buf_str() never returns NULL. Threads: a buf belongs to one thread. */
#ifndef DJ_BUF_H
#define DJ_BUF_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct buf {
    char *data;        /* NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t limit;      /* max len; appends beyond it fail */
    bool failed;
};

#define BUF_INIT(lim) {NULL, 0, 0, (lim), false}

void buf_init(struct buf *b, size_t limit);
void buf_fini(struct buf *b);                  /* frees; b is empty and reusable */
void buf_reset(struct buf *b);                 /* len = 0, keeps memory, clears failure */
void buf_add_slow(struct buf *b, const void *p, size_t n);
/* Room for n more bytes now (a 5.5 MB answer sized up front is copied once, not ~17 times while
 * doubling). Beyond the limit it sets the sticky failure, as an append would. */
void buf_reserve(struct buf *b, size_t n);
/* Appends n bytes. Inline fast path: large replies (5 MB subtrees) append millions of short
 * pieces, and a call per piece was their main cost. */
static inline void buf_add(struct buf *b, const void *p, size_t n)
{
    if (b->cap - b->len > n && !b->failed) {       /* it fits, NUL included */
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return;
    }
    buf_add_slow(b, p, n);
}
static inline void buf_addc(struct buf *b, char c)
{
    buf_add(b, &c, 1);
}
/* A string literal without strlen. */
#define buf_add_lit(b, s) buf_add((b), (s), sizeof(s) - 1)
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);
const char *buf_str(const struct buf *b);      /* "" when empty */
bool buf_failed(const struct buf *b);
char *buf_take(struct buf *b);                 /* caller frees; b is empty again */

#endif
