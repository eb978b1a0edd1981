/* org_store_write.c: changes to the organization tree, each in one transaction.
 * Create inserts the row and then sets its path (the id is only known after the insert);
 * move rewrites the paths of the whole subtree with one range UPDATE; dissolve refuses an org
 * that still has children or members (409), so no member is ever left without a branch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/date.h"
#include "core/err.h"
#include "db/db.h"
#include "auth/audit.h"
#include "features/org/org.h"
#include "features/org/org_store_internal.h"

static const char SQL_INSERT[] =
    "INSERT INTO orgs (parent_id, code, name, type, path, depth, is_joint, is_village, "
    "has_committee, committee_size, founded_on, term_start, term_years, sort_order, created_at, "
    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_SET_PATH[] = "UPDATE orgs SET path = ? WHERE id = ?";
static const char SQL_UPDATE[] =
    "UPDATE orgs SET code = ?, name = ?, is_joint = ?, is_village = ?, has_committee = ?, "
    "committee_size = ?, founded_on = ?, term_start = ?, term_years = ?, sort_order = ?, "
    "updated_at = ? WHERE id = ?";
static const char SQL_MOVE_PATHS[] =
    "UPDATE orgs SET path = ? || substr(path, ?), depth = depth + ?, updated_at = ? "
    "WHERE path >= ? AND path < ?";
static const char SQL_SET_PARENT[] = "UPDATE orgs SET parent_id = ? WHERE id = ?";
static const char SQL_COUNT_CHILDREN[] = "SELECT COUNT(*) FROM orgs WHERE parent_id = ?";
static const char SQL_COUNT_MEMBERS[] = "SELECT COUNT(*) FROM members WHERE org_id = ?";
static const char SQL_DELETE[] = "DELETE FROM orgs WHERE id = ?";

static void bind_opt_int(struct db_stmt *st, int i, int v)
{
    if (v != 0)
        db_bind_i64(st, i, v);
    else
        db_bind_null(st, i);
}

/* A unique-code conflict is reported on the field, keeping 409 as the status. */
static int code_conflict(struct err *e)
{
    if (e->code == ERR_CONFLICT) {
        e->nfields = 0;
        err_set(e, ERR_CONFLICT, "org.code_taken");
        err_field(e, "code", "org.code_taken");
    }
    return -1;
}

static int check_parent(struct db *db, struct arena *a, const struct org_input *in,
                        const char **ppath, int *pdepth, struct err *e)
{
    enum org_type ptype = ORG_COMMITTEE;
    *ppath = "/";
    *pdepth = -1;
    if (in->parent_id != 0 &&
        org_store_path_of(db, a, in->parent_id, ppath, &ptype, pdepth, e) != 0) {
        if (e->code == ERR_NOT_FOUND) {
            err_clear(e);
            err_field(e, "parent_id", "org.parent_not_found");
        }
        return -1;
    }
    if (!org_rules_parent_allowed(in->type, in->parent_id != 0, ptype))
        return err_field(e, "type", in->parent_id != 0 ? "org.type_not_allowed_under_parent"
                                                       : "org.top_level_must_be_committee");
    return 0;
}

static int insert_row(struct db *db, const struct org_input *in, const char *tmp_path, int depth,
                      int64_t *id, struct err *e)
{
    struct db_stmt *st = NULL;
    int64_t now = now_unix();
    if (db_prepare(db, &st, SQL_INSERT, e) != 0)
        return -1;
    if (in->parent_id != 0)
        db_bind_i64(st, 1, in->parent_id);
    else
        db_bind_null(st, 1);
    db_bind_text(st, 2, in->code);
    db_bind_text(st, 3, in->name);
    db_bind_text(st, 4, org_type_name(in->type));
    db_bind_text(st, 5, tmp_path);
    db_bind_i64(st, 6, depth);
    db_bind_bool(st, 7, in->is_joint);
    db_bind_bool(st, 8, in->is_village);
    db_bind_bool(st, 9, in->has_committee);
    bind_opt_int(st, 10, in->committee_size);
    db_bind_text(st, 11, in->founded_on);
    db_bind_text(st, 12, in->term_start);
    bind_opt_int(st, 13, in->term_years);
    db_bind_i64(st, 14, in->sort_order);
    db_bind_i64(st, 15, now);
    db_bind_i64(st, 16, now);
    int r = db_step(st, e);
    if (r == DB_ROW)
        *id = db_col_i64(st, 0);
    db_finalize(st);
    return r == DB_ROW ? 0 : code_conflict(e);
}

static int exec_2i(struct db *db, const char *sql, const char *s, int64_t id, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_text(st, 1, s);
    db_bind_i64(st, 2, id);
    int r = db_step(st, e);
    db_finalize(st);
    return r == DB_DONE ? 0 : -1;
}

/* Appends the audit entry of a change, inside its transaction (who NULL: not audited, for
 * fixtures). */
static int audit(struct db *db, const struct audit_who *who, const char *action, int64_t id,
                 json_t *changes, struct err *e)
{
    char object[32];
    snprintf(object, sizeof object, "org:%lld", (long long)id);
    int rc = who == NULL ? 0 : audit_append(db, who, action, object, id, changes, e);
    json_decref(changes);
    return rc;
}

static void diff_str(json_t *d, const char *name, const char *from, const char *to)
{
    if ((from == NULL) != (to == NULL) || (from != NULL && strcmp(from, to) != 0))
        json_object_set_new(d, name, json_pack("{s:s?, s:s?}", "from", from, "to", to));
}

static void diff_int(json_t *d, const char *name, long long from, long long to)
{
    if (from != to)
        json_object_set_new(d, name, json_pack("{s:I, s:I}", "from", (json_int_t)from, "to",
                                               (json_int_t)to));
}

static json_t *org_diff(const struct org *a, const struct org *b)
{
    json_t *d = json_object();
    diff_str(d, "code", a->code, b->code);
    diff_str(d, "name", a->name, b->name);
    diff_int(d, "is_joint", a->is_joint, b->is_joint);
    diff_int(d, "is_village", a->is_village, b->is_village);
    diff_int(d, "has_committee", a->has_committee, b->has_committee);
    diff_int(d, "committee_size", a->committee_size, b->committee_size);
    diff_str(d, "founded_on", a->founded_on, b->founded_on);
    diff_str(d, "term_start", a->term_start, b->term_start);
    diff_int(d, "term_years", a->term_years, b->term_years);
    diff_int(d, "sort_order", a->sort_order, b->sort_order);
    return d;
}

int org_store_create(struct db *db, const struct org_input *in, int64_t *id,
                     const struct audit_who *who, struct err *e)
{
    struct arena *a = arena_create(0);
    const char *ppath;
    int pdepth, rc = -1;
    if (db_begin(db, e) != 0)
        goto done;
    if (check_parent(db, a, in, &ppath, &pdepth, e) != 0 ||
        insert_row(db, in, arena_printf(a, "#new#%s", in->code), pdepth + 1, id, e) != 0 ||
        exec_2i(db, SQL_SET_PATH, arena_printf(a, "%s%lld/", ppath, (long long)*id), *id, e) != 0)
        goto done;
    struct org made;
    if (org_store_get(db, a, *id, &made, e) != 0)
        goto done;
    struct org none = {.code = NULL};
    json_t *d = org_diff(&none, &made);
    json_object_set_new(d, "type", json_string(org_type_name(made.type)));
    json_object_set_new(d, "parent_id", made.parent_id > 0 ? json_integer(made.parent_id) : json_null());
    if (audit(db, who, "org.create", *id, d, e) != 0)
        goto done;
    rc = db_commit(db, e);
done:
    if (rc != 0)
        db_rollback(db);
    arena_destroy(a);
    return rc;
}

static void apply_input(struct org *o, const struct org_input *in)
{
    if (in->has_code)
        o->code = in->code;
    if (in->has_name)
        o->name = in->name;
    if (in->has_joint)
        o->is_joint = in->is_joint;
    if (in->has_village)
        o->is_village = in->is_village;
    if (in->has_committee_flag)
        o->has_committee = in->has_committee;
    if (in->has_committee_size)
        o->committee_size = in->committee_size;
    if (in->has_founded)
        o->founded_on = in->founded_on;
    if (in->has_term_start)
        o->term_start = in->term_start;
    if (in->has_term_years)
        o->term_years = in->term_years;
    if (in->has_sort)
        o->sort_order = in->sort_order;
}

static int write_row(struct db *db, const struct org *o, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_UPDATE, e) != 0)
        return -1;
    db_bind_text(st, 1, o->code);
    db_bind_text(st, 2, o->name);
    db_bind_bool(st, 3, o->is_joint);
    db_bind_bool(st, 4, o->is_village);
    db_bind_bool(st, 5, o->has_committee);
    bind_opt_int(st, 6, o->committee_size);
    db_bind_text(st, 7, o->founded_on);
    db_bind_text(st, 8, o->term_start);
    bind_opt_int(st, 9, o->term_years);
    db_bind_i64(st, 10, o->sort_order);
    db_bind_i64(st, 11, now_unix());
    db_bind_i64(st, 12, o->id);
    int r = db_step(st, e);
    db_finalize(st);
    return r == DB_DONE ? 0 : code_conflict(e);
}

int org_store_update(struct db *db, int64_t id, const struct org_input *in,
                     const struct audit_who *who, struct err *e)
{
    struct arena *a = arena_create(0);
    struct org o;
    int rc = -1;
    if (db_begin(db, e) != 0)
        goto done;
    if (org_store_get(db, a, id, &o, e) != 0)
        goto done;
    struct org before = o;
    apply_input(&o, in);
    if (org_rules_check_committee(o.type, o.committee_size, e) != 0 || write_row(db, &o, e) != 0 ||
        audit(db, who, "org.update", id, org_diff(&before, &o), e) != 0)
        goto done;
    rc = db_commit(db, e);
done:
    if (rc != 0)
        db_rollback(db);
    arena_destroy(a);
    return rc;
}

static int rewrite_paths(struct db *db, struct arena *a, const char *old_path,
                         const char *new_path, int depth_delta, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_MOVE_PATHS, e) != 0)
        return -1;
    db_bind_text(st, 1, new_path);
    db_bind_i64(st, 2, (int64_t)strlen(old_path) + 1);    /* substr is 1-based */
    db_bind_i64(st, 3, depth_delta);
    db_bind_i64(st, 4, now_unix());
    db_bind_text(st, 5, old_path);
    db_bind_text(st, 6, db_prefix_upper(a, old_path));
    int r = db_step(st, e);
    db_finalize(st);
    return r == DB_DONE ? 0 : -1;
}

int org_store_move(struct db *db, int64_t id, int64_t new_parent_id,
                   const struct audit_who *who, struct err *e)
{
    struct arena *a = arena_create(0);
    const char *path, *ppath;
    enum org_type type, ptype;
    int depth, pdepth, rc = -1;
    if (db_begin(db, e) != 0)
        goto done;
    if (org_store_path_of(db, a, id, &path, &type, &depth, e) != 0)
        goto done;
    ppath = "/";                                       /* new_parent_id 0 = top level */
    pdepth = -1;
    ptype = ORG_COMMITTEE;
    if (new_parent_id != 0 &&
        org_store_path_of(db, a, new_parent_id, &ppath, &ptype, &pdepth, e) != 0) {
        err_clear(e);
        err_field(e, "parent_id", "org.parent_not_found");
        goto done;
    }
    if (strncmp(ppath, path, strlen(path)) == 0) {     /* the parent is inside the subtree */
        err_field(e, "parent_id", "org.move_into_own_subtree");
        goto done;
    }
    if (!org_rules_parent_allowed(type, new_parent_id != 0, ptype)) {
        err_field(e, "parent_id", new_parent_id != 0 ? "org.type_not_allowed_under_parent"
                                                     : "org.top_level_must_be_committee");
        goto done;
    }
    if (rewrite_paths(db, a, path, arena_printf(a, "%s%lld/", ppath, (long long)id),
                      pdepth + 1 - depth, e) != 0)
        goto done;
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_SET_PARENT, e) != 0)
        goto done;
    if (new_parent_id != 0)
        db_bind_i64(st, 1, new_parent_id);
    else
        db_bind_null(st, 1);
    db_bind_i64(st, 2, id);
    int r = db_step(st, e);
    db_finalize(st);
    if (r != DB_DONE ||
        audit(db, who, "org.move", id,
              json_pack("{s:{s:s, s:s}}", "path", "from", path, "to",
                        arena_printf(a, "%s%lld/", ppath, (long long)id)), e) != 0)
        goto done;
    rc = db_commit(db, e);
done:
    if (rc != 0)
        db_rollback(db);
    arena_destroy(a);
    return rc;
}

static int count_of(struct db *db, const char *sql, int64_t id, int64_t *n, struct err *e)
{
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, sql, e) != 0)
        return -1;
    db_bind_i64(st, 1, id);
    int r = db_step(st, e);
    *n = r == DB_ROW ? db_col_i64(st, 0) : 0;
    db_finalize(st);
    return r == DB_ROW ? 0 : -1;
}

int org_store_dissolve(struct db *db, int64_t id, const struct audit_who *who, struct err *e)
{
    struct arena *a = arena_create(0);
    const char *path;
    enum org_type type;
    int depth, rc = -1;
    int64_t children = 0, members = 0;
    if (db_begin(db, e) != 0)
        goto done;
    if (org_store_path_of(db, a, id, &path, &type, &depth, e) != 0 ||
        count_of(db, SQL_COUNT_CHILDREN, id, &children, e) != 0 ||
        count_of(db, SQL_COUNT_MEMBERS, id, &members, e) != 0)
        goto done;
    if (children > 0 || members > 0) {
        err_set(e, ERR_CONFLICT, "org.not_empty");
        goto done;
    }
    struct db_stmt *st = NULL;
    if (db_prepare(db, &st, SQL_DELETE, e) != 0)
        goto done;
    db_bind_i64(st, 1, id);
    int r = db_step(st, e);
    db_finalize(st);
    if (r != DB_DONE || audit(db, who, "org.dissolve", id, json_pack("{s:s}", "path", path), e) != 0)
        goto done;
    rc = db_commit(db, e);
done:
    if (rc != 0)
        db_rollback(db);
    arena_destroy(a);
    return rc;
}
