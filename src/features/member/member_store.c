/* member_store.c: one member's record (SQL only); lists are in member_search.c. */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"
#include "features/member/member.h"
#include "features/member/member_store_internal.h"

static const char SQL_ONE[] =
    "SELECT " MEMBER_COLS " FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.id = ?";

void member_read_head(struct db_stmt *st, struct arena *a, struct member *m)
{
    m->id = db_col_i64(st, 0);
    m->org_id = db_col_i64(st, 1);
    m->org_name = db_col_strdup(a, st, 2);
    m->org_path = db_col_strdup(a, st, 3);
    m->name = db_col_strdup(a, st, 4);
    m->gender = (int)db_col_i64(st, 5);
    m->birth_date = db_col_strdup(a, st, 6);
    m->category = db_col_strdup(a, st, 7);
    m->joined_on = db_col_strdup(a, st, 8);
    m->status = db_col_strdup(a, st, 9);
    m->id_number_enc = db_col_strdup(a, st, 10);
    m->phone_enc = db_col_strdup(a, st, 11);
    m->address_enc = db_col_strdup(a, st, 12);
}

void member_read_row(struct db_stmt *st, struct arena *a, struct member *m)
{
    member_read_head(st, a, m);
    m->full_on = db_col_strdup(a, st, 13);
    m->ethnicity = db_col_strdup(a, st, 14);
    m->education = db_col_strdup(a, st, 15);
    m->post = db_col_strdup(a, st, 16);
    m->job = db_col_strdup(a, st, 17);
    m->title = db_col_strdup(a, st, 18);
    m->work_unit = db_col_strdup(a, st, 19);
    m->department = db_col_strdup(a, st, 20);
}

static void read_one(struct db_stmt *st, struct arena *a, void *out)
{
    member_read_row(st, a, out);
}

int member_store_get(struct db *db, struct arena *a, int64_t id, struct member *out,
                     struct err *e)
{
    return db_get_one(db, a, SQL_ONE, &id, 1, read_one, out, "member.not_found", e);
}
