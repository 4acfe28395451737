/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef BLOCKDEV_TEST_H
#define BLOCKDEV_TEST_H

/* What the blockdev engine's tests share: running a suite, temporary
 * files, data patterns that say where they belong. */

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/* Runs @s and returns main()'s exit status. */
int bt_run(Suite *s);

/* A test case named @name with that fixture (either may be NULL) and a
 * timeout of 60 s, added to @s. */
TCase *bt_tcase(Suite *s, const char *name, void (*setup)(void),
		void (*teardown)(void));

/* A new empty file in $TMPDIR (default /tmp), its name in @path (at
 * least 64 bytes); the caller unlinks it. Returns an O_RDWR descriptor. */
int bt_tmpfile(char *path, size_t len);

/* Fills @len bytes with the pattern of file offset @off under @seed, or
 * checks them against it (returns the index of the first wrong byte, or
 * -1 when all are right). Every byte depends on its offset: data put at
 * the wrong place, or not put at all, does not pass. */
void bt_fill(void *buf, size_t len, uint64_t off, uint64_t seed);
long bt_check(const void *buf, size_t len, uint64_t off, uint64_t seed);

#endif
