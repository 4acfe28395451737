/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * LUNs that come and go (scsi_target_desc.lun_slots) and the unit
 * attention REPORTED LUNS DATA HAS CHANGED of each I_T nexus.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "scsi-test.h"

#define NSLOTS 4u

static struct scsi_lun *_Atomic slots[NSLOTS];

/* The fixture's LUN 0 and 2 in slots 0 and 2, slot 1 and 3 empty. */
static void slots_setup(void)
{
	scsi_fixture_setup();
	for (unsigned int i = 0; i < NSLOTS; i++)
		atomic_init(&slots[i], NULL);
	atomic_store(&slots[0], &tluns[0]);
	atomic_store(&slots[2], &tluns[2]);
	tdesc.luns = NULL;
	tdesc.lun_slots = slots;
	tdesc.nluns = NSLOTS;
}

static void run_nx(struct scsi_task *task, struct scsi_nexus *nx,
		   unsigned int lun, const uint8_t *cdb, unsigned int len,
		   uint32_t init_len)
{
	static _Thread_local uint8_t lun8[8];

	scsi_lun_from_index(lun, lun8);
	memset(task, 0x5a, sizeof(*task));
	task->lun8 = lun8;
	task->cdb = cdb;
	task->cdb_len = len;
	task->init_dir = init_len ? SCSI_DIR_IN : SCSI_DIR_NONE;
	task->init_len = init_len;
	ck_assert_int_eq(scsi_task_start_nexus(&tdesc, nx, task), 0);
}

static const uint8_t tur[16];
static const uint8_t inquiry[16] = { 0x12, 0, 0, 0, 96, 0 };
static const uint8_t report_luns[16] = { 0xa0, 0, 0, 0, 0, 0,
					 0, 0, 0x10, 0, 0, 0 };
static const uint8_t request_sense[16] = { 0x03, 0, 0, 0, 18, 0 };
static const uint8_t request_sense_desc[16] = { 0x03, 1, 0, 0, 8, 0 };
static const uint8_t read10[16] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0 };

#define ck_ua(t) ck_sense(t, SCSI_SK_UNIT_ATTENTION, 0x3f, 0x0e)

static void ck_report(struct scsi_task *t, const unsigned int *luns,
		      unsigned int n)
{
	uint8_t exp[8 + 8 * NSLOTS] = { 0 };

	exp[3] = (uint8_t)(8 * n);
	for (unsigned int i = 0; i < n; i++)
		scsi_lun_from_index(luns[i], exp + 8 + 8 * i);
	ck_data(t, exp, 8 + 8 * n);
}

START_TEST(test_slots_report_and_absent)
{
	static const unsigned int two[] = { 0, 2 }, three[] = { 0, 2, 3 };
	struct scsi_task t;

	run_nx(&t, NULL, 0, report_luns, 12, 4096);
	ck_report(&t, two, 2);
	scsi_task_finish(&tdesc, &t);
	ck_assert_ptr_eq(scsi_task_lun(&t), &tluns[0]);
	/* an empty slot is no LU, whatever the command */
	run_nx(&t, NULL, 1, tur, 6, 0);
	ck_sense(&t, SCSI_SK_ILLEGAL_REQUEST, 0x25, 0x00);
	ck_assert_ptr_null(scsi_task_lun(&t));
	run_nx(&t, NULL, 1, read10, 10, 512);
	ck_sense(&t, SCSI_SK_ILLEGAL_REQUEST, 0x25, 0x00);
	run_nx(&t, NULL, 2, read10, 10, 512);
	ck_io(&t, SCSI_IO_READ, 0, 1);
	ck_assert_ptr_eq(scsi_task_lun(&t), &tluns[2]);
	/* past the slots */
	run_nx(&t, NULL, NSLOTS, tur, 6, 0);
	ck_sense(&t, SCSI_SK_ILLEGAL_REQUEST, 0x25, 0x00);
	/* a LUN put in slot 3 is served and listed, one taken out is not */
	atomic_store(&slots[3], &tluns[1]);
	run_nx(&t, NULL, 3, tur, 6, 0);
	ck_good_nodata(&t);
	run_nx(&t, NULL, 0, report_luns, 12, 4096);
	ck_report(&t, three, 3);
	scsi_task_finish(&tdesc, &t);
	atomic_store(&slots[0], NULL);
	run_nx(&t, NULL, 0, tur, 6, 0);
	ck_sense(&t, SCSI_SK_ILLEGAL_REQUEST, 0x25, 0x00);
	run_nx(&t, NULL, 0, report_luns, 12, 4096);
	ck_report(&t, three + 1, 2);
	scsi_task_finish(&tdesc, &t);
}
END_TEST

START_TEST(test_ua_once_per_nexus)
{
	struct scsi_nexus a, b;
	struct scsi_task t;

	scsi_nexus_init(&a, &tdesc);
	scsi_nexus_init(&b, &tdesc);
	/* nothing pending at first */
	run_nx(&t, &a, 0, tur, 6, 0);
	ck_good_nodata(&t);
	scsi_target_luns_changed(&tdesc);
	/* INQUIRY neither reports nor clears it */
	run_nx(&t, &a, 0, inquiry, 6, 96);
	ck_assert_int_eq(t.status, SCSI_STATUS_GOOD);
	scsi_task_finish(&tdesc, &t);
	/* the next other command gets it, not carried out; then no more */
	run_nx(&t, &a, 0, read10, 10, 512);
	ck_ua(&t);
	ck_assert_int_eq(t.io.kind, SCSI_IO_NONE);
	ck_resid(&t, RES_UNDER, SCSI_DIR_IN, 512);
	run_nx(&t, &a, 0, read10, 10, 512);
	ck_io(&t, SCSI_IO_READ, 0, 1);
	run_nx(&t, &a, 2, tur, 6, 0);
	ck_good_nodata(&t);
	/* the other nexus has its own, on any LUN */
	run_nx(&t, &b, 2, tur, 6, 0);
	ck_ua(&t);
	run_nx(&t, &b, 0, tur, 6, 0);
	ck_good_nodata(&t);
	/* a command to no LU says so, and leaves the attention pending */
	scsi_target_luns_changed(&tdesc);
	run_nx(&t, &a, 1, tur, 6, 0);
	ck_sense(&t, SCSI_SK_ILLEGAL_REQUEST, 0x25, 0x00);
	run_nx(&t, &a, 0, tur, 6, 0);
	ck_ua(&t);
	/* without a nexus: never */
	run_nx(&t, NULL, 0, tur, 6, 0);
	ck_good_nodata(&t);
}
END_TEST

START_TEST(test_ua_coalesced_and_new_nexus)
{
	struct scsi_nexus a, late;
	struct scsi_task t;

	scsi_nexus_init(&a, &tdesc);
	scsi_target_luns_changed(&tdesc);
	scsi_target_luns_changed(&tdesc);
	scsi_target_luns_changed(&tdesc);
	/* a nexus that logs in afterwards reads the set as it is */
	scsi_nexus_init(&late, &tdesc);
	run_nx(&t, &late, 0, tur, 6, 0);
	ck_good_nodata(&t);
	/* three changes, one report */
	run_nx(&t, &a, 0, tur, 6, 0);
	ck_ua(&t);
	run_nx(&t, &a, 0, tur, 6, 0);
	ck_good_nodata(&t);
}
END_TEST

START_TEST(test_ua_cleared_by_report_luns)
{
	static const unsigned int two[] = { 0, 2 };
	struct scsi_nexus a;
	struct scsi_task t;

	scsi_nexus_init(&a, &tdesc);
	scsi_target_luns_changed(&tdesc);
	/* REPORT LUNS is served with it pending, and clears it */
	run_nx(&t, &a, 0, report_luns, 12, 4096);
	ck_report(&t, two, 2);
	scsi_task_finish(&tdesc, &t);
	run_nx(&t, &a, 0, tur, 6, 0);
	ck_good_nodata(&t);
	/* also when sent to a LUN that does not exist (LUN 0 when it is
	 * gone, as Linux scans) */
	scsi_target_luns_changed(&tdesc);
	run_nx(&t, &a, 1, report_luns, 12, 4096);
	ck_report(&t, two, 2);
	scsi_task_finish(&tdesc, &t);
	run_nx(&t, &a, 2, tur, 6, 0);
	ck_good_nodata(&t);
	/* a REPORT LUNS that fails clears nothing */
	scsi_target_luns_changed(&tdesc);
	run_nx(&t, &a, 0, (const uint8_t[16]){ 0xa0, 0, 0x07, 0, 0, 0,
					       0, 0, 0x10, 0, 0, 0 },
	       12, 4096);
	ck_sense(&t, SCSI_SK_ILLEGAL_REQUEST, 0x24, 0x00);
	run_nx(&t, &a, 0, tur, 6, 0);
	ck_ua(&t);
}
END_TEST

START_TEST(test_ua_request_sense)
{
	static const uint8_t fixed[18] = {
		0x70, 0, 0x06, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x3f, 0x0e,
	};
	static const uint8_t desc[8] = { 0x72, 0x06, 0x3f, 0x0e };
	static const uint8_t none[18] = { 0x70, 0, 0, 0, 0, 0, 0, 10 };
	struct scsi_nexus a;
	struct scsi_task t;

	scsi_nexus_init(&a, &tdesc);
	scsi_target_luns_changed(&tdesc);
	/* the attention is the parameter data, with GOOD status... */
	run_nx(&t, &a, 0, request_sense, 6, 18);
	ck_data(&t, fixed, 18);
	/* ...and is gone after it */
	run_nx(&t, &a, 0, request_sense, 6, 18);
	ck_data(&t, none, 18);
	run_nx(&t, &a, 0, tur, 6, 0);
	ck_good_nodata(&t);
	/* descriptor format */
	scsi_target_luns_changed(&tdesc);
	run_nx(&t, &a, 2, request_sense_desc, 6, 8);
	ck_data(&t, desc, 8);
	run_nx(&t, &a, 2, tur, 6, 0);
	ck_good_nodata(&t);
}
END_TEST

#define ck_ua_alua(t) ck_sense(t, SCSI_SK_UNIT_ATTENTION, 0x2a, 0x06)

START_TEST(test_ua_alua_state_changed)
{
	static const uint8_t alua_rs[18] = {
		0x70, 0, 0x06, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x2a, 0x06,
	};
	static const unsigned int two[] = { 0, 2 };
	struct scsi_nexus a, b;
	struct scsi_task t;

	tdesc.tpg_id = 1;
	tdesc.rel_port_id = 1;
	scsi_nexus_init(&a, &tdesc);
	scsi_nexus_init(&b, &tdesc);
	/* the same state again is no change */
	ck_assert_int_eq(scsi_target_set_alua_state(&tdesc,
			 SCSI_ALUA_ACTIVE_OPTIMIZED), 0);
	run_nx(&t, &a, 0, tur, 6, 0);
	ck_good_nodata(&t);
	/* standby: told first, then refused as standby */
	ck_assert_int_eq(scsi_target_set_alua_state(&tdesc,
			 SCSI_ALUA_STANDBY), 0);
	run_nx(&t, &a, 0, tur, 6, 0);
	ck_ua_alua(&t);
	run_nx(&t, &a, 0, tur, 6, 0);
	ck_sense(&t, SCSI_SK_NOT_READY, 0x04, 0x0b);
	/* both pending: the access state first, then the LUNs */
	ck_assert_int_eq(scsi_target_set_alua_state(&tdesc,
			 SCSI_ALUA_ACTIVE_NON_OPTIMIZED), 0);
	scsi_target_luns_changed(&tdesc);
	run_nx(&t, &a, 2, tur, 6, 0);
	ck_ua_alua(&t);
	run_nx(&t, &a, 2, tur, 6, 0);
	ck_ua(&t);
	run_nx(&t, &a, 2, tur, 6, 0);
	ck_good_nodata(&t);
	/* nexus b had two state changes and a LUN change pending: one
	 * report of each; REPORT LUNS clears only the LUNs' */
	run_nx(&t, &b, 0, report_luns, 12, 4096);
	ck_report(&t, two, 2);
	scsi_task_finish(&tdesc, &t);
	run_nx(&t, &b, 0, request_sense, 6, 18);
	ck_data(&t, alua_rs, 18);
	run_nx(&t, &b, 0, tur, 6, 0);
	ck_good_nodata(&t);
}
END_TEST

/* Threads of one nexus race after a change: exactly one command gets
 * the attention, every round. */
#define RACERS 4
#define ROUNDS 200

struct racer {
	struct scsi_nexus *nx;
	pthread_barrier_t *start, *end;
	_Atomic int *uas;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct scsi_task t;

	for (int i = 0; i < ROUNDS; i++) {
		pthread_barrier_wait(r->start);
		run_nx(&t, r->nx, (unsigned int)i % 2 ? 0 : 2, tur, 6, 0);
		if (t.status == SCSI_STATUS_CHECK_CONDITION &&
		    t.sense[2] == SCSI_SK_UNIT_ATTENTION &&
		    t.sense[12] == 0x3f && t.sense[13] == 0x0e)
			atomic_fetch_add(r->uas, 1);
		else if (t.status != SCSI_STATUS_GOOD)
			atomic_fetch_add(r->uas, 1000);
		pthread_barrier_wait(r->end);
	}
	return NULL;
}

START_TEST(test_ua_race)
{
	pthread_barrier_t start, end;
	pthread_t th[RACERS];
	struct racer r;
	struct scsi_nexus nx;
	_Atomic int uas = 0;

	scsi_nexus_init(&nx, &tdesc);
	pthread_barrier_init(&start, NULL, RACERS + 1);
	pthread_barrier_init(&end, NULL, RACERS + 1);
	r = (struct racer){ .nx = &nx, .start = &start, .end = &end,
			    .uas = &uas };
	for (int i = 0; i < RACERS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, race, &r), 0);
	for (int i = 0; i < ROUNDS; i++) {
		scsi_target_luns_changed(&tdesc);
		pthread_barrier_wait(&start);
		pthread_barrier_wait(&end);
		ck_assert_int_eq(atomic_exchange(&uas, 0), 1);
	}
	for (int i = 0; i < RACERS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	pthread_barrier_destroy(&end);
}
END_TEST

TCase *tcase_ua(void)
{
	TCase *tc = tcase_create("ua");

	tcase_add_checked_fixture(tc, slots_setup, scsi_fixture_teardown);
	tcase_add_test(tc, test_slots_report_and_absent);
	tcase_add_test(tc, test_ua_once_per_nexus);
	tcase_add_test(tc, test_ua_coalesced_and_new_nexus);
	tcase_add_test(tc, test_ua_cleared_by_report_luns);
	tcase_add_test(tc, test_ua_request_sense);
	tcase_add_test(tc, test_ua_alua_state_changed);
	tcase_add_test(tc, test_ua_race);
	return tc;
}
