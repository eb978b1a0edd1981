/* member_api_internal.h: what the member handlers share (member_api.c: list, record, reveal;
 * member_export.c: the export; member_filters.c: saved filters). */
#ifndef DJ_MEMBER_API_INTERNAL_H
#define DJ_MEMBER_API_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "features/org/org.h"

struct buf;
struct err;
struct http_req;
struct member;
struct member_query;

/* The personal-data columns a member has: 0 id_number, 1 phone, 2 address. */
enum { MEMBER_PDATA_ID_NUMBER, MEMBER_PDATA_PHONE, MEMBER_PDATA_ADDRESS, MEMBER_PDATA_COUNT };
const char *member_pdata_field(size_t i);                  /* "id_number", ... */
/* The masked form of value i into out (256 bytes); false when there is none or it does not
 * open (logged). */
bool member_pdata_masked(const struct member *m, size_t i, char out[256]);
/* The full value i (caller wipes and frees), or NULL (none, or it does not open: logged). */
char *member_pdata_open(const struct member *m, size_t i);

/* Age in full years on today, -1 without a (valid) birth date. */
int member_age(const char *birth_date, struct date today);

/* Reads the search parameters of req (member_query.h), checks the codes, and resolves the
 * subtree: ?org_id= must lie in the caller's perm scope (else 404), default the caller's scope
 * root. *o is that org when have_org (false for a whole-system scope). */
int member_api_query(struct http_req *req, const char *perm, struct member_query *q,
                     struct org *o, bool *have_org, struct err *e)
    __attribute__((warn_unused_result));

void member_export_csv(struct http_req *req, struct http_res *res);
void member_export_xlsx(struct http_req *req, struct http_res *res);
void member_filters_list(struct http_req *req, struct http_res *res);
void member_filters_create(struct http_req *req, struct http_res *res);
void member_filters_delete(struct http_req *req, struct http_res *res);

#endif
