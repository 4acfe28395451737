/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/*
 * srpt-blockdev's LUN table (examples/srpt-blockdev/luns.c): additions
 * and removals that change nothing when refused, a backing that stays
 * open while a command holds its LUN, and LUNs added and removed while
 * threads run commands on them, as the pollers do (run it under TSan).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <urcu/urcu-memb.h>

#include "blockdev-test.h"
#include "luns.h"

#define NFILES 4
#define FILE_BYTES (64u << 10)
/* The backings are open with O_DIRECT: what reads them directly must be
 * aligned, in memory as on the file, to the largest logical block. */
#define DIO_BYTES 4096u

static char paths[NFILES][128];
static struct scsi_target_desc desc;
static struct lun_table lt;

static void setup(void)
{
	for (unsigned int i = 0; i < NFILES; i++) {
		int fd = bt_tmpfile(paths[i], sizeof(paths[i]));
		uint8_t *buf = malloc(FILE_BYTES);

		ck_assert_ptr_nonnull(buf);
		/* each file's pattern says which file it is */
		bt_fill(buf, FILE_BYTES, 0, i + 1);
		ck_assert_int_eq(pwrite(fd, buf, FILE_BYTES, 0), FILE_BYTES);
		free(buf);
		close(fd);
	}
	memset(&desc, 0, sizeof(desc));
	ck_assert_int_eq(lun_table_init(&lt, &desc, 0, 0), 0);
}

static void teardown(void)
{
	lun_table_fini(&lt);
	for (unsigned int i = 0; i < NFILES; i++)
		unlink(paths[i]);
}

static int add(unsigned int index, unsigned int file)
{
	struct lun_spec spec = { .path = paths[file] };
	char why[512];

	return lun_table_add(&lt, index, &spec, why, sizeof(why));
}

/* A command to LUN @index as a poller starts it: the LUN held, or NULL
 * with the emulation's LOGICAL UNIT NOT SUPPORTED. */
static struct bd_lun *start(unsigned int index, struct scsi_nexus *nx,
			    struct scsi_task *t)
{
	static const uint8_t read10[16] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1 };
	static _Thread_local uint8_t lun8[8];
	struct bd_lun *l;

	scsi_lun_from_index(index, lun8);
	memset(t, 0, sizeof(*t));
	t->lun8 = lun8;
	t->cdb = read10;
	t->cdb_len = 16;
	t->init_dir = SCSI_DIR_IN;
	t->init_len = 512;
	urcu_memb_read_lock();
	ck_assert_int_eq(scsi_task_start_nexus(&desc, nx, t), 0);
	l = lun_hold(scsi_task_lun(t));
	urcu_memb_read_unlock();
	if (!l)
		ck_assert(t->status == SCSI_STATUS_CHECK_CONDITION &&
			  t->sense[2] == SCSI_SK_ILLEGAL_REQUEST &&
			  t->sense[12] == 0x25 && t->sense[13] == 0);
	return l;
}

START_TEST(refusals_change_nothing)
{
	struct lun_spec spec = { .path = paths[1] };
	char why[512];
	unsigned int gen;

	ck_assert_int_eq(add(0, 0), 0);
	ck_assert_int_eq(lt.count, 1);
	gen = atomic_load(&desc.luns_gen);
	ck_assert_int_eq(lun_table_add(&lt, 256, &spec, why, sizeof(why)),
			 -ERANGE);
	ck_assert_ptr_nonnull(strstr(why, "from 0 to 255"));
	ck_assert_int_eq(lun_table_add(&lt, 0, &spec, why, sizeof(why)),
			 -EEXIST);
	ck_assert_ptr_nonnull(strstr(why, "LUN 0 exists"));
	spec.path = paths[0];
	ck_assert_int_eq(lun_table_add(&lt, 1, &spec, why, sizeof(why)),
			 -EEXIST);
	ck_assert_ptr_nonnull(strstr(why, "same data as LUN 0"));
	spec.path = "/nonexistent/x.img";
	ck_assert_int_eq(lun_table_add(&lt, 1, &spec, why, sizeof(why)),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(why, "/nonexistent/x.img"));
	ck_assert_int_eq(lun_table_remove(&lt, 1, NULL), -ENOENT);
	ck_assert_int_eq(lun_table_remove(&lt, 999, NULL), -ENOENT);
	ck_assert_int_eq(lt.count, 1);
	ck_assert(!lun_table_exists(&lt, 1));
	ck_assert(lun_table_exists(&lt, 0));
	ck_assert_uint_eq(atomic_load(&desc.luns_gen), gen);
	ck_assert_int_eq(lun_table_free_index(&lt), 1);
}
END_TEST

/* A removed LUN's backing closes with its last command, not before. */
START_TEST(backing_outlives_its_commands)
{
	struct scsi_task t;
	struct bd_lun *l;
	unsigned int busy = 99;
	_Alignas(DIO_BYTES) uint8_t buf[DIO_BYTES];
	int fd;

	ck_assert_int_eq(add(3, 2), 0);
	l = start(3, NULL, &t);
	ck_assert_ptr_nonnull(l);
	fd = l->b.fd;
	ck_assert_int_eq(lun_table_remove(&lt, 3, &busy), 0);
	ck_assert_uint_eq(busy, 1);
	/* new commands do not find it; the running one reads on */
	ck_assert_ptr_null(start(3, NULL, &t));
	ck_assert_int_eq(pread(fd, buf, sizeof(buf), 0), sizeof(buf));
	ck_assert_int_eq(bt_check(buf, sizeof(buf), 0, 3), -1);
	lun_put(l);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
	/* the number is free again, for another backing */
	ck_assert_int_eq(add(3, 1), 0);
	l = start(3, NULL, &t);
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(pread(l->b.fd, buf, sizeof(buf), 0), sizeof(buf));
	ck_assert_int_eq(bt_check(buf, sizeof(buf), 0, 2), -1);
	lun_put(l);
}
END_TEST

/* Pollers run commands on LUNs 0..3 while LUNs 1..3 come and go. Every
 * command either finds no LUN or reads its LUN's own data through a
 * backing that is open; each nexus sees every change by a unit
 * attention. */
#define POLLERS 2

static atomic_bool stop;
static atomic_ulong served, refused;

static void *poller(void *arg)
{
	struct scsi_nexus nx;
	unsigned int i = 0;
	_Alignas(DIO_BYTES) uint8_t buf[DIO_BYTES];

	(void)arg;
	urcu_memb_register_thread();
	scsi_nexus_init(&nx, &desc);
	while (!atomic_load(&stop)) {
		struct scsi_task t;
		struct bd_lun *l = start(i++ % NFILES, &nx, &t);

		if (!l) {
			atomic_fetch_add(&refused, 1);
			continue;
		}
		/* LUN n serves file n: its pattern, through an open fd */
		if (t.status == SCSI_STATUS_GOOD) {
			ck_assert_int_eq(pread(l->b.fd, buf, sizeof(buf),
					       DIO_BYTES), sizeof(buf));
			ck_assert_int_eq(bt_check(buf, sizeof(buf), DIO_BYTES,
						  l->index + 1), -1);
			atomic_fetch_add(&served, 1);
		} else {
			ck_assert_int_eq(t.sense[2], SCSI_SK_UNIT_ATTENTION);
		}
		scsi_task_finish(&desc, &t);
		lun_put(l);
	}
	urcu_memb_unregister_thread();
	return NULL;
}

START_TEST(add_remove_while_commands_run)
{
	pthread_t th[POLLERS];
	unsigned int busy_seen = 0;

	ck_assert_int_eq(add(0, 0), 0);
	atomic_store(&stop, false);
	atomic_store(&served, 0);
	atomic_store(&refused, 0);
	for (int i = 0; i < POLLERS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, poller, NULL), 0);
	for (unsigned int round = 0; round < 300; round++) {
		unsigned int n = 1 + round % 3, busy = 0;

		ck_assert_int_eq(add(n, n), 0);
		usleep(100);
		ck_assert_int_eq(lun_table_remove(&lt, n, &busy), 0);
		busy_seen += busy;
	}
	atomic_store(&stop, true);
	for (int i = 0; i < POLLERS; i++)
		pthread_join(th[i], NULL);
	ck_assert_uint_gt(atomic_load(&served), 0);
	ck_assert_uint_gt(atomic_load(&refused), 0);
	ck_assert_int_eq(lt.count, 1);
	fprintf(stderr, "luns: %lu commands served, %lu refused, %u in flight at removals\n",
		atomic_load(&served), atomic_load(&refused), busy_seen);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("luns");
	TCase *tc = bt_tcase(s, "table", setup, teardown);

	tcase_add_test(tc, refusals_change_nothing);
	tcase_add_test(tc, backing_outlives_its_commands);
	tcase_add_test(tc, add_remove_while_commands_run);
	return bt_run(s);
}
