/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_LUNS_H
#define SRPT_BLOCKDEV_LUNS_H
/*
 * srpt-blockdev's LUNs, which can be added and removed while commands
 * run. Each LUN is a backing (backing.h) and the SCSI description the
 * emulation serves it by; the table publishes them in the slots of a
 * struct scsi_target_desc (scsi.h, lun_slots).
 *
 * Readers, the commands: inside a liburcu-memb read-side critical
 * section, the emulation loads a slot (scsi_task_start_nexus()) and the
 * command takes a reference on the LUN it got (lun_hold()), which it
 * drops once answered (lun_put()). Writers, the control socket and the
 * start: a removal empties the slot, waits for a grace period, after
 * which no command can still take a reference, and drops the table's
 * own. The last reference closes the backing and frees the LUN, so a
 * backing is closed only after every command that used it completed.
 *
 * Changes are serialised by the table's mutex; they may come from any
 * thread that is not inside a read-side critical section.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "backing.h"
#include "scsi.h"

/* LUN numbers 0..255 (peripheral device addressing). */
#define LUN_TABLE_MAX 256u

/* What a LUN is asked to be. */
struct lun_spec {
	const char *path;	/* file, block device or rbd:POOL/IMAGE */
	const char *name;	/* NULL, or the name its data goes by */
	bool read_only;
	/* An RBD image's own Ceph configuration file and client id, or
	 * NULL for the table's (lun_table_set_ceph()). */
	const char *ceph_conf;
	const char *ceph_id;
};

/**
 * struct bd_lun - one LUN being served
 * @lun: what the emulation serves; the table's slot points here
 * @b: its backing
 * @path: as asked (owned)
 * @name: as asked, or NULL (owned)
 * @read_only: as asked (the backing may be read-only for other reasons)
 * @ceph_conf: as asked, or NULL (owned)
 * @ceph_id: as asked, or NULL (owned)
 * @index: its LUN number
 * @refs: one for the table while the LUN is in it, one per command
 */
struct bd_lun {
	struct scsi_lun lun;
	struct backing b;
	char *path;
	char *name;
	bool read_only;
	char *ceph_conf;
	char *ceph_id;
	unsigned int index;
	atomic_uint refs;
};

/**
 * struct lun_table - the LUNs of one target
 * @desc: the description whose lun_slots are @slots
 * @slots: what commands load
 * @lun: the same LUNs, for the thread changing them (under @lock)
 * @count: how many there are
 * @flags: BACKING_* for every backing (read-only, shared, O_DSYNC)
 * @block_size: for every backing (0: each backing's own)
 * @ceph_conf: RBD images' Ceph configuration file by default, or NULL
 * @ceph_id: RBD images' Ceph client id by default, or NULL
 * @lock: serialises changes and lun_table_foreach()
 */
struct lun_table {
	struct scsi_target_desc *desc;
	struct scsi_lun *_Atomic slots[LUN_TABLE_MAX];
	struct bd_lun *lun[LUN_TABLE_MAX];
	unsigned int count;
	unsigned int flags;
	uint32_t block_size;
	char *ceph_conf;
	char *ceph_id;
	pthread_mutex_t lock;
};

/**
 * lun_table_init() - an empty table serving through @desc
 * @lt: the table
 * @desc: its lun_slots and nluns are set (luns cleared)
 * @flags: BACKING_RDONLY, BACKING_SHARED, BACKING_DSYNC for every LUN
 * @block_size: the LUNs' logical block size, 0 for each backing's
 *
 * Return: 0, or a negative errno from pthread_mutex_init().
 * Context: before the target serves.
 */
int lun_table_init(struct lun_table *lt, struct scsi_target_desc *desc,
		   unsigned int flags, uint32_t block_size);

/**
 * lun_table_set_ceph() - the Ceph configuration of RBD images by default
 * @lt: the table
 * @conf: the configuration file, or NULL for Ceph's own search (copied)
 * @id: the client id, or NULL for Ceph's default (copied)
 *
 * For the LUNs opened afterwards whose &lun_spec.ceph_conf or
 * &lun_spec.ceph_id is NULL; files and block devices take neither.
 *
 * Return: 0, or -ENOMEM (nothing changed).
 * Context: before the target serves.
 */
int lun_table_set_ceph(struct lun_table *lt, const char *conf,
		       const char *id);

/**
 * lun_table_add() - open a backing and serve it as LUN @index
 * @lt: the table
 * @index: the LUN number, below LUN_TABLE_MAX
 * @spec: what to open (copied)
 * @why: a sentence for the administrator on failure (NUL-terminated),
 *       naming the LUN and what is wrong
 * @n: its size
 *
 * Nothing changes on failure. On success the LUN is served to commands
 * that start afterwards, and every I_T nexus gets REPORTED LUNS DATA
 * HAS CHANGED.
 *
 * Return: 0; -ERANGE for an index out of range, -EEXIST when LUN @index
 * exists or another LUN serves the same data, what backing_open() or
 * scsi_lun_init_blocks() returned (-ENOENT, -EACCES, -EBUSY...), or
 * -ENOMEM.
 * Context: any thread outside a liburcu read-side critical section.
 */
int lun_table_add(struct lun_table *lt, unsigned int index,
		  const struct lun_spec *spec, char *why, size_t n);

/**
 * lun_table_open() - open a LUN without serving it yet
 * @lt: the table whose open flags apply
 * @index: the LUN number it is to have, below LUN_TABLE_MAX
 * @spec: what to open (copied)
 * @ret: the LUN, for lun_table_insert() or lun_put()
 * @why: as for lun_table_add()
 * @n: its size
 *
 * For a change of several LUNs that must open them all before it
 * changes anything (a reload).
 *
 * Return: 0, or as lun_table_add() but for -EEXIST.
 * Context: any thread.
 */
int lun_table_open(struct lun_table *lt, unsigned int index,
		   const struct lun_spec *spec, struct bd_lun **ret,
		   char *why, size_t n);

/**
 * lun_table_insert() - serve a LUN lun_table_open() opened
 * @lt: the table
 * @l: the LUN; the table takes it over on success
 * @why: as for lun_table_add()
 * @n: its size
 *
 * Return: 0, or -EEXIST (its number is taken, or another LUN serves the
 * same data): then @l is still the caller's.
 * Context: any thread.
 */
int lun_table_insert(struct lun_table *lt, struct bd_lun *l, char *why,
		     size_t n);

/**
 * lun_table_remove() - stop serving LUN @index
 * @lt: the table
 * @index: the LUN number
 * @busy: where to store how many commands still held the LUN when it
 *        was taken out (its backing closes when they completed), or NULL
 *
 * Commands that start afterwards get LOGICAL UNIT NOT SUPPORTED, and
 * every I_T nexus gets REPORTED LUNS DATA HAS CHANGED. Waits for a
 * liburcu grace period, not for the commands.
 *
 * Return: 0, or -ENOENT when there is no LUN @index.
 * Context: any thread outside a liburcu read-side critical section
 * (it waits for one to end).
 */
int lun_table_remove(struct lun_table *lt, unsigned int index,
		     unsigned int *busy);

/**
 * lun_table_free_index() - the lowest LUN number not in use
 * @lt: the table
 *
 * Return: the number, or -ENOSPC when all are.
 * Context: any thread.
 */
int lun_table_free_index(struct lun_table *lt);

/**
 * lun_table_foreach() - visit every LUN in the order of their numbers
 * @lt: the table
 * @fn: called with each LUN; it must not change the table; a non-zero
 *      return stops the walk
 * @arg: handed to @fn
 *
 * Return: what @fn returned last (0 when it visited all).
 * Context: any thread; changes wait meanwhile.
 */
int lun_table_foreach(struct lun_table *lt,
		      int (*fn)(const struct bd_lun *l, void *arg), void *arg);

/**
 * lun_table_exists() - whether LUN @index is served now
 * @lt: the table
 * @index: a LUN number, any value
 *
 * Return: true or false, as of the call.
 * Context: any thread.
 */
bool lun_table_exists(const struct lun_table *lt, int index);

/**
 * lun_table_fini() - drop every LUN and the table
 * @lt: the table, or one lun_table_init() was not called on (zeroed)
 *
 * Return: nothing; the backings are closed once their commands are done.
 * Context: once no command can start (the target is shut down).
 */
void lun_table_fini(struct lun_table *lt);

/**
 * lun_hold() - a command's reference on the LUN the emulation gave it
 * @lu: scsi_task_lun() of a task started on the table's description,
 *      inside the same read-side critical section, or NULL
 *
 * Return: its LUN, or NULL for NULL.
 * Context: inside a liburcu-memb read-side critical section.
 */
struct bd_lun *lun_hold(struct scsi_lun *lu);

/**
 * lun_put() - drop a reference; the last one closes the backing
 * @l: the LUN, or NULL
 *
 * The backing is closed at once, but for an RBD image whose last
 * reference a command answered from librbd's callback drops: closing
 * the image there would wait for that very callback, so a thread of its
 * own closes it (lun_table_fini() waits for such threads).
 *
 * Return: nothing.
 * Context: any thread.
 */
void lun_put(struct bd_lun *l);

#endif
