/* arena.c: a chain of chunks; allocation bumps a pointer in the newest chunk.
 * A request typically needs a few KiB (parsed query, a page of rows, strings for JSON), so the
 * default chunk of 8 KiB means one malloc per request in the common case. Requests larger than
 * a quarter of the chunk get a dedicated chunk linked behind the current one, so the current
 * chunk's free space is not thrown away. Nothing here is thread-safe: one arena, one thread. */
#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

#define ALIGN 16
#define DEFAULT_CHUNK 8192

struct chunk {
    struct chunk *next;
    size_t size;        /* usable bytes in data[] */
    size_t used;
    _Alignas(ALIGN) unsigned char data[];
};

struct arena {
    struct chunk *head;  /* newest general-purpose chunk; dedicated chunks sit behind it */
    size_t chunk_size;
    size_t total;        /* bytes handed out */
};

static struct chunk *chunk_new(size_t size)
{
    struct chunk *c = xmalloc(sizeof *c + size);
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

struct arena *arena_create(size_t chunk_size)
{
    struct arena *a = xmalloc(sizeof *a);
    a->chunk_size = chunk_size ? chunk_size : DEFAULT_CHUNK;
    a->head = chunk_new(a->chunk_size);
    a->total = 0;
    return a;
}

void arena_destroy(struct arena *a)
{
    if (a == NULL)
        return;
    struct chunk *c = a->head;
    while (c != NULL) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

void arena_reset(struct arena *a)
{
    /* The head is always a general chunk: keep it, free the rest. */
    struct chunk *c = a->head->next;
    while (c != NULL) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head->next = NULL;
    a->head->used = 0;
    a->total = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
    size_t need = (n + (ALIGN - 1)) & ~(size_t)(ALIGN - 1);
    if (need < n)                                   /* overflow */
        need = SIZE_MAX;
    a->total += n;
    if (need > a->chunk_size / 4) {
        /* Dedicated chunk, linked after head so head keeps serving small requests. */
        struct chunk *c = chunk_new(need);
        c->used = need;
        c->next = a->head->next;
        a->head->next = c;
        return c->data;
    }
    if (a->head->size - a->head->used < need) {
        struct chunk *c = chunk_new(a->chunk_size);
        c->next = a->head;
        a->head = c;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += need;
    return p;
}

void *arena_zalloc(struct arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

static char *memdup0(struct arena *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    return s == NULL ? NULL : memdup0(a, s, strnlen(s, n));
}

char *arena_strdup(struct arena *a, const char *s)
{
    return s == NULL ? NULL : memdup0(a, s, strlen(s));
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
    va_list cp;
    char probe[1];                 /* sizing call; a NULL buffer trips -Wformat-truncation */
    if (fmt == NULL)               /* UBSan's null checks otherwise make GCC warn here */
        return arena_strdup(a, "");
    va_copy(cp, ap);
    int n = vsnprintf(probe, sizeof probe, fmt, cp);
    va_end(cp);
    if (n < 0)
        return arena_strdup(a, "");
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

size_t arena_used(const struct arena *a)
{
    return a->total;
}
