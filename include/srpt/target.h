/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_TARGET_H
#define SRPT_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <srpt/log.h>

#ifdef __cplusplus
extern "C" {
#endif

struct srpt_target;
struct srpt_channel;
struct srpt_io;
struct srpt_login_info;

/**
 * enum srpt_login_verdict - what &srpt_target_ops.on_req may return
 * @SRPT_LOGIN_ACCEPT: accept the login now
 * @SRPT_LOGIN_DEFER: decide later with srpt_channel_accept() or
 *                    srpt_channel_reject(), from any thread
 *
 * Any other return value must be an SRP login reject reason
 * (&enum srpt_login_rej_reason, 0x00010000-0x00010006): the login is
 * rejected with it.
 */
enum srpt_login_verdict {
	SRPT_LOGIN_ACCEPT = 0,
	SRPT_LOGIN_DEFER = 1,
};

/**
 * enum srpt_drained_verdict - what &srpt_target_ops.on_drained may return
 * @SRPT_DRAINED_DONE: the application has let go of the channel
 * @SRPT_DRAINED_PENDING: the application finishes its unregister step
 *                        later and then calls srpt_channel_drained_done()
 */
enum srpt_drained_verdict {
	SRPT_DRAINED_DONE = 0,
	SRPT_DRAINED_PENDING = 1,
};

/**
 * struct srpt_target_ops - callbacks a storage target registers
 *
 * Lifecycle callbacks (@on_req, @on_rtu, @on_dreq, @on_drained) run on the
 * target's dispatch thread, one at a time. @on_cmd and @on_tmf run on a
 * completion thread (or on the dispatch thread while IUs that arrived
 * before the channel was live are replayed). No callback is ever invoked
 * from inside a libsrpt function the application called. Callbacks may
 * call any srpt_channel_*() and srpt_io_*() function, but not
 * srpt_target_unref() of the last reference nor srpt_target_shutdown().
 *
 * @on_req: a login request arrived; the channel is CONNECTING. Return an
 *          &enum srpt_login_verdict or a reject reason. This is where ACLs
 *          live. Mandatory.
 * @on_rtu: the channel is LIVE; commands may arrive after this. Optional.
 * @on_dreq: the peer or the target started a disconnect; no new command is
 *           delivered after this. Called at most once, only for channels
 *           that @on_req accepted. Optional.
 * @on_drained: last callback of every channel that @on_req saw, exactly
 *              once, after its last work completion and after every
 *              &struct srpt_io handed to @on_cmd was completed. Memory the
 *              application attached to the channel may be freed only here
 *              or after. Return an &enum srpt_drained_verdict. Optional.
 * @on_cmd: an SRP_CMD on a LIVE channel; the application owns @io until it
 *          calls srpt_io_complete() (from any thread). Mandatory.
 * @on_tmf: a task management request for @lun is about to be executed by
 *          the library (which aborts the affected commands itself and
 *          answers once they are finished). Return 0 to let it proceed, or
 *          an SRP task management response code (e.g. 9, INCORRECT LOGICAL
 *          UNIT NUMBER) to answer with that instead. Optional.
 */
struct srpt_target_ops {
	int (*on_req)(struct srpt_channel *ch,
		      const struct srpt_login_info *login, void *userdata);
	void (*on_rtu)(struct srpt_channel *ch, void *userdata);
	void (*on_dreq)(struct srpt_channel *ch, void *userdata);
	int (*on_drained)(struct srpt_channel *ch, void *userdata);
	void (*on_cmd)(struct srpt_channel *ch, struct srpt_io *io,
		       void *userdata);
	int (*on_tmf)(struct srpt_channel *ch, uint8_t func,
		      const uint8_t lun[8], void *userdata);
};

/**
 * enum srpt_target_flags - opt-in modes in &srpt_target_opts.flags
 * @SRPT_TARGET_BUSY_POLL: completion threads poll their CQs without
 *                         sleeping: lowest latency on real hardware, one
 *                         busy core per completion thread; the default
 *                         sleeps on completion channels (no CPU when idle)
 * @SRPT_TARGET_SRQ: every channel of a device takes its IUs from one
 *                   shared receive queue of &srpt_target_opts.srq_size
 *                   buffers, instead of a ring of queue_depth + 4 buffers
 *                   of its own: memory for many channels that are mostly
 *                   idle. Credits are still granted per channel, so
 *                   channels that all use every credit at once can find
 *                   the shared queue empty (the initiator then retries
 *                   after an RNR NAK). Immediate data works as without.
 */
enum srpt_target_flags {
	SRPT_TARGET_BUSY_POLL = 1u << 0,
	SRPT_TARGET_SRQ = 1u << 1,
};

/**
 * struct srpt_target_opts - how to build a target port
 * @size: sizeof(struct srpt_target_opts); lets the struct grow
 * @ops: callbacks; copied
 * @userdata: handed, last, to every callback
 * @id_ext: first half of the SRP target port id; 0 means "same as the
 *          ioc_guid", as ib_srpt does
 * @ioc_guid: second half of the target port id; 0 means the node GUID of
 *            the RDMA device that carries the listening address
 * @queue_depth: credits granted per channel (default 128, 2..4096)
 * @max_it_iu_len: largest initiator-to-target IU accepted (default 8276,
 *                 room for 8 KiB of immediate data at offset 80)
 * @max_ti_iu_len: largest response IU sent (default 256, at least 40)
 * @drain_timeout_ms: how long to wait for the drain completion before
 *                    finishing the close anyway (default 5000)
 * @completion_threads: number of completion threads (default 1)
 * @log: log hook, or NULL for silence
 * @log_userdata: handed to @log
 * @log_level: lines above this level are not formatted (default NOTICE)
 * @io_priv_size: bytes of application space the library keeps with every
 *                command context (see srpt_io_get_priv()), so that a
 *                backend needs no allocation per command (default 0)
 * @flags: &enum srpt_target_flags (default 0)
 * @srq_size: receive buffers of each device's shared receive queue with
 *            %SRPT_TARGET_SRQ (default 1024, 16..65536); ignored without
 * @max_channels: channels the target holds at once, in any state until
 *                they are unregistered (default 256, 1..65536); a login
 *                beyond is rejected with INSUFFICIENT RESOURCES
 * @max_initiator_channels: channels one initiator port (by its initiator
 *                          port id) holds at once (default 64, 1..65536,
 *                          at most @max_channels); a login beyond is
 *                          rejected with CHANNEL LIMIT REACHED, so one
 *                          initiator cannot take every channel
 * @table_pool_size: bytes of registered memory the target reads
 *                   initiators' external descriptor tables into (default
 *                   1 MiB, 64 KiB..64 MiB); while it is used up, commands
 *                   that need a table are answered with BUSY
 */
struct srpt_target_opts {
	size_t size;
	const struct srpt_target_ops *ops;
	void *userdata;
	uint64_t id_ext;
	uint64_t ioc_guid;
	uint32_t queue_depth;
	uint32_t max_it_iu_len;
	uint32_t max_ti_iu_len;
	uint32_t drain_timeout_ms;
	uint32_t completion_threads;
	srpt_log_fn log;
	void *log_userdata;
	int log_level;
	uint32_t io_priv_size;
	uint32_t flags;
	uint32_t srq_size;
	uint32_t max_channels;
	uint32_t max_initiator_channels;
	uint32_t table_pool_size;
};

/**
 * srpt_target_new() - create a target port object
 * @ret: where the new target is stored (one reference)
 * @opts: options; copied, may be freed after the call
 *
 * The target does nothing until srpt_target_listen().
 *
 * Return: 0, -EINVAL for a NULL or inconsistent argument, -ENOMEM.
 * Context: any thread; not from inside a callback of this target.
 */
int srpt_target_new(struct srpt_target **ret,
		    const struct srpt_target_opts *opts);

/**
 * srpt_target_ref() - take a reference on a target
 * @t: target, or NULL
 *
 * Return: @t. Context: any thread, also inside callbacks.
 */
struct srpt_target *srpt_target_ref(struct srpt_target *t);

/**
 * srpt_target_unref() - drop a reference; the last one shuts down and frees
 * @t: target, or NULL (then nothing happens)
 *
 * Dropping the last reference does srpt_target_shutdown() first.
 *
 * Return: NULL. Context: any thread; the last reference must not be
 * dropped from inside a callback of this target.
 */
struct srpt_target *srpt_target_unref(struct srpt_target *t);

/**
 * srpt_target_listen() - start serving SRP logins over RDMA/CM
 * @t: target
 * @addr: IPv4 or IPv6 address and port to listen on; the any-address
 *        serves every RDMA device
 *
 * Opens the RDMA devices, binds the RDMA/CM listener on its own event
 * channel, and starts the dispatch and completion threads. When
 * &srpt_target_opts.ioc_guid was 0 it becomes the node GUID of the device
 * that carries @addr (or of the first device for the any-address).
 *
 * Return: 0; -EADDRINUSE if the port is taken; -ENODEV if no RDMA device
 * exists or none carries @addr; -EADDRNOTAVAIL if @addr is not local;
 * -EBUSY if already listening; other negative errno from librdmacm.
 * Context: any thread; not from inside a callback.
 */
int srpt_target_listen(struct srpt_target *t, const struct sockaddr *addr);

/**
 * srpt_target_get_port_id() - the SRP target port id logins must name
 * @t: target
 * @id_ext: where to store the identifier extension (host order), or NULL
 * @ioc_guid: where to store the IOC GUID (host order), or NULL
 *
 * Return: 0, or -EAGAIN if the GUID is not known yet (default GUID and
 * not listening). Context: any thread, also inside callbacks.
 */
int srpt_target_get_port_id(struct srpt_target *t, uint64_t *id_ext,
			    uint64_t *ioc_guid);

/**
 * srpt_target_enable() - accept logins again after srpt_target_disable()
 * @t: target
 *
 * A new target is enabled. Return: 0. Context: any thread, also inside
 * callbacks.
 */
int srpt_target_enable(struct srpt_target *t);

/**
 * srpt_target_disable() - disconnect every channel and refuse new logins
 * @t: target
 *
 * Every channel gets a DREQ (or, while its login is undecided, a reject
 * with reason INSUFFICIENT RESOURCES); logins that arrive while disabled
 * are rejected with that reason. Returns at once; the channels drain in
 * the background, each ending with on_drained.
 *
 * Return: 0. Context: any thread, also inside callbacks.
 */
int srpt_target_disable(struct srpt_target *t);

/**
 * srpt_target_shutdown() - disable and wait until every channel is drained
 * @t: target
 *
 * After it returns no callback of @t runs any more (logins are refused
 * while disabled). Memory registrations stay valid until
 * srpt_target_dereg_mem(); the library threads stop with the last
 * srpt_target_unref(). Idempotent.
 *
 * Return: 0. Context: any thread; never from inside a callback (it would
 * wait for itself).
 */
int srpt_target_shutdown(struct srpt_target *t);

/**
 * srpt_target_channel_count() - number of channels not yet freed
 * @t: target
 *
 * Return: the count, including channels that are still draining.
 * Context: any thread, also inside callbacks.
 */
unsigned int srpt_target_channel_count(struct srpt_target *t);

/**
 * srpt_target_find_channel() - look a channel up by its id
 * @t: target
 * @id: value from srpt_channel_get_id()
 * @ret: where the channel is stored, with a reference the caller drops
 *       with srpt_channel_unref()
 *
 * Return: 0, or -ENOENT if no channel with that id is left.
 * Context: any thread, also inside callbacks.
 */
int srpt_target_find_channel(struct srpt_target *t, uint64_t id,
			     struct srpt_channel **ret);

/**
 * typedef srpt_channel_visit_fn - visitor for srpt_target_foreach_channel()
 *
 * Return 0 to go on, anything else to stop the walk with that value.
 */
typedef int (*srpt_channel_visit_fn)(struct srpt_channel *ch, void *arg);

/**
 * srpt_target_foreach_channel() - visit every channel of a target
 * @t: target
 * @fn: visitor; it holds a reference on the channel during the call and
 *      may call srpt_channel_*() functions, but no srpt_target_*()
 *      function that changes the channel set
 * @arg: handed to @fn
 *
 * Return: 0, or the first non-zero value @fn returned.
 * Context: any thread, also inside callbacks.
 */
int srpt_target_foreach_channel(struct srpt_target *t,
				srpt_channel_visit_fn fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif
