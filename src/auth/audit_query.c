/* audit_query.c: filtered, newest-first reads of audit_log (see audit_query.h).
 * One WHERE clause serves the page, the count and the export: each filter is written as
 * "(? = '' OR ...)" so a single prepared statement covers every combination. Reading 200,000
 * rows for an export streams them through a callback instead of holding them. */
#include "auth/audit_query.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "db/db.h"

#define SHANGHAI_OFFSET_S (8 * 3600)

#define COLS "seq, at, org_id, actor, actor_name, action, object, ip, changes, hash"
#define WHERE                                                                                \
    " FROM audit_log WHERE (? = '' OR action LIKE ? ESCAPE '\\') AND (? = '' OR actor = ?) "   \
    "AND (? = '' OR object = ?) "                                                            \
    "AND (? = '' OR actor LIKE ? ESCAPE '\\' OR actor_name LIKE ? ESCAPE '\\' "               \
    "OR action LIKE ? ESCAPE '\\' OR object LIKE ? ESCAPE '\\' OR changes LIKE ? ESCAPE '\\') " \
    "AND (? = '' OR org_id IN (SELECT id FROM orgs WHERE path >= ? AND path < ?))"
#define NBIND 15
/* Dates get their own variant, a plain range on the index on `at` ("(? = 0 OR at >= ?)" would
 * read every row). Its pages are ordered by at, then seq (the same order: seq is assigned under
 * the head lock with at read inside it), so both engines walk that index backwards and stop
 * after one page instead of sorting every entry of a busy day: 1,000,000 entries in one day
 * take 0.07 s instead of 3.4 s on SQLite. */
#define DATED " AND at >= ? AND at < ?"

static const char SQL_COUNT_ALL[] = "SELECT COUNT(*) FROM audit_log";
static const char SQL_COUNT[] = "SELECT COUNT(*)" WHERE;
static const char SQL_COUNT_D[] = "SELECT COUNT(*)" WHERE DATED;
static const char SQL_PAGE[] = "SELECT " COLS WHERE " ORDER BY seq DESC LIMIT ? OFFSET ?";
static const char SQL_PAGE_D[] =
    "SELECT " COLS WHERE DATED " ORDER BY at DESC, seq DESC LIMIT ? OFFSET ?";
static const char SQL_ALL[] = "SELECT " COLS WHERE " ORDER BY seq DESC";
static const char SQL_ALL_D[] = "SELECT " COLS WHERE DATED " ORDER BY at DESC, seq DESC";

static bool empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

static int check_text(const char *name, const char *v, struct err *e)
{
    return v != NULL && strlen(v) > AUDIT_QUERY_TEXT_MAX ? err_field(e, name, "field.too_long") : 0;
}

/* "YYYY-MM-DD" -> the unix second that day starts in Asia/Shanghai (+ days_after days). */
static int day_start(const char *name, const char *s, int days_after, int64_t *out, struct err *e)
{
    struct date d;
    if (empty(s)) {
        *out = 0;
        return 0;
    }
    if (date_parse(s, &d) != 0)
        return err_field(e, name, "field.bad_date");
    *out = (date_to_days(d) + days_after) * 86400 - SHANGHAI_OFFSET_S;
    return 0;
}

int audit_query_filter(struct audit_filter *f, const char *action, const char *actor,
                       const char *object, const char *q, const char *from, const char *to,
                       struct err *e)
{
    *f = (struct audit_filter){.action = action, .actor = actor, .object = object, .q = q};
    check_text("action", action, e);
    check_text("actor", actor, e);
    check_text("object", object, e);
    check_text("q", q, e);
    day_start("from", from, 0, &f->from_s, e);
    day_start("to", to, 1, &f->to_s, e);
    if (e->code == ERR_OK && f->from_s != 0 && f->to_s != 0 && f->from_s >= f->to_s)
        err_field(e, "to", "audit.to_before_from");
    return e->code == ERR_OK ? 0 : -1;
}

/* %q% with LIKE's wildcards escaped, or q% (prefix) when prefix. */
static const char *like(struct arena *a, const char *q, bool prefix)
{
    if (empty(q))
        return "";
    char *p = arena_alloc(a, strlen(q) * 2 + 3), *w = p;
    if (!prefix)
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

/* The upper end of a subtree's path range: "/1/5/" -> "/1/50" ('0' follows '/'). */
static const char *path_end(struct arena *a, const char *path)
{
    if (empty(path))
        return "";
    char *s = arena_strdup(a, path);
    s[strlen(s) - 1] = '0';
    return s;
}

static bool dated(const struct audit_filter *f)
{
    return f->from_s != 0 || f->to_s != 0;
}

static bool unfiltered(const struct audit_filter *f)
{
    return empty(f->action) && empty(f->actor) && empty(f->object) && empty(f->q) &&
           empty(f->scope_path) && !dated(f);
}

/* Binds the filter; returns the number of parameters bound. */
static int bind_filter(struct db_stmt *st, const struct audit_filter *f, struct arena *a)
{
    const char *action = empty(f->action) ? "" : f->action;
    const char *q = empty(f->q) ? "" : f->q, *pat = like(a, q, false);
    const char *scope = empty(f->scope_path) ? "" : f->scope_path;
    db_bind_text(st, 1, action);
    db_bind_text(st, 2, like(a, action, true));
    db_bind_text(st, 3, empty(f->actor) ? "" : f->actor);
    db_bind_text(st, 4, empty(f->actor) ? "" : f->actor);
    db_bind_text(st, 5, empty(f->object) ? "" : f->object);
    db_bind_text(st, 6, empty(f->object) ? "" : f->object);
    db_bind_text(st, 7, q);
    for (int i = 8; i <= 12; i++)
        db_bind_text(st, i, pat);
    db_bind_text(st, 13, scope);
    db_bind_text(st, 14, scope);
    db_bind_text(st, 15, path_end(a, scope));
    if (!dated(f))
        return NBIND;
    db_bind_i64(st, NBIND + 1, f->from_s != 0 ? f->from_s : INT64_MIN);
    db_bind_i64(st, NBIND + 2, f->to_s != 0 ? f->to_s : INT64_MAX);
    return NBIND + 2;
}

static void read_row(const struct db_stmt *st, struct audit_row *r)
{
    *r = (struct audit_row){.seq = db_col_i64(st, 0), .at = db_col_i64(st, 1),
                            .org_id = db_col_i64(st, 2), .actor = db_col_text(st, 3),
                            .actor_name = db_col_text(st, 4), .action = db_col_text(st, 5),
                            .object = db_col_text(st, 6), .ip = db_col_text(st, 7),
                            .changes = db_col_text(st, 8), .hash = db_col_text(st, 9)};
}

static void copy_row(struct arena *a, struct audit_row *r)
{
    r->actor = arena_strdup(a, r->actor);
    r->actor_name = arena_strdup(a, r->actor_name);
    r->action = arena_strdup(a, r->action);
    r->object = arena_strdup(a, r->object);
    r->ip = arena_strdup(a, r->ip);
    r->changes = arena_strdup(a, r->changes);
    r->hash = arena_strdup(a, r->hash);
}

int audit_query_count(struct db *db, struct arena *a, const struct audit_filter *f,
                      int64_t *total, struct err *e)
{
    struct db_stmt *st = NULL;
    const char *sql = unfiltered(f) ? SQL_COUNT_ALL : dated(f) ? SQL_COUNT_D : SQL_COUNT;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    if (sql != SQL_COUNT_ALL)
        bind_filter(st, f, a);
    int r = db_step(st, e);
    *total = r == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    return r == DB_ROW ? 0 : -1;
}

int audit_query_list(struct db *db, struct arena *a, const struct audit_filter *f, int64_t limit,
                     int64_t offset, struct audit_row **rows, int64_t *n, int64_t *total,
                     struct err *e)
{
    struct db_stmt *st = NULL;
    if (audit_query_count(db, a, f, total, e) != 0 ||
        db_prepare(db, &st, dated(f) ? SQL_PAGE_D : SQL_PAGE, e) != 0)
        return -1;
    int nb = bind_filter(st, f, a);
    db_bind_i64(st, nb + 1, limit);
    db_bind_i64(st, nb + 2, offset);
    struct audit_row *out = arena_alloc(a, sizeof *out * (size_t)(limit > 0 ? limit : 1));
    int64_t count = 0;
    int r;
    while (count < limit && (r = db_step(st, e)) == DB_ROW) {
        read_row(st, &out[count]);
        copy_row(a, &out[count++]);
    }
    db_finalize(st);
    if (count < limit && r == DB_ERROR)
        return -1;
    *rows = out;
    *n = count;
    return 0;
}

int audit_query_each(struct db *db, struct arena *a, const struct audit_filter *f,
                     audit_row_fn fn, void *ctx, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, dated(f) ? SQL_ALL_D : SQL_ALL, e) != 0)
        return -1;
    bind_filter(st, f, a);
    int r;
    while ((r = db_step(st, e)) == DB_ROW) {
        struct audit_row row;
        read_row(st, &row);
        if (fn(ctx, &row, e) != 0) {
            r = DB_ERROR;
            break;
        }
    }
    db_finalize(st);
    return r == DB_ERROR ? -1 : 0;
}

void audit_time_text(int64_t at, char out[20])
{
    int64_t local = at + SHANGHAI_OFFSET_S;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t secs = local - days * 86400;
    unsigned hms = (unsigned)secs;                /* 0..86399 */
    char day[11], text[48];
    date_format(date_from_days(days), day);
    snprintf(text, sizeof text, "%s %02u:%02u:%02u", day, hms / 3600, hms / 60 % 60, hms % 60);
    memcpy(out, text, 19);
    out[19] = '\0';
}

static json_t *str_or_null(const char *s)
{
    json_t *j = s != NULL ? json_string(s) : NULL;
    return j != NULL ? j : json_null();
}

json_t *audit_row_json(const struct audit_row *r)
{
    char when[20];
    audit_time_text(r->at, when);
    json_t *j = json_pack("{s:I, s:I, s:s}", "seq", (json_int_t)r->seq, "at", (json_int_t)r->at,
                          "time", when);
    json_object_set_new(j, "actor", str_or_null(r->actor));
    json_object_set_new(j, "actor_name", str_or_null(r->actor_name));
    json_object_set_new(j, "action", str_or_null(r->action));
    json_object_set_new(j, "object", str_or_null(r->object));
    json_object_set_new(j, "org_id", r->org_id > 0 ? json_integer(r->org_id) : json_null());
    json_object_set_new(j, "ip", str_or_null(r->ip));
    json_t *changes = r->changes != NULL ? json_loads(r->changes, JSON_DECODE_ANY, NULL) : NULL;
    json_object_set_new(j, "changes", changes != NULL ? changes : str_or_null(r->changes));
    json_object_set_new(j, "hash", str_or_null(r->hash));
    return j;
}
