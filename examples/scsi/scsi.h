/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_EXAMPLES_SCSI_H
#define SRPT_EXAMPLES_SCSI_H

/*
 * SCSI block device emulation (SPC-4 / SBC-3 subset) that the example
 * targets share. A LUN's medium is RAM the caller hands over
 * (srpt-ramdisk), or the caller's own backing, a file or a block device
 * (scsi_lun.data NULL: srpt-blockdev).
 *
 * Pure code: no library calls, no I/O, no global state. Every function
 * may be called from any thread, concurrently on different tasks, and
 * from inside library callbacks; the target description and its LUNs are
 * only read (except LUN data written by the caller's data phase).
 *
 * Every command follows one sequence; the emulation never copies bulk
 * data:
 *   1. scsi_task_start() decodes the CDB. A status other than GOOD ends
 *      the task there: send it with the sense. On GOOD the task names
 *      its data phase (dir, buf, len; len 0: none) and, in task->io,
 *      the operation on the medium (kind SCSI_IO_NONE: none).
 *   2. Data out (dir OUT): the caller moves len bytes into buf or, where
 *      buf is NULL (a WRITE to the caller's backing), into buffers of
 *      its own, then calls scsi_task_data_out_done(). That checks what
 *      arrived (the UNMAP parameter list) and completes task->io; a
 *      status other than GOOD ends the task there.
 *   3. The operation in task->io. On a LUN with a caller's backing the
 *      caller carries it out; if that fails, scsi_task_backend_failed()
 *      ends the task instead of steps 4 and 5. On a RAM LUN the caller
 *      has nothing to do: READ and WRITE point buf straight into the
 *      LUN's memory, so the transport moves the data with RDMA to or
 *      from the RAM disk itself, and the rest (UNMAP zeroes, WRITE
 *      SAME fills) happens in step 5.
 *   4. Data in (dir IN): the caller sends len bytes from buf or, where
 *      buf is NULL (a READ from its backing), from the buffers it read
 *      into. Generated data (INQUIRY, MODE SENSE...) is in buf.
 *   5. scsi_task_finish() sets the final status (VERIFY with BYTCHK
 *      compares there) and frees what the task allocated.
 */

#include <stdbool.h>
#include <stdint.h>

/* SAM status codes */
#define SCSI_STATUS_GOOD		0x00
#define SCSI_STATUS_CHECK_CONDITION	0x02
#define SCSI_STATUS_BUSY		0x08

/* Sense keys used by the emulation */
#define SCSI_SK_NO_SENSE		0x0
#define SCSI_SK_NOT_READY		0x2
#define SCSI_SK_MEDIUM_ERROR		0x3
#define SCSI_SK_HARDWARE_ERROR		0x4
#define SCSI_SK_ILLEGAL_REQUEST		0x5
#define SCSI_SK_UNIT_ATTENTION		0x6
#define SCSI_SK_DATA_PROTECT		0x7
#define SCSI_SK_MISCOMPARE		0xe

/* The block size of scsi_lun_init(); scsi_lun_init_blocks() has 4096 too. */
#define SCSI_BLOCK_SIZE			512u
#define SCSI_BLOCK_SIZE_4K		4096u
/* Flat space addressing has 14 bits: LUN indexes 0..16383. */
#define SCSI_MAX_LUNS			16384u
/* Fixed-format sense data, 0x70, with 10 additional bytes */
#define SCSI_SENSE_LEN			18u
/* Generated data that fits here needs no allocation. */
#define SCSI_TASK_SMALL_LEN		512u
/* Default and upper bound of the MAXIMUM TRANSFER LENGTH (VPD 0xB0). */
#define SCSI_DEFAULT_MAX_XFER_BYTES	(4u << 20)
#define SCSI_MAX_XFER_BYTES_LIMIT	(32u << 20)
/*
 * Defaults of a LUN's UNMAP and WRITE SAME limits (VPD 0xB0). In bytes,
 * so one command costs about the same whatever the block size: on RAM
 * the emulation zeroes or fills that much in scsi_task_finish().
 */
#define SCSI_DEFAULT_UNMAP_BYTES	(64u << 20)
#define SCSI_DEFAULT_WRITE_SAME_BYTES	(64u << 20)
#define SCSI_DEFAULT_UNMAP_DESCS	16u
/* What a 16-bit PARAMETER LIST LENGTH can hold: (65535 - 8) / 16 */
#define SCSI_MAX_UNMAP_DESCS_LIMIT	4095u
/*
 * IEEE company id in the NAA 6 designators. libsrpt has no OUI of its
 * own, so this is an administratively assigned (locally administered)
 * value: unique among libsrpt targets only, provided target ids differ.
 */
#define SCSI_NAA_COMPANY_ID		0x025352u

/* One logical unit. */
struct scsi_lun {
	/*
	 * The medium: nblocks * block_size bytes of RAM, or NULL when it is
	 * the caller's backing, which the caller reads and writes as
	 * task->io says.
	 */
	uint8_t *data;
	uint64_t nblocks;
	uint32_t block_size;	/* 512 or 4096 */
	uint8_t naa_id[16];	/* NAA 6 designator, stable and unique */
	char serial[21];	/* unit serial number, printable ASCII */
	bool write_protect;
	/*
	 * Thin provisioned: UNMAP and WRITE SAME with the UNMAP bit are
	 * served, READ CAPACITY(16) sets LBPME, VPD 0xB2 says thin and VPD
	 * 0xB0 gives the unmap limits, from which Linux enables discard.
	 * Unmapped blocks need not read as zeros (LBPRZ 0). scsi_lun_init()
	 * sets it for RAM, where the emulation zeroes unmapped blocks; a
	 * caller's backing sets it when it can deallocate (punch holes).
	 */
	bool thin;
	/*
	 * The medium has a volatile write cache (e.g. a file written
	 * without O_DSYNC): the caching mode page says WCE 1, so initiators
	 * send SYNCHRONIZE CACHE to flush and FUA writes, and the backend
	 * must honour both (io SYNC, io.fua). RAM: false, written through.
	 */
	bool write_cache;
	/* Limits per command in logical blocks, 0: the default above. */
	uint32_t max_unmap_blocks;	/* MAXIMUM UNMAP LBA COUNT */
	uint32_t max_unmap_descs;	/* ...BLOCK DESCRIPTOR COUNT */
	uint32_t unmap_granularity;	/* OPTIMAL UNMAP GRANULARITY (4 KiB) */
	uint32_t max_write_same_blocks;	/* MAXIMUM WRITE SAME LENGTH */
	unsigned int index;	/* in the target */
};

struct scsi_target_desc {
	struct scsi_lun *luns;	/* LUN index i is luns[i] */
	unsigned int nluns;	/* only the first SCSI_MAX_LUNS are served */
	/*
	 * Instead of luns, for a LUN set that changes while commands run:
	 * slot i (below nluns) holds LUN index i, or NULL where there is
	 * none. The emulation loads a slot with acquire ordering once per
	 * command and remembers the LUN in the task (scsi_task_lun()).
	 * The caller keeps the array for as long as the target serves and
	 * a LUN it takes out of its slot valid until no command can have
	 * loaded it any more and every command that did has finished
	 * (RCU and a reference per command, say); then
	 * scsi_target_luns_changed() tells the initiators.
	 */
	struct scsi_lun *_Atomic *lun_slots;
	const char *vendor;	/* at most 8 characters, NULL: "LIBSRPT" */
	const char *product;	/* at most 16, NULL: "RAMDISK" */
	const char *revision;	/* at most 4, NULL: "0001" */
	/*
	 * Largest READ/WRITE/VERIFY(BYTCHK) data in bytes, as reported in
	 * VPD 0xB0; 0 means SCSI_DEFAULT_MAX_XFER_BYTES. Clamped to
	 * SCSI_MAX_XFER_BYTES_LIMIT. Set it to what the transport can move
	 * in one command; longer commands get 5/24/00.
	 */
	uint32_t max_xfer_bytes;
	/*
	 * Implicit ALUA (SPC-4 5.15). The target, one process, is one
	 * target port (rel_port_id, non-zero) alone in target port group
	 * tpg_id, whose access state holds for all its LUNs. tpg_id 0: no
	 * ALUA (TPGS 00b, no port designators in VPD 0x83, no REPORT
	 * TARGET PORT GROUPS, no access state). Two processes serving one
	 * backing take different ids and give its LUNs the same
	 * designators (scsi_lun_set_lu_id()): Linux then sees one device
	 * with a path per process, and dm-multipath groups the paths by
	 * the state each process reports. Set before the target serves.
	 */
	uint16_t tpg_id;
	uint16_t rel_port_id;
	/*
	 * private: the access state and the REPORT TARGET PORT GROUPS
	 * status code; all zero is active/optimized. Changed only through
	 * scsi_target_set_alua_state(), read by every command.
	 */
	_Atomic unsigned int alua;
	/* private: how many times the LUN set and the ALUA state changed
	 * (unit attention) */
	_Atomic unsigned int luns_gen;
	_Atomic unsigned int alua_gen;
};

/*
 * What the emulation keeps per I_T nexus (one initiator port logged in
 * to the target port, over however many channels): the unit attentions
 * pending for it, REPORTED LUNS DATA HAS CHANGED and ASYMMETRIC ACCESS
 * STATE CHANGED. The caller owns it, one per nexus, from
 * scsi_nexus_init() on; all private.
 */
struct scsi_nexus {
	_Atomic unsigned int luns_seen;	/* luns_gen last reported */
	_Atomic unsigned int alua_seen;	/* alua_gen last reported */
};

/* Target port group access states (SPC-4 6.37), as the wire has them. */
enum scsi_alua_state {
	SCSI_ALUA_ACTIVE_OPTIMIZED	= 0x0,
	SCSI_ALUA_ACTIVE_NON_OPTIMIZED	= 0x1,
	SCSI_ALUA_STANDBY		= 0x2,
	SCSI_ALUA_UNAVAILABLE		= 0x3,
	SCSI_ALUA_TRANSITIONING		= 0xf,
};

enum scsi_dir {
	SCSI_DIR_NONE,
	SCSI_DIR_IN,		/* data to the initiator (RDMA WRITE) */
	SCSI_DIR_OUT,		/* data from the initiator (RDMA READ) */
};

/* What the medium must do for a command (step 3 of the sequence). */
enum scsi_io_kind {
	SCSI_IO_NONE,		/* nothing */
	/* read the blocks, then send len bytes of them (data in) */
	SCSI_IO_READ,
	/* write the len bytes fetched by the data out to the blocks */
	SCSI_IO_WRITE,
	/* make the blocks durable: what a volatile cache holds of them */
	SCSI_IO_SYNC,
	/* deallocate io.ranges (thin LUNs) */
	SCSI_IO_UNMAP,
	/*
	 * write one block, task->buf (block_size bytes, fetched by the data
	 * out), to each of the blocks; task->buf NULL: zeros (NDOB)
	 */
	SCSI_IO_WRITE_SAME,
};

/* A range of an UNMAP parameter list, checked against the LUN. */
struct scsi_unmap_range {
	uint64_t lba;
	uint32_t nblk;		/* never 0 */
};

/*
 * A backend operation, in logical blocks of the LUN. Set only with
 * status GOOD; for a RAM LUN it only describes what the emulation does.
 */
struct scsi_io {
	enum scsi_io_kind kind;
	uint64_t lba;
	/*
	 * READ, WRITE: the command's length; the bytes to move are len
	 * (less than nblk * block_size only for a READ whose initiator
	 * described less: send just len). SYNC: 0 means through the last
	 * block of the LUN.
	 */
	uint32_t nblk;
	bool fua;		/* WRITE: durable before the response (FUA) */
	/*
	 * WRITE SAME: the UNMAP bit (thin LUNs only): the blocks may be
	 * deallocated instead of written, provided they then read as the
	 * pattern; with LBPRZ 0 that is only so when the backend knows its
	 * deallocated blocks read as zeros and the pattern is zeros.
	 */
	bool unmap;
	/* WRITE SAME: the pattern is all zeros (NDOB, or a zero block) */
	bool zero;
	/*
	 * UNMAP: the ranges of the parameter list, set by
	 * scsi_task_data_out_done(); they may overlap, none is empty, each
	 * lies inside the LUN. They live in the task's buffer.
	 */
	const struct scsi_unmap_range *ranges;
	unsigned int nranges;
};

struct scsi_task {
	/* in: set by the caller before scsi_task_start() */
	const uint8_t *lun8;	/* the command's 8-byte SAM LUN */
	const uint8_t *cdb;
	unsigned int cdb_len;	/* bytes valid at cdb (SRP: 16 or more) */
	enum scsi_dir init_dir;	/* direction of the SRP descriptors */
	uint32_t init_len;	/* bytes the descriptors cover */

	/* out: the data phase; len == 0 means there is none */
	enum scsi_dir dir;
	uint8_t *buf;		/* LUN memory, small[], heap, or NULL:
				 * the caller's buffers (READ/WRITE to
				 * the caller's backing) */
	uint32_t len;

	/* out: the operation on the medium */
	struct scsi_io io;

	/* out: status; sense_len != 0 only with CHECK CONDITION */
	uint8_t status;
	uint8_t sense_len;
	uint8_t sense[SCSI_SENSE_LEN];

	/*
	 * out: residual against init_len (SAM-5 5.4.3). overflow: the
	 * command implies residual more bytes than the initiator described;
	 * underflow: residual described bytes were not transferred.
	 * resid_dir says which of the SRP_RSP DI/DO counts it belongs to.
	 */
	uint32_t residual;
	bool overflow, underflow;
	enum scsi_dir resid_dir;

	union {
		uint8_t small[SCSI_TASK_SMALL_LEN];
		/* private: UNMAP decodes its list in place */
		struct scsi_unmap_range small_ranges[SCSI_TASK_SMALL_LEN /
			sizeof(struct scsi_unmap_range)];
	};

	/* private to the emulation */
	uint8_t *heap;
	struct scsi_lun *lu;
	struct scsi_nexus *nx;
	uint64_t lba;
	uint32_t nblk;
	uint8_t op;
	uint8_t bytchk;
	bool out_pending;	/* scsi_task_data_out_done() is due */
};

/**
 * scsi_rw_covers - whether a READ or WRITE moves a given block
 * @cdb: a CDB of at least 16 bytes
 * @lba: the block
 *
 * Return: true for READ/WRITE(6/10/16) whose range holds @lba, else false.
 * Any thread; pure.
 */
bool scsi_rw_covers(const uint8_t *cdb, uint64_t lba);

/**
 * scsi_task_start - decode and validate a command, name its data phase
 * @t: the target description (read only)
 * @task: inputs set; every output field is (re)initialised
 *
 * On GOOD, task->dir/buf/len describe the data phase (len may be 0) and
 * task->io the operation on the medium (step 3 of the sequence). On
 * CHECK CONDITION (or BUSY when a buffer could not be allocated) there
 * is no data phase, sense holds fixed-format sense data and the residual
 * reports all of init_len as unused. A WRITE or VERIFY(BYTCHK) whose CDB
 * implies more data than the descriptors cover is rejected with
 * 5/0E/03 (INVALID FIELD IN COMMAND INFORMATION UNIT) before anything is
 * written; a READ-type command transfers what fits and reports overflow.
 * A descriptor direction opposite to the command's gets 5/24/00.
 *
 * Any thread, also inside library callbacks; no locks taken.
 *
 * Return: 0, or -EINVAL when @t or @task is NULL.
 */
int scsi_task_start(const struct scsi_target_desc *t, struct scsi_task *task);

/**
 * scsi_task_start_nexus - scsi_task_start() for a command of an I_T nexus
 * @t: the target description (read only but for the nexus's state)
 * @nx: the nexus the command came from (scsi_nexus_init()), or NULL for
 *      none (then exactly scsi_task_start())
 * @task: as for scsi_task_start()
 *
 * Unit attention (SAM-5 5.14, SPC-4 5.14): after the LUN set changed
 * (scsi_target_luns_changed()), the nexus's next command to a LUN that
 * exists, other than INQUIRY, REPORT LUNS and REQUEST SENSE, ends in
 * CHECK CONDITION, UNIT ATTENTION 06/3F/0E REPORTED LUNS DATA HAS
 * CHANGED, without being carried out; the initiator retries it. That
 * happens once per nexus for any number of changes since its last
 * report: when several commands of a nexus race, exactly one gets it.
 * REPORT LUNS clears the condition (the nexus has just read the new
 * set), and REQUEST SENSE returns it as its parameter data and clears
 * it. INQUIRY neither reports nor clears it. A change of the ALUA
 * state (scsi_target_set_alua_state()) is reported the same way as
 * 06/2A/06 ASYMMETRIC ACCESS STATE CHANGED, before the other when both
 * are pending; only REQUEST SENSE and its own report clear it. Commands
 * to a LUN that does not exist get 05/25/00 as without a nexus.
 *
 * Any thread, also inside library callbacks; no locks taken.
 *
 * Return: 0, or -EINVAL when @t or @task is NULL.
 */
int scsi_task_start_nexus(const struct scsi_target_desc *t,
			  struct scsi_nexus *nx, struct scsi_task *task);

/**
 * scsi_task_lun - the LUN a started task addresses
 * @task: a task scsi_task_start() ran on
 *
 * For a caller whose LUNs come and go (&scsi_target_desc.lun_slots):
 * the LUN it must keep valid until the task is finished.
 * Any thread; pure.
 *
 * Return: the LUN, or NULL when the command addresses none (INQUIRY,
 * REPORT LUNS or REQUEST SENSE to a LUN that does not exist, or any
 * command that failed for want of one).
 */
struct scsi_lun *scsi_task_lun(const struct scsi_task *task);

/**
 * scsi_nexus_init - a new I_T nexus of the target
 * @nx: its state, filled in
 * @t: the target description
 *
 * The nexus starts with no unit attention pending: it learns the LUN
 * set as it is now by its own REPORT LUNS. Any thread.
 *
 * Return: nothing.
 */
void scsi_nexus_init(struct scsi_nexus *nx, const struct scsi_target_desc *t);

/**
 * scsi_target_luns_changed - the LUN set changed: tell every nexus
 * @t: the target description, also while commands run on it
 *
 * Call after a LUN was added to or taken out of &scsi_target_desc's
 * slots: every nexus then has REPORTED LUNS DATA HAS CHANGED pending
 * (see scsi_task_start_nexus()). Any thread.
 *
 * Return: nothing.
 */
void scsi_target_luns_changed(struct scsi_target_desc *t);

/**
 * scsi_task_data_out_done - take in what the data out brought
 * @t: the same target description
 * @task: a started task whose data out (dir OUT) has fully landed
 *
 * Step 2 of the sequence, after every data out; it does nothing for
 * commands that need nothing (READ, WRITE, VERIFY), and nothing a second
 * time. UNMAP: checks the parameter list (SBC-4 5.32) and sets io.ranges
 * and io.nranges, io.kind SCSI_IO_NONE when no range is left (a list of
 * empty descriptors). A list that names more descriptors than
 * MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT, or more blocks in all than
 * MAXIMUM UNMAP LBA COUNT, gets 5/26/00 INVALID FIELD IN PARAMETER
 * LIST; a range past the end of the LUN 5/21/00. A descriptor that the
 * lengths in the list header or the parameter list length cut short is
 * ignored, as SBC-4 wants. WRITE SAME: sets io.zero for a zero block.
 * On CHECK CONDITION the task is over as for scsi_task_start(); the
 * caller sends the status. Any thread.
 *
 * Return: 0, or -EINVAL when @t or @task is NULL.
 */
int scsi_task_data_out_done(const struct scsi_target_desc *t,
			    struct scsi_task *task);

/**
 * scsi_task_finish - complete a task after its data phase
 * @t: the same target description
 * @task: a task scsi_task_start() ran on
 *
 * Call once per started task, after the data phase has fully landed and
 * the operation in task->io is done. On a RAM LUN it carries out what
 * is left: VERIFY with BYTCHK compares (MISCOMPARE 0xE/1D/00 on
 * mismatch, INFORMATION = byte offset of the first difference), UNMAP
 * zeroes the ranges, WRITE SAME fills the blocks. A data out that
 * scsi_task_data_out_done() was not called for is taken in here on RAM;
 * with the caller's backing that is a caller's bug, and the task ends in
 * 04/44/00 rather than in a success that did nothing. Frees the task's
 * heap buffer: buf is invalid afterwards. Harmless on a task that
 * already failed. Any thread.
 *
 * Return: nothing; task->status and the sense are final.
 */
void scsi_task_finish(const struct scsi_target_desc *t,
		      struct scsi_task *task);

/**
 * scsi_task_backend_failed - end a task whose backend operation failed
 * @task: a task whose task->io the caller's backing could not carry out
 * @err: the negative errno of the failure (a positive one is taken as
 *       its negative; 0 is a failure all the same, not a success)
 *
 * Instead of scsi_task_finish(). The status and sense say what failed
 * in the names of SBC/SPC:
 *   -EIO                  MEDIUM ERROR, 03/11/00 UNRECOVERED READ ERROR
 *                         (io READ) or 03/0C/00 WRITE ERROR (the rest)
 *   -ENOSPC               DATA PROTECT, 07/27/07 SPACE ALLOCATION FAILED
 *                         WRITE PROTECT
 *   -EROFS, -EPERM, -EACCES  DATA PROTECT, 07/27/00 WRITE PROTECTED
 *   -ESHUTDOWN            NOT READY, 02/04/0C LOGICAL UNIT NOT ACCESSIBLE,
 *                         TARGET PORT IN UNAVAILABLE STATE: the backing was
 *                         taken from this port (Ceph's EBLOCKLISTED);
 *                         multipath retries on another path
 *   -ENOMEM, -EAGAIN      BUSY status, no sense: the initiator retries
 *   anything else         HARDWARE ERROR, 04/44/00 INTERNAL TARGET
 *                         FAILURE
 * There is no data phase left and the residual reports all of init_len
 * unused, as for a command that failed in scsi_task_start(). Frees the
 * task's heap buffer. Idempotent as far as the buffer goes. Any thread.
 *
 * Return: nothing; task->status and the sense are final.
 */
void scsi_task_backend_failed(struct scsi_task *task, int err);

/**
 * scsi_task_release - free a task's buffer without completing it
 * @task: a started task whose data phase will not happen (e.g. the
 *        channel went away)
 *
 * Idempotent; scsi_task_finish() calls it. Any thread.
 *
 * Return: nothing.
 */
void scsi_task_release(struct scsi_task *task);

/**
 * scsi_task_expected_len - what the initiator's descriptors should have
 *                          covered (SAM-5 5.4.3)
 * @task: a started task with status GOOD
 *
 * For the transport's residual (srpt_io_result.expected_len): the data
 * phase's length, or, when the command implies more than was described
 * (overflow), init_len plus the residual. Any thread; pure.
 *
 * Return: the length in bytes.
 */
uint32_t scsi_task_expected_len(const struct scsi_task *task);

/**
 * scsi_task_detach_buffer - take over the task's heap buffer
 * @task: a started task
 *
 * For a caller that hands the task back (e.g. to the library) before the
 * data phase ends: task->buf stays valid until the caller frees the
 * returned pointer with free(). Any thread.
 *
 * Return: the buffer, or NULL when the task has none (data in small[]
 * or in LUN memory).
 */
void *scsi_task_detach_buffer(struct scsi_task *task);

/**
 * scsi_target_set_alua_state - change the target port group's state
 * @t: the target description, also while commands run on it
 * @state: the new access state
 *
 * Takes effect for commands that start afterwards. Standby: only
 * INQUIRY, REPORT LUNS, REPORT TARGET PORT GROUPS, REQUEST SENSE, MODE
 * SENSE and READ CAPACITY(10/16) are served, every other command gets
 * NOT READY 02/04/0B. READ CAPACITY is beyond SPC-4's list (which lets
 * a device serve more): Linux reads the capacity on every path when it
 * scans, and dm-multipath keeps a path of size 0 out of the map, so a
 * standby path could never take over. Unavailable (02/04/0C) and
 * transitioning (02/04/0A, which Linux retries): only INQUIRY, REPORT
 * LUNS, REPORT TARGET PORT GROUPS and REQUEST SENSE. A change sets the
 * status code REPORT TARGET PORT GROUPS reports to 02h (altered by
 * implicit ALUA behavior), and every I_T nexus gets the unit attention
 * ASYMMETRIC ACCESS STATE CHANGED (see scsi_task_start_nexus()), on
 * which Linux reads the new state with REPORT TARGET PORT GROUPS
 * (scsi_task_start() knows no nexus and raises none). Setting the state a target is in
 * already changes nothing, the status code included. Any thread.
 *
 * Return: 0, or -EINVAL for a NULL @t, a target without ALUA (tpg_id
 * 0: it has no state to change) or a state not in the enum.
 */
int scsi_target_set_alua_state(struct scsi_target_desc *t,
			       enum scsi_alua_state state);

/**
 * scsi_target_get_alua_state - the target port group's state
 * @t: the target description
 *
 * Any thread.
 *
 * Return: the state scsi_target_set_alua_state() last set, at first
 * SCSI_ALUA_ACTIVE_OPTIMIZED.
 */
enum scsi_alua_state
scsi_target_get_alua_state(const struct scsi_target_desc *t);

/**
 * scsi_lun_init - set up a LUN over caller-owned memory
 * @lun: filled in (write_protect false)
 * @mem: at least @bytes bytes; used directly as the medium
 * @bytes: size; rounded down to whole 512-byte blocks
 * @index: the LUN index in the target (below SCSI_MAX_LUNS)
 * @target_id: stable id of the target (e.g. its SRP target port id)
 *
 * naa_id and serial depend only on @target_id and @index, so every
 * login and every path to the same LUN sees the same designators, and
 * different LUNs or targets see different ones. The LUN is thin: the
 * emulation zeroes what UNMAP names. Before the LUN is served; any
 * thread.
 *
 * Return: 0, or -EINVAL (NULL pointer, under one block, bad index).
 */
int scsi_lun_init(struct scsi_lun *lun, void *mem, uint64_t bytes,
		  unsigned int index, uint64_t target_id);

/**
 * scsi_lun_init_blocks - set up a LUN of a given block size
 * @lun: filled in (write_protect false)
 * @mem: @nblocks * @block_size bytes of RAM used directly as the
 *       medium, or NULL: the caller's backing, driven by task->io
 * @nblocks: the capacity in logical blocks, at least 1
 * @block_size: SCSI_BLOCK_SIZE (512) or SCSI_BLOCK_SIZE_4K (4096)
 * @index: the LUN index in the target (below SCSI_MAX_LUNS)
 * @target_id: as for scsi_lun_init()
 *
 * Designators as for scsi_lun_init(); thin for RAM, not for the
 * caller's backing (set it when the backing can deallocate); limits at
 * their defaults. Before the LUN is served; any thread.
 *
 * Return: 0, or -EINVAL (NULL @lun, no block, another block size, RAM
 * larger than the address space, bad index).
 */
int scsi_lun_init_blocks(struct scsi_lun *lun, void *mem, uint64_t nblocks,
			 uint32_t block_size, unsigned int index,
			 uint64_t target_id);

/**
 * scsi_lun_set_target_id - the target id the designators are made of
 * @lun: an initialised LUN
 * @target_id: as for scsi_lun_init() (set later when it is known only
 *             once the target listens)
 *
 * Not while the LUN is served (commands read the designators without a
 * lock); any thread.
 *
 * Return: nothing.
 */
void scsi_lun_set_target_id(struct scsi_lun *lun, uint64_t target_id);

/**
 * scsi_lun_set_lu_id - designators of the logical unit, not of the port
 * @lun: an initialised LUN
 * @id: 16 bytes that name the medium (e.g. a UUID the administrator
 *      gives every process serving it), not all zero
 *
 * For a medium that more than one target serves (implicit ALUA, one
 * process per path): naa_id and serial become a function of @id alone,
 * not of the LUN index or the target id, so every process given the
 * same @id reports the same NAA 6 and T10 vendor id designators (the
 * latter also needs the same scsi_target_desc.vendor) and the same unit
 * serial number, and Linux dm-multipath sees one device. They never
 * equal those scsi_lun_set_target_id() makes. Different ids give
 * different designators except with a chance of about 2^-99 (NAA) and
 * 2^-76 (serial). A later scsi_lun_set_target_id() replaces them again.
 * Not while the LUN is served; any thread.
 *
 * Return: 0, or -EINVAL for a NULL @lun or @id, or an all-zero @id.
 */
int scsi_lun_set_lu_id(struct scsi_lun *lun, const uint8_t id[16]);

/**
 * scsi_lun_to_index - decode an 8-byte SAM LUN
 * @lun8: peripheral device addressing (00 LL, bus 0) or flat space
 *        addressing (4x LL); the other six bytes must be zero
 *
 * Any thread; pure.
 *
 * Return: the LUN index (0..16383), or -EINVAL for any other form.
 */
int scsi_lun_to_index(const uint8_t lun8[8]);

/**
 * scsi_lun_from_index - encode a LUN index as REPORT LUNS lists it
 * @index: below SCSI_MAX_LUNS
 * @lun8: peripheral addressing below 256 (as Linux int_to_scsilun),
 *        flat space addressing from 256 on
 *
 * Any thread; pure.
 *
 * Return: nothing; @lun8 is written.
 */
void scsi_lun_from_index(unsigned int index, uint8_t lun8[8]);

#endif
