/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * Implicit ALUA: the TPGS field, the target port designators of VPD
 * 0x83, REPORT TARGET PORT GROUPS in both formats, what each access
 * state lets through, and two targets serving one medium.
 */
#include <errno.h>

#include "scsi-test.h"

#define TPG_ID		0x1234u
#define REL_PORT_ID	0x0005u

static void alua_on(void)
{
	tdesc.tpg_id = TPG_ID;
	tdesc.rel_port_id = REL_PORT_ID;
}

static void set_state(enum scsi_alua_state s)
{
	ck_assert_int_eq(scsi_target_set_alua_state(&tdesc, s), 0);
	ck_assert_int_eq(scsi_target_get_alua_state(&tdesc), s);
}

/* TPGS is byte 5 bits 5:4; nothing else of the standard data changes. */
START_TEST(test_tpgs)
{
	uint8_t plain[96];
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 96, 0x12, 0, 0, 0, 0x60, 0);
	ck_assert_uint_eq(t.len, 96);
	ck_assert_uint_eq(t.buf[5], 0x00);
	memcpy(plain, t.buf, sizeof(plain));
	alua_on();
	plain[5] = 0x10;
	RUN(&t, 0, SCSI_DIR_IN, 96, 0x12, 0, 0, 0, 0x60, 0);
	ck_data(&t, plain, 96);
	/* Also on a LUN that is not there, and in every state */
	plain[0] = 0x7f;
	set_state(SCSI_ALUA_UNAVAILABLE);
	RUN(&t, NO_LUN, SCSI_DIR_IN, 96, 0x12, 0, 0, 0, 0x60, 0);
	ck_data(&t, plain, 96);
}
END_TEST

/* The LU designators of LUN 0 (test-inquiry.c), then the port's two. */
static const uint8_t devid_alua[] = {
	0x00, 0x83, 0x00, 0x44,
	0x01, 0x03, 0x00, 0x10,
	0x60, 0x25, 0x35, 0x20, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x02, 0x01, 0x00, 0x1c,
	'L', 'I', 'B', 'S', 'R', 'P', 'T', ' ',
	'0', '0', '1', '1', '2', '2', '3', '3', '4', '4',
	'5', '5', '6', '6', '7', '7', '0', '0', '0', '0',
	/* binary, target port, relative target port: 0x0005 */
	0x01, 0x14, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05,
	/* binary, target port, target port group: 0x1234 */
	0x01, 0x15, 0x00, 0x04, 0x00, 0x00, 0x12, 0x34,
};

START_TEST(test_vpd_devid_alua)
{
	struct scsi_task t;

	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x01, 0x83, 0x00, 0xfe, 0x00);
	ck_assert_uint_eq(t.len, 56);
	ck_assert_uint_eq(t.buf[3], 0x34);
	alua_on();
	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x01, 0x83, 0x00, 0xfe, 0x00);
	ck_data(&t, devid_alua, sizeof(devid_alua));
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 254 - sizeof(devid_alua));
	/* Cut in the middle of the port designators */
	RUN(&t, 0, SCSI_DIR_IN, 62, 0x12, 0x01, 0x83, 0x00, 0x3e, 0x00);
	ck_data(&t, devid_alua, 62);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	/* The port designators are the target's, the same on every LUN */
	RUN(&t, 2, SCSI_DIR_IN, 254, 0x12, 0x01, 0x83, 0x00, 0xfe, 0x00);
	ck_assert_uint_eq(t.len, sizeof(devid_alua));
	ck_assert_mem_eq(t.buf + 56, devid_alua + 56, 16);
	ck_assert(memcmp(t.buf + 8, devid_alua + 8, 16) != 0);
	/* Served in standby too: Linux reads it on every path */
	set_state(SCSI_ALUA_STANDBY);
	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x01, 0x83, 0x00, 0xfe, 0x00);
	ck_data(&t, devid_alua, sizeof(devid_alua));
}
END_TEST

/* REPORT TARGET PORT GROUPS, length only header: 4 + 8 + 4 bytes */
static const uint8_t rtpg_len[16] = {
	0x00, 0x00, 0x00, 0x0c,
	0x00, 0x8f, 0x12, 0x34, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x05,
};

/* ...and with the extended header: 8 + 8 + 4 bytes */
static const uint8_t rtpg_ext[20] = {
	0x00, 0x00, 0x00, 0x10, 0x10, 0x00, 0x00, 0x00,
	0x00, 0x8f, 0x12, 0x34, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x05,
};

START_TEST(test_rtpg_formats)
{
	struct scsi_task t;

	alua_on();
	RUN(&t, 0, SCSI_DIR_IN, 256, 0xa3, 0x0a, 0, 0, 0, 0,
	    0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	ck_data(&t, rtpg_len, sizeof(rtpg_len));
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 256 - sizeof(rtpg_len));
	scsi_task_finish(&tdesc, &t);
	RUN(&t, 0, SCSI_DIR_IN, 256, 0xa3, 0x2a, 0, 0, 0, 0,
	    0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	ck_data(&t, rtpg_ext, sizeof(rtpg_ext));
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 256 - sizeof(rtpg_ext));
	scsi_task_finish(&tdesc, &t);
	/* Every LUN has the one group; all 4 allocation length bytes count */
	RUN(&t, 2, SCSI_DIR_IN, 0x10000, 0xa3, 0x0a, 0, 0, 0, 0,
	    0x00, 0x01, 0x00, 0x00, 0x00, 0x00);
	ck_data(&t, rtpg_len, sizeof(rtpg_len));
}
END_TEST

/* The state and the status code (02h: changed by implicit ALUA) */
START_TEST(test_rtpg_states)
{
	static const enum scsi_alua_state states[] = {
		SCSI_ALUA_ACTIVE_NON_OPTIMIZED, SCSI_ALUA_STANDBY,
		SCSI_ALUA_UNAVAILABLE, SCSI_ALUA_TRANSITIONING,
		SCSI_ALUA_ACTIVE_OPTIMIZED,
	};
	uint8_t exp[20];
	struct scsi_task t;
	unsigned int i;

	alua_on();
	/* Setting the state it is in already is no change */
	set_state(SCSI_ALUA_ACTIVE_OPTIMIZED);
	RUN(&t, 0, SCSI_DIR_IN, 20, 0xa3, 0x2a, 0, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x14, 0x00, 0x00);
	ck_data(&t, rtpg_ext, sizeof(rtpg_ext));
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		set_state(states[i]);
		memcpy(exp, rtpg_ext, sizeof(exp));
		exp[8] = (uint8_t)states[i];
		exp[13] = 0x02;
		RUN(&t, 0, SCSI_DIR_IN, 20, 0xa3, 0x2a, 0, 0, 0, 0,
		    0x00, 0x00, 0x00, 0x14, 0x00, 0x00);
		ck_data(&t, exp, sizeof(exp));
		ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
		/* the same state again keeps the status code */
		set_state(states[i]);
		RUN(&t, 0, SCSI_DIR_IN, 20, 0xa3, 0x2a, 0, 0, 0, 0,
		    0x00, 0x00, 0x00, 0x14, 0x00, 0x00);
		ck_data(&t, exp, sizeof(exp));
	}
}
END_TEST

START_TEST(test_rtpg_short)
{
	struct scsi_task t;

	alua_on();
	/* Allocation length 0: no data, GOOD */
	RUN(&t, 0, SCSI_DIR_IN, 64, 0xa3, 0x0a, 0, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
	ck_good_nodata(&t);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 64);
	RUN(&t, 0, SCSI_DIR_NONE, 0, 0xa3, 0x0a, 0, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00);
	ck_good_nodata(&t);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	/* The header alone; the allocation length cuts, no residual */
	RUN(&t, 0, SCSI_DIR_IN, 4, 0xa3, 0x0a, 0, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x04, 0x00, 0x00);
	ck_data(&t, rtpg_len, 4);
	ck_resid(&t, RES_NONE, SCSI_DIR_NONE, 0);
	/* Cut inside the descriptor, more described than allocated */
	RUN(&t, 0, SCSI_DIR_IN, 100, 0xa3, 0x2a, 0, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x0b, 0x00, 0x00);
	ck_data(&t, rtpg_ext, 11);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 89);
	/* Described less than the allocation length asks: overflow */
	RUN(&t, 0, SCSI_DIR_IN, 8, 0xa3, 0x0a, 0, 0, 0, 0,
	    0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	ck_data(&t, rtpg_len, 8);
	ck_resid(&t, RES_OVER, SCSI_DIR_IN, 8);
	RUN(&t, 0, SCSI_DIR_IN, 19, 0xa3, 0x2a, 0, 0, 0, 0,
	    0x00, 0x00, 0x00, 0x14, 0x00, 0x00);
	ck_data(&t, rtpg_ext, 19);
	ck_resid(&t, RES_OVER, SCSI_DIR_IN, 1);
}
END_TEST

START_TEST(test_rtpg_errors)
{
	struct scsi_task t;

	alua_on();
	/* Other MAINTENANCE IN service actions */
	RUN(&t, 0, SCSI_DIR_IN, 256, 0xa3, 0x0c, 0, 0, 0, 0,
	    0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 1, 4);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 256);
	RUN(&t, 0, SCSI_DIR_IN, 256, 0xa3, 0x00, 0, 0, 0, 0,
	    0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 1, 4);
	/* Parameter data formats 010b..111b are reserved */
	RUN(&t, 0, SCSI_DIR_IN, 256, 0xa3, 0x4a, 0, 0, 0, 0,
	    0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 1, 7);
	RUN(&t, 0, SCSI_DIR_IN, 256, 0xa3, 0xea, 0, 0, 0, 0,
	    0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 1, 7);
	/* NACA in the control byte, byte 11 of this CDB */
	RUN(&t, 0, SCSI_DIR_IN, 256, 0xa3, 0x0a, 0, 0, 0, 0,
	    0x00, 0x00, 0x01, 0x00, 0x00, 0x04);
	ck_sense(&t, 5, 0x24, 0x00);
	ck_field(&t, 11, 2);
	/* Data out descriptors for a data-in command */
	RUN(&t, 0, SCSI_DIR_OUT, 256, 0xa3, 0x0a, 0, 0, 0, 0,
	    0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	ck_sense(&t, 5, 0x24, 0x00);
	/* A LUN that is not there */
	RUN(&t, NO_LUN, SCSI_DIR_IN, 256, 0xa3, 0x0a, 0, 0, 0, 0,
	    0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	ck_sense(&t, 5, 0x25, 0x00);
}
END_TEST

/*
 * One CDB of each command the emulation has, with the descriptors that
 * make it succeed on LUN 0, and the states that serve it besides the
 * active ones.
 */
#define IN_S	0x1	/* standby */
#define IN_U	0x2	/* unavailable */
#define IN_T	0x4	/* transitioning */

struct alua_case {
	const char *name;
	uint8_t cdb[16];
	enum scsi_dir dir;
	uint32_t len;
	unsigned int in;
};

static const struct alua_case alua_cases[] = {
	{ "TEST UNIT READY", { 0x00 }, SCSI_DIR_NONE, 0, 0 },
	{ "REQUEST SENSE", { 0x03, 0, 0, 0, 18 }, SCSI_DIR_IN, 18,
	  IN_S | IN_U | IN_T },
	{ "READ(6)", { 0x08, 0, 0, 0, 1 }, SCSI_DIR_IN, 512, 0 },
	{ "WRITE(6)", { 0x0a, 0, 0, 0, 1 }, SCSI_DIR_OUT, 512, 0 },
	{ "INQUIRY", { 0x12, 0, 0, 0, 96 }, SCSI_DIR_IN, 96,
	  IN_S | IN_U | IN_T },
	{ "INQUIRY VPD", { 0x12, 1, 0x83, 0, 0xfe }, SCSI_DIR_IN, 254,
	  IN_S | IN_U | IN_T },
	{ "MODE SENSE(6)", { 0x1a, 0, 0x3f, 0, 0xff }, SCSI_DIR_IN, 255,
	  IN_S },
	{ "START STOP UNIT", { 0x1b, 0, 0, 0, 1 }, SCSI_DIR_NONE, 0, 0 },
	{ "READ CAPACITY(10)", { 0x25 }, SCSI_DIR_IN, 8, IN_S },
	{ "READ(10)", { 0x28, 0, 0, 0, 0, 0, 0, 0, 1 }, SCSI_DIR_IN, 512,
	  0 },
	{ "WRITE(10)", { 0x2a, 0, 0, 0, 0, 0, 0, 0, 1 }, SCSI_DIR_OUT, 512,
	  0 },
	{ "VERIFY(10)", { 0x2f, 0, 0, 0, 0, 0, 0, 0, 1 }, SCSI_DIR_NONE, 0,
	  0 },
	{ "SYNCHRONIZE CACHE(10)", { 0x35 }, SCSI_DIR_NONE, 0, 0 },
	{ "WRITE SAME(10)", { 0x41, 0, 0, 0, 0, 0, 0, 0, 1 }, SCSI_DIR_OUT,
	  512, 0 },
	{ "UNMAP", { 0x42, 0, 0, 0, 0, 0, 0, 0, 24 }, SCSI_DIR_OUT, 24, 0 },
	{ "MODE SENSE(10)", { 0x5a, 0, 0x3f, 0, 0, 0, 0, 0x01, 0 },
	  SCSI_DIR_IN, 256, IN_S },
	{ "READ(16)", { 0x88, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	  SCSI_DIR_IN, 512, 0 },
	{ "WRITE(16)", { 0x8a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	  SCSI_DIR_OUT, 512, 0 },
	{ "VERIFY(16)", { 0x8f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	  SCSI_DIR_NONE, 0, 0 },
	{ "SYNCHRONIZE CACHE(16)", { 0x91 }, SCSI_DIR_NONE, 0, 0 },
	{ "WRITE SAME(16)", { 0x93, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	  SCSI_DIR_OUT, 512, 0 },
	{ "READ CAPACITY(16)", { 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				 0, 32 }, SCSI_DIR_IN, 32, IN_S },
	{ "REPORT LUNS", { 0xa0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0 },
	  SCSI_DIR_IN, 256, IN_S | IN_U | IN_T },
	{ "REPORT TARGET PORT GROUPS", { 0xa3, 0x0a, 0, 0, 0, 0, 0, 0, 0x01,
					 0 }, SCSI_DIR_IN, 256,
	  IN_S | IN_U | IN_T },
};

#define NCASES (sizeof(alua_cases) / sizeof(alua_cases[0]))

/*
 * Runs every case in the current state; refused ones get 02/04/ascq.
 * Without ALUA there is no REPORT TARGET PORT GROUPS: 5/20/00.
 */
static void run_cases(unsigned int in_bit, uint8_t ascq)
{
	struct scsi_task t;
	unsigned int i;

	for (i = 0; i < NCASES; i++) {
		const struct alua_case *c = &alua_cases[i];

		run_cdb(&t, 0, c->cdb, sizeof(c->cdb), c->dir, c->len);
		if (c->cdb[0] == 0xa3 && !tdesc.tpg_id) {
			ck_sense(&t, 5, 0x20, 0x00);
			continue;
		}
		if (!in_bit || (c->in & in_bit)) {
			ck_assert_msg(t.status == SCSI_STATUS_GOOD,
				      "%s: status %#x sense %x/%02x/%02x",
				      c->name, t.status, t.sense[2],
				      t.sense[12], t.sense[13]);
			scsi_task_release(&t);
			continue;
		}
		ck_assert_msg(t.status == SCSI_STATUS_CHECK_CONDITION &&
			      t.sense[2] == SCSI_SK_NOT_READY &&
			      t.sense[12] == 0x04 && t.sense[13] == ascq,
			      "%s: status %#x sense %x/%02x/%02x, want "
			      "2/04/%02x", c->name, t.status, t.sense[2],
			      t.sense[12], t.sense[13], ascq);
		ck_sense(&t, SCSI_SK_NOT_READY, 0x04, ascq);
		ck_no_sks(&t);
		ck_io(&t, SCSI_IO_NONE, 0, 0);
		ck_resid(&t, c->len ? RES_UNDER : RES_NONE, c->dir, c->len);
	}
}

START_TEST(test_states_active)
{
	alua_on();
	run_cases(0, 0);
	set_state(SCSI_ALUA_ACTIVE_NON_OPTIMIZED);
	run_cases(0, 0);
	set_state(SCSI_ALUA_ACTIVE_OPTIMIZED);
	run_cases(0, 0);
}
END_TEST

START_TEST(test_state_standby)
{
	alua_on();
	set_state(SCSI_ALUA_STANDBY);
	run_cases(IN_S, 0x0b);
}
END_TEST

START_TEST(test_state_unavailable)
{
	alua_on();
	set_state(SCSI_ALUA_UNAVAILABLE);
	run_cases(IN_U, 0x0c);
}
END_TEST

START_TEST(test_state_transitioning)
{
	alua_on();
	set_state(SCSI_ALUA_TRANSITIONING);
	run_cases(IN_T, 0x0a);
}
END_TEST

/* What is checked before the access state still comes first. */
START_TEST(test_state_order)
{
	struct scsi_task t;

	alua_on();
	set_state(SCSI_ALUA_STANDBY);
	/* A LUN that is not there, an operation code that is not */
	RUN(&t, NO_LUN, SCSI_DIR_IN, 512, 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0);
	ck_sense(&t, 5, 0x25, 0x00);
	RUN(&t, 0, SCSI_DIR_NONE, 0, 0xc0, 0, 0, 0, 0, 0);
	ck_sense(&t, 5, 0x20, 0x00);
	/* A served command to a LUN that is not there */
	RUN(&t, NO_LUN, SCSI_DIR_IN, 96, 0x12, 0, 0, 0, 0x60, 0);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[0], 0x7f);
	/* Back to active: served again */
	set_state(SCSI_ALUA_ACTIVE_NON_OPTIMIZED);
	RUN(&t, 0, SCSI_DIR_NONE, 0, 0x00, 0, 0, 0, 0, 0);
	ck_good_nodata(&t);
}
END_TEST

START_TEST(test_set_state_errors)
{
	static const unsigned int bad[] = { 4, 5, 0xe, 0x10, 0x102, ~0u };
	unsigned int i;

	/* No ALUA: there is no state to set */
	ck_assert_int_eq(scsi_target_set_alua_state(&tdesc,
						    SCSI_ALUA_STANDBY),
			 -EINVAL);
	ck_assert_int_eq(scsi_target_get_alua_state(&tdesc),
			 SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert_int_eq(scsi_target_set_alua_state(NULL,
						    SCSI_ALUA_STANDBY),
			 -EINVAL);
	alua_on();
	set_state(SCSI_ALUA_UNAVAILABLE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(scsi_target_set_alua_state(
				 &tdesc, (enum scsi_alua_state)bad[i]),
				 -EINVAL);
		ck_assert_int_eq(scsi_target_get_alua_state(&tdesc),
				 SCSI_ALUA_UNAVAILABLE);
	}
}
END_TEST

/* Without ALUA: no TPGS, no port designators, no REPORT TPG, no state */
START_TEST(test_no_alua)
{
	struct scsi_task t;

	tdesc.rel_port_id = REL_PORT_ID;	/* ignored without tpg_id */
	RUN(&t, 0, SCSI_DIR_IN, 96, 0x12, 0, 0, 0, 0x60, 0);
	ck_assert_uint_eq(t.status, SCSI_STATUS_GOOD);
	ck_assert_uint_eq(t.buf[5], 0x00);
	RUN(&t, 0, SCSI_DIR_IN, 254, 0x12, 0x01, 0x83, 0x00, 0xfe, 0x00);
	ck_assert_uint_eq(t.len, 56);
	ck_assert_uint_eq(t.buf[3], 0x34);
	ck_assert_mem_eq(t.buf + 4, devid_alua + 4, 52);
	RUN(&t, 0, SCSI_DIR_IN, 256, 0xa3, 0x0a, 0, 0, 0, 0,
	    0x00, 0x00, 0x01, 0x00, 0x00, 0x00);
	ck_sense(&t, 5, 0x20, 0x00);
	ck_no_sks(&t);
	/* An invalid opcode before any check of its CDB */
	RUN(&t, 0, SCSI_DIR_IN, 256, 0xa3, 0x0a, 0, 0, 0, 0,
	    0x00, 0x00, 0x01, 0x00, 0x00, 0x04);
	ck_sense(&t, 5, 0x20, 0x00);
	ck_assert_int_eq(scsi_target_set_alua_state(&tdesc,
						    SCSI_ALUA_STANDBY),
			 -EINVAL);
	run_cases(0, 0);
}
END_TEST

/*
 * Two processes serving one medium: both give its LUN the same id, so
 * the LU designators agree; the port designators tell the paths apart.
 */
START_TEST(test_lu_id_two_ports)
{
	static const uint8_t id[16] = { 0x01, [15] = 0x02 };
	static const uint8_t ports2[16] = {
		0x01, 0x14, 0x00, 0x04, 0x00, 0x00, 0x00, 0x02,
		0x01, 0x15, 0x00, 0x04, 0x00, 0x00, 0x00, 0x07,
	};
	const uint8_t cdb[6] = { 0x12, 0x01, 0x83, 0x00, 0xfe, 0x00 };
	uint8_t p83[72];
	struct scsi_task t;

	alua_on();
	ck_assert_int_eq(scsi_lun_set_lu_id(&tluns[0], id), 0);
	run_cdb(&t, 0, cdb, sizeof(cdb), SCSI_DIR_IN, 254);
	ck_assert_uint_eq(t.len, 72);
	memcpy(p83, t.buf, sizeof(p83));
	ck_assert_mem_eq(p83 + 56, devid_alua + 56, 16);

	/* The other process: another target id, LUN index, group, port */
	scsi_lun_set_target_id(&tluns[2], 0x99);
	ck_assert_int_eq(scsi_lun_set_lu_id(&tluns[2], id), 0);
	tdesc.tpg_id = 0x0007;
	tdesc.rel_port_id = 0x0002;
	run_cdb(&t, 2, cdb, sizeof(cdb), SCSI_DIR_IN, 254);
	ck_assert_uint_eq(t.len, 72);
	ck_assert_mem_eq(t.buf, p83, 56);
	ck_assert_mem_eq(t.buf + 56, ports2, 16);
}
END_TEST

TCase *tcase_alua(void)
{
	TCase *tc = scsi_tcase("alua");

	tcase_add_test(tc, test_tpgs);
	tcase_add_test(tc, test_vpd_devid_alua);
	tcase_add_test(tc, test_rtpg_formats);
	tcase_add_test(tc, test_rtpg_states);
	tcase_add_test(tc, test_rtpg_short);
	tcase_add_test(tc, test_rtpg_errors);
	tcase_add_test(tc, test_states_active);
	tcase_add_test(tc, test_state_standby);
	tcase_add_test(tc, test_state_unavailable);
	tcase_add_test(tc, test_state_transitioning);
	tcase_add_test(tc, test_state_order);
	tcase_add_test(tc, test_set_state_errors);
	tcase_add_test(tc, test_no_alua);
	tcase_add_test(tc, test_lu_id_two_ports);
	return tc;
}
