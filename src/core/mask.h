/* mask.h: masked personal data for lists, exports and logs (issue 4: "110105********002X",
 * "138****5678"). Masking works on code points, so Chinese addresses are cut cleanly; short or
 * unexpected values are masked completely rather than shown. Pure. Threads: safe. */
#ifndef DJ_MASK_H
#define DJ_MASK_H
#include <stddef.h>

#define MASK_MAX 256

/* ID number: first 6 and last 4 kept, the 8 in between starred (18 digits); other lengths:
 * everything but the last 4 starred. */
void mask_id_number(const char *in, char out[MASK_MAX]);
/* Phone: 11-digit mobile -> 3 + **** + 4; otherwise all but the last 4 starred. */
void mask_phone(const char *in, char out[MASK_MAX]);
/* Birth date "1985-03-15" -> "1985-**-**": the ID number's mask hides exactly the birth date,
 * so wherever the ID number is masked the birth date is too (decision 0011); the year stays for
 * the age. Anything not YYYY-MM-DD -> "****". */
void mask_birth_date(const char *in, char out[MASK_MAX]);
/* Address: the first 6 characters (province/city) kept, then "****". */
void mask_address(const char *in, char out[MASK_MAX]);

#endif
