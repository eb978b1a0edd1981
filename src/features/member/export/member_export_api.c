/* member_export_api.c: GET /api/v1/members/export.csv|.xlsx?<the list's filters>&reveal=1:
 * every member the search finds (not a page) as CSV or xlsx, scoped and audited (issue 5 §5).
 * The xlsx is written to a private temporary file (libxlsxwriter writes files), read back into
 * the reply and removed. ID number and
 * phone are masked unless the caller holds member.reveal over the subtree and asks reveal=1.
 * Each export writes one audit entry: who, the filter, the row count, masked or revealed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/audit.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/err.h"
#include "features/member/member_api_internal.h"
#include "features/member/export/member_export.h"
#include "features/member/search/member_query.h"
#include "http/http.h"
#include "sheet/sheet_write.h"

#define EXPORT_LIMIT ((size_t)512 << 20)

/* The filter as the caller gave it (the parameters a search reads), for the audit entry. */
static json_t *filter_json(const struct http_req *req)
{
    json_t *f = json_object();
    for (size_t i = 0; member_query_params[i] != NULL; i++) {
        const char *v = http_query(req, member_query_params[i]);
        if (v != NULL && v[0] != '\0')
            json_object_set_new(f, member_query_params[i], json_string(v));
    }
    return f;
}

/* Runs the export through the writer for the format; the xlsx file is read into out. */
static int write_rows(struct http_req *req, const struct member_query *q, bool xlsx, bool reveal,
                      struct buf *out, int64_t *rows, struct err *e)
{
    bool en = strncmp(req->lang, "en", 2) == 0;
    if (!xlsx) {
        struct member_sheet_writer w = member_csv_writer(out);
        return member_export_run(req->db, q, en, reveal, &w, rows, e);
    }
    const char *dir = getenv("TMPDIR");
    char *path = arena_printf(req->arena, "%s/dj-export-XXXXXX",
                              dir != NULL && dir[0] != '\0' ? dir : "/tmp");
    int fd = mkstemp(path);                     /* 0600, a name nobody else can take */
    if (fd < 0)
        return err_set(e, ERR_INTERNAL, "sheet.cannot_write");
    close(fd);
    struct member_sheet_writer w = member_xlsx_writer(path, en);
    int rc = member_export_run(req->db, q, en, reveal, &w, rows, e);
    if (member_xlsx_writer_finish(&w, rc == 0, e) != 0 ||
        (rc == 0 && sheet_file_read(path, out, e) != 0))
        rc = -1;
    unlink(path);
    return rc;
}

static void export_as(struct http_req *req, struct http_res *res, bool xlsx)
{
    struct err e = ERR_INIT;
    struct member_query q;
    struct org o;
    bool have_org = false, reveal = false;
    int64_t rows = 0;
    struct buf out = BUF_INIT(EXPORT_LIMIT);
    const char *rv = http_query(req, "reveal");
    if (rv != NULL && rv[0] != '\0') {
        if (strcmp(rv, "1") == 0 || strcmp(rv, "true") == 0)
            reveal = true;
        else if (strcmp(rv, "0") != 0 && strcmp(rv, "false") != 0)
            err_field(&e, "reveal", "field.bad_type");
    }
    if (e.code == ERR_OK && member_api_query(req, "member.export", &q, &o, &have_org, &e) == 0 &&
        reveal && !auth_in_scope(req, "member.reveal", have_org ? o.path : "/"))
        err_set(&e, ERR_FORBIDDEN, "member.reveal_denied");
    if (e.code == ERR_OK && write_rows(req, &q, xlsx, reveal, &out, &rows, &e) == 0) {
        struct audit_who who = audit_who_req(req);
        json_t *detail = json_pack("{s:o, s:I, s:s, s:s}", "filter", filter_json(req), "rows",
                                   (json_int_t)rows, "values", reveal ? "revealed" : "masked",
                                   "format", xlsx ? "xlsx" : "csv");
        if (audit_append(req->db, &who, reveal ? "member.export_revealed" : "member.export",
                         have_org ? arena_printf(req->arena, "org:%lld", (long long)o.id) : NULL,
                         have_org ? o.id : 0, detail, &e) != 0 && e.code == ERR_OK)
            err_set(&e, ERR_INTERNAL, "internal");
        json_decref(detail);
    }
    if (e.code != ERR_OK) {
        buf_fini(&out);
        http_reply_error(res, &e);
        return;
    }
    char day[11];
    date_format(date_today_shanghai(time(NULL)), day);
    http_set_header(res, "Content-Disposition",
                    arena_printf(req->arena, "attachment; filename=\"members-%s-%s.%s\"",
                                 have_org ? o.code : "all", day, xlsx ? "xlsx" : "csv"));
    http_reply_text_buf(res, 200,
                        xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                             : "text/csv; charset=utf-8",
                        &out);
    buf_fini(&out);
}

void member_export_csv(struct http_req *req, struct http_res *res)
{
    export_as(req, res, false);
}

void member_export_xlsx(struct http_req *req, struct http_res *res)
{
    export_as(req, res, true);
}
