/* member_import_cli.c: `dangjian import members FILE [--dry-run] [--org CODE] [--errors FILE]`
 * (ARCHITECTURE.md §1, issue 5 §9). The same import as the API, run inline as the "cli"
 * actor over the whole system (--org CODE: rows must lie in that org's subtree, and rows
 * without an org code go to it). Prints a JSON summary on stdout; --errors writes the error
 * report (.xlsx by its name, else CSV). Exit 0 all rows good, 1 some bad rows or a failure,
 * 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/cli.h"
#include "core/err.h"
#include "db/db.h"
#include "db/migrate.h"
#include "features/member/import/member_import.h"
#include "jobs/jobs.h"

static const char USAGE[] =
    "usage: dangjian import members FILE.xlsx|FILE.csv [--dry-run] [--org CODE] [--errors FILE]\n";

struct opts {
    const char *file, *org, *errors;
    bool dry;
};

static int parse(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){0};
    if (argc < 3 || strcmp(argv[1], "members") != 0)
        return -1;
    for (int i = 2; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (cli_flag(argv, i, "dry-run"))
            o->dry = true;
        else if ((v = cli_opt(argc, argv, &i, "org", &missing)) != NULL)
            o->org = v;
        else if ((v = cli_opt(argc, argv, &i, "errors", &missing)) != NULL)
            o->errors = v;
        else if (missing || argv[i][0] == '-' || o->file != NULL)
            return -1;
        else
            o->file = argv[i];
    }
    return o->file != NULL ? 0 : -1;
}

/* The --org subtree: scope JSON and the default org id. */
static int org_scope(struct db *db, struct arena *a, const char *code, const char **scope,
                     int64_t *org_id, struct err *e)
{
    struct db_stmt *st = NULL;
    *scope = "[\"\"]";
    *org_id = 0;
    if (code == NULL)
        return 0;
    if (db_prepare(db, &st, "SELECT id, path FROM orgs WHERE code = ?", e) != 0)
        return -1;
    db_bind_text(st, 1, code);
    int rc = db_step(st, e);
    if (rc == DB_ROW) {
        json_t *arr = json_pack("[s]", db_col_text(st, 1));
        char *s = json_dumps(arr, JSON_COMPACT);
        json_decref(arr);
        *scope = arena_strdup(a, s);
        free(s);
        *org_id = db_col_i64(st, 0);
    }
    db_finalize(st);
    if (rc == DB_ERROR)
        return -1;
    if (rc != DB_ROW)
        return err_field(e, "org", "import.org_not_found");
    return 0;
}

/* The dry run checks only; the real run writes in one pass (no dry pass first, no stored
 * file: the CLI holds it), recorded as an inline job like the server's. */
static int run(struct db *db, struct arena *a, const struct opts *o, const struct buf *file,
               int64_t *id, struct err *e)
{
    const char *scope, *unknown;
    int64_t org_id, job;
    const char *slash = strrchr(o->file, '/');
    struct member_import im = {
        .filename = slash != NULL ? slash + 1 : o->file, .size = (int64_t)file->len,
        .format = file->len >= 2 && memcmp(file->data, "PK", 2) == 0 ? "xlsx" : "csv",
        .actor = "cli",
    };
    struct member_import_counts c;
    if (org_scope(db, a, o->org, &scope, &org_id, e) != 0)
        return -1;
    im.scope = scope;
    im.default_org_id = org_id;
    if (member_import_create(db, &im, id, e) != 0)
        return -1;
    im.id = *id;
    if (o->dry) {
        struct member_import_pass p = {.import_id = *id, .scope_json = scope,
                                       .default_org_id = org_id};
        if (db_begin(db, e) != 0)
            return -1;
        if (member_import_pass(db, a, file->data, file->len, &p, &c, &unknown, e) != 0 ||
            member_import_set_counts(db, *id, &c, unknown, e) != 0 || db_commit(db, e) != 0) {
            db_rollback(db);
            return -1;
        }
        return 0;
    }
    char params[64];
    snprintf(params, sizeof params, "{\"import_id\":%lld}", (long long)*id);
    if (jobs_store_create(db, MEMBER_IMPORT_JOB, params, 0, 1, &job, e) != 0)
        return -1;
    int rc = member_import_execute(db, a, &im, file->data, file->len, job, &c, e);
    struct err je = ERR_INIT;
    if (jobs_store_finish(db, job, rc == 0 ? "done" : "failed", NULL, rc == 0 ? NULL : e->message,
                          &je) != 0 && rc == 0) {
        *e = je;
        return -1;
    }
    return rc;
}

int member_import_cli_main(int argc, char **argv, const char *db_url)
{
    struct opts o;
    struct err e = ERR_INIT;
    struct db *db = NULL;
    struct buf file = BUF_INIT(MEMBER_IMPORT_MAX_BYTES);
    if (parse(argc, argv, &o) != 0)
        return cli_usage(USAGE);
    FILE *f = fopen(o.file, "rb");
    if (f == NULL) {
        err_set(&e, ERR_NOT_FOUND, "sheet.cannot_open");
        err_detail(&e, "%s", o.file);
        return cli_fail(&e);
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && !buf_failed(&file))
        buf_add(&file, chunk, n);
    fclose(f);
    if (buf_failed(&file)) {
        buf_fini(&file);
        err_set(&e, ERR_TOO_LARGE, "sheet.too_large");
        return cli_fail(&e);
    }
    struct arena *a = arena_create(1 << 20);
    int64_t id = 0;
    struct member_import im;
    int rc = CLI_FAIL;
    if (db_open(&db, db_url, &e) != 0 || migrate_up(db, NULL, &e) != 0 ||
        run(db, a, &o, &file, &id, &e) != 0 || member_import_get(db, a, id, &im, &e) != 0 ||
        (o.errors != NULL &&
         member_import_error_file(db, a, id, strstr(o.errors, ".xlsx") != NULL ? SHEET_XLSX : SHEET_CSV,
                                  cli_lang(), o.errors, NULL, &e) != 0)) {
        rc = cli_fail(&e);
    } else {
        json_t *out = json_pack("{s:I, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "import_id",
                                (json_int_t)id, "state", o.dry ? "dry_run" : im.state, "dry_run",
                                o.dry, "rows", (json_int_t)im.rows_total, "new",
                                (json_int_t)im.n_new, "update", (json_int_t)im.n_update,
                                "unchanged", (json_int_t)im.n_unchanged, "bad",
                                (json_int_t)im.n_bad, "errors", (json_int_t)im.n_errors,
                                "unknown_columns",
                                json_loads(im.unknown_columns != NULL ? im.unknown_columns : "[]",
                                           0, NULL));
        cli_print_json(out);
        json_decref(out);
        rc = im.n_bad > 0 ? CLI_FAIL : CLI_OK;
    }
    buf_fini(&file);
    db_close(db);
    arena_destroy(a);
    return rc;
}
