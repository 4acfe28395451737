/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * srpt-blockdev: files and block devices served over SRP with libsrpt,
 * through io_uring (cmd.c has a command's way). Each LUN is a backing
 * opened with O_DIRECT where the file system allows it; data moves
 * between the initiator and registered pool chunks by RDMA, and between
 * the same chunks and the backing by io_uring: no copy.
 *
 * Under systemd (Type=notify, notify.h) it reports READY=1 once serving,
 * STATUS= with its LUNs and channels, and STOPPING=1.
 *
 * Signals: SIGUSR1 prints the channels and counters, SIGUSR2 makes this
 * process's ALUA port group active/optimized (the survivor of a
 * failover), SIGHUP reads the --config file again and applies its LUN
 * changes (reload.h), SIGINT and SIGTERM stop it once every channel drained and
 * every backend operation ended.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockdev.h"
#include "failover.h"
#include "notify.h"
#include "show.h"
#ifdef BD_HAVE_JSON_C
#include "config.h"
#include "reload.h"
#include "service.h"
#endif

#define PROG "srpt-blockdev"
/* Submission queue entries per ring: a command takes up to 16. */
#define RING_ENTRIES 256

/* An accepted login joins its I_T nexus, which its commands' unit
 * attention is kept for. */
static int on_req(struct srpt_channel *ch, const struct srpt_login_info *li,
		  void *userdata)
{
	struct blockdev *bd = userdata;
	int r = target_cli_login(&bd->opt.cli, li);
	struct nexus *n;

	if (r != SRPT_LOGIN_ACCEPT)
		return r;
	n = nexus_get(&bd->nexuses, li->initiator_port_id,
		      li->target_port_id, &bd->desc);
	if (!n)
		return SRPT_LOGIN_REJ_INSUFFICIENT_RESOURCES;
	srpt_channel_set_userdata(ch, n);
	return SRPT_LOGIN_ACCEPT;
}

static void on_dreq(struct srpt_channel *ch, void *userdata)
{
	(void)userdata;
	fprintf(stderr, PROG ": channel %" PRIu64 " logging out\n",
		srpt_channel_get_id(ch));
}

static int on_drained(struct srpt_channel *ch, void *userdata)
{
	struct blockdev *bd = userdata;

	nexus_put(&bd->nexuses, srpt_channel_set_userdata(ch, NULL));
	return SRPT_DRAINED_DONE;
}

/* A LUN this target does not serve: INCORRECT LOGICAL UNIT NUMBER. The
 * library aborts the others' commands; those in the backing finish
 * there, and their answers are dropped. */
static int on_tmf(struct srpt_channel *ch, const struct srpt_tmf_info *tmf,
		  void *userdata)
{
	struct blockdev *bd = userdata;
	int idx = scsi_lun_to_index(tmf->lun);

	if (!lun_table_exists(&bd->luns, idx))
		return SRPT_TSK_MGMT_INCORRECT_LUN;
	show_tmf("srpt-blockdev", ch, tmf, idx);
	return 0;
}

static const struct srpt_target_ops blockdev_ops = {
	.size = sizeof(struct srpt_target_ops),
	.on_req = on_req,
	.on_dreq = on_dreq,
	.on_drained = on_drained,
	.on_cmd = bd_on_cmd,
	.on_tmf = on_tmf,
};

static int show_lun(const struct bd_lun *l, void *arg)
{
	const struct backing *b = &l->b;

	(void)arg;
	fprintf(stderr, PROG ": LUN %u: %s, %" PRIu64 " blocks of %u bytes%s%s%s%s\n",
		l->index, l->path, l->lun.nblocks, l->lun.block_size,
		b->read_only ? ", read-only" : "",
		b->rbd ? ", librbd" : b->direct ? ", O_DIRECT" :
		", buffered (O_DIRECT refused)",
		b->write_cache ? ", write cache" : ", write through",
		b->can_punch ? ", thin (UNMAP)" : "");
	return 0;
}

static int open_luns(struct blockdev *bd)
{
	const struct options *o = &bd->opt;
	int r = lun_table_init(&bd->luns, &bd->desc,
			       (o->read_only ? BACKING_RDONLY : 0) |
			       (o->shared ? BACKING_SHARED : 0) |
			       (o->dsync ? BACKING_DSYNC : 0), o->block_size);

	if (!r)
		r = lun_table_set_ceph(&bd->luns, o->ceph_conf, o->ceph_id);
	if (r)
		return r;
	for (unsigned int i = 0; i < o->nluns; i++) {
		struct lun_spec spec = {
			.path = o->lun[i].path,
			.name = o->lun[i].name,
			.read_only = o->lun[i].read_only,
			.ceph_conf = o->lun[i].ceph_conf,
			.ceph_id = o->lun[i].ceph_id,
		};
		char why[512];

		r = lun_table_add(&bd->luns, options_lun_index(o, i), &spec,
				  why, sizeof(why));
		if (r) {
			fprintf(stderr, PROG ": %s\n", why);
			return r;
		}
	}
	lun_table_foreach(&bd->luns, show_lun, NULL);
	bd->desc.vendor = "LIBSRPT";
	bd->desc.product = "BLOCKDEV";
	bd->desc.revision = "0001";
	bd->desc.max_xfer_bytes = POOL_MAX_BYTES;
	bd->desc.tpg_id = bd->opt.alua_group;
	bd->desc.rel_port_id = bd->opt.alua_port;
	if (bd->opt.alua_group)
		scsi_target_set_alua_state(&bd->desc, bd->opt.alua_state);
	return 0;
}

static int start_pollers(struct blockdev *bd, unsigned int n)
{
	bd->pollers = calloc(n, sizeof(*bd->pollers));
	if (!bd->pollers)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		struct bd_poller *p = &bd->pollers[i];
		char name[16];
		struct reactor_opts ro = {
			.poll = bd_poll,
			.poll_arg = p,
			.poll_fd = srpt_target_poll_fd(bd->t, i),
			.name = name,
		};
		int r;

		p->bd = bd;
		p->idx = i;
		snprintf(name, sizeof(name), "bdev-poll%u", i % 100);
		r = uring_new(RING_ENTRIES, bd->pool, &p->ring);
		if (r) {
			fprintf(stderr, PROG ": io_uring: %s%s\n", strerror(-r),
				r == -ENOMEM ? " (is RLIMIT_MEMLOCK, ulimit -l, below --pool?)" :
				r == -ENOSYS || r == -EPERM ? " (io_uring disabled in this kernel?)" : "");
			return r;
		}
		ro.ring = p->ring;
		r = reactor_start(&ro, &p->reactor);
		if (r) {
			fprintf(stderr, PROG ": poller thread: %s\n",
				strerror(-r));
			return r;
		}
		bd->npollers++;
	}
	return 0;
}

/* After srpt_target_shutdown(): every channel drained, so no command
 * starts; the reactors end once their rings are idle. */
static void stop_pollers(struct blockdev *bd)
{
	for (unsigned int i = 0; bd->pollers && i < bd->opt.cli.threads; i++) {
		struct bd_poller *p = &bd->pollers[i];

		if (p->reactor)
			reactor_stop(p->reactor);
		uring_free(p->ring);
	}
	free(bd->pollers);
	bd->pollers = NULL;
}

static void close_luns(struct blockdev *bd)
{
	lun_table_fini(&bd->luns);
}

/*
 * --rbd-lock: the thread that follows the image's lock starts before
 * any login, and sets the port group standby until this process owns
 * the lock (failover.h).
 */
static int start_failover(struct blockdev *bd)
{
	struct bd_lun *l = bd->luns.lun[options_lun_index(&bd->opt, 0)];
	int r;

	if (!bd->opt.rbd_lock)
		return 0;
	r = failover_start(&bd->failover, &l->b, &bd->desc,
			   bd->opt.rbd_stale * 1000u);
	if (r) {
		fprintf(stderr, PROG ": --rbd-lock: cannot start its thread: %s\n",
			strerror(-r));
		return r;
	}
	bd->failover_on = true;
	fprintf(stderr, PROG ": ALUA port group %u: standby until this process owns the lock of %s (takeover after %u s without the owner's heartbeat)\n",
		bd->opt.alua_group, l->path,
		bd->opt.rbd_stale ? bd->opt.rbd_stale :
		FAILOVER_STALE_MS_DEFAULT / 1000u);
	return 0;
}

static void dump(struct blockdev *bd)
{
	char extra[128];

	snprintf(extra, sizeof(extra),
		 ", %u of %zu buffer chunks free, %llu TASK SET FULL, ALUA state %u",
		 pool_avail(bd->pool), pool_size(bd->pool) / POOL_CHUNK_SIZE,
		 (unsigned long long)atomic_load(&bd->busy),
		 bd->opt.alua_group ? scsi_target_get_alua_state(&bd->desc) : 0);
	show_counters(bd->t, PROG, extra);
	notify_status(bd->luns.count, srpt_target_channel_count(bd->t));
}

static void promote(struct blockdev *bd)
{
	int r;

	if (bd->opt.rbd_lock) {
		fprintf(stderr, PROG ": SIGUSR2: ignored, the RBD image's lock decides port group %u's state (--rbd-lock)\n",
			bd->opt.alua_group);
		return;
	}
	r = scsi_target_set_alua_state(&bd->desc, SCSI_ALUA_ACTIVE_OPTIMIZED);

	fprintf(stderr, PROG ": ALUA port group %u: %s\n", bd->opt.alua_group,
		r ? "no ALUA (--alua-group) to change" : "now active/optimized");
}

#ifdef BD_HAVE_JSON_C
/* systemd hears of a reload (ExecReload= sends SIGHUP). */
static void on_reload(struct svc *s, bool done)
{
	if (done)
		notify_ready(s->luns->count,
			     srpt_target_channel_count(s->t));
	else
		notify_reloading();
}
#endif

/* SIGHUP: the configuration file again, its LUN changes applied. */
static void reload(struct blockdev *bd)
{
#ifdef BD_HAVE_JSON_C
	struct reload_result res;
	char msg[CONFIG_ERR_MAX + 128];

	pthread_mutex_lock(&bd->svc.lock);
	svc_reload_logged(&bd->svc, &res, msg, sizeof(msg), "SIGHUP");
	pthread_mutex_unlock(&bd->svc.lock);
#else
	(void)bd;
	fprintf(stderr, PROG ": SIGHUP: no reload, built without json-c\n");
#endif
}

/* The control socket (--control): bound before the target's threads
 * exist (its mode is set through the umask), served once the target
 * is. What it serves is also what SIGHUP reloads, with the command
 * line again over the file. */
static int control_open(struct blockdev *bd, int argc, char **argv)
{
#ifdef BD_HAVE_JSON_C
	char err[256];
	int r;

	bd->svc.ops = &svc_srpt_ops;
	bd->svc.opt = &bd->opt;
	bd->svc.desc = &bd->desc;
	bd->svc.luns = &bd->luns;
	bd->svc.on_reload = on_reload;
	bd->svc.argc = argc;
	bd->svc.argv = argv;
	if (!bd->opt.control_path)
		return 0;
	r = ctl_server_open(&bd->ctl, bd->opt.control_path, svc_methods,
			    &bd->svc, err, sizeof(err));
	if (r)
		fprintf(stderr, PROG ": %s\n", err);
	else
		ctl_server_set_lock(bd->ctl, &bd->svc.lock);
	return r;
#else
	(void)bd;
	(void)argc;
	(void)argv;
	return 0;
#endif
}

static int control_start(struct blockdev *bd)
{
#ifdef BD_HAVE_JSON_C
	int r;

	bd->svc.t = bd->t;
	if (!bd->ctl)
		return 0;
	r = ctl_server_start(bd->ctl);
	if (r)
		fprintf(stderr, PROG ": control socket thread: %s\n",
			strerror(-r));
	else
		fprintf(stderr, PROG ": control socket %s\n",
			bd->opt.control_path);
	return r;
#else
	(void)bd;
	return 0;
#endif
}

static void teardown(struct blockdev *bd)
{
#ifdef BD_HAVE_JSON_C
	ctl_server_close(bd->ctl);
	bd->ctl = NULL;
#endif
	if (bd->t)
		srpt_target_shutdown(bd->t);
	stop_pollers(bd);
	if (bd->pool_mr)
		srpt_target_dereg_mem(bd->t, bd->pool_mr);
	srpt_target_unref(bd->t);
	pool_free(bd->pool);
	if (bd->failover_on)
		failover_stop(&bd->failover);
	bd->failover_on = false;
	close_luns(bd);
}

int main(int argc, char **argv)
{
	struct blockdev bd = {
		.nexuses = { .lock = PTHREAD_MUTEX_INITIALIZER },
#ifdef BD_HAVE_JSON_C
		.svc = { .lock = PTHREAD_MUTEX_INITIALIZER },
#endif
	};
	struct srpt_target_opts o = { .size = sizeof(o) };
	char dest[INET6_ADDRSTRLEN + 8];
	uint64_t id_ext, guid;
	sigset_t set;
	int sig, r;

	r = options_parse(&bd.opt, argc, argv);
	if (r <= 0) {
		options_free(&bd.opt);	/* what was parsed before the error */
		return r < 0 ? 2 : 0;
	}
	if (open_luns(&bd) || start_failover(&bd) ||
	    control_open(&bd, argc, argv)) {
		if (bd.failover_on)
			failover_stop(&bd.failover);
		close_luns(&bd);
		options_free(&bd.opt);
		return 1;
	}
	target_cli_target_opts(&bd.opt.cli, &o);
	o.log_level = bd.opt.log_level;
	bd.opt.cli.threads = o.completion_threads;
	o.ops = &blockdev_ops;
	o.userdata = &bd;
	o.log = show_log;
	o.io_priv_size = sizeof(struct bd_cmd);
	/* Signals are taken by sigwait() below, not by any thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	r = pool_new(bd.opt.pool_size, &bd.pool);
	if (r) {
		fprintf(stderr, PROG ": --pool %" PRIu64 " bytes: %s\n",
			bd.opt.pool_size, strerror(-r));
		goto fail;
	}
	r = srpt_target_new(&bd.t, &o);
	if (r) {
		fprintf(stderr, PROG ": cannot create the target: %s\n",
			strerror(-r));
		goto fail;
	}
	srpt_target_disable(bd.t);
	r = srpt_target_reg_mem(bd.t, pool_base(bd.pool), pool_size(bd.pool),
				&bd.pool_mr);
	if (r) {
		fprintf(stderr, PROG ": cannot register the buffer pool: %s%s\n",
			strerror(-r), r == -ENOMEM ?
			" (is RLIMIT_MEMLOCK, ulimit -l, below --pool?)" : "");
		goto fail;
	}
	r = srpt_target_listen(bd.t, (struct sockaddr *)&bd.opt.cli.bind);
	if (r) {
		fprintf(stderr, PROG ": cannot listen on %s port %u: %s\n",
			bd.opt.cli.bind_str, bd.opt.cli.port,
			show_listen_error(r));
		goto fail;
	}
	r = start_pollers(&bd, o.completion_threads);
	if (r)
		goto fail;
	srpt_target_enable(bd.t);
	r = control_start(&bd);
	if (r)
		goto fail;
	srpt_target_get_port_id(bd.t, &id_ext, &guid);
	target_cli_dest(&bd.opt.cli, dest, sizeof(dest));
	printf(PROG ": serving %u LUN(s); add_target: id_ext=%016" PRIx64
	       ",ioc_guid=%016" PRIx64 ",dest=%s\n", bd.luns.count, id_ext,
	       guid, dest);
	fflush(stdout);
	notify_ready(bd.luns.count, srpt_target_channel_count(bd.t));
	for (;;) {
		r = sigwait(&set, &sig);
		if (r == EINTR)
			continue;
		if (sig == SIGUSR1)
			dump(&bd);
		else if (sig == SIGUSR2)
			promote(&bd);
		else if (sig == SIGHUP)
			reload(&bd);
		else
			break;
	}
	fprintf(stderr, PROG ": %s: disconnecting every channel\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	notify_stopping(sig == SIGINT ? "SIGINT" : "SIGTERM");
	teardown(&bd);
	options_free(&bd.opt);
	fprintf(stderr, PROG ": stopped\n");
	return 0;
fail:
	teardown(&bd);
	options_free(&bd.opt);
	return 1;
}
