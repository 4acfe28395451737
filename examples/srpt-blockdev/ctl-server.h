/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_BLOCKDEV_CTL_SERVER_H
#define SRPT_BLOCKDEV_CTL_SERVER_H
/*
 * A JSON-RPC 2.0 server on a Unix stream socket, as srptctl(8) speaks
 * it: one request per line, one response per line, in order, for each
 * client. One thread serves every client with poll(); a method runs on
 * that thread, one at a time, so methods need no locking among
 * themselves. What the methods are is the caller's (service.c for
 * srpt-blockdev, a fake in the tests).
 *
 * Errors a client causes (text that is not JSON, a request that is not
 * one, an unknown method, a line longer than CTL_MAX_LINE, a disconnect
 * in the middle of a line) get an answer or close that client; they
 * never reach the methods nor other clients.
 */
#include <pthread.h>
#include <stddef.h>

struct json_object;
struct ctl_server;

/* JSON-RPC 2.0 error codes. */
enum {
	CTL_PARSE_ERROR = -32700,
	CTL_INVALID_REQUEST = -32600,
	CTL_METHOD_NOT_FOUND = -32601,
	CTL_INVALID_PARAMS = -32602,
	CTL_INTERNAL_ERROR = -32603,
	/* The server's own, from -32000 down. */
	CTL_NOT_SUPPORTED = -32000,
	CTL_NOT_FOUND = -32001,	/* no such channel */
	CTL_FAILED = -32002,	/* the action failed (message says why) */
};

/* A request line, and the answers a client has not read yet, beyond
 * which it is disconnected. */
#define CTL_MAX_LINE (64u << 10)
#define CTL_MAX_PENDING (16u << 20)
#define CTL_MAX_CLIENTS 64

/*
 * A method: @params is the request's "params" (NULL when absent; an
 * object or an array otherwise, owned by the server). Return 0 with
 * @result set to a new object that the server sends and frees (NULL for
 * null), or one of the codes above with a message in @msg (@n bytes).
 */
struct ctl_method {
	const char *name;
	int (*fn)(void *arg, struct json_object *params,
		  struct json_object **result, char *msg, size_t n);
};

/*
 * Bind and listen on @path with mode 0600, without serving yet: a stale
 * socket that nobody answers on is replaced, a live one or another kind
 * of file is an error. @methods ends with a NULL name; it and @arg must
 * outlive the server. Returns 0, or a negative errno with @err (@n
 * bytes) saying what is wrong. Only peers of this process's user or
 * root are served. Context: before ctl_server_start().
 */
int ctl_server_open(struct ctl_server **ret, const char *path,
		    const struct ctl_method *methods, void *arg, char *err,
		    size_t n);

/*
 * Hold @lock around every method call, so that another thread that
 * takes it (a SIGHUP reload) is never in the middle of one. Context:
 * before ctl_server_start().
 */
void ctl_server_set_lock(struct ctl_server *s, pthread_mutex_t *lock);

/* Start the serving thread: 0 or a negative errno. */
int ctl_server_start(struct ctl_server *s);

/* Stop the thread, disconnect every client, remove the socket file and
 * free @s (NULL: nothing). */
void ctl_server_close(struct ctl_server *s);

#endif
