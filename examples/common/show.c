/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* What the example targets print for their operator (show.h). */
#include <errno.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <srpt/srpt.h>

#include "show.h"

static pthread_once_t journal_once = PTHREAD_ONCE_INIT;
static bool journal;

/* stderr is the journal's stream when $JOURNAL_STREAM names its device
 * and inode (systemd.exec(5)); a stderr redirected elsewhere by the
 * service's own command line is not. */
static void journal_check(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	journal = e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 &&
		  !fstat(STDERR_FILENO, &st) &&
		  (unsigned long long)st.st_dev == dev &&
		  (unsigned long long)st.st_ino == ino;
}

bool show_to_journal(void)
{
	pthread_once(&journal_once, journal_check);
	return journal;
}

void show_log(int level, const char *msg, void *userdata)
{
	struct timespec ts;

	(void)userdata;
	if (show_to_journal()) {
		/* sd-daemon(3)'s "<N>" prefix: the journal keeps the
		 * priority and adds its own timestamp. */
		fprintf(stderr, "<%d>%s\n", level < 0 ? 0 : level > 7 ? 7 : level,
			msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "[%lld.%03ld] %s\n", (long long)ts.tv_sec,
		ts.tv_nsec / 1000000, msg);
}

void show_port_id(const uint8_t id[16], char out[33])
{
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", id[i]);
}

void show_addr(const struct sockaddr_storage *ss, char *out, size_t n)
{
	if (getnameinfo((const struct sockaddr *)ss, sizeof(*ss), out,
			(socklen_t)n, NULL, 0, NI_NUMERICHOST))
		snprintf(out, n, "?");
}

static int channel_line(struct srpt_channel *ch, void *arg)
{
	const char *prog = arg;
	struct srpt_channel_info in = { .size = sizeof(in) };
	struct srpt_io_stats st = { .size = sizeof(st) };
	char id[33], src[INET6_ADDRSTRLEN];

	if (srpt_channel_get_info(ch, &in) || srpt_channel_get_stats(ch, &st))
		return 0;
	show_port_id(in.initiator_port_id, id);
	show_addr(&in.src, src, sizeof(src));
	fprintf(stderr, "%s: channel %" PRIu64 ": %s, initiator %s (%s), %s port %u QP %u, credits %d of %u, %u outstanding, "
		"cmds %" PRIu64 " (%" PRIu64 " in, %" PRIu64 " out), bytes in %" PRIu64 " out %" PRIu64 ", tmf %" PRIu64 ", aborted %" PRIu64 ", cred_req %" PRIu64 ", aer %" PRIu64 "\n",
		prog, in.id, srpt_channel_state_name(in.state), id, src,
		in.device, in.port, in.qp_num, in.credits_held, in.credits,
		in.cmds_outstanding, st.cmds, st.cmds_in, st.cmds_out,
		st.bytes_in, st.bytes_out,
		st.tmf[0] + st.tmf[1] + st.tmf[2] + st.tmf[3] + st.tmf[4] +
		st.tmf[5], st.aborted, st.cred_reqs, st.aer_reqs);
	return 0;
}

void show_counters(struct srpt_target *t, const char *prog, const char *extra)
{
	struct srpt_target_stats st = { .size = sizeof(st) };
	struct srpt_io_stats io = { .size = sizeof(io) };

	srpt_target_foreach_channel(t, channel_line, (void *)prog);
	if (!srpt_target_get_stats(t, &st, &io))
		fprintf(stderr, "%s: target: %u channel(s), %" PRIu64 " login(s), %" PRIu64 " command(s), %" PRIu64 " aborted, %" PRIu64 " SRP_CRED_REQ, %" PRIu64 " SRP_AER_REQ%s\n",
			prog, st.channels, st.logins, io.cmds, io.aborted,
			io.cred_reqs, io.aer_reqs, extra);
}

void show_tmf(const char *prog, struct srpt_channel *ch,
	      const struct srpt_tmf_info *tmf, int lun)
{
	fprintf(stderr, "%s: channel %" PRIu64 ": %s (tag %#" PRIx64
		", task %#" PRIx64 ") for LUN %d\n", prog,
		srpt_channel_get_id(ch), srpt_tsk_mgmt_func_name(tmf->func),
		tmf->tag, tmf->task_tag, lun);
}

const char *show_listen_error(int r)
{
	switch (r) {
	case -ENODEV:
		return "no RDMA device found (is rdma_rxe or a NIC driver loaded?)";
	case -EADDRINUSE:
		return "address already in use";
	case -EADDRNOTAVAIL:
		return "address is not local to an RDMA device";
	default:
		return strerror(-r);
	}
}
