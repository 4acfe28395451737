/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* The control socket's JSON-RPC 2.0 server (ctl-server.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl-server.h"

struct client {
	int fd;
	char *in;		/* bytes of the line being received */
	size_t in_len, in_cap;
	char *out;		/* answers not yet taken by the client */
	size_t out_off, out_len, out_cap;
	bool eof;		/* no more requests: close once answered */
};

struct ctl_server {
	int fd;			/* listening */
	int wake;		/* eventfd: stop */
	char *path;
	const struct ctl_method *methods;
	void *arg;
	pthread_mutex_t *lock;	/* NULL, or held around each method */
	pthread_t thread;
	bool started;
	struct client clients[CTL_MAX_CLIENTS];
	unsigned int nclients;
};

static int fail(char *err, size_t n, int r, const char *path)
{
	snprintf(err, n, "control socket %s: %s", path, strerror(-r));
	return r;
}

/* Whether something answers on @path (a server of another process). */
static bool alive(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool yes;

	if (fd < 0)
		return false;
	yes = !connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	return yes;
}

int ctl_server_open(struct ctl_server **ret, const char *path,
		    const struct ctl_method *methods, void *arg, char *err,
		    size_t n)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_server *s;
	struct stat st;
	mode_t old;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, n, "%s: longer than a Unix socket path can be (%zu bytes)",
			 path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, n, "%s: exists and is not a socket", path);
			return -EEXIST;
		}
		if (alive(&sa)) {
			snprintf(err, n, "%s: another server answers on it", path);
			return -EADDRINUSE;
		}
		unlink(path);	/* left by a process that ended */
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return fail(err, n, -ENOMEM, path);
	s->methods = methods;
	s->arg = arg;
	s->wake = -1;
	s->path = strdup(path);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (!s->path || s->fd < 0) {
		r = s->path ? -errno : -ENOMEM;
		goto out;
	}
	/* Created 0600 from the start: no moment where others could
	 * connect. (umask is the process's: called before other threads
	 * create files.) */
	old = umask(0177);
	r = bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	if (r)
		goto out;
	if (chmod(path, 0600) || listen(s->fd, 16)) {
		r = -errno;
		unlink(path);
		goto out;
	}
	s->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->wake < 0) {
		r = -errno;
		unlink(path);
		goto out;
	}
	*ret = s;
	return 0;
out:
	fail(err, n, r, path);
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s);
	return r;
}

static void drop(struct ctl_server *s, unsigned int i)
{
	struct client *c = &s->clients[i];

	close(c->fd);
	free(c->in);
	free(c->out);
	s->clients[i] = s->clients[--s->nclients];
}

/* Queue @text and a newline for the client; -1 when it has let too
 * much pile up (it is then dropped). */
static int queue(struct client *c, const char *text)
{
	size_t len = strlen(text) + 1;

	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len - c->out_off + len > CTL_MAX_PENDING)
		return -1;
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *p;

		if (c->out_off) {
			memmove(c->out, c->out + c->out_off,
				c->out_len - c->out_off);
			c->out_len -= c->out_off;
			c->out_off = 0;
		}
		while (cap < c->out_len + len)
			cap *= 2;
		if (cap != c->out_cap) {
			p = realloc(c->out, cap);
			if (!p)
				return -1;
			c->out = p;
			c->out_cap = cap;
		}
	}
	memcpy(c->out + c->out_len, text, len - 1);
	c->out[c->out_len + len - 1] = '\n';
	c->out_len += len;
	return 0;
}

static json_object *error_response(json_object *id, int code, const char *msg)
{
	json_object *r = json_object_new_object(), *e = json_object_new_object();

	json_object_object_add(r, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(e, "code", json_object_new_int(code));
	json_object_object_add(e, "message", json_object_new_string(msg));
	json_object_object_add(r, "error", e);
	json_object_object_add(r, "id", id ? json_object_get(id) : NULL);
	return r;
}

/* One request: the response to send, or NULL for a notification. */
static json_object *handle(struct ctl_server *s, json_object *req)
{
	json_object *id = NULL, *v, *params = NULL, *result = NULL, *r;
	const struct ctl_method *m;
	const char *name;
	char msg[512] = "";
	int code;
	bool has_id;

	if (!json_object_is_type(req, json_type_object))
		return error_response(NULL, CTL_INVALID_REQUEST,
				      json_object_is_type(req, json_type_array) ?
				      "batch requests are not supported: one request per line" :
				      "a request is a JSON object");
	has_id = json_object_object_get_ex(req, "id", &id);
	if (has_id && id && !json_object_is_type(id, json_type_int) &&
	    !json_object_is_type(id, json_type_string) &&
	    !json_object_is_type(id, json_type_double))
		return error_response(NULL, CTL_INVALID_REQUEST,
				      "\"id\" is neither a number nor a string");
	if (!json_object_object_get_ex(req, "jsonrpc", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "2.0"))
		return error_response(id, CTL_INVALID_REQUEST,
				      "\"jsonrpc\" is not \"2.0\"");
	if (!json_object_object_get_ex(req, "method", &v) ||
	    !json_object_is_type(v, json_type_string))
		return error_response(id, CTL_INVALID_REQUEST,
				      "\"method\" is not a string");
	name = json_object_get_string(v);
	if (json_object_object_get_ex(req, "params", &params) && params &&
	    !json_object_is_type(params, json_type_object) &&
	    !json_object_is_type(params, json_type_array))
		return error_response(id, CTL_INVALID_REQUEST,
				      "\"params\" is neither an object nor an array");
	json_object_object_foreach(req, key, val) {
		(void)val;
		if (strcmp(key, "jsonrpc") && strcmp(key, "method") &&
		    strcmp(key, "params") && strcmp(key, "id"))
			return error_response(id, CTL_INVALID_REQUEST,
					      "a request has only jsonrpc, method, params and id");
	}
	for (m = s->methods; m->name && strcmp(m->name, name); m++)
		;
	if (!m->name) {
		snprintf(msg, sizeof(msg), "no method '%s'", name);
		r = error_response(id, CTL_METHOD_NOT_FOUND, msg);
	} else {
		if (s->lock)
			pthread_mutex_lock(s->lock);
		code = m->fn(s->arg, params, &result, msg, sizeof(msg));
		if (s->lock)
			pthread_mutex_unlock(s->lock);
		if (code) {
			json_object_put(result);
			r = error_response(id, code, msg[0] ? msg : "failed");
		} else {
			r = json_object_new_object();
			json_object_object_add(r, "jsonrpc",
					       json_object_new_string("2.0"));
			json_object_object_add(r, "result", result);
			json_object_object_add(r, "id",
					       id ? json_object_get(id) : NULL);
		}
	}
	if (!has_id) {		/* a notification: no answer */
		json_object_put(r);
		return NULL;
	}
	return r;
}

static int answer(struct client *c, json_object *rsp)
{
	int r = queue(c, json_object_to_json_string_ext(rsp,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(rsp);
	return r;
}

static int line(struct ctl_server *s, struct client *c, char *text,
		size_t len)
{
	struct json_tokener *tok;
	json_object *req, *rsp;
	char msg[128];

	while (len && strchr(" \t\r", text[len - 1]))
		len--;
	if (!len)
		return 0;
	/* The terminating NUL goes to the tokener too: it ends a bare
	 * number, which json-c would otherwise wait to see continued. */
	text[len] = 0;
	tok = json_tokener_new();
	if (!tok)
		return -1;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	req = json_tokener_parse_ex(tok, text, (int)len + 1);
	if (!req || json_tokener_get_parse_end(tok) < len) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		snprintf(msg, sizeof(msg), "not JSON at byte %zu: %s",
			 json_tokener_get_parse_end(tok),
			 req ? "text after the request" :
			 e == json_tokener_continue ? "the line ends inside it" :
			 json_tokener_error_desc(e));
		json_object_put(req);
		json_tokener_free(tok);
		return answer(c, error_response(NULL, CTL_PARSE_ERROR, msg));
	}
	json_tokener_free(tok);
	rsp = handle(s, req);
	json_object_put(req);
	return rsp ? answer(c, rsp) : 0;
}

/* Read what the client sent and answer each whole line: -1 to drop it. */
static int receive(struct ctl_server *s, struct client *c)
{
	/* A bounded share per round, so that one client cannot starve
	 * the others. */
	for (int round = 0; round < 16; round++) {
		char *nl;
		ssize_t got;

		if (c->in_cap - c->in_len < 4096) {
			size_t cap = c->in_cap ? c->in_cap * 2 : 8192;
			char *p = realloc(c->in, cap);

			if (!p)
				return -1;
			c->in = p;
			c->in_cap = cap;
		}
		got = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		if (got == 0) {
			/* A line without its newline is no request. */
			c->eof = true;
			c->in_len = 0;
			return 0;
		}
		c->in_len += (size_t)got;
		while ((nl = memchr(c->in, '\n', c->in_len))) {
			size_t len = (size_t)(nl - c->in);

			*nl = 0;
			if (len > CTL_MAX_LINE ||
			    line(s, c, c->in, len))
				return -1;
			memmove(c->in, nl + 1, c->in_len - len - 1);
			c->in_len -= len + 1;
		}
		if (c->in_len > CTL_MAX_LINE) {
			char msg[96];

			snprintf(msg, sizeof(msg),
				 "a request is one line of at most %u bytes",
				 CTL_MAX_LINE);
			answer(c, error_response(NULL, CTL_INVALID_REQUEST, msg));
			c->eof = true;
			c->in_len = 0;
			return 0;
		}
		/* Shrink a buffer a long line grew. */
		if (c->in_cap > 65536 && c->in_len < 4096) {
			char *p = realloc(c->in, 8192);

			if (p) {
				c->in = p;
				c->in_cap = 8192;
			}
		}
	}
	return 0;
}

/* Send what the client can take: -1 to drop it. */
static int flush(struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		c->out_off += (size_t)w;
	}
	return 0;
}

static bool peer_allowed(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return false;
	return cr.uid == 0 || cr.uid == geteuid();
}

static void accept_clients(struct ctl_server *s)
{
	for (;;) {
		int fd = accept4(s->fd, NULL, NULL,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0)
			return;
		if (s->nclients == CTL_MAX_CLIENTS || !peer_allowed(fd)) {
			close(fd);
			continue;
		}
		memset(&s->clients[s->nclients], 0, sizeof(s->clients[0]));
		s->clients[s->nclients++].fd = fd;
	}
}

static void *serve(void *arg)
{
	struct ctl_server *s = arg;
	struct pollfd pfd[CTL_MAX_CLIENTS + 2];

	pthread_setname_np(pthread_self(), "srpt-control");
	for (;;) {
		unsigned int n = s->nclients;

		pfd[0] = (struct pollfd){ .fd = s->wake, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
		for (unsigned int i = 0; i < n; i++) {
			struct client *c = &s->clients[i];

			pfd[i + 2] = (struct pollfd){
				.fd = c->fd,
				.events = (c->eof ? 0 : POLLIN) |
					  (c->out_off < c->out_len ? POLLOUT : 0),
			};
		}
		if (poll(pfd, n + 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents)
			break;
		/* From the last, so that drop() moves only visited ones. */
		for (unsigned int i = n; i-- > 0;) {
			struct client *c = &s->clients[i];
			short ev = pfd[i + 2].revents;

			if ((ev & POLLIN) && receive(s, c)) {
				drop(s, i);
				continue;
			}
			if ((ev & (POLLERR | POLLNVAL)) ||
			    ((ev & POLLHUP) && !(ev & POLLIN))) {
				drop(s, i);
				continue;
			}
			if (flush(c) || (c->eof && c->out_off == c->out_len))
				drop(s, i);
		}
		if (pfd[1].revents & POLLIN)
			accept_clients(s);
	}
	while (s->nclients)
		drop(s, s->nclients - 1);
	return NULL;
}

void ctl_server_set_lock(struct ctl_server *s, pthread_mutex_t *lock)
{
	s->lock = lock;
}

int ctl_server_start(struct ctl_server *s)
{
	int r = pthread_create(&s->thread, NULL, serve, s);

	if (r)
		return -r;
	s->started = true;
	return 0;
}

void ctl_server_close(struct ctl_server *s)
{
	uint64_t one = 1;

	if (!s)
		return;
	if (s->started) {
		if (write(s->wake, &one, sizeof(one)) < 0)
			perror("control socket: eventfd");
		pthread_join(s->thread, NULL);
	}
	close(s->wake);
	close(s->fd);
	unlink(s->path);
	free(s->path);
	free(s);
}
