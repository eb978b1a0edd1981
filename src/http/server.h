/* server.h: the HTTP server's lifecycle. libmicrohttpd with epoll and a thread pool; each pool
 * thread lazily opens its own DB connection (never shared), all of which are closed after the
 * daemon stops. Stopping is graceful: stop accepting, wait up to shutdown_grace_ms for requests
 * in flight, then close. Threads: start/stop from the main thread only. */
#ifndef DJ_HTTP_SERVER_H
#define DJ_HTTP_SERVER_H

struct config;
struct err;
struct http_server;

int http_server_start(struct http_server **out, const struct config *cfg, struct err *e)
    __attribute__((warn_unused_result));
int http_server_port(const struct http_server *srv);
void http_server_stop(struct http_server *srv);     /* NULL is fine */

#endif
