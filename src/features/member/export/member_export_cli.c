/* member_export_cli.c: `dangjian export members --format csv|xlsx [--org CODE] [--out FILE]
 * [--reveal] [filters]`: the same rows as GET /api/v1/members/export.csv|.xlsx
 * (member_export.h), with the same parameter checks (member_query.h: --age-min is ?age_min=).
 * Without --out the CSV goes to stdout (xlsx needs --out); with it, stdout gets
 * {"rows":N,"file":...}. Each export writes one audit entry. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/audit.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/cli.h"
#include "core/date.h"
#include "core/err.h"
#include "crypto/keys.h"
#include "db/db.h"
#include "db/migrate.h"
#include "features/member/member.h"
#include "features/member/export/member_export.h"
#include "features/member/search/member_query.h"

static const char USAGE[] =
    "usage: dangjian export members --format csv|xlsx [--org CODE] [--out FILE] [--reveal]\n"
    "       [--q TEXT] [--name-prefix TEXT] [--id-number N] [--phone N] [--status S]\n"
    "       [--category full|probationary] [--gender male|female] [--age-min N] [--age-max N]\n"
    "       [--joined-from YEAR] [--joined-to YEAR] [--post CODE] [--education CODE]\n"
    "       [--ethnicity CODE] [--sort KEY|-KEY]\n";

static const struct audit_who CLI_WHO = {"cli", NULL, NULL};

#define NOPTS 24

struct opts {
    int n;
    const char *name[NOPTS], *value[NOPTS];
};

static const char *opt_get(void *ctx, const char *name)
{
    const struct opts *o = ctx;
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->name[i], name) == 0)
            return o->value[i];
    return NULL;
}

static int write_out(const char *file, const struct buf *b, struct err *e)
{
    FILE *f = file != NULL ? fopen(file, "wb") : stdout;
    if (f == NULL)
        return err_setf(e, ERR_INVALID, "cannot open %s", file);
    bool ok = fwrite(buf_str(b), 1, b->len, f) == b->len;
    if (file != NULL)
        ok = fclose(f) == 0 && ok;
    else
        ok = fflush(f) == 0 && ok;
    return ok ? 0 : err_setf(e, ERR_INTERNAL, "cannot write %s", file != NULL ? file : "stdout");
}

static int run(struct db *db, struct arena *a, const struct opts *o, const char *org,
               const char *file, bool xlsx, bool reveal, struct err *e)
{
    struct member_query q;
    int64_t org_id = 0, rows = 0;
    struct member_org mo = {.path = ""};
    if (member_query_parse(&q, opt_get, (void *)o, a, keys_get(), date_today_shanghai(time(NULL)),
                           e) != 0 ||
        member_store_check_codes(db, &q, e) != 0)
        return cli_fail(e);
    if (org != NULL && member_store_org_brief(db, a, 0, org, &mo, e) != 0) {
        if (e->code == ERR_NOT_FOUND)
            err_field(e, "org", "org.not_found");
        return cli_fail(e);
    }
    org_id = mo.id;
    q.scope = mo.everything ? "" : mo.path;
    bool en = strncmp(cli_lang(), "en", 2) == 0;
    struct buf out = BUF_INIT((size_t)1 << 31);
    struct member_sheet_writer w = xlsx ? member_xlsx_writer(file, en) : member_csv_writer(&out);
    json_t *filter = json_object();
    for (int i = 0; i < o->n; i++)
        json_object_set_new(filter, o->name[i], json_string(o->value[i]));
    json_t *detail = json_pack("{s:o, s:I, s:s, s:s}", "filter", filter, "rows", (json_int_t)0,
                               "values", reveal ? "revealed" : "masked", "format",
                               xlsx ? "xlsx" : "csv");
    int rc = CLI_FAIL;
    int ran = member_export_run(db, &q, en, reveal, &w, &rows, e);
    if (xlsx && member_xlsx_writer_finish(&w, ran == 0, e) != 0)
        ran = -1;
    if (ran == 0) {
        json_object_set_new(detail, "rows", json_integer((json_int_t)rows));
        if (audit_append(db, &CLI_WHO, reveal ? "member.export_revealed" : "member.export",
                         org_id > 0 ? arena_printf(a, "org:%lld", (long long)org_id) : NULL,
                         org_id, detail, e) == 0 &&
            (xlsx || write_out(file, &out, e) == 0))
            rc = CLI_OK;
    }
    json_decref(detail);
    buf_fini(&out);
    if (rc != CLI_OK)
        return cli_fail(e);
    if (file != NULL) {
        json_t *j = json_pack("{s:I, s:s}", "rows", (json_int_t)rows, "file", file);
        cli_print_json(j);
        json_decref(j);
    }
    return CLI_OK;
}

int member_cli_export(int argc, char **argv, const char *db_url)
{
    struct opts o = {0};
    const char *format = NULL, *org = NULL, *file = NULL;
    bool reveal = false;
    if (argc < 2 || strcmp(argv[1], "members") != 0)
        return cli_usage(USAGE);
    for (int i = 2; i < argc; i++) {
        bool missing = false, matched = false;
        const char *v;
        if (cli_flag(argv, i, "reveal")) {
            reveal = true;
            continue;
        }
        if ((v = cli_opt(argc, argv, &i, "format", &missing)) != NULL) {
            format = v;
            continue;
        }
        if ((v = cli_opt(argc, argv, &i, "org", &missing)) != NULL) {
            org = v;
            continue;
        }
        if ((v = cli_opt(argc, argv, &i, "out", &missing)) != NULL) {
            file = v;
            continue;
        }
        for (size_t p = 0; member_query_params[p] != NULL && !missing && !matched; p++) {
            char flag[32];
            size_t k = 0;
            for (const char *c = member_query_params[p]; *c != '\0' && k + 1 < sizeof flag; c++)
                flag[k++] = *c == '_' ? '-' : *c;
            flag[k] = '\0';
            if (strcmp(flag, "org-id") == 0)
                continue;
            if ((v = cli_opt(argc, argv, &i, flag, &missing)) != NULL && o.n < NOPTS) {
                o.name[o.n] = member_query_params[p];
                o.value[o.n++] = v;
                matched = true;
            }
        }
        if (!matched || missing)
            return cli_usage(USAGE);
    }
    struct err e = ERR_INIT;
    if (format == NULL || (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)) {
        err_field(&e, "format", "member.bad_format");
        cli_fail(&e);
        return CLI_USAGE;
    }
    bool xlsx = strcmp(format, "xlsx") == 0;
    if (xlsx && file == NULL) {
        err_field(&e, "out", "member.xlsx_needs_out");
        cli_fail(&e);
        return CLI_USAGE;
    }
    struct db *db = NULL;
    if (db_open(&db, db_url, &e) != 0 || migrate_up(db, NULL, &e) != 0) {
        db_close(db);
        return cli_fail(&e);
    }
    struct arena *a = arena_create(0);
    int rc = run(db, a, &o, org, file, xlsx, reveal, &e);
    arena_destroy(a);
    db_close(db);
    return rc;
}
