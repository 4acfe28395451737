#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
#
# Host side: turn the results.tsv of one bench run into the Markdown table.
# usage: report.sh RESULTS.tsv   (Markdown on stdout)
#
# Lines are "ROUND<TAB>WHO<TAB>METRIC<TAB>VALUE" (see measure.sh); ROUND 0
# holds figures taken once. Round figures are reported as medians over the
# rounds, and every ratio is the median of the per-round ratios (LIO and
# srpt-ramdisk of one round ran back to back, so their ratio is less
# exposed to the load of a shared machine than the ratio of medians).
# A goal is judged on its worst round, which the table shows next to the
# median: "met" means met in every round, not on a lucky median.
set -euo pipefail

tsv=${1:?usage: report.sh RESULTS.tsv}
[ -r "$tsv" ] || { echo "report.sh: cannot read $tsv" >&2; exit 2; }

awk -F '\t' '
function isnum(x) { return x ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ }
function get(r, w, m) { k = r SUBSEP w SUBSEP m; return (k in V) ? V[k] : "NA" }
function one(w, m) { return get(0, w, m) }
# median of the n numbers in array a[1..n]; NA when n == 0
function median(a, n,    i, j, t) {
	if (n == 0)
		return "NA"
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function med(w, m,    r, n, a, x) {
	n = 0
	for (r = 1; r <= R; r++) {
		x = get(r, w, m)
		if (isnum(x))
			a[++n] = x + 0
	}
	return median(a, n)
}
# Per-round ceilings derived from the verbs message rates.
function ceil_r(r, c,    s64, s4k, w4k, r4k, w512, r512) {
	s64 = get(r, "verbs", "send_bw_64_mps")
	s4k = get(r, "verbs", "send_bw_4096_mps")
	w4k = get(r, "verbs", "write_bw_4096_mps")
	r4k = get(r, "verbs", "read_bw_4096_mps")
	w512 = get(r, "verbs", "write_bw_524288_mps")
	r512 = get(r, "verbs", "read_bw_524288_mps")
	if (c == "rr4k" && isnum(w4k) && isnum(s64) && w4k > 0 && s64 > 0)
		return 1 / (1 / w4k + 2 / s64)
	if (c == "rw4k" && isnum(s4k) && isnum(s64) && s4k > 0 && s64 > 0)
		return 1 / (1 / s4k + 1 / s64)
	if (c == "rw4k_rd" && isnum(r4k) && isnum(s64) && r4k > 0 && s64 > 0)
		return 1 / (1 / r4k + 2 / s64)
	if (c == "sr1m" && isnum(w512))
		return w512 * 524288 / 1e6
	if (c == "sw1m" && isnum(r512))
		return r512 * 524288 / 1e6
	return "NA"
}
function ceil_med(c,    r, n, a, x) {
	n = 0
	for (r = 1; r <= R; r++) {
		x = ceil_r(r, c)
		if (isnum(x))
			a[++n] = x
	}
	return median(a, n)
}
# smallest (how == "min") or largest (how == "max") of a[1..n]; NA when n == 0
function extreme(a, n, how,    i, x) {
	if (n == 0)
		return "NA"
	x = a[1]
	for (i = 2; i <= n; i++)
		if (how == "min" ? a[i] < x : a[i] > x)
			x = a[i]
	return x
}
# a/b of every round where both targets have the figure, into RV[1..RN]
function rounds_of(m, a, b, c,    r, o, l) {
	RN = 0
	for (r = 1; r <= R; r++) {
		o = get(r, a, m)
		l = c == "" ? get(r, b, m) : ceil_r(r, c)
		if (isnum(o) && isnum(l) && l > 0)
			RV[++RN] = o / l
	}
}
# median over rounds of ours/LIO (or ours/ceiling when c is set)
function ratio(m, c) { rounds_of(m, "ours", "lio", c); return median(RV, RN) }
# the worst round of the same ratio: "min" where higher is better
function ratio_w(m, c, how) { rounds_of(m, "ours", "lio", c); return extreme(RV, RN, how) }
# median over rounds of a/b for two targets of the same round
function ratio2(m, a, b) { rounds_of(m, a, b, ""); return median(RV, RN) }
function ratio2_w(m, a, b, how) { rounds_of(m, a, b, ""); return extreme(RV, RN, how) }
# "median (worst round)" of a ratio cell
function ww(med_s, worst_s) { return med_s " (worst " worst_s ")" }
function f(x, d) { return isnum(x) ? sprintf("%." d "f", x) : "n/a" }
function na(x) { return x == "NA" ? "n/a" : x }
function fx(x) { return isnum(x) ? sprintf("%.2fx", x) : "n/a" }
function pct(x) { return isnum(x) ? sprintf("%.0f %%", x * 100) : "n/a" }
function row(name, lio, ours, rl, ceil, rc, goal, verdict) {
	printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", name, lio, ours,
		rl, ceil, rc, goal, verdict
}
function met(ok) { return ok ? "**met**" : "**not met**" }

{ V[$1 SUBSEP $2 SUBSEP $3] = $4; if ($1 + 0 > R) R = $1 + 0 }

# The host and guest lines of the header of a table.
function rig() {
	printf "- Host: %s, %s CPUs, kernel %s; load average at start %s\n",
		one("host", "cpu_model"), one("host", "nproc"),
		one("host", "kernel"), one("host", "loadavg")
	printf "- Guest (qemu TCG): %s vCPUs, %s MiB, kernel %s; initiator ib_srp, soft-RoCE rxe0 on a veth pair\n",
		one("guest", "nproc"), one("guest", "mem_mb"), one("guest", "kernel")
}
# A fio job of the rounds by name: rr4k_qd32 -> "4K randread qd32".
function job_label(j,    rw, qd) {
	rw = j ~ /^rr/ ? "4K randread" : j ~ /^rw/ ? "4K randwrite" : j ~ /^sr/ ? "1 MiB seq read" : j ~ /^sw/ ? "1 MiB seq write" : j
	qd = j; sub(/^.*_qd/, "qd", qd)
	return j ~ /_qd/ ? rw " " qd : rw
}
# bench-rbd.sh: srpt-blockdev on librbd (bd_rbd) against LIO iblock on
# the kernel RBD client (lio_rbd), and the takeover after a SIGKILL.
function rbd_report(    nj, J, i, j, m, u, x, w, r, a, b, n, L, K, k, lk, ok, dg) {
	printf "# srpt-blockdev on Ceph RBD vs LIO ib_srpt on the kernel RBD client (%s)\n\n", one("host", "date")
	rig()
	printf "- Build: %s; extra srpt-blockdev options: %s\n", one("host", "build"), one("conf", "OURS_ARGS")
	printf "- Ceph %s: one monitor and one memstore OSD in the guest (tests/ceph/cluster.sh, on tmpfs, started and image written in %s s); image rbd/lun0 of %s MiB written once; features %s%s\n",
		one("rbd", "ceph_version"), one("rbd", "setup_s"), one("conf", "RBD_MB"), one("rbd", "features"),
		one("rbd", "map_error") == "NA" ? "" : "; first rbd map failed: " one("rbd", "map_error") \
			(one("rbd", "features_disabled") == "NA" ? "" : ", mapped after disabling " one("rbd", "features_disabled"))
	printf "- Mode: %s; rounds: %d (each: LIO with an iblock backstore on the rbd-mapped /dev/rbdN, and srpt-blockdev on rbd:rbd/lun0, one after the other, the order flipped every round; only one of them has the image open); fio %s s per job, libaio, direct, one job\n",
		one("host", "mode"), R, one("conf", "RUNTIME")
	printf "- Wall time: %s s\n\n", one("host", "wall_s")
	printf "Values are medians over the rounds; ratios are medians of the per-round ratios, with the worst round in parentheses; the verdict is taken on the worst round. The machine is shared: absolute figures are noisy, ratios within one run less so.\n\n"
	print "| Figure | LIO iblock on krbd | srpt-blockdev on librbd | bd/LIO | goal | verdict |"
	print "|---|---:|---:|---:|---|---|"
	nj = split(one("conf", "RBD_JOBS"), J, " ")
	for (i = 1; i <= nj; i++) {
		j = J[i]
		m = j ~ /^s/ ? j "_MBps" : j "_iops"
		u = j ~ /^s/ ? "MB/s" : "IOPS"
		dg = j ~ /^s/ ? 1 : 0
		x = ratio2(m, "bd_rbd", "lio_rbd")
		w = ratio2_w(m, "bd_rbd", "lio_rbd", "min")
		printf "| %s (%s) | %s | %s | %s | >= 1.0x LIO on krbd | %s |\n", job_label(j), u,
			f(med("lio_rbd", m), dg), f(med("bd_rbd", m), dg), ww(fx(x), fx(w)),
			(isnum(w) ? met(w >= 1.0) : "n/a")
	}
	for (i = 1; i <= nj; i++) {
		j = J[i]
		printf "| %s, clat mean (µs) | %s | %s | %s | lower is better | |\n", job_label(j),
			f(med("lio_rbd", j "_clat_us"), 0), f(med("bd_rbd", j "_clat_us"), 0),
			fx(ratio2(j "_clat_us", "bd_rbd", "lio_rbd"))
	}
	for (i = 1; i <= nj; i++) {
		j = J[i]
		printf "| whole-guest CPU per I/O, %s (µs) | %s | %s | %s | lower is better | |\n", job_label(j),
			f(med("lio_rbd", j "_vmcpu_us"), 0), f(med("bd_rbd", j "_vmcpu_us"), 0),
			fx(ratio2(j "_vmcpu_us", "bd_rbd", "lio_rbd"))
	}
	for (i = 1; i <= nj; i++) {
		j = J[i]
		printf "| srpt-blockdev CPU per I/O, %s (µs: all threads = user + system; busiest thread) | | %s | | | |\n", job_label(j),
			f(med("bd_rbd", j "_proccpu_us"), 0) " = " f(med("bd_rbd", j "_procusr_us"), 0) " + " f(med("bd_rbd", j "_procsys_us"), 0) "; " f(med("bd_rbd", j "_topthread_us"), 0)
	}
	print ""
	print "Per round:"
	print ""
	print "| figure | round | first | LIO on krbd | srpt-blockdev | bd/LIO |"
	print "|---|---:|---|---:|---:|---:|"
	for (i = 1; i <= nj; i++)
		for (r = 1; r <= R; r++) {
			m = J[i] ~ /^s/ ? J[i] "_MBps" : J[i] "_iops"
			a = get(r, "lio_rbd", m); b = get(r, "bd_rbd", m)
			printf "| %s | %d | %s | %s | %s | %s |\n", m, r, r % 2 ? "LIO" : "srpt-blockdev",
				f(a, 1), f(b, 1), (isnum(a) && isnum(b) && a > 0 ? fx(b / a) : "n/a")
		}
	print ""
	print "## Takeover after a SIGKILL"
	print ""
	printf "Two srpt-blockdev with --rbd-lock on rbd/lun0 as ALUA port groups 1 and 2 under dm-multipath (the lock owner active/optimized, the other standby; ib_srp fast_io_fail_tmo 2 s, reconnect_delay 1 s; multipathd polling every 2 s). Per kill: fio randwrite 4K at iodepth 32 on the map for %s s, SIGKILL to the active process once writes complete, the killed one restarted after fio ends. \"Lock taken over\" is from the SIGKILL until the survivor logs active/optimized; the longest completion latency is what an application saw.\n\n", one("conf", "KILL_SECS")
	print "| kill | killed | lock taken over (ms) | longest fio completion latency (ms) | fio without error |"
	print "|---:|---|---:|---:|---|"
	n = 0; lk = 0
	for (k = 1; k <= one("conf", "KILLS") + 0; k++) {
		x = get(k, "takeover", "clatmax_ms")
		if (isnum(x))
			L[++n] = x + 0
		if (isnum(get(k, "takeover", "lock_ms")))
			K[++lk] = get(k, "takeover", "lock_ms") + 0
		printf "| %d | %s | %s | %s | %s |\n", k, na(get(k, "takeover", "killed")),
			f(get(k, "takeover", "lock_ms"), 0), f(x, 0), na(get(k, "takeover", "fio_ok"))
	}
	printf "\n**Takeover as fio saw it (longest completion latency): median %s ms, longest %s ms over %d kills**; lock taken over: median %s ms, longest %s ms.\n",
		f(median(L, n), 0), f(extreme(L, n, "max"), 0), n,
		f(median(K, lk), 0), f(extreme(K, lk, "max"), 0)
	for (k = 1; k <= one("conf", "KILLS") + 0; k++)
		if (get(k, "takeover", "restart_failed") != "NA")
			printf "\nAfter kill %d the pair did not come back as one active/optimized and one standby path, and the kills stopped: %s\n",
				k, get(k, "takeover", "restart_failed")
}

END {
	R = one("conf", "ROUNDS") + 0
	if (one("conf", "RBD") == 1) {
		rbd_report()
		exit
	}
	bd = one("conf", "BD") == 1
	printf "# srpt-ramdisk%s vs LIO ib_srpt over soft-RoCE (%s)\n\n",
		bd ? " and srpt-blockdev" : "", one("host", "date")
	rig()
	printf "- Build: %s; extra srpt-ramdisk (and srpt-blockdev) options: %s\n", one("host", "build"), one("conf", "OURS_ARGS")
	printf "- Mode: %s; rounds: %d (each: verbs ceiling, LIO, ours%s); fio %ss per job, libaio, direct, %s MiB LUN, 1 MiB at iodepth %s; perftest %ss per test\n",
		one("host", "mode"), R,
		bd ? ", LIO iblock, srpt-blockdev on brd, LIO fileio, srpt-blockdev on a tmpfs file" : "",
		one("conf", "RUNTIME"), one("conf", "SIZE_MB"),
		one("conf", "SEQ_QD"), one("conf", "PT_SECS")
	printf "- Wall time: %s s\n\n", one("host", "wall_s")
	printf "Values are medians over the rounds; ratios are medians of the per-round ratios. The machine is shared: absolute figures are noisy, ratios within one run less so. Where a row has a goal, its ratio cells also give the worst round in parentheses, and the verdict is taken on the worst round: **met** means met in every one of the %d rounds.\n\n", R

	print "| Figure | LIO | ours | ours/LIO | ceiling | ours/ceiling | goal | verdict |"
	print "|---|---:|---:|---:|---:|---:|---|---|"

	row("4K randread qd1, clat mean (µs)", f(med("lio", "rr4k_qd1_clat_us"), 0),
	    f(med("ours", "rr4k_qd1_clat_us"), 0), fx(ratio("rr4k_qd1_clat_us")),
	    "", "", "lower is better", "")
	rl = ratio("rw4k_qd1_clat_us"); wl = ratio_w("rw4k_qd1_clat_us", "", "max")
	row("4K randwrite qd1, clat mean (µs)", f(med("lio", "rw4k_qd1_clat_us"), 0),
	    f(med("ours", "rw4k_qd1_clat_us"), 0), ww(fx(rl), fx(wl)),
	    "", "", "<= LIO latency", isnum(wl) ? met(wl <= 1) : "n/a")

	rl = ratio("rr4k_qd32_iops"); rc = ratio("rr4k_qd32_iops", "rr4k")
	wc = ratio_w("rr4k_qd32_iops", "rr4k", "min")
	v = isnum(wc) ? met(wc >= 0.9) : "n/a"
	if (isnum(rc) && rc > 1) v = v " (ceiling below ours: not a bound here)"
	row("4K randread qd32 (IOPS)", f(med("lio", "rr4k_qd32_iops"), 0),
	    f(med("ours", "rr4k_qd32_iops"), 0), fx(rl), f(ceil_med("rr4k"), 0),
	    ww(pct(rc), pct(wc)), ">= 90 % of ceiling (about 1.4x LIO)", v)

	rl = ratio("rw4k_qd32_iops"); rc = ratio("rw4k_qd32_iops", "rw4k")
	wl = ratio_w("rw4k_qd32_iops", "", "min"); wc = ratio_w("rw4k_qd32_iops", "rw4k", "min")
	v = isnum(wl) && isnum(wc) ? met(wl >= 1.3 && wc >= 0.9) : "n/a"
	if (isnum(rc) && rc > 1) v = v " (ceiling below ours: not a bound here)"
	row("4K randwrite qd32 (IOPS)", f(med("lio", "rw4k_qd32_iops"), 0),
	    f(med("ours", "rw4k_qd32_iops"), 0), ww(fx(rl), fx(wl)), f(ceil_med("rw4k"), 0),
	    ww(pct(rc), pct(wc)), ">= 1.3x LIO and >= 90 % of ceiling", v)

	rl = ratio("sr1m_MBps"); wl = ratio_w("sr1m_MBps", "", "min")
	row("1 MiB seq read (MB/s)", f(med("lio", "sr1m_MBps"), 1),
	    f(med("ours", "sr1m_MBps"), 1), ww(fx(rl), fx(wl)), f(ceil_med("sr1m"), 1),
	    pct(ratio("sr1m_MBps", "sr1m")), ">= 1.2x LIO", isnum(wl) ? met(wl >= 1.2) : "n/a")
	rl = ratio("sw1m_MBps"); wl = ratio_w("sw1m_MBps", "", "min")
	row("1 MiB seq write (MB/s)", f(med("lio", "sw1m_MBps"), 1),
	    f(med("ours", "sw1m_MBps"), 1), ww(fx(rl), fx(wl)), f(ceil_med("sw1m"), 1),
	    pct(ratio("sw1m_MBps", "sw1m")), ">= 1.2x LIO", isnum(wl) ? met(wl >= 1.2) : "n/a")

	row("whole-guest CPU per I/O, 4K randread qd32 (µs)", f(med("lio", "rr4k_qd32_vmcpu_us"), 0),
	    f(med("ours", "rr4k_qd32_vmcpu_us"), 0), fx(ratio("rr4k_qd32_vmcpu_us")), "", "",
	    "lower is better", "")
	row("whole-guest CPU per I/O, 4K randwrite qd32 (µs)", f(med("lio", "rw4k_qd32_vmcpu_us"), 0),
	    f(med("ours", "rw4k_qd32_vmcpu_us"), 0), fx(ratio("rw4k_qd32_vmcpu_us")), "", "",
	    "lower is better", "")
	row("whole-guest CPU per I/O, 4K randread qd1 (µs)", f(med("lio", "rr4k_qd1_vmcpu_us"), 0),
	    f(med("ours", "rr4k_qd1_vmcpu_us"), 0), fx(ratio("rr4k_qd1_vmcpu_us")), "", "",
	    "lower is better", "")
	for (i = 1; i <= 3; i++) {
		m = i == 1 ? "rr4k_qd32" : i == 2 ? "rw4k_qd32" : "rr4k_qd1"
		d = i == 1 ? "4K randread qd32" : i == 2 ? "4K randwrite qd32" : "4K randread qd1"
		row("srpt-ramdisk CPU per I/O, " d " (µs: all threads = user + system; busiest thread)", "",
		    f(med("ours", m "_proccpu_us"), 0) " = " f(med("ours", m "_procusr_us"), 0) " + " \
		    f(med("ours", m "_procsys_us"), 0) "; " f(med("ours", m "_topthread_us"), 0),
		    "", "", "", "", "")
	}
	x = one("ours", "idle_proc_pct")
	row("srpt-ramdisk CPU, sessions open and idle " one("conf", "IDLE_SECS") " s (% of a core)", "",
	    f(x, 2), "", "", "", "< 1 % of a core", isnum(x) ? met(x < 1) : "n/a")
	row("whole-guest CPU, sessions open and idle (% of a core)", f(one("lio", "idle_vm_pct"), 2),
	    f(one("ours", "idle_vm_pct"), 2), "", "", "", "", "")
	idle_note = "Idle window, top consumers (% of a core): LIO: " one("lio", "idle_top") "; ours: " one("ours", "idle_top") "."
	b = one("ours", "rss_before_login_kb"); a = one("ours", "rss_after_login_kb")
	n = one("ours", "rss_channels")
	x = isnum(a) && isnum(b) && isnum(n) && n > 0 ? (a - b) / n : "NA"
	row("srpt-ramdisk memory per channel, default queue depth (KiB, RSS delta / " n " channels)",
	    "", f(x, 0), "", "", "", "", "")
	# Receive buffers per channel: a ring of queue depth + 4 (the
	# default), the default ring of LIO (128 x 8276 bytes, the reference of the
	# goal), and the shared queue of this run spread over its channels.
	stride = 8320; sc = one("ours", "srq_channels"); sn = one("ours", "srq_size")
	lio_ring = 128 * 8276 / 1024
	x = isnum(sc) && isnum(sn) && sc > 0 ? sn * stride / 1024 / sc : "NA"
	row("receive buffers per channel (KiB): LIO ring 128 x 8276 B; ours --srq " sn " over " sc " channels",
	    f(lio_ring, 0), f(x, 0), isnum(x) ? fx(x / lio_ring) : "n/a", "", "",
	    "SRQ <= 1/4 of LIO ring", isnum(x) ? met(x <= lio_ring / 4) : "n/a")
	c = one("conf", "SRQ_CH")
	b = one("ours", "grid_ch" c "_rss_before_kb"); a = one("ours", "grid_ch" c "_rss_kb")
	n = one("ours", "grid_ch" c "_channels")
	x = isnum(a) && isnum(b) && isnum(n) && n > 0 ? (a - b) / n : "NA"
	b = one("ours", "srq_rss_before_kb"); a = one("ours", "srq_rss_kb")
	y = isnum(a) && isnum(b) && isnum(sc) && sc > 0 ? (a - b) / sc : "NA"
	row("srpt-ramdisk RSS per channel with " c " channels (KiB): own rings / --srq " sn,
	    "", f(x, 0) " / " f(y, 0), isnum(x) && isnum(y) && x > 0 ? "SRQ/rings " fx(y / x) : "",
	    "", "", "reported (includes command contexts)", "")
	row("4K randread qd32 / qd128 on --srq " sn ", " sc " channels (IOPS)", "",
	    f(one("ours", "srq_qd32_iops"), 0) " / " f(one("ours", "srq_qd128_iops"), 0),
	    "", "", "", "", "")
	row("login to disk visible (ms, median of " one("conf", "CYCLES") ")",
	    f(cmed("lio", "login_visible_ms"), 0), f(cmed("ours", "login_visible_ms"), 0),
	    fx(cratio("login_visible_ms")), "", "", "lower is better", "")
	row("login, disk visible, logout cycle (ms, median of " one("conf", "CYCLES") ")",
	    f(cmed("lio", "cycle_ms"), 0), f(cmed("ours", "cycle_ms"), 0),
	    fx(cratio("cycle_ms")), "", "", "lower is better", "")
	row("channels per login (ib_srp default ch_count)", med("lio", "channels"),
	    med("ours", "channels"), "", "", "", "", "")

	print ""
	print "RSS of srpt-ramdisk: " one("ours", "rss_before_login_kb") " KiB before the first login, " \
		one("ours", "rss_after_login_kb") " KiB with " one("ours", "rss_channels") " channels open, " \
		one("ours", "rss_after_logout_kb") " KiB after logout; " one("ours", "threads") " threads."

	print ""
	print idle_note
	print ""
	print "## Verbs ceiling per round (perftest over RDMA/CM on rxe0, loopback)"
	print ""
	print "| round | send 64 B (msg/s) | send 4 KiB | RDMA WRITE 4 KiB | RDMA READ 4 KiB | RDMA WRITE 512 KiB (MB/s) | RDMA READ 512 KiB (MB/s) | read 4K ceiling (IOPS) | write 4K ceiling, immediate data | write 4K ceiling, RDMA READ |"
	print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for (r = 1; r <= R; r++)
		printf "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r,
			f(get(r, "verbs", "send_bw_64_mps"), 0), f(get(r, "verbs", "send_bw_4096_mps"), 0),
			f(get(r, "verbs", "write_bw_4096_mps"), 0), f(get(r, "verbs", "read_bw_4096_mps"), 0),
			f(ceil_r(r, "sr1m"), 1), f(ceil_r(r, "sw1m"), 1),
			f(ceil_r(r, "rr4k"), 0), f(ceil_r(r, "rw4k"), 0), f(ceil_r(r, "rw4k_rd"), 0)
	print ""
	print "perftest (bandwidth tests, -R, loopback on rxe0 in the guest) with 32 work requests in flight for 64 B and 4 KiB, 4 for 512 KiB; rates are from the average bandwidth over the measured window."
	print ""
	print "read 4K = 1/(1/write4k + 2/send64); write 4K with immediate data = 1/(1/send4k + 1/send64); write 4K by RDMA READ = 1/(1/read4k + 2/send64) (for reference; both initiator and targets negotiated immediate data)."

	print ""
	print "## Per round"
	print ""
	print "| figure | round | LIO | ours | ours/LIO |"
	print "|---|---:|---:|---:|---:|"
	split("rr4k_qd1_clat_us rw4k_qd1_clat_us rr4k_qd1_iops rw4k_qd1_iops rr4k_qd32_iops rw4k_qd32_iops sr1m_MBps sw1m_MBps rr4k_qd32_vmcpu_us rw4k_qd32_vmcpu_us rr4k_qd32_proccpu_us rw4k_qd32_proccpu_us", M, " ")
	for (i = 1; i in M; i++)
		for (r = 1; r <= R; r++) {
			l = get(r, "lio", M[i]); o = get(r, "ours", M[i])
			printf "| %s | %d | %s | %s | %s |\n", M[i], r, f(l, 1), f(o, 1),
				(isnum(l) && isnum(o) && l > 0 ? fx(o / l) : "")
		}

	print ""
	print "## Where the guest CPU went, per I/O (µs; round 1)"
	print ""
	print "Whole guest busy time per I/O (of it softirq), and the processes and kernel threads that used the most of it (kworker etc. summed by kind):"
	print ""
	print "| job | target | guest CPU/IO | softirq/IO | top consumers (µs per I/O) |"
	print "|---|---|---:|---:|---|"
	split("rr4k_qd1 rw4k_qd1 rr4k_qd32 rw4k_qd32", J, " ")
	for (i = 1; i in J; i++)
		for (w = 1; w <= 2; w++) {
			who = w == 1 ? "lio" : "ours"
			printf "| %s | %s | %s | %s | %s |\n", J[i], who,
				f(get(1, who, J[i] "_vmcpu_us"), 0), f(get(1, who, J[i] "_vmsoftirq_us"), 0),
				get(1, who, J[i] "_top")
		}
	print ""
	bad = ""
	for (k in V) {
		split(k, kk, SUBSEP)
		if (kk[3] ~ /_hw_/ && kk[3] ~ /(_err$|retry|rnr|seq|duplicate|link_downed)/)
			bad = bad sprintf("%s%s round %s %s=%s", bad == "" ? "" : "; ", kk[2], kk[1], kk[3], V[k])
	}
	print "rxe error and retry counters that moved during the fio jobs: " (bad == "" ? "none" : bad) "."
	stall = ""
	for (k in V) {
		split(k, kk, SUBSEP)
		if (kk[3] ~ /_clatmax_ms$/ && isnum(V[k]) && V[k] + 0 >= 1000) {
			j = kk[3]; sub(/_clatmax_ms$/, "", j)
			STALL[kk[1] SUBSEP kk[2] SUBSEP j] = 1
			stall = stall sprintf("%s%s round %s %s (%.1f s)", stall == "" ? "" : "; ",
				kk[2], kk[1], j, V[k] / 1000)
		}
	}
	print ""
	print "Jobs with an I/O that took 1 s or more (their figures do not measure the target): " \
		(stall == "" ? "none" : stall) ". ib_srp reconnects during the run: " one("guest", "srp_reconnects") \
		", rxe fast-registration errors (\"rxe_reg_fast_mr: ... not free\", initiator side): " \
		one("guest", "rxe_fastreg_errors") "."

	if (one("conf", "BD") == 1)
		backends()

	print ""
	print "## Scaling of srpt-ramdisk: 4K randread IOPS (" one("conf", "GRID_RUNTIME") " s per point, one fio job, queue_size=128)"
	print ""
	nq = split(one("conf", "GRID_QD"), Q, " ")
	nc = split(one("conf", "GRID_CH"), C, " ")
	hdr = "| ch_count | channels | RSS before login (KiB) | RSS logged in (KiB)"
	sep = "|---:|---:|---:|---:"
	for (i = 1; i <= nq; i++) { hdr = hdr " | qd " Q[i]; sep = sep "|---:" }
	print hdr " |"
	print sep "|"
	for (j = 1; j <= nc; j++) {
		c = C[j]
		line = "| " c " | " one("ours", "grid_ch" c "_channels") " | " \
			one("ours", "grid_ch" c "_rss_before_kb") " | " one("ours", "grid_ch" c "_rss_kb")
		for (i = 1; i <= nq; i++)
			line = line " | " f(one("ours", "grid_ch" c "_qd" Q[i] "_iops"), 0) \
				((0 SUBSEP "ours" SUBSEP "grid_ch" c "_qd" Q[i]) in STALL ? " (stalled)" : "")
		print line " |"
	}
	line = "| LIO, 1 (control) | " one("lio", "grid_ch1_channels") " | | "
	for (i = 1; i <= nq; i++)
		line = line " | " f(one("lio", "grid_ch1_qd" Q[i] "_iops"), 0) \
			((0 SUBSEP "lio" SUBSEP "grid_ch1_qd" Q[i]) in STALL ? " (stalled)" : "")
	print line " |"
	print ""
	print "srpt-ramdisk CPU per I/O in the same runs (µs):"
	print ""
	hdr = "| ch_count"; sep = "|---:"
	for (i = 1; i <= nq; i++) { hdr = hdr " | qd " Q[i]; sep = sep "|---:" }
	print hdr " |"
	print sep "|"
	for (j = 1; j <= nc; j++) {
		c = C[j]
		line = "| " c
		for (i = 1; i <= nq; i++)
			line = line " | " f(one("ours", "grid_ch" c "_qd" Q[i] "_proccpu_us"), 1)
		print line " |"
	}
}
# The backend pairs: srpt-blockdev against LIO iblock on one brd device
# and against LIO fileio on one tmpfs file, and srpt-blockdev on brd
# against srpt-ramdisk (what the backend costs).
function backends(    i, m, d, dg, isl, rb, rf, rbs, wb, g, v, x, wx, c, wc, cs, r, a1, b1, a2, b2, o) {
	split("rr4k_qd1_clat_us rw4k_qd1_clat_us rr4k_qd32_iops rw4k_qd32_iops rr4k_qd1_iops rw4k_qd1_iops sr1m_MBps sw1m_MBps rr4k_qd32_vmcpu_us rw4k_qd32_vmcpu_us", BM, " ")
	split("4K randread qd1, clat mean (µs)|4K randwrite qd1, clat mean (µs)|4K randread qd32 (IOPS)|4K randwrite qd32 (IOPS)|4K randread qd1 (IOPS)|4K randwrite qd1 (IOPS)|1 MiB seq read (MB/s)|1 MiB seq write (MB/s)|whole-guest CPU per I/O, 4K randread qd32 (µs)|whole-guest CPU per I/O, 4K randwrite qd32 (µs)", BD, "|")
	print ""
	print "## Backends: srpt-blockdev against LIO iblock and fileio on the same backing"
	print ""
	print "Each round after the ramdisk pair: LIO with an iblock backstore on a brd device (" one("conf", "SIZE_MB") " MiB), srpt-blockdev on that device (O_DIRECT, io_uring), LIO with a fileio backstore (fd_buffered_io=1) on a file on tmpfs, srpt-blockdev on that file (buffered: tmpfs refuses O_DIRECT on 6.1). One holder of a backing at a time; jobs: " one("conf", "BD_JOBS") ". Ratios are medians of per-round ratios."
	print ""
	print "| Figure | LIO iblock | srpt-blockdev, brd | bd/LIO | LIO fileio | srpt-blockdev, file | bd/LIO | goal | verdict |"
	print "|---|---:|---:|---:|---:|---:|---:|---|---|"
	for (i = 1; i in BM; i++) {
		m = BM[i]
		if (med("bd_brd", m) == "NA" && med("lio_ib", m) == "NA")
			continue
		dg = m ~ /_MBps$/ ? 1 : 0
		rb = ratio2(m, "bd_brd", "lio_ib"); rf = ratio2(m, "bd_file", "lio_fd")
		g = ""; v = ""; rbs = fx(rb)
		if (m == "rr4k_qd32_iops" || m == "rw4k_qd32_iops") {
			g = ">= 1.2x LIO iblock"
			wb = ratio2_w(m, "bd_brd", "lio_ib", "min")
			v = isnum(wb) ? met(wb >= 1.2) : "n/a"
			rbs = ww(rbs, fx(wb))
		} else if (m ~ /_clat_us$/ || m ~ /_vmcpu_us$/)
			g = "lower is better"
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", BD[i],
			f(med("lio_ib", m), dg), f(med("bd_brd", m), dg), rbs,
			f(med("lio_fd", m), dg), f(med("bd_file", m), dg), fx(rf), g, v
	}
	for (i = 1; i <= 2; i++) {
		m = i == 1 ? "rr4k_qd32" : "rw4k_qd32"
		d = i == 1 ? "4K randread qd32" : "4K randwrite qd32"
		printf "| srpt-blockdev CPU per I/O, %s (µs: all threads = user + system; busiest thread) | | %s | | | %s | | | |\n", d,
			f(med("bd_brd", m "_proccpu_us"), 0) " = " f(med("bd_brd", m "_procusr_us"), 0) " + " f(med("bd_brd", m "_procsys_us"), 0) "; " f(med("bd_brd", m "_topthread_us"), 0),
			f(med("bd_file", m "_proccpu_us"), 0) " = " f(med("bd_file", m "_procusr_us"), 0) " + " f(med("bd_file", m "_procsys_us"), 0) "; " f(med("bd_file", m "_topthread_us"), 0)
	}
	print ""
	print "### What the backend costs: srpt-blockdev on brd against srpt-ramdisk"
	print ""
	print "Both are targets of this tree on the same library and rig, measured in the same round; srpt-ramdisk serves registered memory, srpt-blockdev moves the data between registered pool buffers and brd with io_uring. Cost = 1 - blockdev/ramdisk for throughput, blockdev/ramdisk - 1 for latency and CPU."
	print ""
	print "| Figure | srpt-ramdisk | srpt-blockdev, brd | blockdev/ramdisk | backend cost | goal | verdict |"
	print "|---|---:|---:|---:|---:|---|---|"
	for (i = 1; i in BM; i++) {
		m = BM[i]
		if (med("bd_brd", m) == "NA")
			continue
		dg = m ~ /_MBps$/ ? 1 : 0
		x = ratio2(m, "bd_brd", "ours")
		isl = m ~ /_clat_us$/ || m ~ /_vmcpu_us$/
		c = isnum(x) ? (isl ? x - 1 : 1 - x) : "NA"
		g = ""; v = ""; cs = isnum(c) ? sprintf("%.0f %%", c * 100) : "n/a"
		if (m == "rr4k_qd32_iops" || m == "rw4k_qd32_iops") {
			g = "cost <= 10 % of srpt-ramdisk IOPS"
			wx = ratio2_w(m, "bd_brd", "ours", "min")
			wc = isnum(wx) ? 1 - wx : "NA"
			v = isnum(wc) ? met(wc <= 0.10) : "n/a"
			cs = ww(cs, isnum(wc) ? sprintf("%.0f %%", wc * 100) : "n/a")
		}
		printf "| %s | %s | %s | %s | %s | %s | %s |\n", BD[i],
			f(med("ours", m), dg), f(med("bd_brd", m), dg), fx(x), cs, g, v
	}
	for (i = 1; i <= 2; i++) {
		m = (i == 1 ? "rr4k_qd32" : "rw4k_qd32") "_proccpu_us"
		d = i == 1 ? "4K randread qd32" : "4K randwrite qd32"
		x = ratio2(m, "bd_brd", "ours")
		printf "| target process CPU per I/O, %s (µs) | %s | %s | %s | %s | lower is better | |\n", d,
			f(med("ours", m), 0), f(med("bd_brd", m), 0), fx(x),
			isnum(x) ? sprintf("%.0f %%", (x - 1) * 100) : "n/a"
	}
	print ""
	print "Copies by the CPU: libsrpt has no counter of bytes copied or bounced (struct srpt_io_stats and struct srpt_target_stats count commands, bytes moved over RDMA and errors), so none is reported here. srpt-blockdev hands the library registered pool buffers for all READ and WRITE data (no bounce buffer); the library itself documents one copy for a WRITE carried as immediate data (srpt_io_fetch_data() in include/srpt/io.h), which is how ib_srp sends 4 KiB writes with the 8260-byte IUs negotiated here. The SIGUSR1 counters of srpt-blockdev (commands, bytes in and out per channel) are in raw/srpt-blockdev-*.log."
	print ""
	print "Per round:"
	print ""
	print "| figure | round | LIO iblock | bd brd | ratio | LIO fileio | bd file | ratio | srpt-ramdisk | bd brd/ramdisk |"
	print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	split("rr4k_qd1_clat_us rw4k_qd1_clat_us rr4k_qd32_iops rw4k_qd32_iops sr1m_MBps sw1m_MBps", PM, " ")
	for (i = 1; i in PM; i++)
		for (r = 1; r <= R; r++) {
			if (get(r, "bd_brd", PM[i]) == "NA" && get(r, "lio_ib", PM[i]) == "NA")
				continue
			a1 = get(r, "lio_ib", PM[i]); b1 = get(r, "bd_brd", PM[i])
			a2 = get(r, "lio_fd", PM[i]); b2 = get(r, "bd_file", PM[i])
			o = get(r, "ours", PM[i])
			printf "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", PM[i], r,
				f(a1, 1), f(b1, 1), (isnum(a1) && isnum(b1) && a1 > 0 ? fx(b1 / a1) : ""),
				f(a2, 1), f(b2, 1), (isnum(a2) && isnum(b2) && a2 > 0 ? fx(b2 / a2) : ""),
				f(o, 1), (isnum(o) && isnum(b1) && o > 0 ? fx(b1 / o) : "")
		}
}
# login cycles are stored with the cycle number as the round
function cmed(w, m,    i, n, a, x) {
	n = 0
	for (i = 1; i <= 100; i++) {
		x = get(i, w, m)
		if (isnum(x))
			a[++n] = x + 0
	}
	return median(a, n)
}
function cratio(m,    l, o) {
	l = cmed("lio", m); o = cmed("ours", m)
	return isnum(l) && isnum(o) && l > 0 ? o / l : "NA"
}
' "$tsv"
