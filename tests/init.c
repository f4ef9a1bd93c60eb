// SPDX-License-Identifier: GPL-2.0
/*
 * init - the racefix guest's /init.
 *
 * Mounts proc, sysfs, devtmpfs, debugfs and a tmpfs on /tmp, runs the
 * tests listed in /etc/racefix/tests (tests/manifest.h: one per line,
 * NAME TIMEOUT PATH [ARG...]; TIMEOUT may be "[K]D+N", K times the run
 * time plus N seconds, and an argument @DURATION@ becomes the run time),
 * each in its own process group with a time limit, prints the results as
 * KTAP on the console with each test's own output nested under it, then
 * prints the sentinel line and powers the machine off (tests/protocol.h).
 *
 * A manifest line it cannot use, or a racefix_tests= name the manifest
 * lacks, is a "not ok" result of its own ("bad manifest line: FILE:LINE:
 * reason"): the plan never shrinks silently.
 *
 * Kernel parameters (unknown key=value parameters reach /init as
 * environment variables):
 *   racefix_tests=a,b      run only these tests (default: all listed)
 *   racefix_duration=N     run time of stress loops in seconds (default 10)
 *
 * Tests run with address-space randomization off, so runs repeat.
 *
 * Before each test it writes "racefix: start NAME" to /dev/kmsg so the
 * console shows, with the kernel's own timestamp, when the test began;
 * the harness measures the time to the first race report from there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "manifest.h"
#include "protocol.h"

static struct manifest man;
/* The tests to run, in manifest order. */
static struct manifest_test *tests[MANIFEST_MAX_TESTS];
static int ntests;

static void kmsg(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/*
	 * The kernel prints at once, the tty when it gets to it: let our
	 * own lines reach the console first, or the marker lands in the
	 * middle of a KTAP result line.
	 */
	fflush(stdout);
	tcdrain(STDOUT_FILENO);
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, line, n) < 0)
		printf("# racefix-init: /dev/kmsg: %s\n", strerror(errno));
	close(fd);
}

static void mount_one(const char *src, const char *dir, const char *type)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, 0, NULL) && errno != EBUSY)
		printf("# racefix-init: mount %s on %s: %s\n", type, dir,
		       strerror(errno));
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		printf("# racefix-init: cannot write %s: %s\n", path,
		       strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void power_off(void)
{
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	/* Not reached unless power-off failed; never return from init. */
	printf("# racefix-init: power-off failed: %s\n", strerror(errno));
	for (;;)
		pause();
}

/*
 * Read the manifest with the host's parser. Nothing is dropped silently:
 * each bad line, and each name racefix_tests= gives that the manifest
 * lacks, becomes a "not ok" result of its own (printed by report_bad()),
 * so the plan shows it and the host's judge sees it.
 */
static void read_manifest(const char *only)
{
	struct utsname u;
	const char *arch = NULL;
	FILE *f = fopen(RACEFIX_MANIFEST, "r");
	int i;

	manifest_init(&man);
	if (!f)
		return;
	/* racefix's arch names are the guest's uname -m. */
	if (!uname(&u))
		arch = u.machine;
	manifest_read(&man, f, arch);
	fclose(f);
	for (i = 0; i < man.ntests; i++)
		if (manifest_selected(only, man.tests[i].name))
			tests[ntests++] = &man.tests[i];
}

static int nunknown;
static char unknown[MANIFEST_MAX_TESTS][MANIFEST_NAME_MAX];

static void note_unknown(const char *name, void *arg)
{
	(void)arg;
	if (nunknown < MANIFEST_MAX_TESTS)
		snprintf(unknown[nunknown++], MANIFEST_NAME_MAX, "%s", name);
}

/* The bad manifest lines and unknown names, as results 1..N. */
static int report_bad(void)
{
	int i, n = 0;

	for (i = 0; i < man.nerrors && i < MANIFEST_MAX_ERRORS; i++) {
		struct manifest_error *e = &man.errors[i];

		if (e->name[0])
			printf("not ok %d %s # %s%s:%d: %s\n", ++n, e->name,
			       RACEFIX_BAD_LINE, RACEFIX_MANIFEST, e->line,
			       e->msg);
		else
			printf("not ok %d manifest-line-%d # %s%s:%d: %s\n",
			       ++n, e->line, RACEFIX_BAD_LINE,
			       RACEFIX_MANIFEST, e->line, e->msg);
	}
	for (i = 0; i < nunknown; i++)
		printf("not ok %d %s # %s names '%s', which is not a test of %s\n",
		       ++n, unknown[i][0] ? unknown[i] : "(empty)",
		       RACEFIX_ARG_TESTS, unknown[i], RACEFIX_MANIFEST);
	return n;
}

/*
 * Some kselftests exit 0 after failing cases: count the "not ok" lines of
 * the test's own top level (not TODO or SKIP) so they fail the test too.
 */
static int nested_failures;

static void note_line(const char *line)
{
	if (!strncmp(line, "not ok ", 7) && !strstr(line, "# TODO") &&
	    !strstr(line, "# SKIP") && !strstr(line, "# XFAIL"))
		nested_failures++;
}

/* Copy the child's output to the console, two spaces in, line by line. */
static void relay(int fd, char *part, size_t *plen, size_t cap)
{
	char buf[1024];
	ssize_t n = read(fd, buf, sizeof(buf));
	ssize_t i;

	for (i = 0; i < n; i++) {
		if (*plen < cap - 1)
			part[(*plen)++] = buf[i];
		if (buf[i] == '\n' || *plen == cap - 1) {
			part[*plen] = '\0';
			note_line(part);
			printf("  %s%s", part, part[*plen - 1] == '\n' ? "" : "\n");
			*plen = 0;
		}
	}
}

static int run_test(struct manifest_test *t, int number, char *duration)
{
	struct timespec t0, t1;
	char part[1024];
	size_t plen = 0;
	int pipefd[2], status = 0, timed_out = 0, done = 0;
	long long elapsed_ms;
	char *argv[MANIFEST_MAX_ARGS + 1];
	int timeout = (int)manifest_limit(t, atoi(duration));
	pid_t pid;

	manifest_argv(t, duration, argv);
	if (pipe2(pipefd, O_CLOEXEC)) {
		printf("not ok %d %s # ERROR pipe: %s\n", number, t->name,
		       strerror(errno));
		return 1;
	}
	nested_failures = 0;
	kmsg(RACEFIX_START "%s\n", t->name);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		if (chdir("/tmp"))
			printf("# racefix-init: chdir /tmp: %s\n", strerror(errno));
		/*
		 * A fixed address-space layout makes a run repeatable: the
		 * tree's mremap_test checks its target but not the preamble
		 * before it, which a random layout makes collide now and then.
		 */
		if (personality(PER_LINUX | ADDR_NO_RANDOMIZE) < 0)
			printf("# racefix-init: personality: %s\n", strerror(errno));
		execv(argv[0], argv);
		printf(KTAP_BAIL_OUT " cannot run %s: %s\n", argv[0],
		       strerror(errno));
		_exit(1);
	}
	close(pipefd[1]);
	while (!done) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };

		clock_gettime(CLOCK_MONOTONIC, &t1);
		elapsed_ms = (t1.tv_sec - t0.tv_sec) * 1000LL +
			     (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (elapsed_ms >= timeout * 1000LL) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			break;
		}
		if (poll(&pfd, 1, 500) > 0) {
			if (pfd.revents & POLLIN)
				relay(pipefd[0], part, &plen, sizeof(part));
			else if (pfd.revents & (POLLHUP | POLLERR))
				done = 1;
		}
	}
	close(pipefd[0]);
	/* Reap the test and anything it left behind in its group. */
	kill(-pid, SIGKILL);
	waitpid(pid, &status, 0);
	kmsg(RACEFIX_END "%s\n", t->name);

	if (timed_out) {
		printf("not ok %d %s # TIMEOUT after %d s\n", number, t->name,
		       timeout);
		return 1;
	}
	if (WIFSIGNALED(status)) {
		printf("not ok %d %s # ERROR killed by signal %d\n", number,
		       t->name, WTERMSIG(status));
		return 1;
	}
	switch (WEXITSTATUS(status)) {
	case KSFT_EXIT_PASS:
		if (nested_failures) {
			printf("not ok %d %s # exit code 0 but %d cases failed\n",
			       number, t->name, nested_failures);
			return 1;
		}
		printf("ok %d %s\n", number, t->name);
		return 0;
	case KSFT_EXIT_SKIP:
		printf("ok %d %s # SKIP\n", number, t->name);
		return 0;
	default:
		printf("not ok %d %s # exit code %d\n", number, t->name,
		       WEXITSTATUS(status));
		return 1;
	}
}

static void print_kcsan_counters(void)
{
	char line[256];
	FILE *f = fopen("/sys/kernel/debug/kcsan", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("# kcsan: %s", line);
	fclose(f);
}

int main(void)
{
	static char default_duration[] = "10";
	const char *only = getenv(RACEFIX_ARG_TESTS);
	char *duration = getenv(RACEFIX_ARG_DURATION);
	int i, failed = 0, bad, have_manifest;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getpid() != 1) {
		fprintf(stderr, "racefix-init: this is a guest's /init\n");
		return 1;
	}
	mount_one("proc", "/proc", "proc");
	mount_one("sysfs", "/sys", "sysfs");
	mount_one("devtmpfs", "/dev", "devtmpfs");
	mount_one("debugfs", "/sys/kernel/debug", "debugfs");
	mount_one("tmpfs", "/tmp", "tmpfs");
	setenv("PATH", "/bin", 1);
	/*
	 * The tree's mremap_test maps 2 GB regions and touches only the
	 * first megabyte: let a small guest map them (overcommit always).
	 */
	write_file("/proc/sys/vm/overcommit_memory", "1");

	if (!duration || atoi(duration) <= 0)
		duration = default_duration;
	have_manifest = access(RACEFIX_MANIFEST, R_OK) == 0;
	read_manifest(only);
	manifest_unknown(&man, only, note_unknown, NULL);

	printf(KTAP_VERSION_LINE "\n");
	printf(RACEFIX_INIT_DIAG "%d tests, duration %s s\n", ntests, duration);
	bad = (man.nerrors < MANIFEST_MAX_ERRORS ? man.nerrors :
	       MANIFEST_MAX_ERRORS) + nunknown;
	printf("1..%d\n", bad + ntests);
	if (!have_manifest)
		printf(KTAP_BAIL_OUT " cannot read %s\n", RACEFIX_MANIFEST);
	failed = report_bad();
	for (i = 0; i < ntests; i++)
		failed += run_test(tests[i], bad + i + 1, duration) != 0;
	print_kcsan_counters();
	printf(RACEFIX_INIT_DIAG "%d of %d tests failed\n", failed,
	       bad + ntests);
	printf("%s\n", RACEFIX_SENTINEL);
	power_off();
	return 0;
}
