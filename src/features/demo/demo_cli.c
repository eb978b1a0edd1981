/* demo_cli.c: `dangjian demo` and the "demo" job kind, both thin: parse the parameters, build
 * the plan (demo_rules.c), refuse a database that already has orgs, load the key file (made
 * with fresh keys when there is none: config_keys_path), write it (demo_store.c) and record
 * the run in a jobs row. The CLI prints human progress on stderr and one JSON
 * summary line on stdout: {"orgs":N,"members":N,"seconds":S,"job_id":ID,"seed":S}.
 * Exit codes (cli.h): 0 done, 1 runtime failure, 2 bad usage. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/cli.h"
#include "core/config.h"
#include "core/err.h"
#include "core/i18n.h"
#include "crypto/keys.h"
#include "crypto/password.h"
#include "db/db.h"
#include "db/migrate.h"
#include "features/demo/demo.h"
#include "jobs/jobs.h"

static const char USAGE[] =
    "usage: dangjian demo [--db URL] [--members N] [--seed S] [--branch-size B]\n"
    "                     [--as-of YYYY-MM-DD]\n"
    "  Fills an EMPTY database with a realistic enterprise party organization.\n"
    "  --members N       1..5000000 party members (default 500)\n"
    "  --seed S          0..9223372036854775807 (default 1); same seed, same data\n"
    "  --branch-size B   members per 党支部 about B (3..1000; default: 15..50)\n"
    "  --as-of DATE      the day the data describes (default: today, Asia/Shanghai)\n";

static const struct i18n_msg MSGS[] = {
    {"demo.db_not_empty", "数据库中已有组织，演示数据只能写入空数据库",
     "the database already has organizations; demo data needs an empty database"},
    {"demo.members_range", "党员人数须在 1 到 5000000 之间", "members must be 1..5000000"},
    {"demo.branch_size_range", "支部规模须在 3 到 1000 之间", "branch size must be 3..1000"},
    {"demo.as_of_range", "日期须为 2020 到 2099 年间的 YYYY-MM-DD",
     "as_of must be a YYYY-MM-DD date in 2020..2099"},
    {"demo.bad_params", "任务参数无效", "invalid job parameters"},
    {"demo.plan_too_large", "演示数据规模过大", "demo plan too large"},
    {"demo.bad_personal_data", "演示个人信息生成错误", "demo personal data could not be indexed"},
};

void demo_register(void)
{
    i18n_register(MSGS, sizeof MSGS / sizeof MSGS[0]);
    jobs_register_kind("demo", demo_job);
}

/* Strict decimal: digits only, no sign, no trailing text, within [0, max]. */
static bool parse_i64(const char *s, int64_t max, int64_t *out)
{
    char *end;
    if (s == NULL || s[0] < '0' || s[0] > '9')
        return false;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return false;
    *out = v;
    return true;
}

static int usage_error(const char *what, const char *value)
{
    fprintf(stderr, "demo: %s%s%s\n", what, value ? ": " : "", value ? value : "");
    return cli_usage(USAGE);
}

static bool skip_global(int argc, char **argv, int *i)
{
    static const char *const globals[] = {"db", "config", "log-level"};
    bool missing = false;
    for (size_t g = 0; g < sizeof globals / sizeof globals[0]; g++)
        if (cli_opt(argc, argv, i, globals[g], &missing) != NULL || missing)
            return true;
    return false;
}

/* Fills p from argv; returns -1 (usage printed) or 0, or 1 for --help. */
static int parse_flags(int argc, char **argv, struct demo_params *p, int *exit_code)
{
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        int64_t n;
        if (cli_flag(argv, i, "help") || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            *exit_code = CLI_OK;
            return 1;
        } else if ((v = cli_opt(argc, argv, &i, "members", &missing)) != NULL) {
            if (!parse_i64(v, DEMO_MAX_MEMBERS, &n) || n < 1)
                return *exit_code = usage_error("--members must be 1..5000000", v), -1;
            p->members = n;
        } else if ((v = cli_opt(argc, argv, &i, "seed", &missing)) != NULL) {
            if (!parse_i64(v, INT64_MAX, &n))
                return *exit_code = usage_error("--seed must be 0..9223372036854775807", v), -1;
            p->seed = (uint64_t)n;
        } else if ((v = cli_opt(argc, argv, &i, "branch-size", &missing)) != NULL) {
            if (!parse_i64(v, DEMO_MAX_BRANCH_SIZE, &n) || n < DEMO_MIN_BRANCH_SIZE)
                return *exit_code = usage_error("--branch-size must be 3..1000", v), -1;
            p->branch_size = (int)n;
        } else if ((v = cli_opt(argc, argv, &i, "as-of", &missing)) != NULL) {
            if (date_parse(v, &p->as_of) != 0 || p->as_of.year < 2020 || p->as_of.year > 2099)
                return *exit_code = usage_error("--as-of must be YYYY-MM-DD in 2020..2099", v), -1;
        } else if (missing) {
            return *exit_code = usage_error("missing value for", argv[i]), -1;
        } else if (!skip_global(argc, argv, &i)) {
            return *exit_code = usage_error("unknown argument", argv[i]), -1;
        }
        if (missing)
            return *exit_code = usage_error("missing value for", argv[i]), -1;
    }
    return 0;
}

struct progress_ctx {
    int64_t start_us;
    int64_t job_id;
};

static void print_progress(void *ctx, int64_t done, int64_t total)
{
    const struct progress_ctx *c = ctx;
    fprintf(stderr, "demo: job %" PRId64 ": %" PRId64 "/%" PRId64 " members (%d%%), %.1f s\n",
            c->job_id, done, total, total > 0 ? (int)(done * 100 / total) : 100,
            (double)(now_micros() - c->start_us) / 1e6);
}

static char *params_json(const struct demo_params *p)
{
    char day[11];
    date_format(p->as_of, day);
    json_t *j = json_pack("{s:I, s:I, s:i, s:s}", "members", (json_int_t)p->members, "seed",
                          (json_int_t)p->seed, "branch_size", p->branch_size, "as_of", day);
    char *s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return s;                                  /* caller frees; NULL only without memory */
}

/* The summary both edges report; caller frees. */
static char *summary_json(const struct demo_result *r, double seconds, uint64_t seed)
{
    double ms = (double)(int64_t)(seconds * 1000 + 0.5);
    json_t *j = json_pack("{s:I, s:I, s:f, s:I, s:I}", "orgs", (json_int_t)r->orgs, "members",
                          (json_int_t)r->members, "seconds", ms / 1000, "job_id",
                          (json_int_t)r->job_id, "seed", (json_int_t)seed);
    char *s = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
    json_decref(j);
    return s;
}

/* The key file of this configuration, made when missing (*created then says so). */
static int load_keys(struct keys **out, bool *created, char *path, size_t cap, struct err *e)
{
    config_keys_path(config_get(), path, cap);
    return keys_load_or_create(path, out, created, e);
}

/* Plan + write + finish the job row. On failure the job is marked failed (best effort). */
static int run(struct db *db, const struct demo_params *p, const struct keys *keys,
               int64_t job_id, demo_progress_fn fn, void *ctx, char **summary, struct err *e)
{
    struct demo_plan plan;
    struct demo_result res = {0};
    int64_t t0 = now_micros();
    int rc = demo_plan_build(&plan, p, e);
    if (rc == 0)
        rc = demo_store_write(db, &plan, keys, job_id, fn, ctx, &res, e);
    demo_plan_fini(&plan);
    if (rc == 0)
        *summary = summary_json(&res, (double)(now_micros() - t0) / 1e6, p->seed);
    return rc;
}

int demo_cli_main(int argc, char **argv, const char *db_url)
{
    struct demo_params p = {.members = DEMO_DEFAULT_MEMBERS, .seed = 1,
                            .as_of = date_today_shanghai(time(NULL))};
    struct err e = ERR_INIT;
    struct db *db = NULL;
    struct keys *keys = NULL;
    char *params = NULL, *summary = NULL, key_path[1024];
    bool created = false;
    int64_t job_id = 0;
    int code = CLI_FAIL;

    i18n_register(MSGS, sizeof MSGS / sizeof MSGS[0]);
    if (parse_flags(argc, argv, &p, &code) != 0)
        return code;
    if (crypto_init(&e) != 0)                  /* the key file lives in sodium_malloc memory */
        return cli_fail(&e);
    if (db_url == NULL || db_url[0] == '\0')
        db_url = "sqlite:dangjian.db";
    if (db_url_check(db_url, &e) != 0) {
        (void)cli_fail(&e);
        return cli_usage(USAGE);
    }
    code = CLI_FAIL;
    if (db_open(&db, db_url, &e) != 0 || migrate_up(db, NULL, &e) != 0 ||
        demo_store_check_empty(db, &e) != 0 ||
        load_keys(&keys, &created, key_path, sizeof key_path, &e) != 0)
        goto done;
    if (created)
        fprintf(stderr, "demo: new key file %s (mode 0600): keep it and back it up; without it "
                        "the personal data cannot be read\n", key_path);
    params = params_json(&p);
    if (jobs_store_create(db, "demo", params, p.members, 1, &job_id, &e) != 0)
        goto done;
    fprintf(stderr, "demo: job %" PRId64 ": %" PRId64 " members, seed %" PRIu64 ", %s\n", job_id,
            p.members, p.seed, db_kind_name(db));
    struct progress_ctx ctx = {.start_us = now_micros(), .job_id = job_id};
    if (run(db, &p, keys, job_id, print_progress, &ctx, &summary, &e) != 0) {
        struct err fe = ERR_INIT;
        if (jobs_store_finish(db, job_id, "failed", NULL, e.message, &fe) != 0)
            fprintf(stderr, "demo: could not mark job %" PRId64 " failed\n", job_id);
        goto done;
    }
    if (jobs_store_finish(db, job_id, "done", summary, NULL, &e) != 0)
        goto done;
    printf("%s\n", summary != NULL ? summary : "{}");
    fflush(stdout);
    code = CLI_OK;
done:
    if (code != CLI_OK)
        (void)cli_fail(&e);
    free(params);
    free(summary);
    keys_destroy(keys);
    db_close(db);
    return code;
}

/* Job kind "demo" (jobs.h): the runner claimed the row and finishes it with our result. */
int demo_job(struct db *db, struct arena *a, const struct job *job, const char **result_json,
             struct err *e)
{
    struct demo_params p = {.seed = 1, .as_of = date_today_shanghai(time(NULL))};
    json_error_t je;
    json_int_t members = 0, seed = 1, branch_size = 0;
    const char *as_of = NULL;
    char *summary = NULL;

    json_t *j = json_loads(job->params != NULL ? job->params : "", 0, &je);
    int bad = j == NULL || json_unpack_ex(j, &je, 0, "{s:I, s?I, s?I, s?s !}", "members", &members,
                                          "seed", &seed, "branch_size", &branch_size, "as_of",
                                          &as_of) != 0;
    if (!bad && as_of != NULL)
        bad = date_parse(as_of, &p.as_of) != 0;
    json_decref(j);
    if (bad || seed < 0 || branch_size < 0 || branch_size > DEMO_MAX_BRANCH_SIZE)
        return err_set(e, ERR_INVALID, "demo.bad_params");
    p.members = members;
    p.seed = (uint64_t)seed;
    p.branch_size = (int)branch_size;
    if (demo_rules_check_params(&p, e) != 0 || demo_store_check_empty(db, e) != 0)
        return -1;
    /* The process's installed keys when there are (serve), else the configured key file. */
    struct keys *own = NULL;
    char path[1024];
    const struct keys *keys = keys_get();
    if (keys == NULL && load_keys(&own, NULL, path, sizeof path, e) != 0)
        return -1;
    int rc = run(db, &p, keys != NULL ? keys : own, job->id, NULL, NULL, &summary, e);
    keys_destroy(own);
    if (rc != 0)
        return -1;
    *result_json = arena_strdup(a, summary);
    free(summary);
    return 0;
}
