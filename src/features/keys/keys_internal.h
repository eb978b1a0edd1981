/* keys_internal.h: the table of encrypted columns, shared by the files of the keys feature
 * (keys_rotate.c, keys_status.c). Not for other features: they read keys_rotate.h. */
#ifndef DJ_KEYS_INTERNAL_H
#define DJ_KEYS_INTERNAL_H
#include <stddef.h>

#define KEYS_MAX_COLS 4
#define KEYS_UPDATE_ROWS 64              /* rows per multi-row UPDATE */

/* One table with encrypted columns. Every SQL text lists the columns in the order of `ad`; the
 * selects return id first. Placeholders: see keys_rotate.c. */
struct keys_table {
    const char *name;
    const char *ad[KEYS_MAX_COLS];   /* associated-data names: "members.id_number" */
    int ncols;
    /* The first nblind columns also have a blind index (pdata.h column names: "id_number",
     * "phone"), made again under the current blind key whenever their value is sealed again. */
    const char *blind[KEYS_MAX_COLS];
    int nblind;
    const char *sql_pending;         /* COUNT(*) of rows with a value NOT LIKE ? (per column) */
    const char *sql_select_pending;  /* id > ?, NOT LIKE ? per column, LIMIT ? */
    const char *sql_select_all;      /* id > ?, LIMIT ? */
    const char *sql_update;          /* SET cols = ?.., indexes = COALESCE(?, index).. WHERE
                                        id = ? AND COALESCE(col,'') = ?.. */
    const char *sql_update_many;     /* the same for KEYS_UPDATE_ROWS rows:
                                        (id, new.., old.., index..) */
    const char *sql_count;           /* COUNT(col) per column */
    const char *sql_count_like;      /* SUM(CASE WHEN col LIKE ? ..) per column */
};

extern const struct keys_table KEYS_TABLES[];
extern const size_t KEYS_NTABLES;

/* "v1:<id>:%": the LIKE pattern of values sealed with key id. */
void keys_like_pattern(unsigned id, char out[32]);

#endif
