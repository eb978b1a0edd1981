/* member_store_internal.h: what member_store.c (one record) and member_search.c (lists) share:
 * the columns a struct member is read from, and the reading. */
#ifndef DJ_MEMBER_STORE_INTERNAL_H
#define DJ_MEMBER_STORE_INTERNAL_H

struct arena;
struct db_stmt;
struct member;

/* Needs "members m JOIN orgs o ON o.id = m.org_id". */
#define MEMBER_COLS                                                                           \
    "m.id, m.org_id, o.name, o.path, m.name, m.gender, m.birth_date, m.category, m.joined_on, " \
    "m.status, m.id_number_enc, m.phone_enc, m.address_enc, m.full_on, m.ethnicity, "         \
    "m.education, (SELECT p.post FROM member_posts p WHERE p.member_id = m.id AND "           \
    "p.ended_on IS NULL ORDER BY p.started_on DESC, p.id DESC LIMIT 1), m.job, m.title, "     \
    "m.work_unit, m.department"

void member_read_row(struct db_stmt *st, struct arena *a, struct member *m);
/* Columns 0-12 of MEMBER_COLS (and of the record's columns, which start the same way): id, org,
 * name, gender, birth date, category, joined_on, status and the three sealed values. */
void member_read_head(struct db_stmt *st, struct arena *a, struct member *m);

#endif
