/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_NOTIFY_H
#define SRPT_BLOCKDEV_NOTIFY_H
/*
 * What srpt-blockdev tells the service manager (sd_notify(3)): READY=1
 * once it listens and its pollers run, a STATUS= line with what it
 * serves, STOPPING=1 when asked to stop. Without $NOTIFY_SOCKET (not
 * started by systemd with Type=notify) every call does nothing.
 *
 * With libsystemd the datagrams go through sd_notify(); without it,
 * through a small writer of our own to the same socket ("/path" or
 * "@abstract"). Both are built by the unit tests (notify-test).
 *
 * Return: 1 when a datagram was sent, 0 when there is no socket, a
 * negative errno when sending failed (the caller may ignore it: a lost
 * notification is the service manager's timeout, not our failure).
 */

/* READY=1 and STATUS=Serving N LUN(s), M channel(s). */
int notify_ready(unsigned int nluns, unsigned int channels);

/* STATUS= as above, for a refresh (SIGUSR1). */
int notify_status(unsigned int nluns, unsigned int channels);

/* STOPPING=1 and STATUS=Stopping (WHY): disconnecting every channel. */
int notify_stopping(const char *why);

/* RELOADING=1: a reload (SIGHUP) started; notify_ready() ends it. */
int notify_reloading(void);

/* One datagram as it is ("KEY=VALUE\n..."). */
int notify_send(const char *state);

#endif
