/* db_sql.c: turns SQLite-style `?` placeholders into PostgreSQL's `$n`.
 *
 * One pass over the text, copying quoted parts untouched: '...' literals (with '' and, after an
 * E prefix, backslash escapes), "..." identifiers, -- and (nested) block comments, and $tag$
 * bodies. Everything else is copied too, except that a bare `?` becomes `$k` (k = highest
 * number so far plus one, SQLite's rule) and `?NNN` becomes `$NNN`. It does not understand PostgreSQL's `?`
 * jsonb operators: portable SQL has none. Runs once per statement per connection (the result is
 * prepared and cached), so it favours plainness over speed.
 * Threads: safe (no state). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/db_internal.h"

#define MAX_PARAMS 65535      /* PostgreSQL's protocol limit */

static bool is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* p is at a quote; returns the position just after the closing one (or the end of the text). */
static const char *skip_literal(const char *p, bool backslash)
{
    char q = *p++;
    while (*p != '\0') {
        if (backslash && *p == '\\' && p[1] != '\0') {
            p += 2;
        } else if (*p == q) {
            return p + 1;   /* a doubled quote reopens at the next call */
        } else {
            p++;
        }
    }
    return p;
}

static const char *skip_block_comment(const char *p)
{
    int depth = 0;
    while (*p != '\0') {
        if (p[0] == '/' && p[1] == '*') {
            depth++;
            p += 2;
        } else if (p[0] == '*' && p[1] == '/') {
            p += 2;
            if (--depth == 0)
                return p;
        } else {
            p++;
        }
    }
    return p;
}

/* p is at '$' not inside an identifier: a $tag$ ... $tag$ body, or p itself if it is none. */
static const char *skip_dollar_body(const char *p)
{
    const char *t = p + 1;
    if (is_digit(*t))
        return p;           /* $1: a parameter someone wrote by hand */
    while (*t != '\0' && *t != '$' && is_ident(*t))
        t++;
    if (*t != '$')
        return p;
    size_t tag_len = (size_t)(t - p) + 1;
    for (const char *q = t + 1; *q != '\0'; q++) {
        if (*q == '$' && strncmp(q, p, tag_len) == 0)
            return q + tag_len;
    }
    return p + strlen(p);
}

/* If p starts something to copy untouched, returns its end; otherwise returns p. */
static const char *skip_quoted(const char *start, const char *p)
{
    bool word_before = p > start && is_ident(p[-1]);
    switch (*p) {
    case '\'': {
        bool e_string = word_before && (p[-1] == 'E' || p[-1] == 'e') &&
                        !(p - 1 > start && is_ident(p[-2]));
        return skip_literal(p, e_string);
    }
    case '"':
        return skip_literal(p, false);
    case '-':
        return p[1] == '-' ? p + strcspn(p, "\n") : p;
    case '/':
        return p[1] == '*' ? skip_block_comment(p) : p;
    case '$':
        return word_before ? p : skip_dollar_body(p);
    default:
        return p;
    }
}

char *db_sql_to_dollar(const char *sql, int *nparams)
{
    struct buf out = BUF_INIT(64u * 1024 * 1024);
    long max = 0;
    const char *p = sql;

    while (*p != '\0') {
        const char *end = skip_quoted(sql, p);
        if (end != p) {
            buf_add(&out, p, (size_t)(end - p));
            p = end;
            continue;
        }
        if (*p != '?') {
            buf_addc(&out, *p++);
            continue;
        }
        long n = max + 1;
        p++;
        if (is_digit(*p)) {
            char *num_end;
            n = strtol(p, &num_end, 10);
            p = num_end;
        }
        if (n < 1 || n > MAX_PARAMS) {
            buf_fini(&out);
            return NULL;
        }
        if (n > max)
            max = n;
        buf_addf(&out, "$%ld", n);
    }
    if (buf_failed(&out)) {
        buf_fini(&out);
        return NULL;
    }
    *nparams = (int)max;
    return buf_take(&out);
}
