/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/spawn: runs argv once and prints "<nanoseconds> <peak RSS KiB> <exit status> <minor
 * page faults>" (the last two of wait4()'s rusage, which counts the child's own children).
 * A small C parent, because ru_maxrss of a child includes the memory image it was forked
 * from until exec: timed from a Python parent, every tool would weigh as much as Python.
 *   spawn [-i STDIN-FILE] [-o STDOUT-FILE] CMD [ARG...]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	const char *in = NULL, *out = NULL;
	int status, argi = 1;
	pid_t pid;

	while (argi + 1 < argc && argv[argi][0] == '-') {
		if (strcmp(argv[argi], "-i") == 0)
			in = argv[argi + 1];
		else if (strcmp(argv[argi], "-o") == 0)
			out = argv[argi + 1];
		else
			break;
		argi += 2;
	}
	if (argi >= argc) {
		fprintf(stderr, "usage: spawn [-i FILE] [-o FILE] CMD [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (in) {
			int fd = open(in, O_RDONLY);

			if (fd < 0 || dup2(fd, 0) < 0)
				_exit(126);
		}
		if (out) {
			int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

			if (fd < 0 || dup2(fd, 1) < 0)
				_exit(126);
		} else {
			dup2(null, 1);
		}
		dup2(null, 2);
		execv(argv[argi], argv + argi);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return perror("wait4"), 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%lld %ld %d %ld\n",
	       (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec),
	       ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       ru.ru_minflt);
	return 0;
}
