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
		"                [-e SENTINEL] [-v] -- COMMAND [ARG...]\n"
		"  -l LOG       console log, written as it arrives\n"
		"  -s STATUS    outcome file (outcome=, elapsed_ms=, exit=)\n"
		"  -t TOTAL_S   total time limit in seconds (default 600)\n"
		"  -q SILENCE_S silence limit in seconds (default 120)\n"
		"  -e SENTINEL  text the guest prints when its work is done\n"
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

int main(int argc, char **argv)
{
	const char *log_path = NULL, *status_path = NULL, *sentinel = "";
	long long total_ms = 600000, silence_ms = 120000;
	long long start, last_output, deadline_after_mark = 0;
	struct scan panic_scan = { 0 }, done_scan = { 0 };
	const char *outcome = NULL;
	int verbose = 0, opt, pipefd[2], wstatus = 0, reaped = 0;
	struct sigaction sa;
	FILE *logf, *statf;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+l:s:t:q:e:v")) != -1) {
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
		default:
			usage();
		}
	}
	if (!log_path || !status_path || optind >= argc || total_ms <= 0 ||
	    silence_ms <= 0)
		usage();

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
		kill_group(pid);
		if (waitpid(pid, &wstatus, 0) == pid)
			reaped = 1;
	}
	/* Whatever else the group started goes too. */
	kill(-pid, SIGKILL);

	/* A guest that printed its sentinel but never powered off. */
	if (outcome && !strcmp(outcome, "poweroff") &&
	    !(reaped && WIFEXITED(wstatus)))
		outcome = "no-poweroff";

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
