/* listen.h: the server's listening sockets, one per event thread, all bound to the same address
 * with SO_REUSEPORT so the kernel spreads new connections over the threads (decision 0017).
 * A second `dangjian serve` on the same address would join the group silently and take half the
 * traffic; an abstract Unix socket named after the address makes it fail with "address in use"
 * instead. Threads: start-up and shutdown only. */
#ifndef DJ_HTTP_LISTEN_H
#define DJ_HTTP_LISTEN_H
#include <sys/socket.h>

#define LISTEN_MAX 64

struct listen_set {
    int fds[LISTEN_MAX];
    int n;
    int guard;               /* the abstract Unix socket held while serving; -1 when none */
    int port;                /* the bound port (the one the kernel chose for port 0) */
};

struct err;

/* Opens n (1..LISTEN_MAX) listening sockets on addr (port 0: one the kernel picks, the same for
 * all), backlog each. On failure nothing stays open and e says why (address in use, another
 * dangjian on it, not permitted). */
int listen_open(struct listen_set *ls, const struct sockaddr *addr, socklen_t len, int n,
                int backlog, struct err *e) __attribute__((warn_unused_result));
/* Closes the guard (the listening sockets belong to their daemons once started). */
void listen_release(struct listen_set *ls);
/* Closes every listening socket still open and the guard (a start that failed half-way). */
void listen_close_all(struct listen_set *ls);

#endif
