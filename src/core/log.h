/* log.h: structured logging, one JSON object per line on stderr.
 * Each line is formatted into a stack buffer and written with a single write(2), so lines from
 * several threads never interleave. Never pass personal data: mask it first.
 * Threads: safe (log_set_level is startup only). */
#ifndef DJ_LOG_H
#define DJ_LOG_H
#include <stdint.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
int log_parse_level(const char *s, enum log_level *out);   /* 0 ok, -1 unknown name */

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define log_debug(m, ...) log_msg(LOG_DEBUG, (m), __VA_ARGS__)
#define log_info(m, ...) log_msg(LOG_INFO, (m), __VA_ARGS__)
#define log_warn(m, ...) log_msg(LOG_WARN, (m), __VA_ARGS__)
#define log_error(m, ...) log_msg(LOG_ERROR, (m), __VA_ARGS__)

/* The access line: {"ts":..,"level":"info","module":"http","req":id,"method":..,"path":..,
 * "status":..,"us":..}. `path` is JSON-escaped here. */
void log_request(const char *req_id, const char *method, const char *path, int status,
                 int64_t micros);

#endif
