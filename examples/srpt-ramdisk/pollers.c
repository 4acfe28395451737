/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <srpt/srpt.h>

#include "pollers.h"

struct poller {
	struct srpt_target *t;
	unsigned int idx;
	int epfd;
	pthread_t th;
	bool started;
};

struct pollers {
	unsigned int n;
	int stopfd;		/* readable: every poller ends */
	struct poller p[];
};

static void *poller_main(void *arg)
{
	struct poller *p = arg;
	struct epoll_event ev[2];
	char name[16];

	snprintf(name, sizeof(name), "ramdisk-poll%u", p->idx);
	pthread_setname_np(pthread_self(), name);
	for (;;) {
		int n = epoll_wait(p->epfd, ev, 2, -1);
		bool stop = false;

		for (int i = 0; i < n; i++)
			stop |= ev[i].data.u32 == 1;
		/* One round more after the stop: what is ready now. */
		while (srpt_target_poll(p->t, p->idx, 64) > 0)
			;
		if (stop)
			break;
	}
	return NULL;
}

int pollers_start(struct srpt_target *t, unsigned int n, struct pollers **ret)
{
	struct pollers *ps = calloc(1, sizeof(*ps) + n * sizeof(ps->p[0]));
	int r = 0;

	*ret = NULL;
	if (!ps)
		return -ENOMEM;
	ps->n = n;
	for (unsigned int i = 0; i < n; i++)
		ps->p[i].epfd = -1;
	ps->stopfd = eventfd(0, EFD_CLOEXEC);
	if (ps->stopfd < 0) {
		free(ps);
		return -errno;
	}
	for (unsigned int i = 0; i < n && !r; i++) {
		struct poller *p = &ps->p[i];
		struct epoll_event lib = { .events = EPOLLIN, .data.u32 = 0 };
		struct epoll_event stop = { .events = EPOLLIN, .data.u32 = 1 };
		int fd = srpt_target_poll_fd(t, i);

		p->t = t;
		p->idx = i;
		p->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (fd < 0)
			r = fd;
		else if (p->epfd < 0 ||
			 epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &lib) ||
			 epoll_ctl(p->epfd, EPOLL_CTL_ADD, ps->stopfd, &stop))
			r = -errno;
		else if ((r = -pthread_create(&p->th, NULL, poller_main, p)) == 0)
			p->started = true;
	}
	if (r) {
		pollers_stop(ps);
		return r;
	}
	*ret = ps;
	return 0;
}

void pollers_stop(struct pollers *ps)
{
	uint64_t one = 1;

	if (!ps)
		return;
	if (write(ps->stopfd, &one, sizeof(one)) < 0)
		perror("srpt-ramdisk: stopping the pollers");
	for (unsigned int i = 0; i < ps->n; i++) {
		if (ps->p[i].started)
			pthread_join(ps->p[i].th, NULL);
		if (ps->p[i].epfd >= 0)
			close(ps->p[i].epfd);
	}
	close(ps->stopfd);
	free(ps);
}
