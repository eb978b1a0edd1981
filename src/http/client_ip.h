/* client_ip.h: who the client is, behind trusted reverse proxies.
 *
 * Without trusted proxies the client is the socket's peer. With them (config trusted_proxies:
 * addresses or CIDR ranges, comma-separated, e.g. "127.0.0.1, 10.0.0.0/8, ::1"), a request
 * whose peer is trusted is attributed to the right-most X-Forwarded-For entry that is not
 * itself trusted: each proxy appends the address it received from, so entries to the left of
 * the first untrusted one can be forged by the client and are never believed. A header that
 * does not parse stops the walk at the last good address. Log-in throttling per address and
 * the audit log's "from where" depend on this. Pure. Threads: a list is read-only once parsed. */
#ifndef DJ_CLIENT_IP_H
#define DJ_CLIENT_IP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLIENT_IP_MAX_NETS 32
#define CLIENT_IP_TEXT 46          /* INET6_ADDRSTRLEN */

struct client_ip_net {
    int family;                    /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    int prefix;                    /* bits */
};

struct client_ip_nets {
    struct client_ip_net net[CLIENT_IP_MAX_NETS];
    int n;
};

/* Parses "a, b/len, ..." ("" = none). 0, or -1 for a bad entry or too many. */
int client_ip_parse_nets(const char *text, struct client_ip_nets *out);
bool client_ip_trusted(const struct client_ip_nets *nets, const char *addr);
/* Writes the client's address (text) to out: peer, or from xff (may be NULL) as above. */
void client_ip_resolve(const struct client_ip_nets *nets, const char *peer, const char *xff,
                       char out[CLIENT_IP_TEXT]);

#endif
