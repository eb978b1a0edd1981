/* backup_pg.c: the PostgreSQL side of backup and restore (see backup_internal.h).
 *
 * PostgreSQL's own tools make the consistent snapshot (pg_dump runs in one REPEATABLE READ
 * transaction) and the all-or-nothing restore (pg_restore --single-transaction). We run the
 * newest installed pair (/usr/lib/postgresql/N/bin, else PATH) and stream through a pipe:
 * pg_dump's custom format (already compressed) goes straight into the encrypted container, and
 * a restore feeds pg_restore only chunks that passed authentication.
 * The connection string is handed over without its password (that travels in PGPASSWORD, so it
 * never shows in `ps`); -w makes the tools fail instead of prompting. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "features/backup/backup_internal.h"

extern char **environ;

#define TOOL_PATH_MAX 512

static bool is_executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The major version in "/usr/lib/postgresql/15/bin/pg_dump" (0 if none). */
static long major_of(const char *path)
{
    const char *p = path + strlen("/usr/lib/postgresql/");
    return strtol(p, NULL, 10);
}

static int find_tool(const char *name, char *out, size_t cap)
{
    char pattern[128];
    glob_t g;
    long best = -1;
    snprintf(pattern, sizeof pattern, "/usr/lib/postgresql/*/bin/%s", name);
    if (glob(pattern, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++)
            if (is_executable(g.gl_pathv[i]) && major_of(g.gl_pathv[i]) > best) {
                best = major_of(g.gl_pathv[i]);
                snprintf(out, cap, "%s", g.gl_pathv[i]);
            }
    }
    globfree(&g);
    if (best >= 0)
        return 0;
    const char *path = getenv("PATH");
    if (path == NULL || path[0] == '\0')
        path = "/usr/bin:/bin";
    for (const char *dir = path; dir != NULL;) {
        const char *colon = strchr(dir, ':');
        int len = colon != NULL ? (int)(colon - dir) : (int)strlen(dir);
        snprintf(out, cap, "%.*s/%s", len, dir, name);
        if (len > 0 && is_executable(out))
            return 0;
        dir = colon != NULL ? colon + 1 : NULL;
    }
    return -1;
}

/* key='value' with \ and ' escaped, as libpq's conninfo syntax wants. */
static void add_pair(struct buf *b, const char *key, const char *val)
{
    buf_addf(b, "%s%s='", buf_str(b)[0] != '\0' ? " " : "", key);
    for (const char *p = val; *p != '\0'; p++) {
        if (*p == '\\' || *p == '\'')
            buf_addc(b, '\\');
        buf_addc(b, *p);
    }
    buf_addc(b, '\'');
}

/* Splits conninfo into a password-free string (caller frees) and the password (caller frees;
 * NULL if none). */
static int split_conninfo(const char *conninfo, char **safe, char **password, struct err *e)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &msg);
    if (opts == NULL) {
        err_set(e, ERR_INVALID, "db.bad_url");
        err_detail(e, "%s", msg != NULL ? msg : "out of memory");
        PQfreemem(msg);
        return -1;
    }
    struct buf b;
    buf_init(&b, 64 * 1024);
    *password = NULL;
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
        if (o->val == NULL || o->val[0] == '\0')
            continue;
        if (strcmp(o->keyword, "password") == 0)
            *password = xstrdup(o->val);
        else
            add_pair(&b, o->keyword, o->val);
    }
    PQconninfoFree(opts);
    if (buf_failed(&b)) {
        buf_fini(&b);
        free(*password);
        *password = NULL;
        return err_set(e, ERR_INVALID, "db.bad_url");
    }
    *safe = buf_take(&b);
    return 0;
}

/* environ with PGPASSWORD replaced by password (if any). The array is the caller's; the
 * strings are environ's except the one PGPASSWORD entry (*owned, caller frees). */
static char **child_env(const char *password, char **owned)
{
    size_t n = 0;
    while (environ[n] != NULL)
        n++;
    char **env = xcalloc(n + 2, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (password == NULL || strncmp(environ[i], "PGPASSWORD=", 11) != 0)
            env[k++] = environ[i];
    *owned = NULL;
    if (password != NULL) {
        size_t len = strlen(password) + 12;
        *owned = xmalloc(len);
        snprintf(*owned, len, "PGPASSWORD=%s", password);
        env[k++] = *owned;
    }
    env[k] = NULL;
    return env;
}

/* In the child: default signal handling back (we block INT/TERM/HUP and ignore PIPE), then
 * exec. Only async-signal-safe calls between fork and exec. */
static void exec_child(int pipe_end, int target_fd, const char *tool, char *const *argv,
                       char *const *envp)
{
    sigset_t none;
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigemptyset(&none);
    sigaction(SIGPIPE, &dfl, NULL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (dup2(pipe_end, target_fd) < 0)
        _exit(127);
    execve(tool, argv, envp);
    _exit(127);
}

/* Runs tool with args + "-d" conninfo; our end of a pipe is c->fd. dump: we read its stdout;
 * otherwise we write its stdin. */
static int start(const char *name, const char *const *args, const char *conninfo, bool dump,
                 struct backup_child *c, struct err *e)
{
    char tool[TOOL_PATH_MAX], *safe = NULL, *password = NULL, *owned = NULL;
    int fds[2] = {-1, -1};
    memset(c, 0, sizeof *c);
    c->fd = -1;
    snprintf(c->tool, sizeof c->tool, "%s", name);
    if (find_tool(name, tool, sizeof tool) != 0) {
        err_set(e, ERR_INVALID, "backup.pg_tool_missing");
        err_detail(e, "%s not found in /usr/lib/postgresql/*/bin or PATH", name);
        return -1;
    }
    if (split_conninfo(conninfo, &safe, &password, e) != 0)
        return -1;
    const char *argv[16];
    size_t n = 0;
    argv[n++] = tool;
    for (size_t i = 0; args[i] != NULL && n < 12; i++)
        argv[n++] = args[i];
    argv[n++] = "-d";
    argv[n++] = safe;
    argv[n] = NULL;
    char **env = child_env(password, &owned);
    int rc = -1;
    if (pipe(fds) != 0 || fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
        err_set(e, ERR_INTERNAL, "backup.pg_failed");
        err_detail(e, "pipe: %s", strerror(errno));
        goto done;
    }
    pid_t pid = fork();
    if (pid == 0)
        exec_child(dump ? fds[1] : fds[0], dump ? STDOUT_FILENO : STDIN_FILENO, tool,
                   (char *const *)argv, env);
    if (pid < 0) {
        err_set(e, ERR_INTERNAL, "backup.pg_failed");
        err_detail(e, "fork: %s", strerror(errno));
        goto done;
    }
    c->pid = pid;
    c->fd = dump ? fds[0] : fds[1];
    fds[dump ? 0 : 1] = -1;
    rc = 0;
done:
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(env);
    if (owned != NULL) {
        memset(owned, 0, strlen(owned));
        free(owned);
    }
    if (password != NULL) {
        memset(password, 0, strlen(password));
        free(password);
    }
    free(safe);
    return rc;
}

int backup_pg_dump_start(const char *conninfo, struct backup_child *c, struct err *e)
{
    static const char *const args[] = {"--format=custom", "--no-password", NULL};
    return start("pg_dump", args, conninfo, true, c, e);
}

int backup_pg_restore_start(const char *conninfo, struct backup_child *c, struct err *e)
{
    static const char *const args[] = {"--clean",        "--if-exists",     "--single-transaction",
                                       "--exit-on-error", "--no-owner",     "--no-privileges",
                                       "--no-password",  NULL};
    return start("pg_restore", args, conninfo, false, c, e);
}

int backup_child_finish(struct backup_child *c, int abort, struct err *e)
{
    if (c->pid <= 0)
        return 0;
    if (abort)
        kill(c->pid, SIGKILL);     /* pg_restore dies mid-transaction: the server rolls back */
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    int status = 0;
    pid_t r;
    while ((r = waitpid(c->pid, &status, 0)) < 0 && errno == EINTR)
        ;
    c->pid = 0;
    if (abort)
        return 0;
    if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        err_set(e, ERR_INVALID, "backup.pg_failed");
        if (r >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
            err_detail(e, "%s could not be started", c->tool);
        else
            err_detail(e, "%s failed (status %d); its messages are above", c->tool,
                       r >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return -1;
    }
    return 0;
}

int backup_pg_check_idle(struct db *db, struct err *e)
{
    static const char sql[] = "SELECT COUNT(*) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid <> pg_backend_pid()";
    int64_t others = 0;
    if (db_query_i64(db, sql, &others, e) != 0)
        return -1;
    if (others > 0) {
        err_set(e, ERR_CONFLICT, "backup.in_use");
        err_detail(e, "%lld other session(s) connected to the database", (long long)others);
        return -1;
    }
    return 0;
}
