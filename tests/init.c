// SPDX-License-Identifier: GPL-2.0
/*
 * init - the racefix guest's /init.
 *
 * Mounts proc, sysfs, devtmpfs, debugfs and a tmpfs on /tmp, runs the
 * tests listed in /etc/racefix/tests (one per line: NAME TIMEOUT_S PATH
 * [ARG...]; TIMEOUT_S may be "[K]D+N", K times the run time plus N
 * seconds, and an argument @DURATION@ becomes the run time), each in its
 * own process group with a time limit, prints the results as KTAP
 * on the console with each test's own output nested under it, then
 * prints the sentinel line and powers the machine off.
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
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MANIFEST	"/etc/racefix/tests"
#define SENTINEL	"racefix-init: done"
#define MAX_TESTS	32
#define MAX_ARGS	16

struct test {
	char name[64];
	int timeout;
	char *argv[MAX_ARGS + 1];
};

static struct test tests[MAX_TESTS];
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

static int selected(const char *name, const char *only)
{
	size_t len = strlen(name);
	const char *p = only;

	if (!only || !*only)
		return 1;
	while ((p = strstr(p, name))) {
		if ((p == only || p[-1] == ',') &&
		    (p[len] == ',' || p[len] == '\0'))
			return 1;
		p += len;
	}
	return 0;
}

/* "120" -> 120; "D+30" -> duration + 30; "2D+30" -> 2 * duration + 30 */
static int timeout_of(const char *tok, int duration)
{
	char *d = strchr(tok, 'D');
	int k = 1;

	if (!d)
		return atoi(tok);
	if (d != tok)
		k = atoi(tok);
	return k * duration + (d[1] == '+' ? atoi(d + 2) : 0);
}

static void read_manifest(const char *only, const char *duration)
{
	char line[512];
	FILE *f = fopen(MANIFEST, "r");

	if (!f) {
		printf("# racefix-init: cannot open %s: %s\n", MANIFEST,
		       strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f) && ntests < MAX_TESTS) {
		struct test *t = &tests[ntests];
		char *tok, *save = NULL;
		int argc = 0;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		tok = strtok_r(line, " \t\n", &save);
		if (!tok || !selected(tok, only))
			continue;
		snprintf(t->name, sizeof(t->name), "%s", tok);
		/* TIMEOUT_S is seconds, or "[K]D+N": K times the duration plus N. */
		tok = strtok_r(NULL, " \t\n", &save);
		t->timeout = tok ? timeout_of(tok, atoi(duration)) : 0;
		while ((tok = strtok_r(NULL, " \t\n", &save)) &&
		       argc < MAX_ARGS) {
			if (!strcmp(tok, "@DURATION@"))
				tok = (char *)duration;
			t->argv[argc++] = strdup(tok);
		}
		t->argv[argc] = NULL;
		if (argc && t->timeout > 0)
			ntests++;
		else
			printf("# racefix-init: bad manifest line for %s\n",
			       t->name);
	}
	fclose(f);
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

static int run_test(struct test *t, int number)
{
	struct timespec t0, t1;
	char part[1024];
	size_t plen = 0;
	int pipefd[2], status = 0, timed_out = 0, done = 0;
	long long elapsed_ms;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	nested_failures = 0;
	kmsg("racefix: start %s\n", t->name);
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
		execv(t->argv[0], t->argv);
		printf("Bail out! cannot run %s: %s\n", t->argv[0],
		       strerror(errno));
		_exit(1);
	}
	close(pipefd[1]);
	while (!done) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };

		clock_gettime(CLOCK_MONOTONIC, &t1);
		elapsed_ms = (t1.tv_sec - t0.tv_sec) * 1000LL +
			     (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (elapsed_ms >= t->timeout * 1000LL) {
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
	kmsg("racefix: end %s\n", t->name);

	if (timed_out) {
		printf("not ok %d %s # TIMEOUT after %d s\n", number, t->name,
		       t->timeout);
		return 1;
	}
	if (WIFSIGNALED(status)) {
		printf("not ok %d %s # ERROR killed by signal %d\n", number,
		       t->name, WTERMSIG(status));
		return 1;
	}
	switch (WEXITSTATUS(status)) {
	case 0:
		if (nested_failures) {
			printf("not ok %d %s # exit code 0 but %d cases failed\n",
			       number, t->name, nested_failures);
			return 1;
		}
		printf("ok %d %s\n", number, t->name);
		return 0;
	case 4:
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
	const char *only = getenv("racefix_tests");
	const char *duration = getenv("racefix_duration");
	int i, failed = 0;

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
		duration = "10";
	read_manifest(only, duration);

	printf("KTAP version 1\n");
	printf("# racefix-init: %d tests, duration %s s\n", ntests, duration);
	printf("1..%d\n", ntests);
	for (i = 0; i < ntests; i++)
		failed += run_test(&tests[i], i + 1) != 0;
	print_kcsan_counters();
	printf("# racefix-init: %d of %d tests failed\n", failed, ntests);
	printf("%s\n", SENTINEL);
	power_off();
	return 0;
}
