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

#ifdef __cplusplus
}
#endif

#endif
