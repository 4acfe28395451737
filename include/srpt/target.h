/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_TARGET_H
#define SRPT_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <srpt/log.h>
#include <srpt/channel.h>

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
 * struct srpt_tmf_info - a task management request, as on_tmf sees it
 * @func: the function (SRPT_TSK_ABORT_TASK, _ABORT_TASK_SET,
 *        _CLEAR_TASK_SET, _LUN_RESET)
 * @lun: the 8-byte LUN it names
 * @tag: the tag of the request itself
 * @task_tag: for ABORT TASK, the tag of the command to abort
 *
 * Scope, as in SAM-5: ABORT TASK acts on the command with @task_tag of
 * the requesting I_T nexus (every channel that the initiator port logged
 * in to this target port); ABORT TASK SET and CLEAR TASK SET on that
 * nexus's commands for @lun; LUN RESET on every command for @lun from
 * every nexus.
 */
struct srpt_tmf_info {
	uint8_t func;
	uint8_t lun[8];
	uint64_t tag;
	uint64_t task_tag;
};

/**
 * struct srpt_target_ops - callbacks a storage target registers
 * @size: sizeof(struct srpt_target_ops) as the program knows it, so that
 *        callbacks can be added in later versions (see libsrpt(7), "ABI")
 *
 * Threads: @on_req, @on_rtu, @on_dreq and @on_drained run on the target's
 * dispatch thread, one at a time. @on_cmd and @on_tmf run on a
 * completion thread, or on the dispatch thread (IUs that arrived before
 * the channel was live are replayed there). @on_abort runs where the
 * abort happens: on the completion thread of the channel that received
 * the task management request (which may be another channel of the
 * nexus, or for LUN RESET another nexus, than the command's), or on the
 * dispatch thread when a channel closes. With %SRPT_TARGET_APP_POLL the
 * completion work runs on the application's own threads, inside
 * srpt_target_poll(). No callback is ever invoked from inside a call the
 * application made to libsrpt (but for srpt_target_poll(), whose purpose
 * it is; the log hook is not a callback in this sense, see srpt_log_fn). Callbacks may call any
 * srpt_channel_*() and srpt_io_*() function; they must not drop the last
 * reference of the target nor call srpt_target_shutdown().
 *
 * @on_req: a login request arrived; the channel is CONNECTING. Return an
 *          &enum srpt_login_verdict or a reject reason. This is where ACLs
 *          live, and where srpt_channel_set_login_params() may lower what
 *          the login gets. Mandatory.
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
 * @on_tmf: a task management request is about to be carried out by the
 *          library, which aborts the commands it covers itself (see
 *          &struct srpt_tmf_info) and answers once each of them has been
 *          completed by the application (or its transfer ended). Return 0
 *          to let it proceed, or an SRP task management response code
 *          (e.g. 9, INCORRECT LOGICAL UNIT NUMBER) to answer with that
 *          instead. Optional. What bounds the answer's delay: the
 *          application, which should complete each command @on_abort
 *          names promptly (the library sets no deadline of its own), and
 *          for transfers already posted the QP's transport timeouts. An
 *          initiator waits a while for the answer and then escalates
 *          (Linux: 5 s, then LUN RESET, then a new login).
 * @on_abort: a command the application holds (between @on_cmd and
 *            srpt_io_complete()) was aborted, by task management or
 *            because its channel is closing: it should stop the
 *            command's backend work and complete it; nothing it sends
 *            will reach the initiator. @io stays valid during the call,
 *            also if another thread completes it meanwhile. Called at
 *            most once per command. Optional; without it the application
 *            can ask srpt_io_is_aborted().
 */
struct srpt_target_ops {
	size_t size;
	int (*on_req)(struct srpt_channel *ch,
		      const struct srpt_login_info *login, void *userdata);
	void (*on_rtu)(struct srpt_channel *ch, void *userdata);
	void (*on_dreq)(struct srpt_channel *ch, void *userdata);
	int (*on_drained)(struct srpt_channel *ch, void *userdata);
	void (*on_cmd)(struct srpt_channel *ch, struct srpt_io *io,
		       void *userdata);
	int (*on_tmf)(struct srpt_channel *ch, const struct srpt_tmf_info *tmf,
		      void *userdata);
	void (*on_abort)(struct srpt_io *io, void *userdata);
};

/**
 * enum srpt_thread_kind - which library thread a thread hook is about
 * @SRPT_THREAD_DISPATCH: the target's dispatch thread (RDMA/CM events,
 *                        lifecycle callbacks)
 * @SRPT_THREAD_COMPLETION: a completion thread (work completions, on_cmd)
 */
enum srpt_thread_kind {
	SRPT_THREAD_DISPATCH = 0,
	SRPT_THREAD_COMPLETION = 1,
};

/**
 * typedef srpt_thread_fn - thread start and stop hook
 * @kind: &enum srpt_thread_kind
 * @index: which completion thread (0 for the dispatch thread)
 * @userdata: &srpt_target_opts.thread_userdata
 *
 * Called on the library thread itself: first thing after it started, and
 * last thing before it ends. Where an application registers the thread
 * with liburcu, sets thread-local state or its own CPU affinity. The
 * thread blocks every signal. The hook must not call back into libsrpt.
 */
typedef void (*srpt_thread_fn)(int kind, unsigned int index, void *userdata);

/**
 * enum srpt_target_flags - opt-in modes in &srpt_target_opts.flags
 * @SRPT_TARGET_BUSY_POLL: completion threads poll their CQs without
 *                         sleeping: lowest latency on real hardware, one
 *                         busy core per completion thread; the default
 *                         sleeps on completion channels (no CPU when idle)
 * @SRPT_TARGET_APP_POLL: the library starts no completion threads: the
 *                        application drives completion processing from
 *                        threads of its own, with srpt_target_poll_fd()
 *                        and srpt_target_poll() (one poller per
 *                        &srpt_target_opts.completion_threads); not with
 *                        %SRPT_TARGET_BUSY_POLL (-EINVAL)
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
	SRPT_TARGET_APP_POLL = 1u << 2,
};

/**
 * struct srpt_target_opts - how to build a target port
 * @size: sizeof(struct srpt_target_opts) as the program knows it; lets
 *        the struct grow (a larger size than the library knows is taken
 *        when the part it does not know is zero, see libsrpt(7))
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
 * @completion_threads: number of completion threads, or of pollers with
 *                      %SRPT_TARGET_APP_POLL (default 1, at most 64)
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
 * @completion_cpus: CPUs for the completion threads, in order (thread i
 *                   runs on completion_cpus[i % ncompletion_cpus]), or
 *                   NULL to leave them to the scheduler; each below
 *                   CPU_SETSIZE (1024); copied. A CPU that is not online
 *                   is logged and the thread left to the scheduler.
 * @ncompletion_cpus: entries in @completion_cpus
 * @thread_start: called on each library thread when it starts, or NULL
 * @thread_stop: called on each library thread before it ends, or NULL
 * @thread_userdata: handed to @thread_start and @thread_stop
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
	const unsigned int *completion_cpus;
	unsigned int ncompletion_cpus;
	srpt_thread_fn thread_start;
	srpt_thread_fn thread_stop;
	void *thread_userdata;
};

/**
 * srpt_target_new() - create a target port object
 * @ret: where the new target is stored (one reference)
 * @opts: options; copied, may be freed after the call
 *
 * The target does nothing until srpt_target_listen().
 *
 * Return: 0, -EINVAL for a NULL or inconsistent argument, -E2BIG when
 * @opts or its ops are larger than this library knows and the part it
 * does not know is not all zero (a newer program's option it would
 * ignore), -ENOMEM.
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
 * -EBUSY if already listening; -EAFNOSUPPORT if @addr is neither IPv4
 * nor IPv6; -EOPNOTSUPP for %SRPT_TARGET_APP_POLL on a transport that
 * cannot hand its completion work out; other negative errno from
 * librdmacm or ibv_reg_mr() (registrations made before listening).
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

/**
 * struct srpt_target_stats - a target's counters
 * @size: sizeof(struct srpt_target_stats) as the program knows it
 * @logins: logins accepted
 * @login_rejects: logins rejected, by reason: index reason - 0x00010000
 *                 (UNABLE_ESTABLISH_CHANNEL 0 ... CHANNEL_LIMIT_REACHED 6)
 * @channels: channels now, in any state until they are freed
 * @log_suppressed: log lines caused by initiators left out (rate limit)
 */
struct srpt_target_stats {
	size_t size;
	uint64_t logins;
	uint64_t login_rejects[7];
	uint32_t channels;
	uint64_t log_suppressed;
};

/**
 * srpt_target_get_stats() - the target's counters
 * @t: target
 * @st: NULL, or filled up to @st->size, which the caller sets
 * @io: NULL, or filled up to @io->size (which the caller sets) with what
 *      moved over every channel of the target, closed ones included
 *
 * The two structures are apart so that each can grow on its own. Readable
 * while commands flow; counters only grow: a closing channel's counts
 * move into the target's total in the same step that takes it off the
 * target's channel list.
 *
 * Return: 0, or -EINVAL (@t NULL, both NULL, or a size smaller than that
 * of version 1.0 of its structure).
 * Context: any thread, also inside callbacks.
 */
int srpt_target_get_stats(struct srpt_target *t, struct srpt_target_stats *st,
			  struct srpt_io_stats *io);

/**
 * srpt_target_set_log_level() - change which log lines are formatted
 * @t: target
 * @level: an &enum srpt_log_level; lines above it are not
 *
 * Return: 0, or -EINVAL for a level outside SRPT_LOG_ERR..SRPT_LOG_DEBUG.
 * Context: any thread, also inside callbacks.
 */
int srpt_target_set_log_level(struct srpt_target *t, int level);

/**
 * srpt_target_poll_fd() - the file descriptor of a poller
 * @t: a listening target made with %SRPT_TARGET_APP_POLL
 * @poller: 0 .. &srpt_target_opts.completion_threads - 1
 *
 * Readable (poll(2), epoll(7)) when @poller has completions to process;
 * then call srpt_target_poll(). The descriptor stays the library's.
 *
 * Return: the descriptor, or -EINVAL (no such poller, not listening, not
 * made with %SRPT_TARGET_APP_POLL). Context: any thread.
 */
int srpt_target_poll_fd(struct srpt_target *t, unsigned int poller);

/**
 * srpt_target_poll() - process what is ready on a poller
 * @t: a listening target made with %SRPT_TARGET_APP_POLL
 * @poller: 0 .. &srpt_target_opts.completion_threads - 1
 * @max: at most this many completions (0: all that are there)
 *
 * Runs the completion work a completion thread would: the callbacks
 * on_cmd and on_tmf, DATA-OUT and release callbacks of the channels on
 * @poller run inside this call, on the calling thread, and so does
 * on_abort for the commands a task management request received here
 * aborts, whichever channel and poller they belong to. Call
 * it for one poller from one thread at a time; different pollers from
 * different threads. The thread must not hold locks the callbacks take.
 *
 * Polling goes on until srpt_target_shutdown() has returned (channels
 * drain through their completions) and stops before the last
 * srpt_target_unref(). A channel's completions are taken up to a
 * budget (128), so that one busy channel cannot starve the others; once
 * @max is reached no further channel is polled, so a call may process
 * somewhat more than @max. The descriptor of srpt_target_poll_fd()
 * stays readable while completions are left.
 *
 * Return: the number of completions processed (0: none was ready), or
 * -EINVAL. Context: an application thread; not from inside a callback.
 */
int srpt_target_poll(struct srpt_target *t, unsigned int poller,
		     unsigned int max);

#ifdef __cplusplus
}
#endif

#endif
