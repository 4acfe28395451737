/* SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only */
#ifndef SRPT_UTIL_TSAN_H
#define SRPT_UTIL_TSAN_H

/*
 * Happens-before edges that ThreadSanitizer cannot see by itself, spelled
 * out for it: liburcu publishes table nodes and ends grace periods in
 * inline asm and system calls. Nothing in other builds.
 */

#if defined(__SANITIZE_THREAD__)
#define SRPT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SRPT_TSAN 1
#endif
#endif

#ifdef SRPT_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define srpt_tsan_acquire(p) __tsan_acquire((void *)(p))
#define srpt_tsan_release(p) __tsan_release((void *)(p))
#else
#define srpt_tsan_acquire(p) ((void)(p))
#define srpt_tsan_release(p) ((void)(p))
#endif

#endif
