/* member_idcard.h: the 公民身份号码 (citizen ID number, GB 11643-1999) as the domain rules read
 * it (domain-rules.md ID-01..ID-06): structure, the ISO 7064 MOD 11-2 check character, the birth
 * date (it must exist and not lie in the future), the gender from the 17th digit, the upgrade of
 * 15-digit legacy numbers to 18 digits, and the comparison with a member's recorded birth date
 * and gender. Address codes are deliberately not checked against GB/T 2260 (codes change; old
 * ones stay valid on issued cards).
 *
 * Pure: no I/O, no allocation, no globals; "today" is a parameter. `dangjian idcard check`, member
 * imports and the demo generator build on it. Messages are keys ("idcard.check"), translated at
 * the edges. Threads: safe. */
#ifndef DJ_MEMBER_IDCARD_H
#define DJ_MEMBER_IDCARD_H
#include <stdbool.h>

#include "core/date.h"

enum member_idcard_result {
    IDCARD_OK = 0,
    IDCARD_LENGTH,          /* ID-01: not 18 (or 15, ID-05) characters after normalisation */
    IDCARD_CHARS,           /* ID-01: a character other than digits (and a final X on 18) */
    IDCARD_DATE,            /* ID-03: the birth date does not exist */
    IDCARD_FUTURE,          /* ID-03: born after today */
    IDCARD_CHECK,           /* ID-02: wrong check character (the right one is in .expected) */
    IDCARD_BIRTH_MISMATCH,  /* ID-03: differs from the member's recorded birth date */
    IDCARD_GENDER_MISMATCH, /* ID-04: differs from the member's recorded gender */
};

struct member_idcard {
    char number[19];        /* the 18-character form; upgraded from 15 digits when needed */
    char original[19];      /* the input after normalisation: 15 or 18 characters */
    bool upgraded;          /* ID-05: number was computed from a 15-digit original */
    char region[7];         /* ID-01: 6-digit address code */
    struct date birth;      /* ID-03 */
    int gender;             /* ID-04 as CODE-01: 1 male (17th digit odd), 2 female (even) */
    char expected;          /* ID-02: the correct check character of the 17 digits */
};

/* ID-02: the check character ('0'..'9' or 'X') of 17 ASCII digits. */
char member_idcard_check_char(const char digits17[17]);

/* Normalises (spaces dropped, full-width digits and a lower-case x accepted: crypto/pdata.h),
 * then checks in = an 18-character number, or a 15-digit legacy number which is upgraded
 * (ID-05). Returns IDCARD_OK, or the first rule broken in the order length, characters, date,
 * future, check. *out is zeroed first and filled as far as the number could be read (on
 * IDCARD_CHECK everything is filled, with .expected telling the right character). */
enum member_idcard_result member_idcard_parse(const char *in, struct date today,
                                              struct member_idcard *out);

/* ID-03, ID-04: a valid card against a member's record. gender is CODE-01; 0 (unknown) and 9
 * (not stated) never conflict. Returns IDCARD_OK, IDCARD_BIRTH_MISMATCH or
 * IDCARD_GENDER_MISMATCH. */
enum member_idcard_result member_idcard_matches(const struct member_idcard *c, struct date birth,
                                                int gender);

/* Builds a valid 18-character number from its parts: region (6 digits, as a number 100000..
 * 999999), birth date (years 1000..9999), sequence 0..999 (its last digit gives the gender,
 * ID-04). out gets 18 characters and a NUL. Used by the demo generator and tests. */
void member_idcard_make(int region, struct date birth, int sequence, char out[19]);

/* The message key of a result ("idcard.ok", "idcard.length", ..., "idcard.gender_mismatch"). */
const char *member_idcard_result_key(enum member_idcard_result r);

#endif
