/* db_pg.c: the PostgreSQL (libpq) driver behind db.h.
 *
 * Statements are server-side prepared statements (PQprepare, parameter types left to the
 * server) named dj_N, after db_sql.c has turned `?` into `$n`. Parameters travel as text:
 * integers in decimal, doubles with %.17g (exact round trip), NULL as a NULL pointer. The first
 * db_step runs PQexecPrepared and keeps the whole result; later steps walk its rows. A whole
 * result rather than single-row mode keeps the connection free, so code can run other
 * statements inside a row loop; big exports should page (keyset) instead.
 *
 * Connections: after connect and after every reconnect the session gets client_encoding UTF8
 * and time zone UTC, and NOTICEs go to the debug log. When the connection is found broken at
 * db_prepare/db_begin/db_exec we PQreset once, bump `gen` (the server forgot every prepared
 * statement) and empty the cache; a statement still held by a caller notices the old `gen`
 * at its next db_step and prepares itself again. Inside a transaction we do not reconnect: the
 * caller must see the failure and roll back, or work done before the break would vanish.
 * Error texts are the primary message only: DETAIL lines quote row values (personal data).
 * Threads: one thread per connection, as libpq itself requires. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "db/db_change.h"
#include "db/db_internal.h"

struct pg_conn {
    PGconn *pg;
    uint64_t gen;             /* bumped by each reconnect */
    uint64_t next_name;
    char (*stale)[24];        /* statement names to DEALLOCATE once the session is idle */
    size_t nstale, capstale;
    bool wrote;               /* a command that may change data ran since the last commit */
};

struct pg_stmt {
    struct db_stmt base;      /* first: db.c casts between the two */
    char name[24];
    char *sql;                /* the $n text, kept to prepare again after a reconnect */
    uint64_t gen;             /* pg_conn.gen when prepared */
    int nparams;
    const char **values;      /* [nparams]; NULL = SQL NULL; points into nums or texts */
    char (*nums)[32];
    char **texts;             /* owned copies of bound text */
    PGresult *res;            /* result of the last run; NULL before */
    int row, nrows;
    bool running;             /* executed, rows not exhausted yet */
    bool plan_each;           /* run as an unnamed statement (db_prepare_each): no name */
    int64_t changes;
};

static struct pg_conn *pconn(const struct db *db)
{
    return (struct pg_conn *)db->conn;
}

static struct pg_stmt *pst(const struct db_stmt *st)
{
    return (struct pg_stmt *)(uintptr_t)st;
}

static enum err_code code_of(const struct pg_conn *pc, const char *state)
{
    if (PQstatus(pc->pg) != CONNECTION_OK)
        return ERR_UNAVAILABLE;
    if (state == NULL)
        return ERR_INTERNAL;
    if (strcmp(state, "23505") == 0 || strcmp(state, "23503") == 0)
        return ERR_CONFLICT;        /* unique_violation, foreign_key_violation */
    if (strcmp(state, "23502") == 0 || strcmp(state, "23514") == 0)
        return ERR_INVALID;         /* not_null_violation, check_violation */
    if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
        return ERR_UNAVAILABLE;     /* connection exceptions, server shutting down */
    return ERR_INTERNAL;
}

/* Maps a failed result (may be NULL) to e. */
static int pg_fail(const struct pg_conn *pc, const PGresult *res, struct err *e)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char detail[256];

    if (msg == NULL)
        msg = PQerrorMessage(pc->pg);
    snprintf(detail, sizeof detail, "postgresql %s: %s", state != NULL ? state : "-", msg);
    return db_fail(e, code_of(pc, state), detail);
}

/* The change number (db_change.h): a command other than a read or transaction control marks
 * the connection; once no transaction is open any more (autocommit, COMMIT, also ROLLBACK:
 * a needless bump), the number grows. Called after every command, failed ones included. */
static void track_change(struct pg_conn *pc, PGresult *r)
{
    static const char *const readers[] = {"SELECT", "BEGIN", "COMMIT", "ROLLBACK", "SET",
                                          "SHOW", "DEALLOCATE", "FETCH"};
    const char *cmd = r != NULL ? PQcmdStatus(r) : "";
    bool reads = cmd[0] == '\0';
    for (size_t i = 0; i < sizeof readers / sizeof readers[0] && !reads; i++)
        reads = strncmp(cmd, readers[i], strlen(readers[i])) == 0;
    if (!reads)
        pc->wrote = true;
    if (pc->wrote && PQtransactionStatus(pc->pg) == PQTRANS_IDLE) {
        pc->wrote = false;
        db_change_bump();
    }
}

/* Runs one statement with no result rows; 0 or -1 with e. */
static int run(struct pg_conn *pc, const char *sql, struct err *e)
{
    PGresult *r = PQexec(pc->pg, sql);
    ExecStatusType s = PQresultStatus(r);
    int rc = 0;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY)
        rc = pg_fail(pc, r, e);
    track_change(pc, r);
    PQclear(r);
    return rc;
}

static void notice(void *arg, const char *message)
{
    (void)arg;
    log_debug("db", "postgresql notice: %.200s", message);
}

static int session_init(struct pg_conn *pc, struct err *e)
{
    PQsetNoticeProcessor(pc->pg, notice, NULL);
    if (PQsetClientEncoding(pc->pg, "UTF8") != 0)
        return pg_fail(pc, NULL, e);
    return run(pc, "SET TIME ZONE 'UTC'", e);
}

static int pg_check(const char *target, struct err *e)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(target, &msg);
    if (opts != NULL) {
        PQconninfoFree(opts);
        return 0;
    }
    err_set(e, ERR_INVALID, "db.bad_url");
    err_detail(e, "%s", msg != NULL ? msg : "out of memory");
    PQfreemem(msg);
    return -1;
}

static int pg_open(struct db *db, const char *target, struct err *e)
{
    struct pg_conn *pc = xcalloc(1, sizeof *pc);
    pc->pg = PQconnectdb(target);
    if (pc->pg == NULL) {
        free(pc);
        db_fail(e, ERR_UNAVAILABLE, "libpq: out of memory");
        return err_set(e, ERR_UNAVAILABLE, "db.cannot_open");
    }
    if (PQstatus(pc->pg) == CONNECTION_OK && session_init(pc, e) == 0) {
        db->conn = pc;
        return 0;
    }
    if (PQstatus(pc->pg) != CONNECTION_OK)
        db_fail(e, ERR_UNAVAILABLE, PQerrorMessage(pc->pg));
    PQfinish(pc->pg);
    free(pc);
    return err_set(e, ERR_UNAVAILABLE, "db.cannot_open");
}

static void pg_close(struct db *db)
{
    struct pg_conn *pc = pconn(db);
    PQfinish(pc->pg);
    free(pc->stale);
    free(pc);
}

/* DEALLOCATEs the queued names, but only when no transaction is open: a failing DEALLOCATE
 * must never abort the caller's transaction. */
static void flush_stale(struct pg_conn *pc)
{
    if (PQtransactionStatus(pc->pg) != PQTRANS_IDLE)
        return;
    while (pc->nstale > 0) {
        char sql[48];
        struct err e = ERR_INIT;
        snprintf(sql, sizeof sql, "DEALLOCATE %s", pc->stale[--pc->nstale]);
        if (run(pc, sql, &e) != 0)
            log_debug("db", "%s: %s", sql, e.detail);
    }
}

static int pg_ensure(struct db *db, struct err *e)
{
    struct pg_conn *pc = pconn(db);
    if (PQstatus(pc->pg) == CONNECTION_OK)
        return 0;
    if (db->in_tx)
        return db_fail(e, ERR_UNAVAILABLE, "connection lost inside a transaction");
    log_warn("db", "postgresql connection lost; reconnecting");
    PQreset(pc->pg);
    pc->gen++;
    pc->nstale = 0;
    db_cache_drop(db);
    if (PQstatus(pc->pg) != CONNECTION_OK)
        return db_fail(e, ERR_UNAVAILABLE, PQerrorMessage(pc->pg));
    return session_init(pc, e);
}

static int server_prepare(struct pg_conn *pc, struct pg_stmt *st, struct err *e)
{
    flush_stale(pc);
    PGresult *r = PQprepare(pc->pg, st->name, st->sql, 0, NULL);
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pg_fail(pc, r, e);
    PQclear(r);
    st->gen = pc->gen;
    return rc;
}

static void stmt_free(struct pg_stmt *st)
{
    for (int i = 0; i < st->nparams; i++)
        free(st->texts[i]);
    free(st->texts);
    free(st->nums);
    free(st->values);
    free(st->sql);
    PQclear(st->res);
    free(st);
}

static struct db_stmt *pg_prepare(struct db *db, const char *sql, bool plan_each,
                                  struct err *e)
{
    struct pg_conn *pc = pconn(db);
    int nparams = 0;
    char *text = db_sql_to_dollar(sql, &nparams);
    if (text == NULL) {
        db_fail(e, ERR_INTERNAL, "bad parameter number (PostgreSQL allows 1..65535)");
        return NULL;
    }
    struct pg_stmt *st = xcalloc(1, sizeof *st);
    snprintf(st->name, sizeof st->name, "dj_%" PRIu64, pc->next_name++);
    st->sql = text;
    st->nparams = nparams;
    st->values = xcalloc((size_t)nparams + 1, sizeof *st->values);
    st->nums = xcalloc((size_t)nparams + 1, sizeof *st->nums);
    st->texts = xcalloc((size_t)nparams + 1, sizeof *st->texts);
    st->row = -1;
    st->plan_each = plan_each;
    if (!plan_each && server_prepare(pc, st, e) != 0) {
        stmt_free(st);
        return NULL;
    }
    return &st->base;
}

static void pg_destroy(struct db_stmt *base)
{
    struct pg_stmt *st = pst(base);
    struct pg_conn *pc = pconn(base->db);

    if (!base->db->closing && !st->plan_each && st->gen == pc->gen) {
        if (pc->nstale == pc->capstale) {
            pc->capstale = pc->capstale != 0 ? pc->capstale * 2 : 8;
            pc->stale = xrealloc(pc->stale, pc->capstale * sizeof *pc->stale);
        }
        snprintf(pc->stale[pc->nstale++], sizeof pc->stale[0], "%s", st->name);
        flush_stale(pc);
    }
    stmt_free(st);
}

static void pg_reset(struct db_stmt *base)
{
    struct pg_stmt *st = pst(base);
    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    st->nrows = 0;
    st->running = false;
}

static void pg_clear(struct db_stmt *base)
{
    struct pg_stmt *st = pst(base);
    pg_reset(base);
    for (int i = 0; i < st->nparams; i++) {
        free(st->texts[i]);
        st->texts[i] = NULL;
        st->values[i] = NULL;
    }
    st->changes = 0;
}

static int pg_bind(struct db_stmt *base, int idx, const struct db_value *v)
{
    struct pg_stmt *st = pst(base);
    if (idx < 1 || idx > st->nparams) {
        snprintf(base->bind_error, sizeof base->bind_error,
                 "parameter %d out of range (statement has %d)", idx, st->nparams);
        return -1;
    }
    int i = idx - 1;
    free(st->texts[i]);
    st->texts[i] = NULL;
    st->values[i] = st->nums[i];
    switch (v->type) {
    case DB_T_I64:
        snprintf(st->nums[i], sizeof st->nums[i], "%" PRId64, v->i);
        break;
    case DB_T_DOUBLE:
        if (isnan(v->d))
            snprintf(st->nums[i], sizeof st->nums[i], "NaN");   /* glibc would say "-nan" */
        else if (isinf(v->d))
            snprintf(st->nums[i], sizeof st->nums[i], "%sInfinity", v->d < 0 ? "-" : "");
        else
            snprintf(st->nums[i], sizeof st->nums[i], "%.17g", v->d);
        break;
    case DB_T_TEXT:
        st->texts[i] = xstrndup(v->s, v->n);
        st->values[i] = st->texts[i];
        break;
    default:
        st->values[i] = NULL;
        break;
    }
    return 0;
}

/* Rows changed, for the commands that change rows (PQcmdTuples also counts SELECTs). */
static int64_t changed_rows(PGresult *r)
{
    const char *cmd = PQcmdStatus(r);
    static const char *const writers[] = {"INSERT ", "UPDATE ", "DELETE ", "MERGE "};
    for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++) {
        if (strncmp(cmd, writers[i], strlen(writers[i])) == 0)
            return strtoll(PQcmdTuples(r), NULL, 10);
    }
    return -1;
}

static int execute(struct pg_stmt *st, struct err *e)
{
    struct pg_conn *pc = pconn(st->base.db);

    pg_reset(&st->base);
    if (st->plan_each) {
        if (PQstatus(pc->pg) != CONNECTION_OK)
            return db_fail(e, ERR_UNAVAILABLE, PQerrorMessage(pc->pg));
    } else if (st->gen != pc->gen) {   /* the connection was reset since we were prepared */
        if (PQstatus(pc->pg) != CONNECTION_OK)
            return db_fail(e, ERR_UNAVAILABLE, PQerrorMessage(pc->pg));
        if (server_prepare(pc, st, e) != 0)
            return -1;
    }
    PGresult *r = st->plan_each
                      ? PQexecParams(pc->pg, st->sql, st->nparams, NULL, st->values, NULL, NULL, 0)
                      : PQexecPrepared(pc->pg, st->name, st->nparams, st->values, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(r);
    track_change(pc, r);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK && s != PGRES_EMPTY_QUERY) {
        pg_fail(pc, r, e);
        PQclear(r);
        return -1;
    }
    int64_t n = changed_rows(r);
    if (n >= 0)
        st->changes = n;
    st->res = r;
    st->nrows = s == PGRES_TUPLES_OK ? PQntuples(r) : 0;
    return 0;
}

static int pg_step(struct db_stmt *base, struct err *e)
{
    struct pg_stmt *st = pst(base);
    if (!st->running) {
        if (execute(st, e) != 0)
            return DB_ERROR;
        st->running = true;
    }
    if (++st->row < st->nrows)
        return DB_ROW;
    st->running = false;        /* like SQLite, stepping again runs the statement again */
    return DB_DONE;
}

static const char *value(const struct db_stmt *base, int col)
{
    const struct pg_stmt *st = pst(base);
    if (st->res == NULL || st->row < 0 || st->row >= st->nrows || col < 0 ||
        col >= PQnfields(st->res) || PQgetisnull(st->res, st->row, col))
        return NULL;
    return PQgetvalue(st->res, st->row, col);
}

static int pg_col_count(const struct db_stmt *st)
{
    return pst(st)->res != NULL ? PQnfields(pst(st)->res) : 0;
}

static bool pg_col_is_null(const struct db_stmt *st, int col)
{
    return value(st, col) == NULL;
}

/* Booleans arrive as "t"/"f" (e.g. SELECT x IS NULL); SQLite would give 1/0. Integers are
 * parsed by hand: PostgreSQL's text form is plain [-]digits, and glibc's locale-aware strtoll
 * was the largest single cost of reading a 10,000-row subtree. Anything else (numeric with a
 * fraction, overflow) falls back to strtoll. */
static int64_t pg_col_i64(const struct db_stmt *st, int col)
{
    const char *v = value(st, col);
    if (v == NULL || (v[0] == 'f' && v[1] == '\0'))
        return 0;
    if (v[0] == 't' && v[1] == '\0')
        return 1;
    const char *p = v + (*v == '-');
    uint64_t n = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 18; p++, digits++)
        n = n * 10 + (uint64_t)(*p - '0');
    if (*p != '\0' || digits == 0)
        return strtoll(v, NULL, 10);
    return *v == '-' ? -(int64_t)n : (int64_t)n;
}

static double pg_col_double(const struct db_stmt *st, int col)
{
    const char *v = value(st, col);
    if (v == NULL || strcmp(v, "f") == 0)
        return 0;
    if (strcmp(v, "t") == 0)
        return 1;
    return strtod(v, NULL);
}

static const char *pg_col_text(const struct db_stmt *st, int col)
{
    return value(st, col);
}

static const char *pg_col_name(const struct db_stmt *st, int col)
{
    const PGresult *r = pst(st)->res;
    if (r == NULL || col < 0 || col >= PQnfields(r))
        return NULL;
    return PQfname(r, col);
}

static int64_t pg_changes(const struct db_stmt *st)
{
    return pst(st)->changes;
}

static int pg_exec(struct db *db, const char *sql, struct err *e)
{
    return run(pconn(db), sql, e);   /* PQexec takes several statements and $$ bodies */
}

static int pg_begin(struct db *db, struct err *e)
{
    return run(pconn(db), "BEGIN", e);
}

/* COMMIT of a transaction that already failed "succeeds" with the tag ROLLBACK. */
static int pg_commit(struct db *db, struct err *e)
{
    struct pg_conn *pc = pconn(db);
    PGresult *r = PQexec(pc->pg, "COMMIT");
    int rc = 0;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = pg_fail(pc, r, e);
    else if (strcmp(PQcmdStatus(r), "ROLLBACK") == 0)
        rc = db_fail(e, ERR_INTERNAL, "COMMIT rolled back: the transaction had failed");
    track_change(pc, r);
    PQclear(r);
    flush_stale(pc);
    return rc;
}

static bool pg_in_tx(const struct db *db)
{
    PGTransactionStatusType s = PQtransactionStatus(pconn(db)->pg);
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

static void pg_rollback(struct db *db)
{
    struct err e = ERR_INIT;
    if (pg_in_tx(db) && run(pconn(db), "ROLLBACK", &e) != 0)
        log_warn("db", "postgresql rollback failed: %s", e.detail);
    flush_stale(pconn(db));
}

const struct db_ops db_pg_ops = {
    .name = "postgresql",
    .kind = DB_POSTGRES,
    .check = pg_check,
    .open = pg_open,
    .close = pg_close,
    .ensure = pg_ensure,
    .prepare = pg_prepare,
    .destroy = pg_destroy,
    .reset = pg_reset,
    .clear = pg_clear,
    .bind = pg_bind,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_is_null = pg_col_is_null,
    .col_i64 = pg_col_i64,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_name = pg_col_name,
    .changes = pg_changes,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_tx = pg_in_tx,
};
