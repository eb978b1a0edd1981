/* sheet_rowbuf.c: the row being built (see sheet_internal.h). One growing byte buffer holds
 * every cell's text; cells refer to it by offset until the row is handed out. */
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "sheet/sheet_internal.h"
#include "sheet/sheet_norm.h"

void rowbuf_init(struct sheet_rowbuf *rb)
{
    memset(rb, 0, sizeof *rb);
    rb->cap = 4096;
    rb->text = xmalloc(rb->cap);
    rb->text[0] = '\0';
    rb->len = 1;
}

void rowbuf_fini(struct sheet_rowbuf *rb)
{
    free(rb->text);
    free(rb->slots);
    free(rb->cells);
    memset(rb, 0, sizeof *rb);
}

void rowbuf_reset(struct sheet_rowbuf *rb)
{
    rb->len = 1;
    rb->nslots = 0;
}

size_t rowbuf_add(struct sheet_rowbuf *rb, const char *s, size_t n)
{
    if (rb->cap - rb->len < n + 1) {
        size_t cap = rb->cap * 2;
        while (cap - rb->len < n + 1)
            cap *= 2;
        rb->text = xrealloc(rb->text, cap);
        rb->cap = cap;
    }
    size_t off = rb->len;
    memcpy(rb->text + off, s, n);
    rb->text[off + n] = '\0';
    rb->len += n + 1;
    return off;
}

void rowbuf_set(struct sheet_rowbuf *rb, uint32_t col, size_t value, size_t raw, unsigned flags)
{
    if (col >= rb->slots_cap) {
        uint32_t cap = rb->slots_cap ? rb->slots_cap : 32;
        while (cap <= col)
            cap *= 2;
        rb->slots = xrealloc(rb->slots, cap * sizeof *rb->slots);
        rb->slots_cap = cap;
    }
    while (rb->nslots <= col)
        rb->slots[rb->nslots++] = (struct sheet_slot){0, 0, 0};
    rb->slots[col] = (struct sheet_slot){value, raw, flags};
}

void rowbuf_set_text(struct sheet_rowbuf *rb, uint32_t col, const char *raw, size_t n,
                     unsigned flags)
{
    size_t r = rowbuf_add(rb, raw, n);
    size_t v = rowbuf_add(rb, raw, n);
    sheet_norm_trim(rb->text + v);
    rowbuf_set(rb, col, v, r, flags);
}

bool rowbuf_is_blank(const struct sheet_rowbuf *rb)
{
    for (uint32_t i = 0; i < rb->nslots; i++)
        if (rb->text[rb->slots[i].value] != '\0')
            return false;
    return true;
}

void rowbuf_emit(struct sheet_rowbuf *rb, uint32_t number, struct sheet_row *row)
{
    if (rb->nslots > rb->cells_cap) {
        rb->cells_cap = rb->slots_cap;
        rb->cells = xrealloc(rb->cells, rb->cells_cap * sizeof *rb->cells);
    }
    for (uint32_t i = 0; i < rb->nslots; i++) {
        rb->cells[i].value = rb->text + rb->slots[i].value;
        rb->cells[i].raw = rb->text + rb->slots[i].raw;
        rb->cells[i].flags = rb->slots[i].flags;
    }
    row->number = number;
    row->ncells = rb->nslots;
    row->cells = rb->cells;
}

bool sheet_too_long(const char *s, size_t len, uint32_t max_chars)
{
    if (len <= max_chars)
        return false;
    size_t chars = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            chars++;
    return chars > max_chars;
}
