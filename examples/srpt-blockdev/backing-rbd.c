/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
/* RBD images as backings, through librbd's asynchronous C API. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rados/librados.h>
#include <rbd/librbd.h>

#include "backing.h"
#include "backing-rbd.h"

/*
 * A request's hand-off to librbd's threads goes through librbd's own
 * queues, which ThreadSanitizer cannot see (Ceph is not built with it):
 * the edge from the thread that starts a request to the thread that
 * completes it is spelled out for it. Nothing in other builds.
 */
#if defined(__SANITIZE_THREAD__)
#define RBD_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RBD_TSAN 1
#endif
#endif
#ifdef RBD_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define handed_off(op) __tsan_release(op)
#define taken_over(op) __tsan_acquire(op)
#else
#define handed_off(op) ((void)(op))
#define taken_over(op) ((void)(op))
#endif

/* How long connecting to the cluster may take before the start fails:
 * librados waits 300 s by default, which looks like a hang. */
#define MOUNT_TIMEOUT "30"

struct backing_rbd {
	rados_t cluster;
	rados_ioctx_t ioctx;
	rbd_image_t image;
	char beat[96];		/* the heartbeat object's name */
	/* Operations begun and not ended: backing_rbd_reopen() waits for
	 * none before it closes the handles they use. */
	atomic_uint users;
	/* Set by backing_rbd_reopen(), cleared when this client takes the
	 * image's lock: an operation begun meanwhile fails at once. */
	atomic_bool fenced;
	/* To connect again (backing_rbd_reopen()). */
	char pool[256], name[256], id[64];
	char *ceph_conf, *ceph_id;
};

bool backing_rbd_available(void)
{
	return true;
}

/* The image, the pool and the connection, whatever of them is open. */
static void detach(struct backing_rbd *r)
{
	if (r->image)
		rbd_close(r->image);
	if (r->ioctx)
		rados_ioctx_destroy(r->ioctx);
	if (r->cluster)
		rados_shutdown(r->cluster);
	r->image = NULL;
	r->ioctx = NULL;
	r->cluster = NULL;
}

void backing_rbd_close(struct backing *b)
{
	struct backing_rbd *r = b->rbd;

	if (!r)
		return;
	detach(r);
	free(r->ceph_conf);
	free(r->ceph_id);
	free(r);
	b->rbd = NULL;
}

/* "POOL/IMAGE" into its parts: neither empty, no further '/' and no
 * '@' (a snapshot, which this backend does not serve). */
static int split_spec(const char *spec, char *pool, size_t plen, char *image,
		      size_t ilen)
{
	const char *slash = strchr(spec, '/');
	size_t n;

	if (!slash || slash == spec || !slash[1] || strchr(slash + 1, '/') ||
	    strchr(spec, '@'))
		return -EINVAL;
	n = (size_t)(slash - spec);
	if (n >= plen || strlen(slash + 1) >= ilen)
		return -ENAMETOOLONG;
	memcpy(pool, spec, n);
	pool[n] = '\0';
	strcpy(image, slash + 1);
	return 0;
}

/* Says why in @b->why, and returns @err; unlike backing_fail() it
 * leaves the backing as it is (a reopen keeps it). */
static int say(struct backing *b, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->why, sizeof(b->why), fmt, ap);
	va_end(ap);
	return err;
}

static int connect_cluster(struct backing *b)
{
	struct backing_rbd *r = b->rbd;
	const char *id = r->ceph_id ? r->ceph_id : "admin";
	int e;

	e = rados_create(&r->cluster, id);
	if (e < 0)
		return say(b, e, "Ceph client id '%s': %s", id, strerror(-e));
	e = rados_conf_read_file(r->cluster, r->ceph_conf);
	if (e < 0)
		return say(b, e, "Ceph configuration %s: %s",
			    r->ceph_conf ? r->ceph_conf :
			    "(CEPH_CONF, /etc/ceph/ceph.conf, ~/.ceph/config, ./ceph.conf)",
			    strerror(-e));
	e = rados_conf_parse_env(r->cluster, NULL);
	if (e < 0)
		return say(b, e, "CEPH_ARGS: %s", strerror(-e));
	/* No write lives only in this process (see backing-rbd.h), and a
	 * discarded range reads zeros. */
	if ((e = rados_conf_set(r->cluster, "rbd_cache", "false")) < 0 ||
	    (e = rados_conf_set(r->cluster, "rbd_skip_partial_discard",
				"false")) < 0 ||
	    (e = rados_conf_set(r->cluster, "client_mount_timeout",
				MOUNT_TIMEOUT)) < 0)
		return say(b, e, "Ceph configuration: %s", strerror(-e));
	e = rados_connect(r->cluster);
	if (e < 0)
		return say(b, e, "cannot connect to the Ceph cluster of %s as client.%s: %s%s",
			    r->ceph_conf ? r->ceph_conf :
			    "the default configuration (CEPH_CONF, /etc/ceph/ceph.conf)",
			    id, strerror(-e),
			    e == -ETIMEDOUT ? " (no monitor answered within " MOUNT_TIMEOUT " s)" :
			    e == -EACCES || e == -EPERM ? " (is the client's key in the keyring, and does the cluster know it?)" :
			    e == -ENOENT ? " (no keyring for this client, or no monitor address)" :
			    "");
	return 0;
}

/*
 * Connects to the cluster and opens the image r->pool/r->name, read-only
 * when @b is; @id gets the image's id and @fsid the cluster's. On
 * failure @b->why says which step failed; the caller detaches.
 */
static int attach(struct backing *b, const char *spec, char *id, size_t idlen,
		  char *fsid, size_t fsidlen)
{
	struct backing_rbd *r = b->rbd;
	int e;

	e = connect_cluster(b);
	if (e)
		return e;
	e = rados_ioctx_create(r->cluster, r->pool, &r->ioctx);
	if (e < 0)
		return say(b, e, "rbd:%s: pool '%s': %s", spec, r->pool,
			    strerror(-e));
	e = b->read_only ? rbd_open_read_only(r->ioctx, r->name, &r->image, NULL) :
			   rbd_open(r->ioctx, r->name, &r->image, NULL);
	if (e < 0)
		return say(b, e, "rbd:%s: image '%s' in pool '%s': %s", spec,
			    r->name, r->pool, strerror(-e));
	e = rbd_get_id(r->image, id, idlen);
	if (e >= 0)
		e = rados_cluster_fsid(r->cluster, fsid, fsidlen);
	if (e < 0)
		return say(b, e, "rbd:%s: reading the image's id: %s",
			    spec, strerror(-e));
	return 0;
}

static char *dup_or_null(const char *s, bool *failed)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*failed = true;
	return d;
}

int backing_rbd_open(struct backing *b, const char *spec,
		     const struct backing_opts *opts)
{
	char text[256], fsid[64];
	struct backing_rbd *r;
	bool nomem = false;
	uint64_t size;
	int e, n;

	r = calloc(1, sizeof(*r));
	if (!r)
		return backing_fail(b, -ENOMEM, "rbd:%s: out of memory", spec);
	b->rbd = r;
	if (split_spec(spec, r->pool, sizeof(r->pool), r->name, sizeof(r->name)))
		return backing_fail(b, -EINVAL, "rbd:%s: not rbd:POOL/IMAGE", spec);
	if (opts->flags & (BACKING_SHARED | BACKING_DSYNC))
		return backing_fail(b, -EINVAL, "rbd:%s: --shared and --dsync are for files and block devices (an RBD image is always shared and written through)",
			    spec);
	r->ceph_conf = dup_or_null(opts->ceph_conf, &nomem);
	r->ceph_id = dup_or_null(opts->ceph_id, &nomem);
	if (nomem)
		return backing_fail(b, -ENOMEM, "rbd:%s: out of memory", spec);
	b->read_only = opts->flags & BACKING_RDONLY;
	e = attach(b, spec, r->id, sizeof(r->id), fsid, sizeof(fsid));
	if (e) {
		backing_close(b);
		return e;
	}
	e = rbd_get_size(r->image, &size);
	if (e < 0)
		return backing_fail(b, e, "rbd:%s: reading the image's size: %s",
			    spec, strerror(-e));
	b->size = size;
	b->block_size = opts->block_size ? opts->block_size : 512;
	b->phys_block_size = b->block_size;
	b->dio_align = 1;
	/* Written through (no cache: see backing-rbd.h). */
	b->write_cache = false;
	b->can_punch = !b->read_only;
	b->can_zero = !b->read_only;
	n = snprintf(text, sizeof(text), "rbd:%s:%" PRId64 ":%s", fsid,
		     rados_ioctx_get_id(r->ioctx), r->id);
	b->id = backing_id_of(text, (size_t)n);
	snprintf(r->beat, sizeof(r->beat), "srpt.%s.hb", r->id);
	return 0;
}

/* How long backing_rbd_reopen() waits for the operations of the old
 * connection to end. */
#define REOPEN_DRAIN_MS 30000

int backing_rbd_reopen(struct backing *b)
{
	struct backing_rbd *r = b->rbd;
	char spec[sizeof(r->pool) + sizeof(r->name) + 1];
	char id[sizeof(r->id)], fsid[64];
	int e;

	atomic_store(&r->fenced, true);
	for (unsigned int ms = 0; atomic_load(&r->users); ms++) {
		if (ms == REOPEN_DRAIN_MS)
			return say(b, -EBUSY, "rbd:%s/%s: operations of the old connection still running after %u s",
				    r->pool, r->name, REOPEN_DRAIN_MS / 1000);
		usleep(1000);
	}
	detach(r);
	snprintf(spec, sizeof(spec), "%s/%s", r->pool, r->name);
	e = attach(b, spec, id, sizeof(id), fsid, sizeof(fsid));
	if (e) {
		detach(r);
		return e;
	}
	/* The same name may now be another image: serving it under the
	 * old one's identity would be wrong. */
	if (strcmp(id, r->id)) {
		detach(r);
		return say(b, -ESTALE, "rbd:%s: the image is another one now (id %s, was %s)",
			    spec, id, r->id);
	}
	return 0;
}

/* One request ended: the batch ends with the last. Its requests are
 * all released by then, so it stops using the connection before its
 * callback: the callback may end the LUN, and the backing with it. */
static void put(struct backing_rbd_op *op, int res)
{
	int none = 0;

	if (res < 0)
		atomic_compare_exchange_strong(&op->err, &none, res);
	if (atomic_fetch_sub(&op->pending, 1) == 1) {
		atomic_fetch_sub(&op->rbd->users, 1);
		op->done(op, atomic_load(&op->err), op->arg);
	}
}

/* Set while librbd's thread runs our end of an operation. */
static _Thread_local bool in_callback;

bool backing_rbd_in_callback(void)
{
	return in_callback;
}

static void req_done(rbd_completion_t c, void *arg)
{
	struct backing_rbd_op *op = arg;
	ssize_t res;

	taken_over(op);
	res = rbd_aio_get_return_value(c);
	rbd_aio_release(c);
	in_callback = true;
	put(op, res < 0 ? (int)res : 0);
	in_callback = false;
}

void backing_rbd_begin(struct backing *b, struct backing_rbd_op *op,
		       backing_rbd_done_fn done, void *arg)
{
	struct backing_rbd *r = b->rbd;

	op->done = done;
	op->arg = arg;
	op->rbd = r;
	atomic_init(&op->pending, 1);
	atomic_init(&op->err, 0);
	/* Counted before the fence is read: a reopen that set the fence
	 * first waits for this operation, or this operation sees it. */
	atomic_fetch_add(&r->users, 1);
	if (atomic_load(&r->fenced)) {
		op->image = NULL;
		atomic_init(&op->err, -ESHUTDOWN);
	} else {
		op->image = r->image;
	}
}

void backing_rbd_end(struct backing_rbd_op *op)
{
	put(op, 0);
}

/* A new request's completion, counted in the batch; NULL after an
 * error (recorded). */
static rbd_completion_t req_new(struct backing_rbd_op *op)
{
	rbd_completion_t c;
	int e;

	/* Fenced at its start: it fails as a whole, with nothing sent. */
	if (!op->image)
		return NULL;
	e = rbd_aio_create_completion(op, req_done, &c);

	atomic_fetch_add(&op->pending, 1);
	if (e < 0) {
		put(op, e);
		return NULL;
	}
	handed_off(op);
	return c;
}

/* After the call that should have started @c: when it did not, its
 * callback never runs. */
static void req_started(struct backing_rbd_op *op, rbd_completion_t c, int e)
{
	if (e < 0) {
		rbd_aio_release(c);
		put(op, e);
	}
}

/* A read or a write of a whole pool buffer, its chunks as they are. */
static void rw(struct backing_rbd_op *op, uint64_t off,
	       const struct pool_buf *buf, bool write)
{
	int n = (int)buf->n;
	rbd_completion_t c;

	for (unsigned int i = 0; i < buf->n; i++) {
		op->iov[i].iov_base = buf->chunk[i];
		op->iov[i].iov_len = pool_buf_chunk_len(buf, i);
	}
	c = req_new(op);
	if (!c)
		return;
	req_started(op, c, write ? rbd_aio_writev(op->image, op->iov, n, off, c) :
				   rbd_aio_readv(op->image, op->iov, n, off, c));
}

void backing_rbd_read(struct backing_rbd_op *op, uint64_t off,
		      const struct pool_buf *buf)
{
	rw(op, off, buf, false);
}

void backing_rbd_write(struct backing_rbd_op *op, uint64_t off,
		       const struct pool_buf *buf)
{
	rw(op, off, buf, true);
}

void backing_rbd_flush(struct backing_rbd_op *op)
{
	rbd_completion_t c = req_new(op);

	if (c)
		req_started(op, c, rbd_aio_flush(op->image, c));
}

void backing_rbd_discard(struct backing_rbd_op *op, uint64_t off,
			 uint64_t len)
{
	rbd_completion_t c = req_new(op);

	if (c)
		req_started(op, c, rbd_aio_discard(op->image, off, len, c));
}

void backing_rbd_write_same(struct backing_rbd_op *op, uint64_t off,
			    uint64_t len, const void *block,
			    uint32_t block_len)
{
	rbd_completion_t c = req_new(op);

	if (!c)
		return;
	if (block)
		req_started(op, c, rbd_aio_writesame(op->image, off, len, block,
						     block_len, c, 0));
	else
		req_started(op, c, rbd_aio_write_zeroes(op->image, off, len, c,
							0, 0));
}

int backing_rbd_lock_acquire(struct backing *b)
{
	int e = rbd_lock_acquire(b->rbd->image, RBD_LOCK_MODE_EXCLUSIVE);

	if (!e)
		atomic_store(&b->rbd->fenced, false);
	return e;
}

int backing_rbd_lock_owner(struct backing *b, char *owner, size_t len)
{
	char *owners[4];
	size_t n = sizeof(owners) / sizeof(owners[0]);
	rbd_lock_mode_t mode;
	int e;

	owner[0] = '\0';
	e = rbd_lock_get_owners(b->rbd->image, &mode, owners, &n);
	if (e == -ENOENT)
		return 0;	/* no lock, no owner */
	if (e < 0)
		return e;
	if (n)
		snprintf(owner, len, "%s", owners[0]);
	rbd_lock_get_owners_cleanup(owners, n);
	return n ? 1 : 0;
}

int backing_rbd_lock_break(struct backing *b, const char *owner)
{
	return rbd_lock_break(b->rbd->image, RBD_LOCK_MODE_EXCLUSIVE, owner);
}

int backing_rbd_beat_write(struct backing *b, const void *data, size_t len)
{
	return rados_write_full(b->rbd->ioctx, b->rbd->beat, data, len);
}

int backing_rbd_beat_read(struct backing *b, void *data, size_t len)
{
	return rados_read(b->rbd->ioctx, b->rbd->beat, data, len, 0);
}
