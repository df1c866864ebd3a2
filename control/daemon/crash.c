/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A last word before dying. A crash in a worker or in a driver's thread
 * otherwise leaves nothing in the log, and the first sign an operator (or
 * a CI run) sees is a control socket that refuses connections. Everything
 * the handler calls is async-signal-safe, except backtrace(), which is
 * made safe by calling it once beforehand (it loads libgcc then).
 */
#include "control/daemon/crash.h"

#include <execinfo.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define FERRY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FERRY_ASAN 1
#endif
#endif

#ifndef FERRY_ASAN
static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

static size_t put(char *buf, size_t at, size_t cap, const char *s)
{
	while (*s && at + 1 < cap)
		buf[at++] = *s++;
	return at;
}

static size_t put_hex(char *buf, size_t at, size_t cap, uintptr_t v)
{
	char d[2 + 2 * sizeof(v) + 1] = "0x";
	int n = 2;
	for (int shift = (int)(8 * sizeof(v)) - 4; shift >= 0; shift -= 4) {
		unsigned x = (v >> shift) & 0xf;
		if (x || n > 2 || shift == 0)
			d[n++] = "0123456789abcdef"[x];
	}
	d[n] = '\0';
	return put(buf, at, cap, d);
}

static void on_fatal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	char line[256], thread[17] = "?";
	size_t n = 0;
	prctl(PR_GET_NAME, thread, 0, 0, 0);
	thread[16] = '\0';
	n = put(line, n, sizeof(line), "ferryd: fatal signal ");
	n = put(line, n, sizeof(line), sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
	n = put(line, n, sizeof(line), " at address ");
	n = put_hex(line, n, sizeof(line), (uintptr_t)si->si_addr);
	n = put(line, n, sizeof(line), " in thread ");
	n = put(line, n, sizeof(line), thread);
	n = put(line, n, sizeof(line), "; backtrace:\n");
	if (write(STDERR_FILENO, line, n) < 0)
		_exit(128 + sig);
	void *frames[64];
	int depth = backtrace(frames, 64);
	backtrace_symbols_fd(frames, depth, STDERR_FILENO);
	/* SA_RESETHAND put the default action back: die of the signal. */
	raise(sig);
}
#endif

void crash_handler_install(void)
{
#ifndef FERRY_ASAN
	void *warm[1];
	backtrace(warm, 1);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
#endif
}
