/* org_store_internal.h: shared between org_store.c (reads) and org_store_write.c (changes). */
#ifndef DJ_ORG_STORE_INTERNAL_H
#define DJ_ORG_STORE_INTERNAL_H
#include "features/org/org.h"

/* Path, type and depth of one org; ERR_NOT_FOUND "org.not_found" when absent. */
int org_store_path_of(struct db *db, struct arena *a, int64_t id, const char **path,
                      enum org_type *type, int *depth, struct err *e);

#endif
