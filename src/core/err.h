/* err.h: the error every fallible function fills (curl CURLcode + git error()).
 * Functions return 0 or -1 and fill a struct err; err_set() always returns -1 so callers can
 * write `return err_set(...)`. `message` and field messages are message KEYS ("org.code_taken"),
 * translated at the edge (src/http/i18n.c, CLI). Only the edges read a struct err.
 * Threads: a struct err belongs to its caller's stack. */
#ifndef DJ_ERR_H
#define DJ_ERR_H

enum err_code {
    ERR_OK = 0,
    ERR_INVALID,        /* 400 validation_failed */
    ERR_NOT_FOUND,      /* 404 not_found */
    ERR_CONFLICT,       /* 409 conflict */
    ERR_FORBIDDEN,      /* 403 forbidden */
    ERR_UNAUTHORIZED,   /* 401 unauthorized */
    ERR_TOO_LARGE,      /* 413 payload_too_large */
    ERR_TOO_MANY,       /* 429 too_many_requests (log-in throttling) */
    ERR_UNAVAILABLE,    /* 503 unavailable (DB down, shutting down) */
    ERR_INTERNAL,       /* 500 internal */
};

#define ERR_MAX_FIELDS 8

struct err_field {
    char name[48];
    char message[128];  /* message key */
};

struct err {
    enum err_code code;
    char message[128];  /* message key, or a literal message for internal errors */
    char detail[256];   /* developer detail (driver message); logged, never sent to clients */
    struct err_field fields[ERR_MAX_FIELDS];
    int nfields;
};

#define ERR_INIT {0}

int err_set(struct err *e, enum err_code code, const char *message);
int err_setf(struct err *e, enum err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds a field error and sets code ERR_INVALID / message "validation_failed" if not set yet.
 * Returns -1. Extra fields beyond ERR_MAX_FIELDS are dropped silently. */
int err_field(struct err *e, const char *field, const char *message);
void err_detail(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(struct err *e);
const char *err_code_name(enum err_code code);   /* "validation_failed", "not_found", ... */
int err_http_status(enum err_code code);

#endif
