/* SPDX-License-Identifier: Apache-2.0 */
/* What ferryd says when it dies of a fatal signal. */
#ifndef FERRY_CONTROL_DAEMON_CRASH_H
#define FERRY_CONTROL_DAEMON_CRASH_H

/**
 * On SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT, write one line naming the
 * signal, the faulting address and the thread, then a backtrace, to
 * standard error (ferryd's log), and die of the same signal (a core file
 * still comes where the system keeps them). Call after the EAL is up:
 * its own transient SIGBUS handler saves and restores this one.
 * Does nothing under AddressSanitizer, whose report says more.
 */
void crash_handler_install(void);

#endif
