/* auth_cache.c: who a session cookie or API token belongs to, kept in memory between requests
 * (auth_internal.h). Without it every authenticated request asked the database twice (the
 * session with its user, then the grants): a third of a member page's time on SQLite, two of
 * its four round trips on PostgreSQL.
 *
 * An entry is the principal as the database gave it, with the change number taken before that
 * read (db_change.h): any committed write since (a log-out, a revoked token, a changed role, a
 * disabled user, another process's write) makes every entry stale, so a hit answers exactly what
 * the database would have. The times (idle and absolute time-outs, token expiry) are checked
 * on every hit by the caller. Direct-mapped by the secret's hash; one lock.
 * Threads: any; entries are copied out under the lock. */
#include <pthread.h>
#include <string.h>

#include "auth/auth_internal.h"
#include "core/arena.h"
#include "db/db_change.h"

#define SLOTS 1024

struct slot {
    char hash[AUTH_HASH_HEX];
    uint64_t gen;
    struct auth_cached c;          /* principal points into arena */
    struct arena *arena;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct slot *slot_of(const char *hash)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 16 && hash[i] != '\0'; i++)
        h = (h ^ (unsigned char)hash[i]) * 16777619u;
    return &slots[h % SLOTS];
}

struct auth_principal *auth_principal_copy(struct arena *a, const struct auth_principal *p)
{
    struct auth_principal *q = arena_alloc(a, sizeof *q);
    *q = *p;
    q->username = arena_strdup(a, p->username);
    q->display_name = arena_strdup(a, p->display_name);
    q->csrf = arena_strdup(a, p->csrf);
    q->token_perms = arena_strdup(a, p->token_perms);
    for (int i = 0; i < p->ngrants; i++)
        q->grants[i].org_path = arena_strdup(a, p->grants[i].org_path);
    return q;
}

bool auth_cache_get(const char *hash, struct arena *a, struct auth_cached *out)
{
    if (!db_change_cacheable())
        return false;
    bool hit = false;
    uint64_t gen = db_change_gen();
    pthread_mutex_lock(&lock);
    struct slot *s = slot_of(hash);
    if (s->arena != NULL && s->gen == gen && strcmp(s->hash, hash) == 0) {
        *out = s->c;
        out->principal = auth_principal_copy(a, s->c.principal);
        hit = true;
    }
    pthread_mutex_unlock(&lock);
    return hit;
}

void auth_cache_put(const char *hash, uint64_t gen, const struct auth_cached *c)
{
    if (!db_change_cacheable() || db_change_gen() != gen)
        return;                     /* already stale */
    struct arena *a = arena_create(1024), *old = NULL;
    struct auth_cached copy = *c;
    copy.principal = auth_principal_copy(a, c->principal);
    pthread_mutex_lock(&lock);
    struct slot *s = slot_of(hash);
    old = s->arena;
    memcpy(s->hash, hash, AUTH_HASH_HEX);
    s->gen = gen;
    s->c = copy;
    s->arena = a;
    pthread_mutex_unlock(&lock);
    arena_destroy(old);
}

void auth_cache_clear(void)
{
    for (size_t i = 0; i < SLOTS; i++) {
        pthread_mutex_lock(&lock);
        struct arena *old = slots[i].arena;
        memset(&slots[i], 0, sizeof slots[i]);
        pthread_mutex_unlock(&lock);
        arena_destroy(old);
    }
}
