/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_IO_H
#define SRPT_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <srpt/mr.h>

#ifdef __cplusplus
extern "C" {
#endif

struct srpt_target;
struct srpt_channel;
struct srpt_io;
struct srpt_mr;

/**
 * enum srpt_dir - data direction of a command, as its descriptors say
 * @SRPT_DIR_NONE: no data
 * @SRPT_DIR_IN: DATA-IN, target to initiator (reads)
 * @SRPT_DIR_OUT: DATA-OUT, initiator to target (writes)
 * @SRPT_DIR_BIDI: both; the library answers such commands itself with
 *                 CHECK CONDITION and never hands them to on_cmd
 */
enum srpt_dir {
	SRPT_DIR_NONE = 0,
	SRPT_DIR_IN = 1,
	SRPT_DIR_OUT = 2,
	SRPT_DIR_BIDI = 3,
};

/**
 * struct srpt_io_info - a decoded SRP_CMD, as on_cmd sees it
 * @tag: opaque tag of the command
 * @lun: 8-byte SAM LUN as sent
 * @cdb: the CDB (16 bytes plus the additional CDB bytes)
 * @cdb_len: its length
 * @dir: data direction
 * @data_len: bytes the initiator's descriptors cover
 * @task_attr: SRP task attribute (SIMPLE 0, HEAD 1, ORDERED 2, ACA 4)
 * @imm: the DATA-OUT bytes came with the command (immediate data)
 */
struct srpt_io_info {
	uint64_t tag;
	uint8_t lun[8];
	const uint8_t *cdb;
	uint32_t cdb_len;
	enum srpt_dir dir;
	uint32_t data_len;
	uint8_t task_attr;
	uint8_t imm;
};

/**
 * struct srpt_sge - a piece of application memory for a data transfer
 * @addr: start
 * @len: length in bytes
 * @mr: registration from srpt_target_reg_mem() that covers the piece, so
 *      the data moves by RDMA straight to or from it (zero copy); NULL to
 *      let the library stage it in its own registered bounce buffer
 */
struct srpt_sge {
	void *addr;
	uint32_t len;
	struct srpt_mr *mr;
};

/* Passed as &srpt_io_result.expected_len when the command moves exactly
 * what the initiator described. */
#define SRPT_LEN_AS_DESCRIBED UINT32_MAX

/**
 * typedef srpt_io_release_fn - the library is done with a command's memory
 * @io: the command; valid, with its private space, during the call only
 * @arg: &srpt_io_result.release_arg
 *
 * Called once for every srpt_io_complete() whose result named it, when
 * the library no longer reads or writes the memory that command named
 * (its DATA-IN was written and the response sent, or the command ended
 * without them: aborted, its channel closed, a post failed): a buffer
 * pool may take the memory back from here. Runs on a completion thread,
 * or on the dispatch thread; never inside a call the application made.
 */
typedef void (*srpt_io_release_fn)(struct srpt_io *io, void *arg);

/**
 * struct srpt_io_result - how a command ended
 * @size: sizeof(struct srpt_io_result) as the program knows it, so that
 *        fields can be added in later versions (see libsrpt(7), "ABI")
 * @status: SAM status (0 GOOD, 2 CHECK CONDITION, 0x28 TASK SET FULL...)
 * @sense: sense data, or NULL; copied (truncated to what fits the
 *         negotiated response size)
 * @sense_len: its length
 * @data: DATA-IN to send before the response (reads), or NULL
 * @nsge: entries in @data
 * @expected_len: the transfer length the command itself asks for (from
 *                its CDB); the library reports the residual against the
 *                initiator's descriptors (underflow or overflow).
 *                %SRPT_LEN_AS_DESCRIBED when they agree.
 * @release: called when the library is done with the memory of @data, or
 *           NULL (see &srpt_io_release_fn); without it, registered memory
 *           must stay as it is until the channel's on_drained
 * @release_arg: handed to @release
 */
struct srpt_io_result {
	size_t size;
	uint8_t status;
	const uint8_t *sense;
	uint32_t sense_len;
	const struct srpt_sge *data;
	unsigned int nsge;
	uint32_t expected_len;
	srpt_io_release_fn release;
	void *release_arg;
};

/**
 * srpt_io_get_info() - what a command asks for
 * @io: command handed to on_cmd
 *
 * Return: a pointer valid until srpt_io_complete(). Context: any thread,
 * also inside callbacks.
 */
const struct srpt_io_info *srpt_io_get_info(struct srpt_io *io);

/**
 * srpt_io_get_channel() - the channel a command arrived on
 * @io: command
 *
 * Return: the channel (no new reference; valid until srpt_io_complete()).
 * Context: any thread, also inside callbacks.
 */
struct srpt_channel *srpt_io_get_channel(struct srpt_io *io);

/**
 * srpt_io_get_priv() - the application's space of a command context
 * @io: command
 *
 * Return: &srpt_target_opts.io_priv_size bytes, 16-byte aligned, zeroed
 * when the channel was created and otherwise left as the application
 * last wrote them (a context is reused by later commands); NULL when
 * io_priv_size is 0. Valid between on_cmd and srpt_io_complete().
 * Context: any thread, also inside callbacks.
 */
void *srpt_io_get_priv(struct srpt_io *io);

/**
 * srpt_io_is_aborted() - whether what the application sends for a command
 *                        can still reach the initiator
 * @io: a command the application holds
 *
 * True once task management aborted the command or its channel left
 * LIVE: the application may stop its backend work and complete the
 * command at once (nothing is sent for it). See also on_abort.
 *
 * Return: true or false. Context: any thread, also inside callbacks.
 */
bool srpt_io_is_aborted(struct srpt_io *io);

/**
 * typedef srpt_io_data_fn - end of a DATA-OUT transfer
 * @io: the command
 * @status: 0; -EIO if the initiator's buffer could not be read;
 *          -ESHUTDOWN if the channel closed before the transfer could
 *          finish. The command must still be completed with
 *          srpt_io_complete().
 * @arg: the pointer given to srpt_io_fetch_data()
 *
 * Runs on a completion thread; for a transfer its closing channel ended,
 * on the dispatch thread once the channel is DISCONNECTED (nothing writes
 * to its memory any more). Never inside a call the application made.
 */
typedef void (*srpt_io_data_fn)(struct srpt_io *io, int status, void *arg);

/**
 * srpt_io_fetch_data() - bring a command's DATA-OUT into memory
 * @io: a command with dir SRPT_DIR_OUT
 * @sg: where to put the data, in order
 * @nsge: entries in @sg (at most 16)
 * @done: called when the data is there, unless the call returns 1
 * @arg: handed to @done
 *
 * Immediate data is copied at once (or, when @sg points into registered
 * memory, still copied: it already sits in a receive buffer). Otherwise
 * the library reads the initiator's buffers by RDMA READ, straight into
 * registered memory, or through a bounce buffer. At most
 * &srpt_io_info.data_len bytes are moved; fewer if @sg is shorter.
 *
 * Return: 1 if the data is already in place (@done will not be called),
 * 0 if @done will be called (also when the READ cannot be posted after
 * all: @done then reports it), -EINVAL for a command without DATA-OUT or
 * a bad @sg, -ENOMEM, -ESHUTDOWN if the channel is no longer live.
 * Context: any thread, also inside callbacks.
 */
int srpt_io_fetch_data(struct srpt_io *io, const struct srpt_sge *sg,
		       unsigned int nsge, srpt_io_data_fn done, void *arg);

/**
 * srpt_io_complete() - answer a command and hand it back to the library
 * @io: command handed to on_cmd
 * @res: status, sense, and for reads the data to send
 *
 * For reads the data goes out by RDMA WRITE and the SRP_RSP follows in the
 * same chain; the response returns credits to the initiator. If the
 * channel is closing or the command was aborted by task management,
 * nothing is sent. After this call @io belongs to the library again.
 * @res and the &struct srpt_sge array it points to are copied: they may
 * go when the call returns. The memory the pieces describe must stay
 * valid and unchanged until the library is done with it: @res->release
 * says when; without it, until the channel's on_drained. Bounce data
 * (mr == NULL) is copied before the call returns.
 *
 * Called on a completion thread (inside on_cmd, say), the work requests
 * go out when that thread has handled the completions of its current
 * poll, at most 32 later, together with the others of the same
 * channel; from any other thread they go out before the call returns.
 *
 * Return: 0; -EINVAL for a bad @res (the command is then completed with
 * CHECK CONDITION, HARDWARE ERROR); -E2BIG for a @res->size larger than
 * the library knows with a part it does not know that is not zero (the
 * command is then completed with CHECK CONDITION, HARDWARE ERROR too).
 * The command is handed back in every case. Context: any thread, also
 * inside callbacks; once per @io.
 */
int srpt_io_complete(struct srpt_io *io, const struct srpt_io_result *res);

#ifdef __cplusplus
}
#endif

#endif
