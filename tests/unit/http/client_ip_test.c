/* client_ip_test.c: the client's address behind trusted proxies (X-Forwarded-For). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/client_ip.h"

static const char *resolve(const char *trusted, const char *peer, const char *xff)
{
    static char out[CLIENT_IP_TEXT];
    struct client_ip_nets nets;
    assert_int_equal(client_ip_parse_nets(trusted, &nets), 0);
    client_ip_resolve(&nets, peer, xff, out);
    return out;
}

static void without_trusted_proxies_the_header_is_ignored(void **state)
{
    (void)state;
    assert_string_equal(resolve("", "203.0.113.9", "1.2.3.4"), "203.0.113.9");
    assert_string_equal(resolve("", "203.0.113.9", NULL), "203.0.113.9");
}

static void an_untrusted_peer_cannot_speak_for_others(void **state)
{
    (void)state;
    assert_string_equal(resolve("10.0.0.0/8", "203.0.113.9", "1.2.3.4"), "203.0.113.9");
}

static void the_right_most_untrusted_entry_is_the_client(void **state)
{
    (void)state;
    /* the client forged 6.6.6.6; 198.51.100.7 is what our proxy saw */
    assert_string_equal(resolve("10.0.0.0/8", "10.1.2.3", "6.6.6.6, 198.51.100.7"),
                        "198.51.100.7");
    /* two proxies of ours in a row */
    assert_string_equal(resolve("10.0.0.0/8, 127.0.0.1", "127.0.0.1", "198.51.100.7,10.9.9.9"),
                        "198.51.100.7");
    /* everything trusted: the left-most */
    assert_string_equal(resolve("10.0.0.0/8", "10.1.2.3", "10.0.0.5, 10.0.0.6"), "10.0.0.5");
    /* no header from a trusted peer: the peer */
    assert_string_equal(resolve("10.0.0.0/8", "10.1.2.3", NULL), "10.1.2.3");
}

static void garbage_stops_at_the_last_good_address(void **state)
{
    (void)state;
    assert_string_equal(resolve("10.0.0.0/8", "10.1.2.3", "1.2.3.4, not-an-ip"), "10.1.2.3");
    assert_string_equal(resolve("10.0.0.0/8", "10.1.2.3", "x, 10.0.0.7"), "10.0.0.7");
    assert_string_equal(resolve("10.0.0.0/8", "10.1.2.3", ""), "10.1.2.3");
    assert_string_equal(resolve("10.0.0.0/8", "10.1.2.3", " , "), "10.1.2.3");
    char longer[300];
    memset(longer, '1', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    assert_string_equal(resolve("10.0.0.0/8", "10.1.2.3", longer), "10.1.2.3");
}

static void ipv6_and_mapped_addresses(void **state)
{
    (void)state;
    assert_string_equal(resolve("::1, fd00::/8", "::1", "2001:db8::5, fd12::1"), "2001:db8::5");
    /* an IPv4-mapped peer counts as its IPv4 address */
    assert_string_equal(resolve("127.0.0.1", "::ffff:127.0.0.1", "192.0.2.1"), "192.0.2.1");
}

static void bad_lists_are_refused(void **state)
{
    (void)state;
    struct client_ip_nets nets;
    const char *bad[] = {"10.0.0.0/33", "nonsense", "10.0.0.1,", "::1/129", "1.2.3.4/",
                         "1.2.3.4/x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(client_ip_parse_nets(bad[i], &nets), -1);
    assert_int_equal(client_ip_parse_nets("10.0.0.0/8, 192.168.1.0/24 ,::1", &nets), 0);
    assert_int_equal(nets.n, 3);
    assert_true(client_ip_trusted(&nets, "192.168.1.77"));
    assert_false(client_ip_trusted(&nets, "192.168.2.1"));
    assert_true(client_ip_trusted(&nets, "10.255.0.1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(without_trusted_proxies_the_header_is_ignored),
        cmocka_unit_test(an_untrusted_peer_cannot_speak_for_others),
        cmocka_unit_test(the_right_most_untrusted_entry_is_the_client),
        cmocka_unit_test(garbage_stops_at_the_last_good_address),
        cmocka_unit_test(ipv6_and_mapped_addresses),
        cmocka_unit_test(bad_lists_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
