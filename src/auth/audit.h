/* audit.h: the audit log store (issue 4): append-only rows in audit_log, chained by
 * audit_chain.h, with Ed25519-signed checkpoints in audit_checkpoints.
 *
 * audit_append() runs inside the caller's transaction when there is one (so the entry commits
 * or rolls back with the change it records), or in its own otherwise. It takes the audit_head
 * row's lock (SQLite: the write lock of BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE),
 * so entries form one line even with several server processes. A checkpoint is signed with the
 * key file's current signing key when 1,000 entries or one hour have passed since the last.
 * `changes` is an object of {"field":{"from":..,"to":..}} or any detail object; it is stored as
 * canonical JSON (sorted keys, compact). Callers mask sensitive values before (core/mask.h).
 * Threads: per connection, like the rest of the store. */
#ifndef DJ_AUDIT_H
#define DJ_AUDIT_H
#include <jansson.h>
#include <stdint.h>

struct db;
struct err;
struct http_req;
struct keys;

struct audit_who {
    const char *actor;       /* "user:12", "token:3", "cli", "system", "anonymous" */
    const char *actor_name;  /* display name or NULL */
    const char *ip;          /* or NULL */
};

/* who for an HTTP request (arena strings). */
struct audit_who audit_who_req(const struct http_req *req);

/* Appends one entry. object like "org:5" or NULL; org_id 0 when none. changes may be NULL
 * (borrowed). Needs keys_get() for checkpoints (no checkpoint is made without keys). */
int audit_append(struct db *db, const struct audit_who *who, const char *action,
                 const char *object, int64_t org_id, const json_t *changes, struct err *e)
    __attribute__((warn_unused_result));

/* The auditor's routes, messages and the "audit.verify" job kind (audit_api.c). Startup only. */
void audit_register(void);
/* `dangjian audit verify|list` (audit_cli.c); returns the exit code. */
int audit_cli_main(int argc, char **argv, const char *db_url);

#endif
