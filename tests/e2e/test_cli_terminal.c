/*
 * test_cli_terminal.c - the CLI at a terminal, and its command line:
 *  - `h5rd cat` with stdout on a terminal (a pseudo-terminal here) refuses raw bytes: exit 2,
 *    a one-line hint on stderr naming --json, dump and a redirect; -f/--force writes them;
 *    --json is fine. (Piped output is what every other CLI test reads.)
 *  - `h5rd --help` and `h5rd COMMAND --help`/-h describe every option (exit 0, stdout).
 *  - Unknown options are usage errors (exit 2) naming the option, for every command; a lone
 *    "-" is an argument, not an option.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "oracle.h"

#define FIXTURES H5RD_SOURCE_DIR "/fixtures"

static const char *cli(void)
{
    const char *p = orc_cli_path();
    cr_assert(p != NULL, "the h5rd CLI is not built (H5RD_CLI_PATH=\"%s\")", H5RD_CLI_PATH);
    return p;
}

struct tty_run {
    int code;           /* exit status, -1 if it did not exit normally */
    char out[8192];     /* what the terminal received */
    size_t out_len;
    char err[4096];     /* stderr (a pipe) */
    size_t err_len;
};

/* Runs the CLI with stdout on a raw pseudo-terminal and stderr on a pipe. */
static void run_tty(struct tty_run *t, const char *const args[])
{
    memset(t, 0, sizeof *t);
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    cr_assert(master >= 0, "posix_openpt: %s", strerror(errno));
    cr_assert(grantpt(master) == 0 && unlockpt(master) == 0);
    const char *name = ptsname(master);
    cr_assert(name != NULL);
    int slave = open(name, O_RDWR | O_NOCTTY);
    cr_assert(slave >= 0, "open %s: %s", name, strerror(errno));
    struct termios tio;
    cr_assert(tcgetattr(slave, &tio) == 0);
    cfmakeraw(&tio); /* no newline translation: the bytes arrive as written */
    cr_assert(tcsetattr(slave, TCSANOW, &tio) == 0);
    int errp[2];
    cr_assert(pipe(errp) == 0);
    const char *argv[16];
    size_t n = 0;
    argv[n++] = cli();
    for (size_t i = 0; args[i] && n < 15; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        dup2(slave, STDOUT_FILENO);
        dup2(errp[1], STDERR_FILENO);
        close(master);
        close(slave);
        close(errp[0]);
        close(errp[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(slave);
    close(errp[1]);
    struct pollfd pf[2] = {{master, POLLIN, 0}, {errp[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        int k = poll(pf, 2, 30000);
        cr_assert(k > 0, "the CLI hung");
        for (int i = 0; i < 2; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                continue;
            }
            char *buf = i == 0 ? t->out + t->out_len : t->err + t->err_len;
            size_t room = i == 0 ? sizeof t->out - 1 - t->out_len : sizeof t->err - 1 - t->err_len;
            ssize_t r = read(pf[i].fd, buf, room);
            if (r <= 0) { /* EOF, or EIO on the master once the slave is closed */
                pf[i].fd = -1;
                open_fds--;
            } else if (i == 0) {
                t->out_len += (size_t)r;
            } else {
                t->err_len += (size_t)r;
            }
        }
    }
    int st;
    cr_assert(waitpid(pid, &st, 0) == pid);
    t->code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    close(master);
    close(errp[0]);
}

Test(cli_terminal, cat_refuses_raw_bytes_on_a_terminal)
{
    struct tty_run t;
    const char *const refuse[] = {"cat", FIXTURES "/h5/demo.h5", "/measurements/ids", NULL};
    run_tty(&t, refuse);
    cr_expect_eq(t.code, 2, "exit %d, stderr %s", t.code, t.err);
    cr_expect_eq(t.out_len, 0, "wrote %zu bytes to the terminal", t.out_len);
    cr_expect(strstr(t.err, "--json") && strstr(t.err, "dump") && strstr(t.err, "redirect"),
              "hint: %s", t.err);
    cr_expect(strchr(t.err, '\n') == t.err + t.err_len - 1, "one line: %s", t.err);

    /* -f / --force write the bytes: int32 1..6 little-endian. */
    const unsigned char want[24] = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0,
                                    4, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0};
    const char *const forced[][5] = {
        {"cat", "-f", FIXTURES "/h5/demo.h5", "/measurements/ids", NULL},
        {"cat", "--force", FIXTURES "/h5/demo.h5", "/measurements/ids", NULL},
    };
    for (size_t i = 0; i < 2; i++) {
        run_tty(&t, forced[i]);
        cr_expect_eq(t.code, 0, "%s: exit %d, stderr %s", forced[i][1], t.code, t.err);
        cr_expect(t.out_len == sizeof want && memcmp(t.out, want, sizeof want) == 0,
                  "%s: %zu bytes", forced[i][1], t.out_len);
    }

    /* --json to a terminal is what a person wants. */
    const char *const json[] = {"cat", "--json", FIXTURES "/h5/demo.h5", "/measurements/ids",
                                NULL};
    run_tty(&t, json);
    cr_expect_eq(t.code, 0, "exit %d, stderr %s", t.code, t.err);
    cr_expect(strstr(t.out, "[1, 2, 3, 4, 5, 6]") != NULL, "%s", t.out);

    /* Other commands print text to a terminal as usual. */
    const char *const dump[] = {"dump", FIXTURES "/h5/demo.h5", "/measurements/ids", NULL};
    run_tty(&t, dump);
    cr_expect_eq(t.code, 0, "exit %d, stderr %s", t.code, t.err);
    cr_expect(strstr(t.out, "(0): 1, 2, 3, 4, 5, 6") != NULL, "%s", t.out);
}

static void run(struct orc_run *r, const char *a1, const char *a2, const char *a3,
                const char *a4)
{
    const char *argv[] = {cli(), a1, a2, a3, a4, NULL};
    cr_assert(orc_run(argv, 120, r) == 0, "could not start %s", argv[0]);
    cr_assert(r->how == ORC_EXITED, "h5rd %s %s did not exit normally", a1 ? a1 : "",
              a2 ? a2 : "");
}

/* Every option of each command, as its help must name it. */
static const struct {
    const char *cmd;
    const char *opts[8];
} commands[] = {
    {"ls", {"-r", "--recursive", "-v", "--verbose", "--json", "--help", NULL}},
    {"dump", {"--all", "-A", "--header", "--help", NULL}},
    {"attrs", {"--json", "--help", NULL}},
    {"vds", {"--json", "--missing", "--help", NULL}},
    {"cat", {"--json", "--slice", "--threads", "-f", "--force", "--help", NULL}},
    {"chunks", {"--json", "--help", NULL}},
    {"check", {"--help", NULL}},
};

Test(cli_terminal, help_describes_every_option)
{
    struct orc_run r;
    run(&r, "--help", NULL, NULL, NULL);
    cr_expect_eq(r.code, 0);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "h5rd %s", commands[i].cmd);
        cr_expect(strstr(r.out, want) != NULL, "--help lacks %s: %s", want, r.out);
    }
    orc_run_free(&r);

    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const char *flags[] = {"--help", "-h"};
        for (size_t f = 0; f < 2; f++) {
            /* Help wins over whatever else is on the line. */
            run(&r, commands[i].cmd, flags[f], f ? "x.h5" : NULL, NULL);
            cr_expect_eq(r.code, 0, "%s %s: exit %d", commands[i].cmd, flags[f], r.code);
            char usage[64];
            snprintf(usage, sizeof usage, "usage: h5rd %s", commands[i].cmd);
            cr_expect(strncmp(r.out, usage, strlen(usage)) == 0, "%s", r.out);
            for (size_t k = 0; commands[i].opts[k]; k++) {
                /* named as an option: preceded by a blank or ',' and followed by a blank,
                 * ',' or ']' */
                const char *o = commands[i].opts[k];
                int found = 0;
                for (const char *p = strstr(r.out, o); p && !found; p = strstr(p + 1, o)) {
                    char after = p[strlen(o)];
                    found = (p > r.out && (p[-1] == ' ' || p[-1] == '[')) &&
                            (after == ' ' || after == ',' || after == ']' || after == '\n');
                }
                cr_expect(found, "%s --help does not describe %s:\n%s", commands[i].cmd, o,
                          r.out);
            }
            orc_run_free(&r);
        }
    }
}

Test(cli_terminal, unknown_options_are_usage_errors)
{
    struct orc_run r;
    const char *bad[] = {"--frobnicate", "-Z", "--json=1"};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            run(&r, commands[i].cmd, bad[k], FIXTURES "/h5/demo.h5", "/measurements/ids");
            cr_expect_eq(r.code, 2, "%s %s: exit %d", commands[i].cmd, bad[k], r.code);
            cr_expect(strstr(r.err, bad[k]) != NULL, "%s %s: stderr %s", commands[i].cmd, bad[k],
                      r.err);
            cr_expect_eq(r.out_len, 0, "%s %s printed %s", commands[i].cmd, bad[k], r.out);
            orc_run_free(&r);
        }
    }
    /* A lone "-" is a file name (that does not exist here): exit 1, not a usage error. */
    run(&r, "ls", "-", NULL, NULL);
    cr_expect_eq(r.code, 1, "ls -: exit %d: %s", r.code, r.err);
    orc_run_free(&r);
}
