/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * srpt-ramdisk: a RAM disk served over SRP with libsrpt. It registers its
 * RAM with the library before it listens, so that data moves by RDMA
 * straight to and from the disk (zero copy) from the first login on; the
 * SCSI emulation is examples/scsi/. Signals: SIGUSR1 prints the channels
 * and their counters, SIGUSR2 sends every channel an asynchronous event
 * (capacity data changed), SIGHUP logs every initiator out (they log in
 * again), SIGINT and SIGTERM stop it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <srpt/srpt.h>

#include "options.h"
#include "show.h"
#include "pollers.h"
#include "scsi.h"
#include "staging.h"

struct ramdisk {
	struct srpt_target *t;
	struct options opt;
	struct scsi_target_desc desc;
	struct scsi_lun *luns;
	struct srpt_mr **mrs;
	struct staging *staging;	/* --staging */
	struct pollers *pollers;	/* --app-poll */
	/* commands --stall-lun holds until they are aborted; after the
	 * first task management request for that LUN, none */
	atomic_bool stall_over;
	pthread_mutex_t stall_lock;
	struct srpt_io **stalled;
	unsigned int nstalled, capstalled;
};

/* --stall-lun holds READs and WRITEs of the LUN's middle block (not the
 * first ones, which the kernel's partition scan reads), until the first
 * task management request for that LUN. */
static bool stalls(struct ramdisk *rd, const struct srpt_io_info *info)
{
	int idx = scsi_lun_to_index(info->lun);

	if (rd->opt.stall_lun < 0 || idx != rd->opt.stall_lun ||
	    (unsigned int)idx >= rd->opt.luns || atomic_load(&rd->stall_over))
		return false;
	return scsi_rw_covers(info->cdb, rd->luns[idx].nblocks / 2);
}

/* --stall-lun: keep @io until task management aborts it. */
static bool stall(struct ramdisk *rd, struct srpt_io *io)
{
	bool ok = false;

	pthread_mutex_lock(&rd->stall_lock);
	if (rd->nstalled == rd->capstalled) {
		unsigned int cap = rd->capstalled ? 2 * rd->capstalled : 64;
		struct srpt_io **n = realloc(rd->stalled, cap * sizeof(*n));

		if (n) {
			rd->stalled = n;
			rd->capstalled = cap;
		}
	}
	if (rd->nstalled < rd->capstalled) {
		rd->stalled[rd->nstalled++] = io;
		ok = true;
	}
	pthread_mutex_unlock(&rd->stall_lock);
	return ok;
}

static bool stalled_take(struct ramdisk *rd, struct srpt_io *io)
{
	bool found = false;

	pthread_mutex_lock(&rd->stall_lock);
	for (unsigned int i = 0; i < rd->nstalled; i++) {
		if (rd->stalled[i] == io) {
			rd->stalled[i] = rd->stalled[--rd->nstalled];
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&rd->stall_lock);
	return found;
}

static int verbose;

static int on_req(struct srpt_channel *ch, const struct srpt_login_info *li,
		  void *userdata)
{
	struct ramdisk *rd = userdata;

	(void)ch;
	return target_cli_login(&rd->opt.cli, li);
}

static void on_dreq(struct srpt_channel *ch, void *userdata)
{
	fprintf(stderr, "srpt-ramdisk: channel %" PRIu64 " logging out\n",
		srpt_channel_get_id(ch));
}

static int on_drained(struct srpt_channel *ch, void *userdata)
{
	if (verbose)
		fprintf(stderr, "srpt-ramdisk: channel %" PRIu64 " drained\n",
			srpt_channel_get_id(ch));
	return SRPT_DRAINED_DONE;
}

/* The registration covering @buf, if it lies in a LUN's memory. */
static struct srpt_mr *mr_for(struct ramdisk *rd, const uint8_t *buf)
{
	for (unsigned int i = 0; i < rd->desc.nluns; i++) {
		const struct scsi_lun *l = &rd->luns[i];

		if (buf >= l->data && buf < l->data + l->nblocks * l->block_size)
			return rd->mrs[i];
	}
	return NULL;
}

static void finish(struct ramdisk *rd, struct srpt_io *io,
		   struct scsi_task *task)
{
	struct srpt_io_result res = { .size = sizeof(res) };

	scsi_task_finish(&rd->desc, task);
	res.status = task->status;
	res.sense = task->sense_len ? task->sense : NULL;
	res.sense_len = task->sense_len;
	res.expected_len = task->status ? SRPT_LEN_AS_DESCRIBED :
			   scsi_task_expected_len(task);
	srpt_io_complete(io, &res);
}

static void data_out_done(struct srpt_io *io, int status, void *arg)
{
	struct ramdisk *rd = arg;
	struct scsi_task *task = srpt_io_get_priv(io);

	if (status) {
		/* The initiator's buffer could not be read. */
		static const uint8_t aborted[18] = {
			0x70, 0, 0x0b, 0, 0, 0, 0, 10,
		};
		struct srpt_io_result res = { .size = sizeof(res),
			.status = SCSI_STATUS_CHECK_CONDITION,
			.sense = aborted, .sense_len = sizeof(aborted),
			.expected_len = SRPT_LEN_AS_DESCRIBED,
		};

		scsi_task_release(task);
		srpt_io_complete(io, &res);
		return;
	}
	scsi_task_data_out_done(&rd->desc, task);
	finish(rd, io, task);
}

static void on_cmd(struct srpt_channel *ch, struct srpt_io *io, void *userdata)
{
	struct ramdisk *rd = userdata;
	const struct srpt_io_info *info = srpt_io_get_info(io);
	struct scsi_task *task = srpt_io_get_priv(io);
	struct srpt_sge sg;
	int r;

	task->lun8 = info->lun;
	task->cdb = info->cdb;
	task->cdb_len = info->cdb_len;
	task->init_dir = info->dir == SRPT_DIR_IN ? SCSI_DIR_IN :
			 info->dir == SRPT_DIR_OUT ? SCSI_DIR_OUT : SCSI_DIR_NONE;
	task->init_len = info->data_len;
	if (stalls(rd, info) && stall(rd, io))
		return;
	scsi_task_start(&rd->desc, task);
	if (task->status != SCSI_STATUS_GOOD || !task->len ||
	    task->dir == SCSI_DIR_NONE) {
		finish(rd, io, task);
		return;
	}
	sg.addr = task->buf;
	sg.len = task->len;
	sg.mr = mr_for(rd, task->buf);
	if (task->dir == SCSI_DIR_IN) {
		struct srpt_io_result res = { .size = sizeof(res),
			.status = SCSI_STATUS_GOOD,
			.data = &sg,
			.nsge = 1,
			.expected_len = scsi_task_expected_len(task),
		};
		void *heap, *stage = NULL;

		/* With --staging, LUN data goes out of a pool buffer that the
		 * release notification gives back. */
		if (rd->staging && sg.mr && sg.len <= STAGING_BUF)
			stage = staging_get(rd->staging, &sg.mr);
		if (stage) {
			memcpy(stage, sg.addr, sg.len);
			sg.addr = stage;
			res.release = staging_release;
			res.release_arg = stage;
		} else {
			sg.mr = mr_for(rd, task->buf);
		}
		/* Generated data is copied by the library before it returns;
		 * LUN data goes out by RDMA straight from the disk. The task
		 * belongs to the library after srpt_io_complete(). */
		heap = scsi_task_detach_buffer(task);
		srpt_io_complete(io, &res);
		free(heap);
		return;
	}
	r = srpt_io_fetch_data(io, &sg, 1, data_out_done, rd);
	if (r == 1)
		data_out_done(io, 0, rd);
	else if (r < 0)
		data_out_done(io, r, rd);
}

/* Task management names a LUN: one this target does not serve gets
 * SAM-5's INCORRECT LOGICAL UNIT NUMBER, not a success that means
 * nothing. The library aborts the commands of the others and tells us
 * of those we hold (on_abort). */
static int on_tmf(struct srpt_channel *ch, const struct srpt_tmf_info *tmf,
		  void *userdata)
{
	struct ramdisk *rd = userdata;
	int idx = scsi_lun_to_index(tmf->lun);

	if (idx < 0 || (unsigned int)idx >= rd->opt.luns)
		return SRPT_TSK_MGMT_INCORRECT_LUN;
	show_tmf("srpt-ramdisk", ch, tmf, idx);
	if (idx == rd->opt.stall_lun)
		atomic_store(&rd->stall_over, true);
	return 0;
}

/* A command we hold was aborted (only --stall-lun holds any): nothing
 * we send reaches the initiator, so give it back at once. */
static void on_abort(struct srpt_io *io, void *userdata)
{
	struct ramdisk *rd = userdata;
	struct scsi_task *task = srpt_io_get_priv(io);
	struct srpt_io_result res = { .size = sizeof(res),
				      .expected_len = SRPT_LEN_AS_DESCRIBED };

	fprintf(stderr, "srpt-ramdisk: channel %" PRIu64 ": command %#" PRIx64
		" aborted\n", srpt_channel_get_id(srpt_io_get_channel(io)),
		srpt_io_get_info(io)->tag);
	(void)task;	/* never started: nothing of it to release */
	if (!stalled_take(rd, io))
		return;		/* not one we hold: it is on its way back */
	srpt_io_complete(io, &res);
}

static const struct srpt_target_ops ramdisk_ops = {
	.size = sizeof(struct srpt_target_ops),
	.on_req = on_req,
	.on_dreq = on_dreq,
	.on_drained = on_drained,
	.on_cmd = on_cmd,
	.on_tmf = on_tmf,
	.on_abort = on_abort,
};

static int setup_luns(struct ramdisk *rd, uint64_t target_id)
{
	unsigned int n = rd->opt.luns;

	rd->luns = calloc(n, sizeof(*rd->luns));
	rd->mrs = calloc(n, sizeof(*rd->mrs));
	if (!rd->luns || !rd->mrs)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		void *mem = mmap(NULL, rd->opt.size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int r;

		if (mem == MAP_FAILED)
			return -ENOMEM;
		r = scsi_lun_init(&rd->luns[i], mem, rd->opt.size, i, target_id);
		if (r)
			return r;
		r = srpt_target_reg_mem(rd->t, mem, rd->opt.size, &rd->mrs[i]);
		if (r)
			return r;
	}
	rd->desc.luns = rd->luns;
	rd->desc.nluns = n;
	rd->desc.vendor = "LIBSRPT";
	rd->desc.product = "RAMDISK";
	rd->desc.revision = "0001";
	return 0;
}

static void teardown_luns(struct ramdisk *rd)
{
	for (unsigned int i = 0; rd->luns && i < rd->opt.luns; i++) {
		if (rd->mrs && rd->mrs[i])
			srpt_target_dereg_mem(rd->t, rd->mrs[i]);
		if (rd->luns[i].data)
			munmap(rd->luns[i].data, rd->opt.size);
	}
	free(rd->luns);
	free(rd->mrs);
}

/* SIGUSR1: what is connected, and what moved. */
static void dump(struct ramdisk *rd)
{
	char extra[64];

	snprintf(extra, sizeof(extra), ", %" PRIu64 " staging buffer(s) released",
		 staging_released(rd->staging));
	show_counters(rd->t, "srpt-ramdisk", extra);
}

/* SIGUSR2: the capacity changed, as far as initiators are told (the
 * Linux initiator logs the event and answers it). */
static int aer_one(struct srpt_channel *ch, void *arg)
{
	static const uint8_t sense[18] = {
		0x70, 0, 0x06, [7] = 10, [12] = 0x2a, [13] = 0x09,
	};
	static const uint8_t lun0[8];
	int r;

	if (srpt_channel_get_state(ch) != SRPT_CH_LIVE)
		return 0;
	r = srpt_channel_send_aer(ch, lun0, sense, sizeof(sense));
	fprintf(stderr, "srpt-ramdisk: channel %" PRIu64 ": SRP_AER_REQ %s\n",
		srpt_channel_get_id(ch), r ? strerror(-r) : "sent");
	return 0;
}

/* SIGHUP: SRP_T_LOGOUT to every initiator; they log in again. */
static int logout_one(struct srpt_channel *ch, void *arg)
{
	int r;

	if (srpt_channel_get_state(ch) != SRPT_CH_LIVE)
		return 0;
	r = srpt_channel_logout(ch, 0);
	fprintf(stderr, "srpt-ramdisk: channel %" PRIu64 ": SRP_T_LOGOUT %s\n",
		srpt_channel_get_id(ch), r ? strerror(-r) : "sent");
	return 0;
}

int main(int argc, char **argv)
{
	struct ramdisk rd = { 0 };
	struct srpt_target_opts o = { .size = sizeof(o) };
	char dest[INET6_ADDRSTRLEN + 8];
	uint64_t id_ext, guid;
	sigset_t set;
	int sig, r;

	r = options_parse(&rd.opt, argc, argv);
	if (r <= 0) {
		options_free(&rd.opt);	/* what was parsed before the error */
		return r < 0 ? 2 : 0;
	}
	verbose = rd.opt.cli.verbose;
	target_cli_target_opts(&rd.opt.cli, &o);
	o.ops = &ramdisk_ops;
	o.userdata = &rd;
	o.log = show_log;
	o.io_priv_size = sizeof(struct scsi_task);
	pthread_mutex_init(&rd.stall_lock, NULL);
	r = srpt_target_new(&rd.t, &o);
	if (r) {
		fprintf(stderr, "srpt-ramdisk: cannot create the target: %s\n",
			strerror(-r));
		return 1;
	}
	/* Signals are taken by sigwait() below, not by library threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* The LUNs exist, registered, before the first login can come; with
	 * the default GUID their identifiers need the listening device, so
	 * logins are refused (the initiator retries) until they are set. */
	srpt_target_disable(rd.t);
	r = setup_luns(&rd, rd.opt.cli.ioc_guid);
	if (!r && rd.opt.staging)
		r = staging_new(rd.t, rd.opt.staging, &rd.staging);
	if (!r) {
		r = srpt_target_listen(rd.t,
				       (struct sockaddr *)&rd.opt.cli.bind);
		if (r)
			fprintf(stderr, "srpt-ramdisk: cannot listen on %s port %u: %s\n",
				rd.opt.cli.bind_str, rd.opt.cli.port,
				show_listen_error(r));
	} else {
		fprintf(stderr, "srpt-ramdisk: cannot set up %u LUN(s) of %" PRIu64 " bytes: %s\n",
			rd.opt.luns, rd.opt.size, strerror(-r));
	}
	if (r) {
		srpt_target_shutdown(rd.t);
		staging_free(rd.staging);
		teardown_luns(&rd);
		srpt_target_unref(rd.t);
		return 1;
	}
	srpt_target_get_port_id(rd.t, &id_ext, &guid);
	for (unsigned int i = 0; i < rd.opt.luns; i++)
		scsi_lun_set_target_id(&rd.luns[i], guid);
	if (rd.opt.cli.app_poll) {
		r = pollers_start(rd.t, o.completion_threads, &rd.pollers);
		if (r) {
			fprintf(stderr, "srpt-ramdisk: cannot start the pollers: %s\n",
				strerror(-r));
			srpt_target_shutdown(rd.t);
			staging_free(rd.staging);
			teardown_luns(&rd);
			srpt_target_unref(rd.t);
			return 1;
		}
	}
	srpt_target_enable(rd.t);
	target_cli_dest(&rd.opt.cli, dest, sizeof(dest));
	printf("srpt-ramdisk: serving %u LUN(s) of %" PRIu64 " bytes; "
	       "add_target: id_ext=%016" PRIx64 ",ioc_guid=%016" PRIx64 ",dest=%s\n",
	       rd.opt.luns, rd.opt.size, id_ext, guid, dest);
	fflush(stdout);
	for (;;) {
		r = sigwait(&set, &sig);
		if (r == EINTR)
			continue;
		if (sig == SIGUSR1)
			dump(&rd);
		else if (sig == SIGUSR2)
			srpt_target_foreach_channel(rd.t, aer_one, NULL);
		else if (sig == SIGHUP)
			srpt_target_foreach_channel(rd.t, logout_one, NULL);
		else
			break;
	}
	fprintf(stderr, "srpt-ramdisk: %s: disconnecting every channel\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	srpt_target_shutdown(rd.t);
	/* Channels drained through the pollers; only now they stop. */
	pollers_stop(rd.pollers);
	staging_free(rd.staging);
	teardown_luns(&rd);
	srpt_target_unref(rd.t);
	free(rd.stalled);
	pthread_mutex_destroy(&rd.stall_lock);
	options_free(&rd.opt);
	fprintf(stderr, "srpt-ramdisk: stopped\n");
	return 0;
}
