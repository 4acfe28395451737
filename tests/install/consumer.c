/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* A third-party program: built only with pkg-config --cflags --libs. */
#include <stdio.h>
#include <string.h>

#include <srpt/srpt.h>

static int on_req(struct srpt_channel *ch, const struct srpt_login_info *li,
		  void *ud)
{
	return SRPT_LOGIN_ACCEPT;
}

static void on_cmd(struct srpt_channel *ch, struct srpt_io *io, void *ud)
{
}

int main(void)
{
	static const struct srpt_target_ops ops = {
		.on_req = on_req, .on_cmd = on_cmd,
	};
	struct srpt_target_opts o = { .size = sizeof(o), .ops = &ops };
	struct srpt_login_req req = { .req_it_iu_len = 8260, .req_buf_fmt = 6 };
	struct srpt_login_req back;
	struct srpt_target *t;
	unsigned char buf[SRPT_LOGIN_REQ_RDMA_LEN];

	if (srpt_login_req_rdma_encode(&req, buf, sizeof(buf)) != SRPT_LOGIN_REQ_RDMA_LEN ||
	    srpt_login_req_rdma_decode(buf, sizeof(buf), &back) ||
	    back.req_it_iu_len != 8260 || buf[11] != SRPT_OP_LOGIN_REQ)
		return 1;
	if (srpt_target_new(&t, &o))
		return 1;
	t = srpt_target_unref(t);
	printf("libsrpt %s: consumer ok\n", srpt_version());
	return t != NULL;
}
