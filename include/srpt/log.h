/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_LOG_H
#define SRPT_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * enum srpt_log_level - severity of a log line handed to the log hook
 *
 * The values are those of syslog(3), so a hook may pass them straight on.
 */
enum srpt_log_level {
	SRPT_LOG_ERR = 3,	/* a channel or the port failed */
	SRPT_LOG_WARNING = 4,	/* an initiator misbehaved; it got an answer */
	SRPT_LOG_NOTICE = 5,	/* logins, rejects, logouts */
	SRPT_LOG_INFO = 6,	/* lifecycle steps */
	SRPT_LOG_DEBUG = 7,	/* per-IU detail */
};

/**
 * typedef srpt_log_fn - log hook supplied by the application
 * @level: one of &enum srpt_log_level
 * @msg: one line of text, without a trailing newline; valid only during
 *       the call
 * @userdata: the pointer given with the hook
 *
 * The library never prints; it hands every line to this hook. Unlike the
 * callbacks of &struct srpt_target_ops, the hook is also called from
 * inside the application's own calls into the library (for instance
 * srpt_channel_logout() and srpt_target_shutdown() log on the caller's
 * thread): it may run on any thread, concurrently, must not call back
 * into the library and must not take locks the application holds while
 * calling it.
 */
typedef void (*srpt_log_fn)(int level, const char *msg, void *userdata);

#ifdef __cplusplus
}
#endif

#endif
