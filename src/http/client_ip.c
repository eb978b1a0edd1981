/* client_ip.c: the client's address behind trusted proxies (see client_ip.h). */
#include "http/client_ip.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* An address in text (IPv4, IPv6, or IPv4-mapped IPv6 taken as IPv4). */
static bool parse_addr(const char *s, int *family, uint8_t addr[16])
{
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, s, addr) == 1) {
        *family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s, addr) != 1)
        return false;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(addr, mapped, 12) == 0) {
        memmove(addr, addr + 12, 4);
        memset(addr + 4, 0, 12);
        *family = AF_INET;
    } else {
        *family = AF_INET6;
    }
    return true;
}

/* Copies the trimmed token s[0..n) to out (cap bytes); false when it does not fit. */
static bool token(const char *s, size_t n, char *out, size_t cap)
{
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= cap)
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

int client_ip_parse_nets(const char *text, struct client_ip_nets *out)
{
    out->n = 0;
    const char *p = text[strspn(text, " \t")] == '\0' ? NULL : text;   /* blank: none */
    while (p != NULL) {                 /* every piece must be an address: "a,,b" or "a," is not */
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        char t[64];
        if (!token(p, n, t, sizeof t) || out->n == CLIENT_IP_MAX_NETS)
            return -1;
        struct client_ip_net *net = &out->net[out->n];
        char *slash = strchr(t, '/');
        if (slash != NULL)
            *slash = '\0';
        if (!parse_addr(t, &net->family, net->addr))
            return -1;
        int max = net->family == AF_INET ? 32 : 128;
        net->prefix = max;
        if (slash != NULL) {
            char *end;
            long v = strtol(slash + 1, &end, 10);
            if (slash[1] == '\0' || *end != '\0' || v < 0 || v > max)
                return -1;
            net->prefix = (int)v;
        }
        out->n++;
        p = comma != NULL ? comma + 1 : NULL;
    }
    return 0;
}

static bool in_net(const struct client_ip_net *net, int family, const uint8_t addr[16])
{
    if (net->family != family)
        return false;
    int full = net->prefix / 8, rest = net->prefix % 8;
    if (memcmp(net->addr, addr, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xFF << (8 - rest));
    return (net->addr[full] & mask) == (addr[full] & mask);
}

bool client_ip_trusted(const struct client_ip_nets *nets, const char *addr)
{
    int family;
    uint8_t a[16];
    if (nets->n == 0 || !parse_addr(addr, &family, a))
        return false;
    for (int i = 0; i < nets->n; i++)
        if (in_net(&nets->net[i], family, a))
            return true;
    return false;
}

void client_ip_resolve(const struct client_ip_nets *nets, const char *peer, const char *xff,
                       char out[CLIENT_IP_TEXT])
{
    snprintf(out, CLIENT_IP_TEXT, "%s", peer);
    if (xff == NULL || !client_ip_trusted(nets, peer))
        return;
    /* Right to left: every hop still trusted passes the question on to the entry before it. */
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        char t[CLIENT_IP_TEXT];
        int family;
        uint8_t a[16];
        if (!token(xff + start, end - start, t, sizeof t) || !parse_addr(t, &family, a))
            return;                 /* garbage: keep the last address we could vouch for */
        snprintf(out, CLIENT_IP_TEXT, "%s", t);
        if (!client_ip_trusted(nets, t))
            return;
        end = start > 0 ? start - 1 : 0;
    }
}
