/* router_test.c: path patterns match whole segments, capture {params}, and tell a wrong method
 * (405) from an unknown path (404). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/arena.h"
#include "http/http_internal.h"

static void h(struct http_req *req, struct http_res *res)
{
    (void)req;
    (void)res;
}

static const struct route routes[] = {
    {"GET", "/api/v1/things", h, NULL},
    {"POST", "/api/v1/things", h, NULL},
    {"GET", "/api/v1/things/{id}", h, NULL},
    {"GET", "/api/v1/things/{id}/parts/{part}", h, NULL},
};

static enum route_match try(const char *method, const char *path, struct http_req *req,
                            const struct route **r, const char **allow)
{
    req->method = method;
    req->path = path;
    return router_match(req, r, allow);
}

static void params_are_captured_per_segment(void **state)
{
    (void)state;
    struct arena *a = arena_create(0);
    struct http_req req = {.arena = a};
    const struct route *r = NULL;
    const char *allow = NULL;
    assert_int_equal(try("GET", "/api/v1/things/42/parts/x7", &req, &r, &allow), ROUTE_FOUND);
    assert_ptr_equal(r, &routes[3]);
    assert_string_equal(http_param(&req, "id"), "42");
    assert_string_equal(http_param(&req, "part"), "x7");
    assert_null(http_param(&req, "nope"));
    arena_destroy(a);
}

static void partial_and_empty_segments_do_not_match(void **state)
{
    (void)state;
    struct arena *a = arena_create(0);
    struct http_req req = {.arena = a};
    const struct route *r = NULL;
    const char *allow = NULL;
    assert_int_equal(try("GET", "/api/v1/things/", &req, &r, &allow), ROUTE_NONE);
    assert_int_equal(try("GET", "/api/v1/thingsx", &req, &r, &allow), ROUTE_NONE);
    assert_int_equal(try("GET", "/api/v1/things/1/parts", &req, &r, &allow), ROUTE_NONE);
    assert_int_equal(try("GET", "/api/v1/things/1/extra/2", &req, &r, &allow), ROUTE_NONE);
    assert_int_equal(try("GET", "/api/v1/things//parts/1", &req, &r, &allow), ROUTE_NONE);
    arena_destroy(a);
}

static void a_wrong_method_lists_the_allowed_ones(void **state)
{
    (void)state;
    struct arena *a = arena_create(0);
    struct http_req req = {.arena = a};
    const struct route *r = NULL;
    const char *allow = NULL;
    assert_int_equal(try("DELETE", "/api/v1/things", &req, &r, &allow), ROUTE_METHOD);
    assert_string_equal(allow, "GET, POST");
    assert_int_equal(try("HEAD", "/api/v1/things/5", &req, &r, &allow), ROUTE_FOUND);
    arena_destroy(a);
}

int main(void)
{
    http_routes_register(routes, sizeof routes / sizeof routes[0]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(params_are_captured_per_segment),
        cmocka_unit_test(partial_and_empty_segments_do_not_match),
        cmocka_unit_test(a_wrong_method_lists_the_allowed_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
