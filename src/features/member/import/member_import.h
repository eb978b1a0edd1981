/* member_import.h: member import from .xlsx / .csv (issue 5 §4), shared by its handlers
 * (member_import_api.c), the job, the CLI (member_import_cli.c) and the engine.
 *
 * An import is a row in member_imports (migration 0007). Upload = store the file (sealed, in
 * pieces) + a dry run: every row parsed, normalised (member_import_map.c) and validated with
 * member_rules, classified new / update / unchanged / bad, nothing written to members. Run =
 * the same pass writing, in batches of MEMBER_IMPORT_BATCH rows, each batch one transaction
 * with its member_import_rows and the progress; a member is found by its ID number's blind
 * index, so a re-import updates instead of duplicating. Undo = back to the previous values
 * while every row still has the version the import left. Decision 0015 says why.
 * Threads: per connection, like every store. */
#ifndef DJ_MEMBER_IMPORT_H
#define DJ_MEMBER_IMPORT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sheet/sheet.h"

struct arena;
struct buf;
struct db;
struct err;
struct job;

#define MEMBER_IMPORT_MAX_BYTES (50u << 20)   /* the upload limit (= the reader's) */
#define MEMBER_IMPORT_BATCH 500               /* rows per transaction of a run */
#define MEMBER_IMPORT_JOB "member.import"
#define MEMBER_IMPORT_PROBLEMS 50             /* problems shown by the dry run's answer */

/* ---- member_import_map.c: columns and cells (pure) ---- */

enum imp_kind { IMP_TEXT, IMP_DATE, IMP_CODE, IMP_ORG, IMP_PDATA };

struct imp_column {
    const char *field;          /* member_record field ("org" for the org code) */
    const char *zh, *en;        /* header texts */
    enum imp_kind kind;
    const char *code_kind;      /* code_tables kind for IMP_CODE */
    bool required;              /* the column must be present */
    const char *example;        /* the template's example row */
};

extern const struct imp_column member_import_columns[];
extern const size_t member_import_ncolumns;

/* The column a header text names (Chinese or English, spaces, full-width, a trailing '*' and a
 * parenthesised hint ignored), or -1. */
int member_import_column_of(const char *header);

/* Code values as a user writes them: the code, its Chinese or English label. */
struct imp_code {
    const char *kind, *code, *label_zh, *label_en;
};
/* The code for text in kind: matched against code, label_zh, label_en (ASCII case ignored);
 * NULL when none matches. */
const char *member_import_code_of(const struct imp_code *codes, size_t n, const char *kind,
                                  const char *text);

/* ---- member_import_store.c ---- */

struct member_import {
    int64_t id, user_id, job_id, default_org_id, size;
    const char *state, *filename, *format, *scope, *actor, *actor_name, *unknown_columns,
        *error;
    int64_t rows_total, n_new, n_update, n_unchanged, n_bad, n_errors;
    int64_t created_at, run_at, finished_at, undone_at;
};

struct member_import_counts {
    int64_t total, n_new, n_update, n_unchanged, n_bad, n_errors;
};

int member_import_create(struct db *db, struct member_import *im, int64_t *id, struct err *e)
    __attribute__((warn_unused_result));
int member_import_get(struct db *db, struct arena *a, int64_t id, struct member_import *out,
                      struct err *e) __attribute__((warn_unused_result));
int member_import_list(struct db *db, struct arena *a, int64_t limit, int64_t offset,
                       struct member_import **out, int64_t *n, int64_t *total, struct err *e)
    __attribute__((warn_unused_result));
int member_import_set_counts(struct db *db, int64_t id, const struct member_import_counts *c,
                             const char *unknown_json, struct err *e)
    __attribute__((warn_unused_result));
/* state and, for "running", run_at; for done/failed/undone the matching time. */
int member_import_set_state(struct db *db, int64_t id, const char *state, int64_t job_id,
                            const char *error, struct err *e) __attribute__((warn_unused_result));
/* The file: sealed pieces in, the whole file out (malloc'd into out). */
int member_import_file_put(struct db *db, int64_t id, const void *data, size_t len, struct err *e)
    __attribute__((warn_unused_result));
int member_import_file_get(struct db *db, int64_t id, struct buf *out, struct err *e)
    __attribute__((warn_unused_result));
int member_import_file_drop(struct db *db, int64_t id, struct err *e)
    __attribute__((warn_unused_result));
int member_import_errors_clear(struct db *db, int64_t id, struct err *e)
    __attribute__((warn_unused_result));
/* Retention of uploads that were checked but never run: those created before `before` lose
 * their stored file and become "expired" (*n of them). Inside the caller's transaction. */
int member_import_expire(struct db *db, int64_t before, int64_t *n, struct err *e)
    __attribute__((warn_unused_result));
/* The same for the configured retention (config import_retention_days, 7 days): called at
 * each upload and at the end of each run, so it costs one indexed statement pair there. */
int member_import_expire_old(struct db *db, struct err *e) __attribute__((warn_unused_result));

/* One problem of the error report; value is the original cell text. */
struct member_import_problem {
    int64_t row;
    const char *column, *rule, *msg, *value;
};
/* Calls fn for each stored problem in order (values opened); stops early when fn returns
 * non-zero. limit 0 = all. */
typedef int (*member_import_problem_fn)(void *ctx, const struct member_import_problem *p);
int member_import_errors_each(struct db *db, int64_t id, int64_t limit,
                              member_import_problem_fn fn, void *ctx, struct err *e)
    __attribute__((warn_unused_result));

/* ---- member_import_run.c: the engine ---- */

struct member_import_pass {
    int64_t import_id;
    const char *scope_json;     /* JSON array of org paths ("" = the whole system) */
    int64_t default_org_id;     /* 0 = an org code on every row */
    bool write;                 /* false: the dry run */
    int64_t job_id;             /* progress of a run; 0 = none */
    int64_t total_hint;         /* rows the dry run counted, for progress */
};

/* Reads the file and checks (and, with write, imports) every row; the problems go to
 * member_import_errors (replacing earlier ones) and the counts to *out. Fails (-1) only on a
 * file that cannot be read as a member sheet (sheet.*, import.missing_columns with the missing
 * ones as fields, import.no_header) or a database error; bad rows are counted, not failures.
 * *unknown_json gets a JSON array of header texts not understood (arena). */
int member_import_pass(struct db *db, struct arena *a, const void *data, size_t len,
                       const struct member_import_pass *p, struct member_import_counts *out,
                       const char **unknown_json, struct err *e)
    __attribute__((warn_unused_result));
/* The real run of import im over the file: state running, the writing pass, then in one
 * transaction counts, file dropped, audit entry, state done; on failure state failed. */
int member_import_execute(struct db *db, struct arena *a, const struct member_import *im,
                          const void *data, size_t len, int64_t job_id,
                          struct member_import_counts *c, struct err *e)
    __attribute__((warn_unused_result));
/* The job kind "member.import" (params {"import_id":N}). */
int member_import_job(struct db *db, struct arena *a, const struct job *job,
                      const char **result_json, struct err *e);
/* Undo: ERR_CONFLICT "import.undo_changed" (*changed: how many rows changed) when any row no
 * longer has the version the import left; "import.undo_linked" (*linked: how many) when a user
 * account or a change request points at a member it inserted; "import.undo_state" unless done
 * or failed. Nothing is deleted then. */
int member_import_undo(struct db *db, struct arena *a, int64_t id, int64_t *changed,
                       int64_t *linked, struct err *e) __attribute__((warn_unused_result));
/* The import's audit entry (member.import / member.import_undo), counts as changes. */
int member_import_audit(struct db *db, const struct member_import *im, const char *action,
                        const struct member_import_counts *c, struct err *e)
    __attribute__((warn_unused_result));

/* ---- member_import_sheets.c: template and error report files ---- */

/* The template (format SHEET_XLSX or SHEET_CSV) in lang, into out. */
int member_import_template(struct db *db, struct arena *a, enum sheet_format format,
                           const char *lang, struct buf *out, struct err *e)
    __attribute__((warn_unused_result));
/* The error report of import id into out (or into the file path when path != NULL). */
int member_import_error_file(struct db *db, struct arena *a, int64_t id, enum sheet_format format,
                             const char *lang, const char *path, struct buf *out, struct err *e)
    __attribute__((warn_unused_result));

void member_import_register(void);
void member_import_msgs_register(void);
/* `dangjian import members FILE [--dry-run] [--org CODE] [--errors FILE]`. */
int member_import_cli_main(int argc, char **argv, const char *db_url);

#endif
