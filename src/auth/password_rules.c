/* password_rules.c: the password policy (see password_rules.h). The common-password list is
 * short on purpose (issue 4: "a short built-in list"): the top of public breach lists that are
 * at least 10 characters long, plus Chinese-keyboard favourites; shorter ones fail on length. */
#include "auth/password_rules.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"

static const char *const common[] = {
    "1234567890", "0123456789", "12345678910", "123456789a", "1234567890a", "qwertyuiop",
    "1qaz2wsx3edc", "1q2w3e4r5t", "1q2w3e4r5t6y", "password123", "password1234", "password12",
    "passw0rd123", "iloveyou123", "qwerty1234", "qwerty12345", "qwe123qwe123", "abc1234567",
    "abcd123456", "abcdefghij", "a123456789", "aa12345678", "1111111111", "0000000000",
    "8888888888", "6666666666", "5201314520", "1314520520", "woaini1314", "woaini520",
    "wodemima123", "zxcvbnm123", "asdfghjkl1", "qazwsxedc123", "admin12345", "administrator",
    "admin123456", "root123456", "welcome123", "letmein123", "changeme123", "p@ssw0rd123",
    "p@ssword123", "zaq12wsxcde", "dangjian123", "dangyuan123", "gongchandang",
};

/* Compares ignoring ASCII case and spaces (so "Zhang San" == "zhangsan"). */
static bool same_loose(const char *a, const char *b)
{
    for (;;) {
        while (*a == ' ')
            a++;
        while (*b == ' ')
            b++;
        if (*a == '\0' || *b == '\0')
            return *a == *b;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        a++;
        b++;
    }
}

int password_rules_check(const char *pw, const char *username, const char *phone, struct err *e)
{
    if (!utf8_valid(pw, strlen(pw)))
        return err_field(e, "password", "password.bad_utf8");
    if (utf8_count(pw) < PASSWORD_MIN_CHARS)
        return err_field(e, "password", "password.too_short");
    if (username != NULL && username[0] != '\0' && same_loose(pw, username))
        return err_field(e, "password", "password.is_username");
    if (phone != NULL && phone[0] != '\0' && same_loose(pw, phone))
        return err_field(e, "password", "password.is_phone");
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (same_loose(pw, common[i]))
            return err_field(e, "password", "password.too_common");
    return 0;
}
