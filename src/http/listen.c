/* listen.c: SO_REUSEPORT listening sockets and the one-server-per-address guard (listen.h). */
#define _DEFAULT_SOURCE /* SO_REUSEPORT */
#include "http/listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/err.h"

static int port_of(const struct sockaddr_storage *ss)
{
    return ss->ss_family == AF_INET6 ? ntohs(((const struct sockaddr_in6 *)ss)->sin6_port)
                                     : ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static void set_port(struct sockaddr_storage *ss, int port)
{
    if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

static int cannot(struct err *e, const char *what, const struct sockaddr_storage *ss, int port)
{
    char host[INET6_ADDRSTRLEN] = "?";
    const void *a = ss->ss_family == AF_INET6
                        ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
                        : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
    if (inet_ntop(ss->ss_family, a, host, sizeof host) == NULL)
        snprintf(host, sizeof host, "?");
    err_set(e, ERR_UNAVAILABLE, "http.cannot_listen");
    err_detail(e, "cannot listen on %s:%d (%s)", host, port, what);
    return -1;
}

static int one_socket(const struct sockaddr_storage *ss, socklen_t len, int backlog, int *fd)
{
    int on = 1;
    *fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (*fd < 0)
        return -1;
    if (setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        setsockopt(*fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0 ||
        (ss->ss_family == AF_INET6 &&
         setsockopt(*fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) ||
        bind(*fd, (const struct sockaddr *)ss, len) != 0 || listen(*fd, backlog) != 0) {
        int saved = errno;
        close(*fd);
        *fd = -1;
        errno = saved;
        return -1;
    }
    return 0;
}

/* The guard: "\0dangjian-http:<family>:<port>" in the abstract namespace; the kernel frees it
 * when the process ends, however it ends. */
static int take_guard(const struct sockaddr_storage *ss, int port, int *fd)
{
    struct sockaddr_un un;
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    int n = snprintf(un.sun_path + 1, sizeof un.sun_path - 1, "dangjian-http:%d:%d",
                     ss->ss_family == AF_INET6 ? 6 : 4, port);
    *fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (*fd < 0)
        return -1;
    if (bind(*fd, (const struct sockaddr *)&un,
             (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n)) != 0) {
        int saved = errno;
        close(*fd);
        *fd = -1;
        errno = saved;
        return -1;
    }
    return 0;
}

void listen_close_all(struct listen_set *ls)
{
    for (int i = 0; i < ls->n; i++)
        if (ls->fds[i] >= 0)
            close(ls->fds[i]);
    ls->n = 0;
    listen_release(ls);
}

void listen_release(struct listen_set *ls)
{
    if (ls->guard >= 0)
        close(ls->guard);
    ls->guard = -1;
}

int listen_open(struct listen_set *ls, const struct sockaddr *addr, socklen_t len, int n,
                int backlog, struct err *e)
{
    struct sockaddr_storage ss;
    memset(ls, 0, sizeof *ls);
    ls->guard = -1;
    if (n < 1 || n > LISTEN_MAX || len > sizeof ss)
        return cannot(e, "bad thread count", (const struct sockaddr_storage *)addr, 0);
    memcpy(&ss, addr, len);
    int port = port_of(&ss);
    /* A fixed port: the guard first, so a second dangjian is refused before it binds. Port 0:
     * the first socket picks the port, then the guard (nobody else can have that port yet). */
    if (port != 0 && take_guard(&ss, port, &ls->guard) != 0)
        return cannot(e, errno == EADDRINUSE ? "another dangjian serve is using it"
                                             : strerror(errno), &ss, port);
    for (int i = 0; i < n; i++) {
        if (one_socket(&ss, len, backlog, &ls->fds[i]) != 0) {
            int saved = errno;
            listen_close_all(ls);
            return cannot(e, saved == EADDRINUSE ? "address in use" : strerror(saved), &ss, port);
        }
        ls->n = i + 1;
        if (port == 0) {
            struct sockaddr_storage got;
            socklen_t gl = sizeof got;
            if (getsockname(ls->fds[0], (struct sockaddr *)&got, &gl) != 0 ||
                take_guard(&ss, port_of(&got), &ls->guard) != 0) {
                int saved = errno;
                listen_close_all(ls);
                return cannot(e, strerror(saved), &ss, 0);
            }
            port = port_of(&got);
            set_port(&ss, port);
        }
    }
    ls->port = port;
    return 0;
}
