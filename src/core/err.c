/* err.c: filling and naming errors (see err.h). */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, enum err_code code, const char *message)
{
    e->code = code;
    snprintf(e->message, sizeof e->message, "%s", message);
    return -1;
}

int err_setf(struct err *e, enum err_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    e->code = code;
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return -1;
}

int err_field(struct err *e, const char *field, const char *message)
{
    if (e->code == ERR_OK) {
        e->code = ERR_INVALID;
        snprintf(e->message, sizeof e->message, "%s", "validation_failed");
    }
    if (e->nfields < ERR_MAX_FIELDS) {
        struct err_field *f = &e->fields[e->nfields++];
        snprintf(f->name, sizeof f->name, "%s", field);
        snprintf(f->message, sizeof f->message, "%s", message);
    }
    return -1;
}

void err_detail(struct err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    va_end(ap);
}

void err_clear(struct err *e)
{
    memset(e, 0, sizeof *e);
}

const char *err_code_name(enum err_code code)
{
    switch (code) {
    case ERR_OK: return "ok";
    case ERR_INVALID: return "validation_failed";
    case ERR_NOT_FOUND: return "not_found";
    case ERR_CONFLICT: return "conflict";
    case ERR_FORBIDDEN: return "forbidden";
    case ERR_UNAUTHORIZED: return "unauthorized";
    case ERR_TOO_LARGE: return "payload_too_large";
    case ERR_TOO_MANY: return "too_many_requests";
    case ERR_UNAVAILABLE: return "unavailable";
    case ERR_INTERNAL: return "internal";
    }
    return "internal";
}

int err_http_status(enum err_code code)
{
    switch (code) {
    case ERR_OK: return 200;
    case ERR_INVALID: return 400;
    case ERR_NOT_FOUND: return 404;
    case ERR_CONFLICT: return 409;
    case ERR_FORBIDDEN: return 403;
    case ERR_UNAUTHORIZED: return 401;
    case ERR_TOO_LARGE: return 413;
    case ERR_TOO_MANY: return 429;
    case ERR_UNAVAILABLE: return 503;
    case ERR_INTERNAL: return 500;
    }
    return 500;
}
