/* resp_cache.h: answers of read routes kept in memory, per caller and URL (decision 0018).
 *
 * A route opts in (struct route.cache). The server then looks the answer up after the
 * permission gate and before the handler, keyed by the caller (user and token), the path with
 * its query arguments, the language and the day in Shanghai (ages change at midnight). Only
 * 200 answers without extra headers are kept, with the change number read before the gate
 * (db_change.h): any committed write since, by this or (within two polls) another process,
 * makes every entry stale. Memory is bounded (config response_cache_mb, 0 = off).
 * Threads: any; one lock around the table, bodies are copied in and out. */
#ifndef DJ_RESP_CACHE_H
#define DJ_RESP_CACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sets the budget in bytes (0 turns the cache off) and empties it. Startup only. */
void resp_cache_configure(size_t budget);
bool resp_cache_enabled(void);
/* A hit: *body (malloc'd copy, the caller frees) and its length and content type. */
bool resp_cache_get(const char *key, char **body, size_t *len, const char **content_type);
/* Keeps a copy of body under key if gen is still current and it fits the budget. */
void resp_cache_put(const char *key, uint64_t gen, const char *body, size_t len,
                    const char *content_type);
/* Figures for tests and the log: entries held and bytes used. */
void resp_cache_stats(size_t *entries, size_t *bytes);
/* Frees everything (shutdown). */
void resp_cache_clear(void);

#endif
