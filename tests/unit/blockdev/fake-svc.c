/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* A made-up target behind the control socket's methods (fake-svc.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <srpt/log.h>

#include "fake-svc.h"

static int fake_foreach(void *t, int (*fn)(const struct srpt_channel_info *,
					   const struct srpt_io_stats *, void *),
			void *arg)
{
	struct fake_svc *f = t;

	for (int i = 0; i < 2; i++) {
		struct srpt_channel_info in = { .size = sizeof(in) };
		struct srpt_io_stats st = { .size = sizeof(st) };
		struct sockaddr_in *src = (struct sockaddr_in *)&in.src;
		int r;

		in.id = 11 + (uint64_t)i;
		in.state = f->closed[i] ? SRPT_CH_DISCONNECTING : SRPT_CH_LIVE;
		memset(in.initiator_port_id, 0xa0 + i, 16);
		memset(in.target_port_id, 0x0b, 16);
		src->sin_family = AF_INET;
		inet_pton(AF_INET, i ? "10.0.0.2" : "10.0.0.1", &src->sin_addr);
		in.credits = 128;
		in.credits_held = 120 - i;
		in.cmds_outstanding = 3 + (uint32_t)i;
		strcpy(in.device, "rxe0");
		in.port = 1;
		in.qp_num = 17 + (uint32_t)i;
		st.cmds = 1000 * (uint64_t)(i + 1);
		st.cmds_in = 600;
		st.cmds_out = 400;
		st.bytes_in = 4096 * 600;
		st.bytes_out = 4096 * 400;
		st.tmf[0] = 2;
		r = fn(&in, &st, arg);
		if (r)
			return r;
	}
	return 0;
}

static int fake_close(void *t, uint64_t id)
{
	struct fake_svc *f = t;

	f->close_calls++;
	if (id != 11 && id != 12)
		return -ENOENT;
	return f->closed[id - 11]++ ? -EALREADY : 0;
}

static int fake_log(void *t, int level)
{
	struct fake_svc *f = t;

	if (level < SRPT_LOG_ERR || level > SRPT_LOG_DEBUG)
		return -EINVAL;
	f->log_level = level;
	return 0;
}

static int fake_port_id(void *t, uint64_t *id_ext, uint64_t *ioc_guid)
{
	(void)t;
	*id_ext = 0x0002c903000e8acdull;
	*ioc_guid = 0x0002c903000e8acdull;
	return 0;
}

static int fake_stats(void *t, struct srpt_target_stats *st,
		      struct srpt_io_stats *io)
{
	(void)t;
	st->channels = 2;
	st->logins = 5;
	io->cmds = 3000;
	return 0;
}

static const struct svc_target_ops fake_ops = {
	.foreach_channel = fake_foreach,
	.close_channel = fake_close,
	.set_log_level = fake_log,
	.get_port_id = fake_port_id,
	.get_stats = fake_stats,
};

/* LUN @i as opt.lun[i] says, published as lun_table_add() would,
 * without a backing. */
static void fake_lun(struct fake_svc *f, unsigned int i, uint64_t blocks,
		     uint32_t block_size)
{
	struct bd_lun *l = calloc(1, sizeof(*l));

	if (!l || scsi_lun_init_blocks(&l->lun, NULL, blocks, block_size,
				       i, 1))
		abort();
	l->b.fd = -1;
	l->path = strdup(f->opt.lun[i].path);
	l->name = f->opt.lun[i].name ? strdup(f->opt.lun[i].name) : NULL;
	l->read_only = f->opt.lun[i].read_only;
	l->index = i;
	atomic_init(&l->refs, 1);
	f->luns.lun[i] = l;
	f->luns.count++;
	atomic_store(&f->luns.slots[i], &l->lun);
}

void fake_svc_init(struct fake_svc *f, const char *config_path)
{
	memset(f, 0, sizeof(*f));
	options_init(&f->opt);
	f->opt.lun[0].path = strdup("/dev/fake0");
	f->opt.lun[1].path = strdup("/srv/disk1.img");
	f->opt.lun[1].name = strdup("disk1");
	f->opt.lun[1].read_only = true;
	f->opt.nluns = 2;
	f->opt.alua_group = 7;
	f->opt.alua_port = 7;
	f->opt.cli.queue_depth = 64;
	if (config_path)
		f->opt.config_path = strdup(config_path);
	options_finish(&f->opt);

	if (lun_table_init(&f->luns, &f->desc, 0, 0))
		abort();
	fake_lun(f, 0, 2048, 512);
	f->luns.lun[0]->lun.write_cache = true;
	f->luns.lun[0]->lun.thin = true;
	fake_lun(f, 1, 256, 4096);
	f->luns.lun[1]->lun.write_protect = true;
	f->desc.tpg_id = 7;
	f->desc.rel_port_id = 7;
	f->svc.ops = &fake_ops;
	f->svc.t = f;
	f->svc.opt = &f->opt;
	f->svc.desc = &f->desc;
	f->svc.luns = &f->luns;
	pthread_mutex_init(&f->svc.lock, NULL);
}

void fake_svc_fini(struct fake_svc *f)
{
	lun_table_fini(&f->luns);
	pthread_mutex_destroy(&f->svc.lock);
	options_free(&f->opt);
}
