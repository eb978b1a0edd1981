/* date.h: calendar dates as the domain rules use them (domain-rules.md §0).
 * A date is a struct of year/month/day; text form is ISO 8601 "YYYY-MM-DD", months "YYYY-MM".
 * add_months keeps the day of month and clamps to the month's last day
 * (2020-11-30 + 3 months = 2021-02-28). "Today" is the calendar date in Asia/Shanghai (UTC+8,
 * no DST since 1991), computed without touching the process TZ. Pure: no I/O.
 * Threads: safe. */
#ifndef DJ_DATE_H
#define DJ_DATE_H
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct date {
    int year;
    int month;   /* 1..12 */
    int day;     /* 1..31 */
};

bool date_is_leap(int year);
int date_days_in_month(int year, int month);
bool date_is_valid(struct date d);
/* Parses exactly "YYYY-MM-DD" (years 1000..9999); 0 ok, -1 malformed or nonexistent. */
int date_parse(const char *s, struct date *out);
/* Writes "YYYY-MM-DD" into out (at least 11 bytes). */
void date_format(struct date d, char out[11]);
struct date date_add_months(struct date d, int months);
struct date date_add_days(struct date d, int days);
int date_cmp(struct date a, struct date b);          /* <0, 0, >0 */
int64_t date_to_days(struct date d);                 /* days since 1970-01-01 */
struct date date_from_days(int64_t days);
struct date date_today_shanghai(time_t now);         /* now = time(NULL) at the edges */
int64_t now_unix(void);                              /* seconds */
int64_t now_micros(void);                            /* monotonic microseconds */

#endif
