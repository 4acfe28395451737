/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * The control socket with a made-up target (fake-svc.h) behind it, for
 * srptctl's test: serves on argv[1] until its standard input ends, the
 * configuration file it saves to by default being argv[2] if given.
 * Prints "ready" once clients may connect.
 */
#include <stdio.h>
#include <unistd.h>

#include "ctl-server.h"
#include "fake-svc.h"

int main(int argc, char **argv)
{
	struct ctl_server *s;
	struct fake_svc f;
	char err[256], c;

	if (argc < 2) {
		fprintf(stderr, "usage: fake-ctl-server SOCKET [CONFIG]\n");
		return 2;
	}
	fake_svc_init(&f, argc > 2 ? argv[2] : NULL);
	if (ctl_server_open(&s, argv[1], svc_methods, &f.svc, err,
			    sizeof(err)) || ctl_server_start(s)) {
		fprintf(stderr, "fake-ctl-server: %s\n", err);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	ctl_server_close(s);
	fake_svc_fini(&f);
	return 0;
}
