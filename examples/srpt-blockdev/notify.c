/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* sd_notify(3) for srpt-blockdev (notify.h). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>

int notify_send(const char *state)
{
	return sd_notify(0, state);
}
#else
/* The protocol of sd_notify(3): one datagram to the AF_UNIX socket named
 * by $NOTIFY_SOCKET, a path or, with a leading '@', an abstract name. */
int notify_send(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n, len = strlen(state);
	socklen_t salen;
	ssize_t w;
	int fd, err;

	if (!name || !name[0])
		return 0;
	n = strlen(name);
	if ((name[0] != '/' && name[0] != '@') || n < 2 ||
	    n > sizeof(sa.sun_path))
		return -EINVAL;
	memcpy(sa.sun_path, name, n);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	w = sendto(fd, state, len, MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   salen);
	err = errno;
	close(fd);
	if (w < 0)
		return -err;
	return (size_t)w == len ? 1 : -EMSGSIZE;
}
#endif

static int send_status(const char *head, unsigned int nluns,
		       unsigned int channels)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "%sSTATUS=Serving %u LUN%s, %u channel%s",
		 head, nluns, nluns == 1 ? "" : "s", channels,
		 channels == 1 ? "" : "s");
	return notify_send(msg);
}

int notify_ready(unsigned int nluns, unsigned int channels)
{
	return send_status("READY=1\n", nluns, channels);
}

int notify_status(unsigned int nluns, unsigned int channels)
{
	return send_status("", nluns, channels);
}

int notify_stopping(const char *why)
{
	char msg[128];

	snprintf(msg, sizeof(msg),
		 "STOPPING=1\nSTATUS=Stopping (%s): disconnecting every channel",
		 why);
	return notify_send(msg);
}

int notify_reloading(void)
{
	return notify_send("RELOADING=1\nSTATUS=Reloading the configuration");
}
