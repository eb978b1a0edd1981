/* embed.c: lookup in a tools/embed.c table (sorted by path). */
#include "core/embed.h"

#include <stdlib.h>
#include <string.h>

static int cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const struct embed_file *)elem)->path);
}

const struct embed_file *embed_find(const struct embed_file *files, size_t count, const char *path)
{
    if (files == NULL || count == 0)
        return NULL;
    return bsearch(path, files, count, sizeof *files, cmp);
}
