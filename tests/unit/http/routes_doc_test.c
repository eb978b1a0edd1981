/* routes_doc_test.c: docs/openapi/openapi.json documents exactly the registered routes, so a
 * new endpoint cannot ship undocumented and the document cannot promise a missing one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/embed.h"
#include "features/registry.h"
#include "http/http.h"

extern const struct embed_file openapi_files[];
extern const size_t openapi_files_count;

static json_t *load_spec(void)
{
    const struct embed_file *f = embed_find(openapi_files, openapi_files_count, "openapi.json");
    assert_non_null(f);
    json_error_t je;
    json_t *spec = json_loadb((const char *)f->data, f->size, 0, &je);
    assert_non_null(spec);
    return spec;
}

static void lower(const char *in, char *out, size_t cap)
{
    size_t i = 0;
    for (; in[i] != '\0' && i + 1 < cap; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = '\0';
}

static void every_registered_route_is_documented(void **state)
{
    (void)state;
    json_t *spec = load_spec();
    json_t *paths = json_object_get(spec, "paths");
    assert_true(http_routes_total() > 5);
    for (size_t i = 0; i < http_routes_total(); i++) {
        const struct route *r = http_route_at(i);
        assert_int_equal(strncmp(r->pattern, "/api/v1/", 8), 0);
        char method[16];
        lower(r->method, method, sizeof method);
        json_t *op = json_object_get(json_object_get(paths, r->pattern + 7), method);
        if (op == NULL)
            fail_msg("undocumented route: %s %s", r->method, r->pattern);
        /* the permission the server checks is the one the document promises */
        json_t *perm = json_object_get(op, "x-permission");
        if (perm == NULL || (r->perm == NULL) != json_is_null(perm) ||
            (r->perm != NULL && strcmp(r->perm, json_string_value(perm)) != 0))
            fail_msg("x-permission of %s %s should be %s", r->method, r->pattern,
                     r->perm != NULL ? r->perm : "null");
    }
    json_decref(spec);
}

static void every_documented_operation_is_registered(void **state)
{
    (void)state;
    json_t *spec = load_spec();
    const char *path, *method;
    json_t *item, *op;
    json_object_foreach(json_object_get(spec, "paths"), path, item) {
        json_object_foreach(item, method, op) {
            bool found = false;
            for (size_t i = 0; i < http_routes_total() && !found; i++) {
                const struct route *r = http_route_at(i);
                char m[16];
                lower(r->method, m, sizeof m);
                found = strcmp(r->pattern + 7, path) == 0 && strcmp(m, method) == 0;
            }
            if (!found)
                fail_msg("documented but not registered: %s %s", method, path);
        }
    }
    json_decref(spec);
}

int main(void)
{
    features_register_all();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_registered_route_is_documented),
        cmocka_unit_test(every_documented_operation_is_registered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
