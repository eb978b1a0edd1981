/* keys_cli.c: `dangjian keys status|verify|rotate` (see keys_rotate.h for the rotation protocol).
 * This file holds the edges: flags, the key file and its lock, the decision between a new
 * rotation and a resumed one, the job row, the audit entries, progress on stderr and one JSON
 * document on stdout. Exit codes (cli.h): 0 done, 1 failure, 2 bad usage. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "auth/audit.h"
#include "core/arena.h"
#include "core/cli.h"
#include "core/config.h"
#include "core/date.h"
#include "core/err.h"
#include "core/i18n.h"
#include "crypto/keys.h"
#include "crypto/password.h"
#include "db/db.h"
#include "db/migrate.h"
#include "features/keys/keys_rotate.h"
#include "jobs/jobs.h"

#define JOB_KIND "keys_rotate"
#define MAX_PAUSE_MS 60000

static const char USAGE[] =
    "usage: dangjian keys status|verify|rotate [--db URL] [--keys FILE]\n"
    "  status    values per key id per column (JSON); nothing is decrypted\n"
    "  verify    opens every value: counts, failures (column:row), digest of the plaintexts\n"
    "  rotate [--batch N] [--pause-ms MS] [--resume | --new-key]\n"
    "            adds a field key to the key file, then re-encrypts every value with it,\n"
    "            N rows per transaction (1..100000, default 2000), pausing MS between batches.\n"
    "            An interrupted rotation is continued with its key (no new key is added).\n"
    "            --resume   only continue an interrupted rotation, never add a key\n"
    "            --new-key  add a key even while an interrupted rotation is pending\n"
    "  The key file is --keys FILE, else <sqlite path>.keys, else dangjian.keys.\n";

static const struct i18n_msg MSGS[] = {
    {"keys.cannot_open", "无法打开密钥文件", "Cannot open the key file"},
    {"keys.malformed", "密钥文件格式错误", "The key file is malformed"},
    {"keys.too_open", "密钥文件权限过宽（应为 600）", "The key file is readable by others (chmod 600)"},
    {"keys.cannot_write", "无法写入密钥文件", "Cannot write the key file"},
    {"keys.lost_key", "新密钥文件缺少正在使用的密钥，未加载", "The new key file lacks a key in use: not loaded"},
    {"keys.too_many", "密钥数量已达上限", "Too many keys in the key file"},
    {"keys.rotation_running", "另一个密钥轮换正在进行", "Another key rotation is running"},
    {"keys.batch_range", "批大小须在 1 到 100000 之间", "The batch size must be 1..100000"},
    {"keys.cannot_open_values", "部分加密数据无法解密", "Some encrypted values cannot be opened"},
};

/* ---- the lock ---- */

/* Takes "<path>.lock" (created 0600): held until the process ends, whatever ends it. */
static int lock_keys(const char *path, int *fd, struct err *e)
{
    char lock[1100];
    snprintf(lock, sizeof lock, "%s.lock", path);
    *fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (*fd < 0) {
        err_set(e, ERR_INVALID, "keys.cannot_open");
        err_detail(e, "%s: %s", lock, strerror(errno));
        return -1;
    }
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        err_set(e, errno == EWOULDBLOCK ? ERR_CONFLICT : ERR_INTERNAL, "keys.rotation_running");
        err_detail(e, "%s: %s", lock, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- flags ---- */

struct opts {
    int batch;
    int pause_ms;
    bool resume_only, new_key;
};

static bool parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    if (s == NULL || s[0] < '0' || s[0] > '9')
        return false;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

static int usage_error(const char *what, const char *value)
{
    fprintf(stderr, "keys: %s%s%s\n", what, value ? ": " : "", value ? value : "");
    return cli_usage(USAGE);
}

/* 0 ok, else the exit code to return. */
static int parse_rotate(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){.batch = KEYS_ROTATE_BATCH};
    for (int i = 2; i < argc; i++) {
        bool missing = false;
        const char *v;
        if ((v = cli_opt(argc, argv, &i, "batch", &missing)) != NULL) {
            if (!parse_int(v, 1, KEYS_ROTATE_MAX_BATCH, &o->batch))
                return usage_error("--batch must be 1..100000", v);
        } else if ((v = cli_opt(argc, argv, &i, "pause-ms", &missing)) != NULL) {
            if (!parse_int(v, 0, MAX_PAUSE_MS, &o->pause_ms))
                return usage_error("--pause-ms must be 0..60000", v);
        } else if (cli_flag(argv, i, "resume")) {
            o->resume_only = true;
        } else if (cli_flag(argv, i, "new-key")) {
            o->new_key = true;
        } else {
            return usage_error(missing ? "missing value for" : "unknown argument", argv[i]);
        }
    }
    if (o->resume_only && o->new_key)
        return usage_error("--resume and --new-key exclude each other", NULL);
    return 0;
}

/* ---- progress ---- */

struct progress {
    int64_t job_id, start_us, last_us, first_done, last_done;
    int pause_ms;
    bool printed;
};

static void show(struct progress *p, int64_t done, int64_t total, bool force)
{
    int64_t now = now_micros();
    if (force ? done != p->last_done || !p->printed
              : !p->printed || now - p->last_us >= 1000000 || done >= total) {
        double s = (double)(now - p->start_us) / 1e6;
        fprintf(stderr, "keys: job %" PRId64 ": %" PRId64 "/%" PRId64 " rows (%d%%), %.0f rows/s\n",
                p->job_id, done, total, total > 0 ? (int)(done * 100 / total) : 100,
                s > 0 ? (double)(done - p->first_done) / s : 0.0);
        fflush(stderr);
        p->printed = true;
        p->last_us = now;
        p->last_done = done;
    }
}

/* After each batch: the first one always (scripts wait for it), then about once a second. */
static void print_progress(void *ctx, int64_t done, int64_t total)
{
    struct progress *p = ctx;
    show(p, done, total, false);
    if (p->pause_ms > 0) {
        struct timespec ts = {p->pause_ms / 1000, (long)(p->pause_ms % 1000) * 1000000L};
        (void)nanosleep(&ts, NULL);          /* a shorter pause after a signal is fine */
    }
}

/* Pretty JSON on stdout; reals with 12 significant digits (seconds read 0.008, not 0.00800..02). */
static void print_json(const json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
    if (s != NULL)
        printf("%s\n", s);
    free(s);
    fflush(stdout);
}

/* ---- status, verify ---- */

static int open_all(const char *db_url, struct db **db, struct keys **k, char *path, size_t cap,
                    struct err *e)
{
    config_keys_path(config_get(), path, cap);
    if (keys_load(path, k, e) != 0)
        return -1;
    if (db_open(db, db_url, e) != 0 || migrate_up(*db, NULL, e) != 0)
        return -1;
    return 0;
}

static int cmd_report(const char *db_url, bool verify)
{
    struct err e = ERR_INIT;
    struct db *db = NULL;
    struct keys *k = NULL;
    json_t *out = NULL;
    char path[1024];
    int code = CLI_FAIL;
    if (open_all(db_url, &db, &k, path, sizeof path, &e) != 0 ||
        (verify ? keys_verify(db, k, &out, &e) : keys_status(db, k, &out, &e)) != 0) {
        code = cli_fail(&e);
    } else {
        print_json(out);
        code = verify && json_integer_value(json_object_get(out, "failed")) > 0 ? CLI_FAIL : CLI_OK;
    }
    json_decref(out);
    keys_destroy(k);
    db_close(db);
    return code;
}

/* ---- rotate ---- */

struct rotation {
    struct db *db;
    struct keys *k;               /* installed for the audit checkpoints once loaded */
    char path[1024];
    struct opts o;
    bool resumed, added;
    int64_t job_id, done_before, pending;
};

/* The unfinished rotation job, if any: *key_id from its parameters (0 if unreadable). */
static int find_unfinished(struct rotation *r, struct arena *a, struct job *old, uint32_t *key_id,
                           struct err *e)
{
    int found = jobs_store_latest(r->db, a, JOB_KIND, 0, old, e);   /* queued or running */
    *key_id = 0;
    if (found == 1) {
        json_error_t je;
        json_t *p = json_loads(old->params != NULL ? old->params : "", 0, &je);
        json_int_t id = json_integer_value(json_object_get(p, "key_id"));
        *key_id = id > 0 && id <= UINT32_MAX ? (uint32_t)id : 0;
        json_decref(p);
    }
    return found;
}

/* Decides new vs resumed (keys_rotate.h step 4); adds and saves a key when new. Returns 1 when
 * there is nothing to do (--resume with nothing pending). */
static int decide(struct rotation *r, struct err *e)
{
    struct arena *a = arena_create(0);
    struct job old;
    uint32_t old_key = 0;
    int rc = -1;
    int found = find_unfinished(r, a, &old, &old_key, e);
    if (found < 0 || keys_rotate_pending(r->db, r->k->field_current, &r->pending, e) != 0)
        goto done;
    bool adopt = found == 1 && old_key == r->k->field_current && !r->o.new_key;
    r->resumed = !r->o.new_key && (adopt || r->pending > 0);
    if (found == 1 && !adopt &&
        jobs_store_finish(r->db, old.id, "failed", NULL, "superseded by a later rotation", e) != 0)
        goto done;
    if (!r->resumed && r->o.resume_only) {
        rc = 1;
        goto done;
    }
    if (adopt) {
        r->job_id = old.id;
        r->done_before = old.done;
    }
    if (!r->resumed) {
        /* Step 2: the new keys are on disk before any value is sealed with them. A new blind
         * key comes with each field key; the older blind keys are forgotten when every value
         * was on the current field key (so every index on the current blind key). */
        if (keys_add_field_key(r->k, e) != 0 ||
            keys_add_blind_key(r->k, r->pending == 0, e) != 0 || keys_save(r->k, r->path, e) != 0 ||
            keys_rotate_pending(r->db, r->k->field_current, &r->pending, e) != 0)
            goto done;
        r->added = true;
    }
    rc = 0;
done:
    arena_destroy(a);
    return rc;
}

static int start_job(struct rotation *r, struct err *e)
{
    int64_t total = r->done_before + r->pending;
    if (r->job_id > 0)
        return jobs_store_progress(r->db, r->job_id, r->done_before, total, e);
    json_t *p = json_pack("{s:I, s:i}", "key_id", (json_int_t)r->k->field_current, "batch",
                          r->o.batch);
    char *params = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    int rc = jobs_store_create(r->db, JOB_KIND, params, total, 1, &r->job_id, e);
    free(params);
    return rc;
}

static int audit(struct rotation *r, const char *action, json_t *changes, struct err *e)
{
    char object[32];
    struct audit_who who = {.actor = "cli", .actor_name = getenv("USER")};
    snprintf(object, sizeof object, "key:%u", (unsigned)r->k->field_current);
    int rc = audit_append(r->db, &who, action, object, 0, changes, e);
    json_decref(changes);
    return rc;
}

static json_t *summary(const struct rotation *r, const struct keys_rotate_run *run, double s)
{
    json_t *refs = json_array();
    for (int64_t i = 0; i < run->failed && i < KEYS_FAILED_REFS; i++)
        json_array_append_new(refs, json_string(run->failed_refs[i]));
    double ms = (double)(int64_t)(s * 1000 + 0.5);
    return json_pack("{s:I, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:o, s:f}", "key_id",
                     (json_int_t)r->k->field_current, "resumed", r->resumed, "new_key", r->added,
                     "job_id", (json_int_t)r->job_id, "rows", (json_int_t)(run->done - r->done_before),
                     "values", (json_int_t)run->values, "raced", (json_int_t)run->raced, "failed",
                     (json_int_t)run->failed, "failed_refs", refs, "seconds", ms / 1000);
}

/* Re-encrypts, then finishes the job and the audit trail. */
static int run_rotation(struct rotation *r, json_t **out, struct err *e)
{
    struct progress p = {.job_id = r->job_id, .start_us = now_micros(), .pause_ms = r->o.pause_ms,
                         .first_done = r->done_before};
    struct keys_rotate_run run = {.batch = r->o.batch, .k = r->k, .job_id = r->job_id,
                                  .progress = print_progress, .ctx = &p, .done = r->done_before,
                                  .total = r->done_before + r->pending};
    fprintf(stderr, "keys: job %" PRId64 ": %s with key %u, %" PRId64 " rows to re-encrypt\n",
            r->job_id, r->resumed ? "resuming" : "rotating", (unsigned)r->k->field_current,
            r->pending);
    if (keys_rotate_values(r->db, &run, e) != 0) {
        struct err fe = ERR_INIT;
        if (jobs_store_finish(r->db, r->job_id, "failed", NULL, e->message, &fe) != 0)
            fprintf(stderr, "keys: could not mark job %" PRId64 " failed\n", r->job_id);
        return -1;
    }
    show(&p, run.done, run.total, true);
    *out = summary(r, &run, (double)(now_micros() - p.start_us) / 1e6);
    char *result = json_dumps(*out, JSON_COMPACT);
    int rc = jobs_store_finish(r->db, r->job_id, run.failed > 0 ? "failed" : "done", result,
                               run.failed > 0 ? "keys.cannot_open_values" : NULL, e);
    free(result);
    json_t *entry = json_deep_copy(*out);
    json_object_del(entry, "seconds");              /* timing is not an audit fact */
    if (rc != 0 || audit(r, "keys.rotate.done", entry, e) != 0)
        return -1;
    return run.failed > 0 ? err_set(e, ERR_INVALID, "keys.cannot_open_values") : 0;
}

static int cmd_rotate(int argc, char **argv, const char *db_url)
{
    struct rotation r = {0};
    struct err e = ERR_INIT;
    json_t *out = NULL;
    int lock = -1, code = parse_rotate(argc, argv, &r.o), step = 0;
    if (code != 0)
        return code;
    code = CLI_FAIL;
    config_keys_path(config_get(), r.path, sizeof r.path);
    if (lock_keys(r.path, &lock, &e) != 0 || keys_load(r.path, &r.k, &e) != 0 ||
        db_open(&r.db, db_url, &e) != 0 || migrate_up(r.db, NULL, &e) != 0 ||
        (step = decide(&r, &e)) < 0)
        goto done;
    keys_install(r.k);                          /* audit checkpoints sign with it */
    if (step == 1) {
        fprintf(stderr, "keys: nothing to resume: every value is on key %u\n",
                (unsigned)r.k->field_current);
        out = json_pack("{s:I, s:b, s:I}", "key_id", (json_int_t)r.k->field_current, "resumed",
                        false, "rows", (json_int_t)0);
        print_json(out);
        code = CLI_OK;
        goto done;
    }
    if (r.added)
        fprintf(stderr, "keys: new field key %u saved in %s; older keys stay in it\n",
                (unsigned)r.k->field_current, r.path);
    if (start_job(&r, &e) != 0 ||
        audit(&r, "keys.rotate.start",
              json_pack("{s:I, s:b, s:I, s:I}", "key_id", (json_int_t)r.k->field_current,
                        "resumed", r.resumed, "job_id", (json_int_t)r.job_id, "rows",
                        (json_int_t)r.pending), &e) != 0)
        goto done;
    int rc = run_rotation(&r, &out, &e);
    if (out != NULL)
        print_json(out);
    code = rc == 0 ? CLI_OK : CLI_FAIL;
done:
    if (code != CLI_OK)
        (void)cli_fail(&e);
    json_decref(out);
    if (keys_get() == r.k)
        keys_uninstall();
    else
        keys_destroy(r.k);
    db_close(r.db);
    if (lock >= 0)
        close(lock);
    return code;
}

int keys_cli_main(int argc, char **argv, const char *db_url)
{
    struct err e = ERR_INIT;
    i18n_register(MSGS, sizeof MSGS / sizeof MSGS[0]);
    if (crypto_init(&e) != 0)
        return cli_fail(&e);
    if (db_url == NULL || db_url[0] == '\0')
        db_url = "sqlite:dangjian.db";
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return argc < 2 ? cli_usage(USAGE) : (fputs(USAGE, stdout), CLI_OK);
    if (strcmp(argv[1], "rotate") == 0)
        return cmd_rotate(argc, argv, db_url);
    bool verify = strcmp(argv[1], "verify") == 0;
    if (!verify && strcmp(argv[1], "status") != 0)
        return usage_error("unknown command", argv[1]);
    if (argc != 2)
        return usage_error("unknown argument", argv[2]);
    return cmd_report(db_url, verify);
}
