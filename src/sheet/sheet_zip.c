/* sheet_zip.c: reading zip entries from memory with limits (see sheet_internal.h).
 *
 * minizip reads through an I/O table; ours serves a borrowed byte array, so an upload is never
 * written to disk. Zip bombs are stopped three ways: an entry's declared size over
 * max_entry_bytes, a declared ratio over max_ratio (for entries over 1 MiB), and a count of the
 * bytes actually inflated (per entry and in total). minizip itself never inflates past the
 * declared size (a lying header then fails its CRC), so the counts are a second fence.
 * Encrypted entries and methods other than stored/deflate are sheet.corrupt. */
#include <stdlib.h>
#include <string.h>
#include <unzip.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "sheet/sheet_internal.h"

#define RATIO_FLOOR (1u << 20)      /* entries smaller than this may compress as they like */

struct memfile {
    const unsigned char *data;
    size_t len;
    size_t pos;
};

struct sheet_zip {
    unzFile uf;
    struct memfile mf;
    const struct sheet_limits *lim;
    uint64_t total;                 /* inflated bytes over all entries */
    uint64_t entry;                 /* inflated bytes of the open entry */
    uint64_t entry_compressed;
    bool open;
};

static voidpf ZCALLBACK mem_open(voidpf opaque, const void *name, int mode)
{
    (void)name;
    (void)mode;
    struct memfile *m = opaque;
    m->pos = 0;
    return m;
}

static uLong ZCALLBACK mem_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
    (void)opaque;
    struct memfile *m = stream;
    size_t n = m->len - m->pos < size ? m->len - m->pos : size;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return (uLong)n;
}

static uLong ZCALLBACK mem_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
    (void)opaque;
    (void)stream;
    (void)buf;
    (void)size;
    return 0;
}

static ZPOS64_T ZCALLBACK mem_tell(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((struct memfile *)stream)->pos;
}

static long ZCALLBACK mem_seek(voidpf opaque, voidpf stream, ZPOS64_T off, int origin)
{
    (void)opaque;
    struct memfile *m = stream;
    uint64_t base;
    switch (origin) {
    case ZLIB_FILEFUNC_SEEK_SET: base = 0; break;
    case ZLIB_FILEFUNC_SEEK_CUR: base = m->pos; break;
    case ZLIB_FILEFUNC_SEEK_END: base = m->len; break;
    default: return -1;
    }
    if (off > m->len || base + off > m->len)
        return -1;
    m->pos = (size_t)(base + off);
    return 0;
}

static int ZCALLBACK mem_close(voidpf opaque, voidpf stream)
{
    (void)opaque;
    (void)stream;
    return 0;
}

static int ZCALLBACK mem_error(voidpf opaque, voidpf stream)
{
    (void)opaque;
    (void)stream;
    return 0;
}

int sheet_zip_open(const unsigned char *data, size_t len, const struct sheet_limits *lim,
                   struct sheet_zip **out, struct err *e)
{
    struct sheet_zip *z = xcalloc(1, sizeof *z);
    z->mf = (struct memfile){data, len, 0};
    z->lim = lim;
    zlib_filefunc64_def io = {mem_open, mem_read, mem_write, mem_tell, mem_seek,
                              mem_close, mem_error, &z->mf};
    z->uf = unzOpen2_64("mem", &io);
    if (z->uf == NULL) {
        free(z);
        *out = NULL;
        return err_set(e, ERR_INVALID, "sheet.corrupt");
    }
    *out = z;
    return 0;
}

void sheet_zip_close(struct sheet_zip *z)
{
    if (z == NULL)
        return;
    sheet_zip_entry_close(z);
    unzClose(z->uf);
    free(z);
}

bool sheet_zip_has(struct sheet_zip *z, const char *name)
{
    return unzLocateFile(z->uf, name, 2) == UNZ_OK;
}

int sheet_zip_entry_open(struct sheet_zip *z, const char *name, struct err *e)
{
    sheet_zip_entry_close(z);
    if (unzLocateFile(z->uf, name, 2) != UNZ_OK)
        return err_set(e, ERR_INVALID, "sheet.not_xlsx");
    unz_file_info64 fi;
    if (unzGetCurrentFileInfo64(z->uf, &fi, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
        return err_set(e, ERR_INVALID, "sheet.corrupt");
    if ((fi.flag & 1) != 0 || (fi.compression_method != 0 && fi.compression_method != Z_DEFLATED))
        return err_set(e, ERR_INVALID, "sheet.corrupt");
    if (fi.compressed_size > z->mf.len)
        return err_set(e, ERR_INVALID, "sheet.corrupt");
    if (fi.uncompressed_size > z->lim->max_entry_bytes ||
        (fi.uncompressed_size > RATIO_FLOOR &&
         fi.uncompressed_size / (fi.compressed_size + 1) >= z->lim->max_ratio)) {
        err_set(e, ERR_INVALID, "sheet.zip_bomb");
        err_detail(e, "%s: %llu bytes from %llu", name, (unsigned long long)fi.uncompressed_size,
                   (unsigned long long)fi.compressed_size);
        return -1;
    }
    if (unzOpenCurrentFile(z->uf) != UNZ_OK)
        return err_set(e, ERR_INVALID, "sheet.corrupt");
    z->open = true;
    z->entry = 0;
    z->entry_compressed = fi.compressed_size;
    return 0;
}

long sheet_zip_entry_read(struct sheet_zip *z, void *buf, size_t n, struct err *e)
{
    if (!z->open)
        return err_set(e, ERR_INTERNAL, "sheet.corrupt");
    if (n > (1u << 30))
        n = 1u << 30;
    int k = unzReadCurrentFile(z->uf, buf, (unsigned)n);
    if (k < 0)
        return err_set(e, ERR_INVALID, "sheet.corrupt");
    if (k == 0) {
        int rc = unzCloseCurrentFile(z->uf);        /* UNZ_CRCERROR on a bad checksum */
        z->open = false;
        if (rc != UNZ_OK)
            return err_set(e, ERR_INVALID, "sheet.corrupt");
        return 0;
    }
    z->entry += (uint64_t)k;
    z->total += (uint64_t)k;
    if (z->entry > z->lim->max_entry_bytes || z->total > z->lim->max_total_bytes ||
        (z->entry > RATIO_FLOOR && z->entry / (z->entry_compressed + 1) >= z->lim->max_ratio))
        return err_set(e, ERR_INVALID, "sheet.zip_bomb");
    return k;
}

void sheet_zip_entry_close(struct sheet_zip *z)
{
    if (z->open) {
        (void)unzCloseCurrentFile(z->uf);
        z->open = false;
    }
}
