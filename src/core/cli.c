/* cli.c: flag parsing and output conventions for subcommands (see cli.h). */
#include "core/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/i18n.h"

const char *cli_lang(void)
{
    const char *l = getenv("DJ_LANG");
    if (l == NULL || l[0] == '\0')
        l = getenv("LANG");
    return l != NULL && strncmp(l, "en", 2) == 0 ? "en" : "zh-CN";
}

const char *cli_opt(int argc, char **argv, int *i, const char *name, bool *missing)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, n) != 0)
        return NULL;
    if (a[2 + n] == '=')
        return a + 3 + n;
    if (a[2 + n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    *i += 1;
    return argv[*i];
}

bool cli_flag(char **argv, int i, const char *name)
{
    return strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, name) == 0;
}

static bool help_mode;

bool cli_help_requested(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

void cli_set_help_mode(bool on)
{
    help_mode = on;
}

int cli_usage(const char *usage)
{
    if (help_mode) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    fprintf(stderr, "%s", usage);
    return CLI_USAGE;
}

int cli_fail(const struct err *e)
{
    const char *lang = cli_lang();
    const char *msg = e->message[0] ? e->message : err_code_name(e->code);
    fprintf(stderr, "%s: %s\n", strcmp(lang, "en") == 0 ? "error" : "错误", i18n_text(msg, lang));
    for (int i = 0; i < e->nfields; i++)
        fprintf(stderr, "  %s: %s\n", e->fields[i].name, i18n_text(e->fields[i].message, lang));
    if (e->detail[0] != '\0')
        fprintf(stderr, "  (%s)\n", e->detail);
    return CLI_FAIL;
}

void cli_print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2));
    if (s != NULL) {
        fputs(s, stdout);
        fputc('\n', stdout);
        free(s);
    }
    fflush(stdout);
}

bool cli_parse_id(const char *s, int64_t *out)
{
    if (s == NULL || *s == '\0')
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v <= 0)
        return false;
    *out = v;
    return true;
}
