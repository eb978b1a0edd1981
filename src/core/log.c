/* log.c: JSON-lines logger (see log.h). The level is a relaxed atomic so a signal handler or
 * another thread may read it while main sets it at start-up. */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic int g_level = LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void log_set_level(enum log_level level)
{
    atomic_store_explicit(&g_level, (int)level, memory_order_relaxed);
}

enum log_level log_get_level(void)
{
    return (enum log_level)atomic_load_explicit(&g_level, memory_order_relaxed);
}

int log_parse_level(const char *s, enum log_level *out)
{
    for (int i = 0; i <= LOG_OFF; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

/* Appends s to out as the inside of a JSON string; stops at the buffer end. */
static size_t json_escape(char *out, size_t cap, size_t pos, const char *s)
{
    for (; *s != '\0' && pos + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[pos++] = '\\';
            out[pos++] = (char)c;
        } else if (c < 0x20) {
            pos += (size_t)snprintf(out + pos, cap - pos, "\\u%04x", c);
        } else {
            out[pos++] = (char)c;
        }
    }
    return pos;
}

static size_t prefix(char *line, size_t cap, enum log_level level, const char *module)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, cap,
                     "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"level\":\"%s\",\"module\":\"",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000, level_names[level]);
    size_t pos = n > 0 ? (size_t)n : 0;
    pos = json_escape(line, cap, pos, module);
    return pos;
}

static void emit(char *line, size_t pos, size_t cap)
{
    if (pos + 3 > cap)
        pos = cap - 3;
    line[pos++] = '}';
    line[pos++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, pos);
    (void)w;   /* nowhere left to report a failed log write */
}

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
    if ((int)level < atomic_load_explicit(&g_level, memory_order_relaxed))
        return;
    char line[2048];
    char msg[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t pos = prefix(line, sizeof line, level, module);
    pos += (size_t)snprintf(line + pos, sizeof line - pos, "\",\"msg\":\"");
    pos = json_escape(line, sizeof line, pos, msg);
    line[pos++] = '"';
    emit(line, pos, sizeof line);
}

void log_request(const char *req_id, const char *method, const char *path, int status,
                 int64_t micros)
{
    if (LOG_INFO < atomic_load_explicit(&g_level, memory_order_relaxed))
        return;
    char line[1024];
    size_t pos = prefix(line, sizeof line, LOG_INFO, "http");
    pos += (size_t)snprintf(line + pos, sizeof line - pos, "\",\"req\":\"%s\",\"method\":\"",
                            req_id);
    pos = json_escape(line, sizeof line, pos, method);
    pos += (size_t)snprintf(line + pos, sizeof line - pos, "\",\"path\":\"");
    pos = json_escape(line, sizeof line, pos, path);
    if (pos + 64 < sizeof line)
        pos += (size_t)snprintf(line + pos, sizeof line - pos, "\",\"status\":%d,\"us\":%lld",
                                status, (long long)micros);
    emit(line, pos, sizeof line);
}
