/* member_import_internal.h: what the import's reading pass (member_import_run.c) and its batch
 * step (member_import_batch.c) share. Not for other files.
 *
 * A pass reads MEMBER_IMPORT_BATCH sheet rows, checking each on its own (cells, rules, org,
 * IMP-04) and keeping the good ones as struct imp_row; then the batch step looks their ID
 * numbers up in one query per 128, classifies them (new, update, unchanged, bad), writes (new
 * members as multi-row INSERTs with ids reserved first, so their fields are sealed with their
 * id before the INSERT) and stores the batch's problems in row order. Round trips per batch,
 * not per row: PostgreSQL pays one per statement. What a batch allocates lives in pass.ra. */
#ifndef DJ_MEMBER_IMPORT_INTERNAL_H
#define DJ_MEMBER_IMPORT_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "crypto/field.h"
#include "db/db_rows.h"
#include "features/member/import/member_import.h"
#include "features/member/record/member_record.h"

struct org_ent {
    const char *code, *path;
    int64_t id;
    bool member_org;                 /* a branch or group */
};

/* A row that passed its own checks, waiting for its batch. */
struct imp_row {
    int64_t rowno;
    struct member_record r;          /* checked, with defaults */
    struct member_record given;      /* as read, before defaults: absent columns keep */
    struct member_check chk;
    const char *cell[64];            /* original text per column index (ra) */
    const char *bidx;                /* ID number's blind index, NULL without one */
    struct member_full f;            /* the member with that ID number, when found */
    bool found;
    const char *done;                /* resumed run: what this import did to it ("" = nothing) */
};

struct imp_problem {
    int64_t row;
    size_t order;                    /* stable sort within a row */
    const char *column, *rule, *msg, *sealed;
};

struct pass {
    struct db *db;
    struct arena *a;                 /* the pass */
    struct arena *ra;                /* the batch: renewed after every batch */
    const struct member_import_pass *p;
    struct member_codes codes;
    struct imp_code *icodes;
    size_t nicodes;
    struct member_rule_config cfg;
    struct date today;
    struct org_ent *orgs;
    size_t norgs;
    const char **scope;
    size_t nscope;
    int colmap[256];                 /* sheet column -> member_import_columns index, -1 */
    const char *headers[256];        /* header text per sheet column */
    bool present[64];                /* by member_import_columns index */
    char **seen;                     /* open-addressing set of ID blind indexes */
    size_t seen_cap, seen_n;
    const struct keys *k;
    struct field_keyring kr;
    int64_t err_seq, batch_rows;
    bool resuming;
    bool stats_ok;                   /* member_record_plan_stats done */
    const struct org_ent *default_org;
    struct member_import_counts c;
    struct imp_row *rows;            /* the batch's good rows (MEMBER_IMPORT_BATCH, pass arena) */
    size_t nrows;
    struct imp_problem *probs;       /* the batch's problems (ra) */
    size_t nprobs, capprobs;
    struct db_rows book, errs;       /* member_import_rows / member_import_errors to insert */
};

/* member_import_run.c */
int imp_problem(struct pass *s, int64_t row, const char *column, const char *rule,
                const char *msg, const char *value, struct err *e)
    __attribute__((warn_unused_result));
const char *imp_header_of(const struct pass *s, int col);
int imp_col_of_field(const char *field);
bool imp_in_scope(const struct pass *s, const char *path);
/* The member rules; on success the record gets the normalised values. Returns violations. */
int imp_check(struct pass *s, struct member_record *r, struct member_check *chk);
int imp_report(struct pass *s, int64_t rowno, const struct imp_row *row, bool bad_org,
               const struct member_check *chk, struct err *e) __attribute__((warn_unused_result));
const char *imp_blind(struct pass *s, const char *column, const char *v);
const char **imp_field_ptr(struct member_record *r, const char *field);

/* member_import_batch.c: classifies and writes s->rows, then stores s->probs. */
int imp_batch_flush(struct pass *s, struct err *e) __attribute__((warn_unused_result));

#endif
