/* cli.h: shared pieces of the subcommands: flag parsing, JSON on stdout, errors on stderr.
 * Script-facing output is JSON on stdout; human messages go to stderr in zh-CN, or English
 * when DJ_LANG or LANG starts with "en". Exit codes: 0 ok, 1 failure (bad data, not found,
 * conflict, database), 2 usage. Threads: main thread only. */
#ifndef DJ_CLI_H
#define DJ_CLI_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct err;

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

const char *cli_lang(void);
/* If argv[*i] is --name VALUE or --name=VALUE, returns VALUE and advances *i past it; NULL
 * otherwise. A --name with no value left sets *missing. */
const char *cli_opt(int argc, char **argv, int *i, const char *name, bool *missing);
bool cli_flag(char **argv, int i, const char *name);   /* exactly --name */
int cli_usage(const char *usage);                       /* prints usage, returns CLI_USAGE */
/* --help or -h anywhere in argv[1..argc-1]. main() then sets help mode and calls the command
 * with {cmd, "--help"}: cli_usage() prints to stdout and returns CLI_OK, and no key file or
 * database is touched (`user add --help` once made a user called "--help"). */
bool cli_help_requested(int argc, char **argv);
void cli_set_help_mode(bool on);
int cli_fail(const struct err *e);                      /* prints the error, returns CLI_FAIL */
void cli_print_json(json_t *j);                         /* pretty JSON + newline on stdout */
/* Parses a positive id; false on anything else. */
bool cli_parse_id(const char *s, int64_t *out);

#endif
