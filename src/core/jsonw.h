/* jsonw.h: appending JSON text straight into a struct buf, for large replies where building a
 * jansson tree first would cost a malloc per value (a 10,000-org subtree is ~5 MB of JSON).
 * Strings are escaped per RFC 8259; text that is not valid UTF-8 is written as U+FFFD so the
 * output is always valid JSON. Errors are the buf's sticky error. Threads: per buf. */
#ifndef DJ_JSONW_H
#define DJ_JSONW_H
#include <stdbool.h>
#include <stdint.h>

struct buf;

void jsonw_str(struct buf *b, const char *s);          /* "..." or null when s is NULL */
void jsonw_key(struct buf *b, const char *key);        /* "key": (key is trusted ASCII) */
void jsonw_i64(struct buf *b, int64_t v);
void jsonw_i64_or_null(struct buf *b, int64_t v);      /* 0 -> null */
void jsonw_bool(struct buf *b, bool v);

#endif
