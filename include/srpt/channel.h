/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_CHANNEL_H
#define SRPT_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

struct srpt_target;
struct srpt_channel;

/**
 * enum srpt_channel_state - where a channel is in its life
 *
 * States only move forward; every close path is idempotent.
 */
enum srpt_channel_state {
	/* Login received; not yet established (RTU or first IU). */
	SRPT_CH_CONNECTING = 0,
	/* Established; commands flow. */
	SRPT_CH_LIVE = 1,
	/* A DREQ was sent or received; no new command is delivered. */
	SRPT_CH_DISCONNECTING = 2,
	/* QP in error, zero-length write posted; waiting for its flush. */
	SRPT_CH_DRAINING = 3,
	/* The drain completion (or its timeout) came: no completion follows. */
	SRPT_CH_DISCONNECTED = 4,
};

/**
 * struct srpt_login_info - a decoded login request, as on_req sees it
 * @tag: opaque tag of the request
 * @initiator_port_id: the initiator port identifier (16 bytes)
 * @target_port_id: the target port identifier the initiator asked for
 * @req_it_iu_len: largest IU the initiator wants to send
 * @req_buf_fmt: buffer formats it supports (SRPT_BUF_FMT_*)
 * @req_flags: the raw flags byte
 * @multichannel: multi-channel action, req_flags & 3 (0 SINGLE, 1 MULTI)
 * @immed_requested: the initiator asked for immediate data
 * @imm_data_offset: where it puts immediate data in an SRP_CMD
 * @src: initiator's address (RDMA/CM source)
 * @dst: address the request was received on
 */
struct srpt_login_info {
	uint64_t tag;
	uint8_t initiator_port_id[16];
	uint8_t target_port_id[16];
	uint32_t req_it_iu_len;
	uint16_t req_buf_fmt;
	uint8_t req_flags;
	uint8_t multichannel;
	bool immed_requested;
	uint16_t imm_data_offset;
	struct sockaddr_storage src;
	struct sockaddr_storage dst;
};

/**
 * srpt_channel_accept() - accept a login that on_req deferred
 * @ch: channel whose on_req returned SRPT_LOGIN_DEFER
 *
 * Return: 0 if the accept was queued; -EALREADY if the login was already
 * answered; -ESTALE if the channel is already closing (the peer gave up,
 * the port was disabled): it then ends with on_drained as usual.
 * Context: any thread, also inside callbacks.
 */
int srpt_channel_accept(struct srpt_channel *ch);

/**
 * srpt_channel_reject() - reject a login that on_req deferred
 * @ch: channel whose on_req returned SRPT_LOGIN_DEFER
 * @reason: SRP login reject reason, 0x00010000-0x00010006
 *
 * Return: 0 if queued; -EINVAL for an unknown reason; -EALREADY if
 * already answered; -ESTALE if the channel is already closing.
 * Context: any thread, also inside callbacks.
 */
int srpt_channel_reject(struct srpt_channel *ch, uint32_t reason);

/**
 * srpt_channel_close() - disconnect a channel (sends a DREQ)
 * @ch: channel
 *
 * A channel whose login is still undecided is rejected instead. The
 * channel goes through DISCONNECTING and DRAINING and ends with
 * on_drained. Idempotent.
 *
 * Return: 0 if this call started the close, -EALREADY if the channel was
 * already closing. Context: any thread, also inside callbacks.
 */
int srpt_channel_close(struct srpt_channel *ch);

/**
 * srpt_channel_drained_done() - finish an unregister step left pending
 * @ch: channel whose on_drained returned SRPT_DRAINED_PENDING
 *
 * It may also be called from another thread while on_drained is still
 * running (before it returns SRPT_DRAINED_PENDING).
 *
 * Return: 0, or -EINVAL if the channel is not in (or past) on_drained
 * with its unregister step open, or this was already called.
 * Context: any thread, also inside callbacks.
 */
int srpt_channel_drained_done(struct srpt_channel *ch);

/**
 * srpt_channel_ref() - take a reference on a channel
 * @ch: channel, or NULL
 *
 * A reference keeps the channel's memory, not its connection.
 * Return: @ch. Context: any thread, also inside callbacks.
 */
struct srpt_channel *srpt_channel_ref(struct srpt_channel *ch);

/**
 * srpt_channel_unref() - drop a reference taken with srpt_channel_ref()
 * or srpt_target_find_channel()
 * @ch: channel, or NULL
 *
 * Return: NULL. Context: any thread, also inside callbacks.
 */
struct srpt_channel *srpt_channel_unref(struct srpt_channel *ch);

/**
 * srpt_channel_get_state() - the channel's current state
 * @ch: channel
 *
 * Return: an &enum srpt_channel_state; it may move on right after.
 * Context: any thread, also inside callbacks.
 */
enum srpt_channel_state srpt_channel_get_state(struct srpt_channel *ch);

/**
 * srpt_channel_get_id() - a number that names the channel for its target
 * @ch: channel
 *
 * Return: the id, unique among the target's channels, never 0.
 * Context: any thread, also inside callbacks.
 */
uint64_t srpt_channel_get_id(struct srpt_channel *ch);

/**
 * srpt_channel_get_login() - the login request that created the channel
 * @ch: channel
 *
 * Return: a pointer valid as long as a reference on @ch is held.
 * Context: any thread, also inside callbacks.
 */
const struct srpt_login_info *srpt_channel_get_login(struct srpt_channel *ch);

/**
 * srpt_channel_get_target() - the target a channel belongs to
 * @ch: channel
 *
 * Return: the target (no new reference). Context: any thread, also inside
 * callbacks.
 */
struct srpt_target *srpt_channel_get_target(struct srpt_channel *ch);

/**
 * srpt_channel_set_userdata() - attach an application pointer
 * @ch: channel
 * @userdata: pointer; the library never dereferences it
 *
 * Return: the previous pointer. Context: any thread, also inside
 * callbacks.
 */
void *srpt_channel_set_userdata(struct srpt_channel *ch, void *userdata);

/**
 * srpt_channel_get_userdata() - the pointer set with
 * srpt_channel_set_userdata()
 * @ch: channel
 *
 * Return: the pointer, NULL if none. Context: any thread, also inside
 * callbacks.
 */
void *srpt_channel_get_userdata(struct srpt_channel *ch);

/**
 * srpt_channel_state_name() - printable name of a channel state
 * @state: an &enum srpt_channel_state
 *
 * Return: a static string ("unknown" for other values). Context: any.
 */
const char *srpt_channel_state_name(enum srpt_channel_state state);

/**
 * enum srpt_login_mc - what a login does to the other channels of its
 *                      I_T nexus (&srpt_login_params.multichannel)
 * @SRPT_LOGIN_MC_AS_ASKED: as the initiator asked: SINGLE ends them,
 *                          MULTI keeps them
 * @SRPT_LOGIN_MC_SINGLE: end them also for a MULTI login (the response
 *                        says TERMINATED if there were any)
 */
enum srpt_login_mc {
	SRPT_LOGIN_MC_AS_ASKED = 0,
	SRPT_LOGIN_MC_SINGLE = 1,
};

/**
 * struct srpt_login_params - what one login gets
 * @size: sizeof(struct srpt_login_params) as the program knows it
 * @credits: credits granted (0: the target's queue_depth); at most the
 *           target's queue_depth, at least 2
 * @max_it_iu_len: largest IU the initiator may send: 0, or 64 to the
 *                 target's max_it_iu_len; the login gets the smaller of
 *                 this and the initiator's request (0: the request)
 * @max_ti_iu_len: largest response IU (0: the target's max_ti_iu_len);
 *                 40 at least, at most the target's
 * @no_imm_data: refuse immediate data even if the initiator asked for it
 * @multichannel: an &enum srpt_login_mc
 */
struct srpt_login_params {
	size_t size;
	uint32_t credits;
	uint32_t max_it_iu_len;
	uint32_t max_ti_iu_len;
	bool no_imm_data;
	uint8_t multichannel;
};

/**
 * srpt_channel_set_login_params() - choose what a login gets
 * @ch: a channel whose login is not answered yet: inside on_req, or
 *      after on_req returned SRPT_LOGIN_DEFER and before
 *      srpt_channel_accept()
 * @params: what it gets, within the target's limits; copied
 *
 * Return: 0; -EINVAL for a value outside the limits above or a NULL
 * argument; -E2BIG for a @params->size the library does not know with a
 * part it does not know that is not zero; -EALREADY once the login is
 * answered. Context: any thread, also inside callbacks.
 */
int srpt_channel_set_login_params(struct srpt_channel *ch,
				  const struct srpt_login_params *params);

/**
 * struct srpt_channel_info - what a channel is, as it is now
 * @size: sizeof(struct srpt_channel_info) as the program knows it; the
 *        library fills no more than that
 * @id: srpt_channel_get_id()
 * @state: srpt_channel_get_state()
 * @initiator_port_id: the initiator port identifier
 * @target_port_id: the target port identifier it logged in to
 * @src: the initiator's address; @dst: the address it reached
 * @login_time_sec: when the login was accepted (CLOCK_REALTIME); 0 before
 * @login_time_nsec: ... and its nanoseconds
 * @credits: credits granted at login
 * @credits_held: credits the initiator holds now, by the library's count
 *                (a negative value: it overran them)
 * @cmds_outstanding: commands with the application or in flight; a
 *                    response sent unsignaled counts until a later
 *                    completion on the channel (up to 15 while idle)
 * @max_it_iu_len: largest IU the initiator may send
 * @max_ti_iu_len: largest response IU
 * @imm_data_offset: where immediate data starts; 0 without it
 * @multichannel: the multi-channel action it asked for (0 SINGLE, 1 MULTI)
 * @srq: its IUs come from the device's shared receive queue
 * @device: the RDMA device, e.g. "rxe0"; empty before the QP exists
 * @port: the device port
 * @qp_num: its queue pair number
 */
struct srpt_channel_info {
	size_t size;
	uint64_t id;
	enum srpt_channel_state state;
	uint8_t initiator_port_id[16];
	uint8_t target_port_id[16];
	struct sockaddr_storage src;
	struct sockaddr_storage dst;
	int64_t login_time_sec;
	int64_t login_time_nsec;
	uint32_t credits;
	int32_t credits_held;
	uint32_t cmds_outstanding;
	uint32_t max_it_iu_len;
	uint32_t max_ti_iu_len;
	uint32_t imm_data_offset;
	uint8_t multichannel;
	bool srq;
	char device[64];
	uint8_t port;
	uint32_t qp_num;
};

/**
 * srpt_channel_get_info() - what a channel is
 * @ch: channel
 * @info: filled up to @info->size, which the caller sets
 *
 * Readable while commands flow; each field is read on its own, so two of
 * them may be from slightly different moments.
 *
 * Return: 0, or -EINVAL (NULL, or a size smaller than that of version
 * 1.0 of this structure). Context: any thread, also inside callbacks.
 */
int srpt_channel_get_info(struct srpt_channel *ch,
			  struct srpt_channel_info *info);

/* Task management functions, as counted in &struct srpt_io_stats: the
 * five SRP defines, then every other code. Part of the ABI: it never
 * changes (a count added later goes after the last field). */
#define SRPT_STATS_TMF 6	/* ABORT TASK, ABORT TASK SET, CLEAR TASK
				 * SET, LUN RESET, CLEAR ACA, other */

/**
 * struct srpt_io_stats - what moved over a channel (or a whole target)
 * @size: sizeof(struct srpt_io_stats) as the program knows it
 * @cmds: SRP_CMDs received
 * @cmds_in: ... of them with DATA-IN (reads)
 * @cmds_out: ... with DATA-OUT (writes)
 * @bytes_in: DATA-IN bytes sent to the initiator
 * @bytes_out: DATA-OUT bytes taken from it (immediate data included)
 * @rsps: SRP_RSPs sent
 * @tmf: task management requests by function (see SRPT_STATS_TMF)
 * @aborted: commands aborted by task management
 * @bad_ius: IUs answered with an error (CHECK CONDITION for a malformed
 *           command, SRP_T_LOGOUT, a task management request refused)
 * @credit_overruns: IUs beyond the initiator's credits (TASK SET FULL)
 * @busy: commands answered BUSY (the descriptor table pool was used up)
 * @transfer_errors: RDMA transfers that failed
 * @cred_reqs: SRP_CRED_REQs sent
 * @aer_reqs: SRP_AER_REQs sent
 */
struct srpt_io_stats {
	size_t size;
	uint64_t cmds;
	uint64_t cmds_in;
	uint64_t cmds_out;
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint64_t rsps;
	uint64_t tmf[SRPT_STATS_TMF];
	uint64_t aborted;
	uint64_t bad_ius;
	uint64_t credit_overruns;
	uint64_t busy;
	uint64_t transfer_errors;
	uint64_t cred_reqs;
	uint64_t aer_reqs;
};

/**
 * srpt_channel_get_stats() - what moved over a channel so far
 * @ch: channel
 * @st: filled up to @st->size, which the caller sets
 *
 * Counters only grow; they are read one by one while commands flow.
 *
 * Return: 0, or -EINVAL. Context: any thread, also inside callbacks.
 */
int srpt_channel_get_stats(struct srpt_channel *ch, struct srpt_io_stats *st);

/**
 * srpt_channel_logout() - tell the initiator to log out, and disconnect
 * @ch: a LIVE channel
 * @reason: an SRP_T_LOGOUT reason (enum srpt_t_logout_reason), e.g. 0,
 *          no reason given
 *
 * Sends SRP_T_LOGOUT, then a DREQ: the channel drains as after
 * srpt_channel_close(), ending with on_drained. The Linux initiator logs
 * the reason and logs in again.
 *
 * Return: 0; -ESTALE if the channel is not LIVE; -EBUSY if no context is
 * free to send it from (every spare is in use: try again), -EINVAL.
 * Context: any thread, also inside callbacks.
 */
int srpt_channel_logout(struct srpt_channel *ch, uint32_t reason);

/**
 * srpt_channel_send_aer() - send an asynchronous event (SRP_AER_REQ)
 * @ch: a LIVE channel
 * @lun: the 8-byte LUN it is about
 * @sense: sense data describing the event (e.g. CAPACITY DATA HAS
 *         CHANGED, 6/2A/09); copied, cut to what fits a response IU
 * @sense_len: its length (at least 1)
 *
 * The initiator answers with SRP_AER_RSP, which the library takes. At
 * most a few may be unanswered at once per channel (the spare receive
 * buffers their answers land in).
 *
 * Return: 0; -ESTALE if the channel is not LIVE; -EBUSY if too many are
 * unanswered or no context is free (try again later); -EINVAL.
 * Context: any thread, also inside callbacks.
 */
int srpt_channel_send_aer(struct srpt_channel *ch, const uint8_t lun[8],
			  const uint8_t *sense, uint32_t sense_len);

#ifdef __cplusplus
}
#endif

#endif
