// SPDX-License-Identifier: GPL-2.0
/*
 * qemu-run - run one guest under two clocks and keep its console.
 *
 * Starts COMMAND (normally qemu-system-*) in its own process group with
 * its console on a pipe, copies every byte to LOG (and to stdout with
 * -v), and ends it on whichever comes first:
 *
 *   poweroff     the guest exited by itself after printing the sentinel
 *   panic        "Kernel panic - not syncing" was seen (some machines,
 *                such as sparc64 sun4u, never exit after a panic)
 *   timeout      the total limit passed
 *   silence      nothing was printed for the silence limit
 *   exited       the command exited without the sentinel
 *   interrupted  SIGINT, SIGTERM or SIGHUP reached us
 *
 * The outcome and the elapsed time go to STATUS as "key=value" lines.
 * No child is ever left behind: the group is killed on every path and
 * the child dies with us (PR_SET_PDEATHSIG).
 *
 * With -j RUN_JSON, a record of the boot (tuxmake style): written before
 * COMMAND starts (outcome "running") and replaced atomically (a
 * temporary file, then rename) when it ends. It holds the exact argv
 * that ran, the kernel arguments (the value of -append), the start and
 * end times (UTC), the limits, the outcome and its reason, the exit code
 * or signal, and every -m KEY=VALUE given (boot.sh adds the arch, the
 * image and initramfs paths and their sha256).
 *
 * Exit codes: 0 the run ended (any outcome, see STATUS), 1 usage or
 * system error, 130 interrupted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../tests/protocol.h"
#include "json.h"

#define PANIC_TEXT	"Kernel panic - not syncing"
#define PANIC_GRACE_MS	3000	/* let the panic trace reach the log */
#define EXIT_GRACE_MS	15000	/* after the sentinel, wait for power-off */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: qemu-run -l LOG -s STATUS [-t TOTAL_S] [-q SILENCE_S]\n"
		"                [-e SENTINEL] [-v] [-j RUN_JSON [-m KEY=VALUE]...]\n"
		"                -- COMMAND [ARG...]\n"
		"  -l LOG       console log, written as it arrives\n"
		"  -s STATUS    outcome file (outcome=, elapsed_ms=, exit=)\n"
		"  -t TOTAL_S   total time limit in seconds (default 600)\n"
		"  -q SILENCE_S silence limit in seconds (default 120)\n"
		"  -e SENTINEL  text the guest prints when its work is done\n"
		"               (default: \"" RACEFIX_SENTINEL "\")\n"
		"  -j RUN_JSON  record of the boot, written before and after it\n"
		"  -m KEY=VALUE a string field of RUN_JSON (repeatable)\n"
		"  -v           also copy the console to stdout\n");
	exit(1);
}

/* Keep the last bytes seen so a marker split across reads is found. */
struct scan {
	char buf[512];
	size_t len;
};

static int scan_feed(struct scan *s, const char *data, size_t n,
		     const char *needle)
{
	size_t keep = strlen(needle);
	int found;

	if (!keep)
		return 0;
	while (n) {
		size_t room = sizeof(s->buf) - 1 - s->len;
		size_t take = n < room ? n : room;

		memcpy(s->buf + s->len, data, take);
		s->len += take;
		s->buf[s->len] = '\0';
		data += take;
		n -= take;
		found = memmem(s->buf, s->len, needle, keep) != NULL;
		if (found)
			return 1;
		if (s->len >= keep) {
			memmove(s->buf, s->buf + s->len - (keep - 1), keep - 1);
			s->len = keep - 1;
		}
	}
	return 0;
}

static void kill_group(pid_t pid)
{
	if (pid > 0) {
		kill(-pid, SIGTERM);
		usleep(200000);
		kill(-pid, SIGKILL);
	}
}

/* ---- run.json ---- */

static const char *json_path;
static char *meta[RUN_META_MAX];
static int nmeta;
static char **cmd_argv;
static char start_utc[32], end_utc[32];

static void utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * Write RUN_JSON through a temporary file and rename(), so a reader sees
 * the old record or the new one, never half of one. @outcome NULL: the
 * record before the boot.
 */
static int write_run_json(const char *outcome, const char *reason,
			  long long elapsed_ms, long long total_ms,
			  long long silence_ms, int reaped, int wstatus)
{
	char tmp[4096];
	FILE *f;
	int i;

	if (!json_path)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", json_path);
	f = fopen(tmp, "w");
	if (!f)
		goto fail;
	fprintf(f, "{\n  \"format\": \"racefix-run-1\",\n");
	run_meta_write(f, meta, nmeta);
	fprintf(f, "  \"kernel_args\": ");
	for (i = 0; cmd_argv[i]; i++)
		if (!strcmp(cmd_argv[i], "-append") && cmd_argv[i + 1])
			break;
	json_str(f, cmd_argv[i] ? cmd_argv[i + 1] : "");
	fprintf(f, ",\n  \"argv\": [");
	for (i = 0; cmd_argv[i]; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_str(f, cmd_argv[i]);
	}
	fprintf(f, "],\n  \"limits\": {\"total_s\": %lld, \"silence_s\": %lld},\n",
		total_ms / 1000, silence_ms / 1000);
	fprintf(f, "  \"start\": \"%s\",\n", start_utc);
	if (!outcome) {
		fprintf(f, "  \"end\": null,\n  \"outcome\": \"running\",\n  \"reason\": \"the boot has not ended (or racefix was killed before it could record the end)\"\n}\n");
	} else {
		fprintf(f, "  \"end\": \"%s\",\n  \"elapsed_ms\": %lld,\n  \"outcome\": ",
			end_utc, elapsed_ms);
		json_str(f, outcome);
		fprintf(f, ",\n  \"reason\": ");
		json_str(f, reason);
		if (reaped && WIFEXITED(wstatus))
			fprintf(f, ",\n  \"exit\": %d", WEXITSTATUS(wstatus));
		else if (reaped && WIFSIGNALED(wstatus))
			fprintf(f, ",\n  \"signal\": %d", WTERMSIG(wstatus));
		fprintf(f, "\n}\n");
	}
	if (fclose(f))
		goto fail;
	if (rename(tmp, json_path))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "qemu-run: cannot write %s: %s\n", json_path,
		strerror(errno));
	return -1;
}

int main(int argc, char **argv)
{
	const char *log_path = NULL, *status_path = NULL;
	const char *sentinel = RACEFIX_SENTINEL;
	char reason[256];
	long long total_ms = 600000, silence_ms = 120000;
	long long start, last_output, deadline_after_mark = 0;
	struct scan panic_scan = { 0 }, done_scan = { 0 };
	const char *outcome = NULL;
	int verbose = 0, opt, pipefd[2], wstatus = 0, reaped = 0;
	struct sigaction sa;
	FILE *logf, *statf;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+l:s:t:q:e:vj:m:")) != -1) {
		switch (opt) {
		case 'l':
			log_path = optarg;
			break;
		case 's':
			status_path = optarg;
			break;
		case 't':
			total_ms = atoll(optarg) * 1000;
			break;
		case 'q':
			silence_ms = atoll(optarg) * 1000;
			break;
		case 'e':
			sentinel = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'j':
			json_path = optarg;
			break;
		case 'm':
			if (nmeta == RUN_META_MAX || !run_meta_ok(optarg))
				usage();
			meta[nmeta++] = optarg;
			break;
		default:
			usage();
		}
	}
	if (!log_path || !status_path || optind >= argc || total_ms <= 0 ||
	    silence_ms <= 0)
		usage();

	cmd_argv = argv + optind;
	utc_now(start_utc, sizeof(start_utc));
	if (write_run_json(NULL, NULL, 0, total_ms, silence_ms, 0, 0))
		return 1;

	logf = fopen(log_path, "w");
	if (!logf) {
		fprintf(stderr, "qemu-run: cannot write %s: %s\n", log_path,
			strerror(errno));
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (pipe2(pipefd, O_CLOEXEC)) {
		perror("qemu-run: pipe");
		return 1;
	}
	start = now_ms();
	pid = fork();
	if (pid < 0) {
		perror("qemu-run: fork");
		return 1;
	}
	if (!pid) {
		int devnull = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(127);
		dup2(devnull, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "qemu-run: cannot run %s: %s\n", argv[optind],
			strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(pipefd[1]);
	last_output = start;

	for (;;) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		long long now = now_ms(), wait;
		char buf[4096];
		ssize_t n;

		if (got_signal) {
			outcome = "interrupted";
			break;
		}
		if (deadline_after_mark && now >= deadline_after_mark)
			break;		/* outcome already chosen */
		if (now - start >= total_ms) {
			outcome = "timeout";
			break;
		}
		if (now - last_output >= silence_ms) {
			outcome = "silence";
			break;
		}
		wait = total_ms - (now - start);
		if (silence_ms - (now - last_output) < wait)
			wait = silence_ms - (now - last_output);
		if (deadline_after_mark && deadline_after_mark - now < wait)
			wait = deadline_after_mark - now;
		if (wait > 1000)
			wait = 1000;
		if (poll(&pfd, 1, (int)wait) < 0) {
			if (errno == EINTR)
				continue;
			perror("qemu-run: poll");
			outcome = "error";
			break;
		}
		if (!(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(pipefd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* The console closed: the command has exited. */
			if (!outcome)
				outcome = "exited";
			break;
		}
		last_output = now_ms();
		fwrite(buf, 1, n, logf);
		fflush(logf);
		if (verbose) {
			fwrite(buf, 1, n, stdout);
			fflush(stdout);
		}
		if (!outcome && scan_feed(&panic_scan, buf, n, PANIC_TEXT)) {
			outcome = "panic";
			deadline_after_mark = last_output + PANIC_GRACE_MS;
		}
		if (!outcome && scan_feed(&done_scan, buf, n, sentinel)) {
			outcome = "poweroff";
			deadline_after_mark = last_output + EXIT_GRACE_MS;
		}
	}

	if (waitpid(pid, &wstatus, WNOHANG) == pid) {
		reaped = 1;
	} else {
		pid_t r;

		kill_group(pid);
		do
			r = waitpid(pid, &wstatus, 0);
		while (r < 0 && errno == EINTR);
		if (r == pid)
			reaped = 1;
	}
	/* Whatever else the group started goes too. */
	kill(-pid, SIGKILL);

	/*
	 * A signal can reach us together with the console's end of file:
	 * whoever signalled us may have ended QEMU first, and poll() then
	 * reports the pipe ready, not EINTR, so the loop saw "exited".
	 * Being told to stop decides the outcome, whatever the console did.
	 */
	if (got_signal)
		outcome = "interrupted";

	/* A guest that printed its sentinel but never powered off. */
	if (outcome && !strcmp(outcome, "poweroff") &&
	    !(reaped && WIFEXITED(wstatus)))
		outcome = "no-poweroff";

	if (!outcome)
		outcome = "error";
	if (!strcmp(outcome, "poweroff"))
		snprintf(reason, sizeof(reason), "the guest printed \"%s\" and powered off", sentinel);
	else if (!strcmp(outcome, "no-poweroff"))
		snprintf(reason, sizeof(reason), "the guest printed \"%s\" but did not power off within %d s", sentinel, EXIT_GRACE_MS / 1000);
	else if (!strcmp(outcome, "panic"))
		snprintf(reason, sizeof(reason), "the kernel panicked (\"%s\")", PANIC_TEXT);
	else if (!strcmp(outcome, "timeout"))
		snprintf(reason, sizeof(reason), "the total limit of %lld s passed", total_ms / 1000);
	else if (!strcmp(outcome, "silence"))
		snprintf(reason, sizeof(reason), "no console output for %lld s", silence_ms / 1000);
	else if (!strcmp(outcome, "exited"))
		snprintf(reason, sizeof(reason), "%s exited before the guest printed \"%s\"", argv[optind], sentinel);
	else if (!strcmp(outcome, "interrupted"))
		snprintf(reason, sizeof(reason), "qemu-run was interrupted by signal %d", (int)got_signal);
	else
		snprintf(reason, sizeof(reason), "qemu-run could not watch the guest (poll failed)");
	utc_now(end_utc, sizeof(end_utc));
	write_run_json(outcome, reason, now_ms() - start, total_ms, silence_ms,
		       reaped, wstatus);

	statf = fopen(status_path, "w");
	if (!statf) {
		fprintf(stderr, "qemu-run: cannot write %s: %s\n",
			status_path, strerror(errno));
		return 1;
	}
	fprintf(statf, "outcome=%s\nelapsed_ms=%lld\n", outcome,
		now_ms() - start);
	if (reaped && WIFEXITED(wstatus))
		fprintf(statf, "exit=%d\n", WEXITSTATUS(wstatus));
	else if (reaped && WIFSIGNALED(wstatus))
		fprintf(statf, "signal=%d\n", WTERMSIG(wstatus));
	fclose(statf);
	fclose(logf);
	return got_signal ? 130 : 0;
}
