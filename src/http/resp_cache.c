/* resp_cache.c: the answer cache (resp_cache.h). Direct-mapped by a hash of the key: a new
 * answer takes its slot's place. Before an answer would pass the budget, stale entries (an
 * older change number) are freed; if it still does not fit it is not kept. */
#include "http/resp_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "db/db_change.h"

#define SLOTS 4096

struct entry {
    uint64_t hash;
    uint64_t gen;
    char *key;                     /* NULL: empty slot */
    char *body;
    size_t len;
    const char *content_type;      /* static string */
};

static struct entry table[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static size_t budget, used, held;

static uint64_t hash_of(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static size_t cost(const struct entry *en)
{
    return en->len + strlen(en->key) + 1;
}

/* Under the lock. */
static void drop(struct entry *en)
{
    if (en->key == NULL)
        return;
    used -= cost(en);
    held--;
    free(en->key);
    free(en->body);
    memset(en, 0, sizeof *en);
}

void resp_cache_clear(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < SLOTS; i++)
        drop(&table[i]);
    pthread_mutex_unlock(&lock);
}

void resp_cache_configure(size_t bytes)
{
    resp_cache_clear();
    pthread_mutex_lock(&lock);
    budget = bytes;
    pthread_mutex_unlock(&lock);
}

bool resp_cache_enabled(void)
{
    return budget > 0 && db_change_cacheable();
}

bool resp_cache_get(const char *key, char **body, size_t *len, const char **content_type)
{
    if (!resp_cache_enabled())
        return false;
    uint64_t h = hash_of(key), gen = db_change_gen();
    bool hit = false;
    pthread_mutex_lock(&lock);
    struct entry *en = &table[h % SLOTS];
    if (en->key != NULL && en->gen != gen)
        drop(en);
    else if (en->key != NULL && en->hash == h && strcmp(en->key, key) == 0) {
        *body = xmalloc(en->len + 1);
        memcpy(*body, en->body, en->len + 1);
        *len = en->len;
        *content_type = en->content_type;
        hit = true;
    }
    pthread_mutex_unlock(&lock);
    return hit;
}

void resp_cache_put(const char *key, uint64_t gen, const char *body, size_t len,
                    const char *content_type)
{
    if (!resp_cache_enabled() || db_change_gen() != gen)
        return;
    size_t klen = strlen(key);
    if (len + klen + 1 > budget / 4)      /* one answer never takes most of the budget */
        return;
    struct entry en = {.hash = hash_of(key), .gen = gen, .len = len,
                       .content_type = content_type};
    en.key = xmalloc(klen + 1);
    memcpy(en.key, key, klen + 1);
    en.body = xmalloc(len + 1);
    memcpy(en.body, body, len);
    en.body[len] = '\0';
    pthread_mutex_lock(&lock);
    struct entry *slot = &table[en.hash % SLOTS];
    drop(slot);
    if (used + cost(&en) > budget)
        for (size_t i = 0; i < SLOTS; i++)
            if (table[i].key != NULL && table[i].gen != db_change_gen())
                drop(&table[i]);
    bool fits = used + cost(&en) <= budget && db_change_gen() == gen;
    if (fits) {
        *slot = en;
        used += cost(&en);
        held++;
    }
    pthread_mutex_unlock(&lock);
    if (!fits) {
        free(en.key);
        free(en.body);
    }
}

void resp_cache_stats(size_t *entries, size_t *bytes)
{
    pthread_mutex_lock(&lock);
    *entries = held;
    *bytes = used;
    pthread_mutex_unlock(&lock);
}
