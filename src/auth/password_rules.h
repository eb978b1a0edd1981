/* password_rules.h: what a password must be (issue 4): at least 10 characters (code points),
 * not the user name or phone number (ignoring case and spaces), and not one of the most common
 * passwords. Pure: no I/O. Threads: safe. */
#ifndef DJ_PASSWORD_RULES_H
#define DJ_PASSWORD_RULES_H

struct err;

#define PASSWORD_MIN_CHARS 10

/* 0 when acceptable; otherwise -1 with a field error on "password" (message key
 * password.too_short | password.is_username | password.is_phone | password.too_common |
 * password.bad_utf8). username and phone may be NULL. */
int password_rules_check(const char *pw, const char *username, const char *phone, struct err *e);

#endif
