/* jobs_api.c: GET /api/v1/jobs/{id}, the progress of a long job. */
#include "core/err.h"
#include "core/i18n.h"
#include "http/http.h"
#include "jobs/jobs.h"

/* error: the message in the caller's language (jobs store message keys; a literal message of an
 * internal error comes back as it is). */
static json_t *job_json(const struct job *j, const char *lang)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I}", "id", (json_int_t)j->id, "kind",
                          j->kind, "state", j->state, "done", (json_int_t)j->done, "total",
                          (json_int_t)j->total, "created_at", (json_int_t)j->created_at,
                          "updated_at", (json_int_t)j->updated_at);
    json_object_set_new(o, "error", j->error ? json_string(i18n_text(j->error, lang)) : json_null());
    json_t *result = j->result ? json_loads(j->result, 0, NULL) : NULL;
    json_object_set_new(o, "result", result ? result : json_null());
    json_object_set_new(o, "finished_at",
                        j->finished_at ? json_integer(j->finished_at) : json_null());
    return o;
}

/* GET /api/v1/jobs/{id} */
static void jobs_get(struct http_req *req, struct http_res *res)
{
    struct err e = ERR_INIT;
    struct job j;
    int64_t id;
    json_t *out = NULL;
    if (http_param_id(req, "id", &id, &e) == 0 && jobs_store_get(req->db, req->arena, id, &j, &e) == 0)
        out = job_json(&j, req->lang);
    http_reply(res, 200, out, &e);
    json_decref(out);
}

static const struct route jobs_routes[] = {
    {"GET", "/api/v1/jobs/{id}", jobs_get, "jobs.read"},
};

void jobs_register_routes(void)
{
    http_routes_register(jobs_routes, sizeof jobs_routes / sizeof jobs_routes[0]);
}
