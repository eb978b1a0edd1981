/* date.c: proleptic Gregorian arithmetic via day numbers (Howard Hinnant's civil algorithms),
 * so there is no dependence on the C library's time zone state. */
#include "core/date.h"

#include <stdio.h>
#include <string.h>

bool date_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && date_is_leap(y) ? 29 : days[m - 1];
}

bool date_is_valid(struct date d)
{
    return d.year >= 1 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
           d.day <= date_days_in_month(d.year, d.month);
}

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int date_parse(const char *s, struct date *out)
{
    if (s == NULL || strlen(s) != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
        s[7] != '-' || !digits(s + 8, 2))
        return -1;
    struct date d = {
        .year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'),
        .month = (s[5] - '0') * 10 + (s[6] - '0'),
        .day = (s[8] - '0') * 10 + (s[9] - '0'),
    };
    if (d.year < 1000 || !date_is_valid(d))
        return -1;
    *out = d;
    return 0;
}

void date_format(struct date d, char out[11])
{
    unsigned y = (unsigned)d.year % 10000u, m = (unsigned)d.month % 100u,
             day = (unsigned)d.day % 100u;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + day / 10);
    out[9] = (char)('0' + day % 10);
    out[10] = '\0';
}

struct date date_add_months(struct date d, int months)
{
    int total = d.year * 12 + (d.month - 1) + months;
    struct date r = {.year = total / 12, .month = total % 12 + 1, .day = d.day};
    int last = date_days_in_month(r.year, r.month);
    if (r.day > last)
        r.day = last;
    return r;
}

int64_t date_to_days(struct date d)
{
    int64_t y = d.year - (d.month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (d.month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct date date_from_days(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    return (struct date){.year = (int)(y + (month <= 2)), .month = (int)month, .day = (int)day};
}

struct date date_add_days(struct date d, int days)
{
    return date_from_days(date_to_days(d) + days);
}

int date_cmp(struct date a, struct date b)
{
    if (a.year != b.year)
        return a.year < b.year ? -1 : 1;
    if (a.month != b.month)
        return a.month < b.month ? -1 : 1;
    if (a.day != b.day)
        return a.day < b.day ? -1 : 1;
    return 0;
}

struct date date_today_shanghai(time_t now)
{
    int64_t secs = (int64_t)now + 8 * 3600;
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    return date_from_days(days);
}

int64_t now_unix(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

int64_t now_micros(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
