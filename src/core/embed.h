/* embed.h: files compiled into the binary by tools/embed.c (the web UI's dist/ and the SQL
 * migrations). Each generated table is sorted by path (bytewise) so lookups can bsearch; every
 * data array carries a trailing NUL that `size` does not count, so text files are C strings.
 * Threads: safe (read-only data). */
#ifndef DJ_EMBED_H
#define DJ_EMBED_H
#include <stddef.h>

struct embed_file {
    const char *path;              /* relative to the embedded dir, '/'-separated, no leading '/' */
    const unsigned char *data;
    size_t size;
};

/* Finds path in a sorted table; NULL if absent. */
const struct embed_file *embed_find(const struct embed_file *files, size_t count, const char *path);

#endif
