/* member_record_json.c: the member record in and out of JSON (member_record.h). Out: the full
 * record as text (core/jsonw.h) with personal data already masked by the caller, and the
 * sub-rows. In: a body merged over a record, so create (over nothing) and PATCH (over the
 * current record) feed the same rules with a whole record. Status fields are not taken here:
 * a status changes only through /status and /restore, which write the history. */
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/jsonw.h"
#include "core/mask.h"
#include "features/member/record/member_record.h"

/* The text fields a body may set, and where each lives in struct member_record. */
#define TEXT_FIELD(name) {#name, offsetof(struct member_record, name)}
static const struct {
    const char *key;
    size_t off;
} TEXT_FIELDS[] = {
    TEXT_FIELD(name), TEXT_FIELD(ethnicity), TEXT_FIELD(education), TEXT_FIELD(category),
    TEXT_FIELD(birth_date), TEXT_FIELD(applied_on), TEXT_FIELD(activist_on),
    TEXT_FIELD(candidate_on), TEXT_FIELD(joined_on), TEXT_FIELD(full_on),
    TEXT_FIELD(full_exception), TEXT_FIELD(job), TEXT_FIELD(title), TEXT_FIELD(work_unit),
    TEXT_FIELD(department), TEXT_FIELD(id_number), TEXT_FIELD(phone), TEXT_FIELD(address),
};

static int merge_one(struct arena *a, const char *key, const json_t *v, struct member_record *r,
                     int64_t *version, struct err *e)
{
    if (strcmp(key, "version") == 0) {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return err_field(e, key, "field.bad_integer");
        *version = json_integer_value(v);
        return 0;
    }
    if (strcmp(key, "org_id") == 0) {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return err_field(e, key, "field.bad_integer");
        r->org_id = json_integer_value(v);
        return 0;
    }
    if (strcmp(key, "gender") == 0) {              /* CODE-01 as 1 or "1" */
        if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 99) {
            char *s = arena_alloc(a, 4);
            snprintf(s, 4, "%d", (int)json_integer_value(v));
            r->gender = s;
        } else if (json_is_string(v) || json_is_null(v)) {
            r->gender = json_is_null(v) ? NULL : json_string_value(v);
        } else {
            return err_field(e, key, "member.rule.code01_gender");
        }
        return 0;
    }
    if (strcmp(key, "status") == 0 || strcmp(key, "status_on") == 0 ||
        strcmp(key, "status_reason") == 0)
        return err_field(e, key, "member.status_via_endpoint");
    for (size_t i = 0; i < sizeof TEXT_FIELDS / sizeof TEXT_FIELDS[0]; i++) {
        if (strcmp(key, TEXT_FIELDS[i].key) != 0)
            continue;
        if (!json_is_string(v) && !json_is_null(v))
            return err_field(e, key, "field.bad_type");
        *(const char **)((char *)r + TEXT_FIELDS[i].off) = json_string_value(v);   /* NULL: clear */
        return 0;
    }
    return err_field(e, key, "field.unknown");
}

int member_record_merge(struct arena *a, const json_t *body, struct member_record *base,
                        int64_t *version, struct err *e)
{
    const char *key;
    json_t *v;
    *version = 0;
    if (!json_is_object(body))
        return err_set(e, ERR_INVALID, "request.body_not_object");
    json_object_foreach((json_t *)body, key, v)
        (void)merge_one(a, key, v, base, version, e);
    return e->code == ERR_OK ? 0 : -1;
}

static bool same(const char *a, const char *b)
{
    return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

static json_t *masked_or_null(const char *s, void (*mask)(const char *, char[MASK_MAX]))
{
    char out[MASK_MAX];
    if (s == NULL || s[0] == '\0')
        return json_null();
    if (mask == NULL)
        return json_string(s);
    mask(s, out);
    return json_string(out);
}

json_t *member_record_diff(const struct member_record *from, const struct member_record *to)
{
    static const struct member_record none = {0};
    const struct {
        const char *key;
        size_t off;
        void (*mask)(const char *, char[MASK_MAX]);
    } F[] = {
        {"name", offsetof(struct member_record, name), NULL},
        {"gender", offsetof(struct member_record, gender), NULL},
        {"status", offsetof(struct member_record, status), NULL},
        {"status_on", offsetof(struct member_record, status_on), NULL},
        {"status_reason", offsetof(struct member_record, status_reason), NULL},
        {"id_number", offsetof(struct member_record, id_number), mask_id_number},
        {"phone", offsetof(struct member_record, phone), mask_phone},
        {"address", offsetof(struct member_record, address), mask_address},
        {"birth_date", offsetof(struct member_record, birth_date), mask_birth_date},
    };
    json_t *d = json_object();
    if (from == NULL)
        from = &none;
    if (from->org_id != to->org_id)
        json_object_set_new(d, "org_id", json_pack("{s:o, s:I}", "from",
                                                   from->org_id > 0 ? json_integer(from->org_id)
                                                                    : json_null(),
                                                   "to", (json_int_t)to->org_id));
    for (size_t i = 0; i < sizeof F / sizeof F[0] + sizeof TEXT_FIELDS / sizeof TEXT_FIELDS[0]; i++) {
        bool first = i < sizeof F / sizeof F[0];
        size_t k = first ? i : i - sizeof F / sizeof F[0];
        const char *key = first ? F[k].key : TEXT_FIELDS[k].key;
        size_t off = first ? F[k].off : TEXT_FIELDS[k].off;
        if (json_object_get(d, key) != NULL)
            continue;                              /* personal data: listed masked above */
        const char *a = *(const char *const *)((const char *)from + off);
        const char *b = *(const char *const *)((const char *)to + off);
        if (same(a, b))
            continue;
        void (*mask)(const char *, char[MASK_MAX]) = first ? F[k].mask : NULL;
        json_object_set_new(d, key, json_pack("{s:o, s:o}", "from", masked_or_null(a, mask),
                                              "to", masked_or_null(b, mask)));
    }
    return d;
}

int member_record_violations(const struct member_violation *v, int n, struct err *e)
{
    for (int i = 0; i < n; i++) {
        bool seen = false;
        for (int k = 0; k < e->nfields; k++)
            seen = seen || strcmp(e->fields[k].name, v[i].field) == 0;
        if (!seen)
            err_field(e, v[i].field, v[i].key);
    }
    return n > 0 ? -1 : 0;
}

static void kv(struct buf *b, const char *key, const char *value)
{
    buf_addc(b, ',');
    jsonw_key(b, key);
    jsonw_str(b, value);
}

static void write_post(struct buf *b, const struct member_post *p)
{
    buf_add_lit(b, "{\"id\":");
    jsonw_i64(b, p->id);
    buf_add_lit(b, ",\"org_id\":");
    jsonw_i64(b, p->org_id);
    kv(b, "post", p->post);
    kv(b, "started_on", p->started_on);
    kv(b, "ended_on", p->ended_on);
    buf_addc(b, '}');
}

static void write_award(struct buf *b, const struct member_award *w)
{
    buf_add_lit(b, "{\"id\":");
    jsonw_i64(b, w->id);
    kv(b, "kind", w->kind);
    kv(b, "code", w->code);
    kv(b, "title", w->title);
    kv(b, "decided_on", w->decided_on);
    kv(b, "decided_by", w->decided_by);
    kv(b, "ends_on", w->ends_on);
    kv(b, "reason", w->reason);
    buf_addc(b, '}');
}

static void write_log(struct buf *b, const struct member_status_entry *l)
{
    buf_add_lit(b, "{\"id\":");
    jsonw_i64(b, l->id);
    kv(b, "from_status", l->from_status);
    kv(b, "to_status", l->to_status);
    kv(b, "on_date", l->on_date);
    kv(b, "reason", l->reason);
    buf_add_lit(b, ",\"user_id\":");
    jsonw_i64_or_null(b, l->user_id);
    buf_add_lit(b, ",\"at\":");
    jsonw_i64(b, l->at);
    buf_addc(b, '}');
}

void member_record_write(struct buf *b, const struct member_full *f, const char *masked[3],
                         const struct member_post *posts, int64_t nposts,
                         const struct member_award *awards, int64_t nawards,
                         const struct member_status_entry *log, int64_t nlog)
{
    const struct member *m = &f->m;
    char born[MASK_MAX];                       /* masked with the ID number (decision 0011) */
    if (m->birth_date != NULL)
        mask_birth_date(m->birth_date, born);
    const char *const pairs[][2] = {
        {"org_name", m->org_name}, {"name", m->name},
        {"birth_date", m->birth_date != NULL ? born : NULL},
        {"category", m->category}, {"status", m->status}, {"ethnicity", f->ethnicity},
        {"education", f->education}, {"applied_on", f->applied_on},
        {"activist_on", f->activist_on}, {"candidate_on", f->candidate_on},
        {"joined_on", m->joined_on}, {"full_on", f->full_on},
        {"full_exception", f->full_exception}, {"job", f->job}, {"title", f->title},
        {"work_unit", f->work_unit}, {"department", f->department},
        {"status_on", f->status_on}, {"status_reason", f->status_reason},
        {"id_number", masked[0]}, {"phone", masked[1]}, {"address", masked[2]},
    };
    buf_add_lit(b, "{\"id\":");
    jsonw_i64(b, m->id);
    buf_add_lit(b, ",\"org_id\":");
    jsonw_i64(b, m->org_id);
    buf_add_lit(b, ",\"gender\":");
    jsonw_i64(b, m->gender);
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        kv(b, pairs[i][0], pairs[i][1]);
    buf_add_lit(b, ",\"archived\":");
    jsonw_bool(b, member_rules_is_archived(m->status));
    buf_add_lit(b, ",\"has_photo\":");
    jsonw_bool(b, f->has_photo);
    buf_add_lit(b, ",\"version\":");
    jsonw_i64(b, f->version);
    if (posts == NULL && awards == NULL && log == NULL) {       /* list rows stop here */
        buf_addc(b, '}');
        return;
    }
    buf_add_lit(b, ",\"posts\":[");
    for (int64_t i = 0; i < nposts; i++) {
        if (i > 0)
            buf_addc(b, ',');
        write_post(b, &posts[i]);
    }
    buf_add_lit(b, "],\"awards\":[");
    for (int64_t i = 0; i < nawards; i++) {
        if (i > 0)
            buf_addc(b, ',');
        write_award(b, &awards[i]);
    }
    buf_add_lit(b, "],\"status_log\":[");
    for (int64_t i = 0; i < nlog; i++) {
        if (i > 0)
            buf_addc(b, ',');
        write_log(b, &log[i]);
    }
    buf_add_lit(b, "]}");
}

json_t *member_post_json(const struct member_post *p)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s?}", "id", (json_int_t)p->id, "org_id",
                     (json_int_t)p->org_id, "post", p->post, "started_on", p->started_on,
                     "ended_on", p->ended_on);
}

json_t *member_award_json(const struct member_award *w)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?}", "id", (json_int_t)w->id,
                     "kind", w->kind, "code", w->code, "title", w->title, "decided_on",
                     w->decided_on, "decided_by", w->decided_by, "ends_on", w->ends_on,
                     "reason", w->reason);
}
