/* auth_rules.c: what a user name and a display name may be. Pure. */
#include <string.h>

#include "auth/auth_internal.h"
#include "core/utf8.h"

bool auth_username_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 32)
        return false;
    /* a letter or digit first: "--help" or ".x" is a typo or a flag, not a name */
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= '0' && s[0] <= '9')))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    /* all digits would read as a phone number at log-in */
    return strspn(s, "0123456789") != n;
}

bool auth_display_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || !utf8_valid(s, n))
        return false;
    size_t chars = utf8_count(s);
    if (chars > 50)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return s[0] != ' ' && s[n - 1] != ' ';
}
