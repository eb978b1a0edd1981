/* static.c: serves the web UI (a Vite build) from the copy embedded in the binary, or from a
 * directory given with --dist (development).
 *
 * Hashed files under assets/ are immutable and cached for a year; everything else (index.html)
 * is revalidated on every load so a new deployment shows at once. A path whose last segment has
 * no '.' is a client route (Vue Router history mode) and gets index.html. Paths with "..",
 * backslashes or control bytes are refused with 400 before any lookup, and files from --dist are
 * opened with O_NOFOLLOW below a realpath-checked root, so nothing outside dist is reachable.
 * Threads: safe (read-only tables). */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/embed.h"
#include "core/err.h"
#include "http/http_internal.h"

extern const struct embed_file spa_files[];
extern const size_t spa_files_count;

struct mime {
    const char *ext;
    const char *type;
};

static const struct mime mimes[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".map", "application/json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".ttf", "font/ttf"},
    {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
};

static const char *mime_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot != NULL && (slash == NULL || dot > slash))
        for (size_t i = 0; i < sizeof mimes / sizeof mimes[0]; i++)
            if (strcmp(dot, mimes[i].ext) == 0)
                return mimes[i].type;
    return "application/octet-stream";
}

static bool is_client_route(const char *rel)
{
    const char *last = strrchr(rel, '/');
    last = last ? last + 1 : rel;
    return strchr(last, '.') == NULL;
}

static bool path_is_safe(const char *p)
{
    for (const char *c = p; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || *c == '\\' || *c == 0x7f)
            return false;
    for (const char *c = p; (c = strstr(c, "..")) != NULL; c += 2) {
        bool starts = c == p || c[-1] == '/';
        bool ends = c[2] == '\0' || c[2] == '/';
        if (starts && ends)
            return false;
    }
    return true;
}

static void set_cache(struct http_res *res, const char *rel)
{
    if (strncmp(rel, "assets/", 7) == 0)
        http_set_header(res, "Cache-Control", "public, max-age=31536000, immutable");
    else
        http_set_header(res, "Cache-Control", "no-cache");
    if (strcmp(mime_for(rel), "text/html; charset=utf-8") == 0) {
        http_set_header(res, "X-Frame-Options", "DENY");
        http_set_header(res, "Referrer-Policy", "same-origin");
        http_set_header(res, "Content-Security-Policy",
                        "default-src 'self'; img-src 'self' data: blob:; "
                        "style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
                        "connect-src 'self'; frame-ancestors 'none'");
    }
}

static bool serve_embedded(const char *rel, struct http_res *res)
{
    const struct embed_file *f = embed_find(spa_files, spa_files_count, rel);
    if (f == NULL && is_client_route(rel))
        f = embed_find(spa_files, spa_files_count, rel = "index.html");
    if (f == NULL)
        return false;
    res->status = 200;
    res->content_type = mime_for(rel);
    res->body = (char *)f->data;
    res->body_len = f->size;
    res->body_static = true;
    res->replied = true;
    set_cache(res, rel);
    return true;
}

static int open_below(const char *root, const char *rel, struct arena *a, size_t *size)
{
    char real_root[PATH_MAX];
    if (realpath(root, real_root) == NULL)
        return -1;
    const char *full = arena_printf(a, "%s/%s", real_root, rel);
    int fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    *size = (size_t)st.st_size;
    return fd;
}

static bool serve_dir(const char *dist, const char *rel, struct http_req *req, struct http_res *res)
{
    size_t size = 0;
    int fd = open_below(dist, rel, req->arena, &size);
    if (fd < 0 && is_client_route(rel))
        fd = open_below(dist, rel = "index.html", req->arena, &size);
    if (fd < 0)
        return false;
    res->status = 200;
    res->content_type = mime_for(rel);
    res->fd = fd;
    res->fd_size = size;
    res->replied = true;
    set_cache(res, rel);
    return true;
}

bool static_serve(struct http_req *req, struct http_res *res, const char *dist_dir)
{
    struct err e = ERR_INIT;
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        err_set(&e, ERR_INVALID, "request.method_not_allowed");
        res_error(res, req->lang, &e);
        res->status = 405;
        http_set_header(res, "Allow", "GET, HEAD");
        return true;
    }
    if (!path_is_safe(req->path)) {
        err_set(&e, ERR_INVALID, "request.bad_path");
        res_error(res, req->lang, &e);
        return true;
    }
    const char *rel = req->path[0] == '/' ? req->path + 1 : req->path;
    if (*rel == '\0' || rel[strlen(rel) - 1] == '/')
        rel = "index.html";          /* "/" and client routes such as "/m/" */
    bool ok = dist_dir != NULL && dist_dir[0] != '\0' ? serve_dir(dist_dir, rel, req, res)
                                                     : serve_embedded(rel, res);
    if (ok)
        return true;
    err_set(&e, ERR_NOT_FOUND, "not_found");
    res_error(res, req->lang, &e);
    return true;
}
