#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause OR GPL-2.0-only
"""Writes the seeds of the core fuzzer (fuzz-core.c): corpus/core/*.bin,
scenarios that must pass, and corpus/core-regress/*.bin, the scenarios of
bugs found in the core, which pass once those are fixed.

A seed is three header bytes and a sequence of operations, encoded as the
comment at the top of fuzz-core.c describes; the helpers below spell them
out. Run it from anywhere; it rewrites both directories next to itself. The
generated files are committed too.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

NO_DISPATCH = 0x80
(LOGIN, RTU, CMD, TSK, RAW, SENDS, DRAIN, FLUSH, DONE, FETCH, CM, CLOSE,
 GONE, CLOCK, FAIL, DECIDE, UNREG, PORT, BURST, NOP) = range(20)

# on_cmd actions (fuzz-core.h enum fc_action); AFTER: answer once fetched
HOLD, DONE_REG, DONE_UNREG, FETCH_REG, FETCH_UNREG, DONE_CHECK, DONE_BAD, \
    DONE_SHORT = range(8)
AFTER = 0x08
# CMD shape: direction, format, defect
D_NONE, D_IN, D_OUT, D_BIDI = range(4)
F_DIRECT, F_INLINE, F_EXTERNAL, F_IMM = range(4)
DEF_SUM, DEF_ZERO, DEF_TABLE, DEF_COUNT = 4, 5, 6, 7
# piece sizes (plen_class) and big descriptor counts (big_n)
PLEN = {1: 0, 8: 1, 512: 2, 1024: 3, 4096: 4, 8192: 5, 65536: 6, 3000: 7}
BIG_N = [32, 64, 100, 128, 255, 256, 1000, 1024, 1025, 1100, 2048, 4095,
         4096, 4097, 5000, 2]
# DONE kinds (op_done)
K_REG, K_UNREG, K_CHECK, K_BAD, K_SHORT = range(5)
# FAIL ops (op_fail)
(F_POST_CHAIN, F_POST_RECV, F_REG_MEM, F_ACCEPT, F_REJECT, F_DISCONNECT,
 F_QP_TO_ERROR, F_POST_DRAIN, F_CH_CREATE, F_SRQ_CREATE, F_SRQ_POST) = range(11)
# CM events (op_cm)
DREQ, TIMEWAIT, REJ, CM_FATAL, QP_COMM_EST, QP_FATAL, QP_LAST_WQE = range(7)
# TSK functions (tm_funcs)
ABORT_TASK, ABORT_TASK_SET, CLEAR_TASK_SET, LUN_RESET, CLEAR_ACA, \
    TM_ZERO, TM_7F = range(7)
# RAW types (raw_ops); 9, 10: the type byte itself; 11: empty
I_LOGOUT, CRED_RSP, AER_RSP, T_LOGOUT, CRED_REQ, AER_REQ, LOGIN_REQ, \
    RSP, LOGIN_RSP = range(9)
RAW_EMPTY = 11


def header(qd=8, sq_cap=0, srq=False, ti=0, priv=False):
    """ti: 0 256, 1 64, 2 40, 3 1024 bytes of max_ti_iu_len."""
    cap = 0 if not sq_cap else (sq_cap - 4) or 60
    return bytes([qd - 4, cap, int(srq) | ti << 1 | int(priv) << 3])


class Seq:
    """An operation sequence; every method appends one operation."""

    def __init__(self, **hdr):
        self.b = bytearray(header(**hdr))

    def op(self, code, *args, dispatch=True):
        self.b.append(code | (0 if dispatch else NO_DISPATCH))
        self.b.extend(args)
        return self

    def login(self, verdict=0, single=False, initiator=0, pending=False,
              dev=0, no_imm=False, it=0, imm=0, fmt=0, bad_port=False):
        f1 = (verdict | single << 2 | initiator << 3 | pending << 5
              | dev << 6 | no_imm << 7)
        f2 = it | imm << 3 | fmt << 5 | bad_port << 7
        return self.op(LOGIN, f1, f2)

    def live(self, conn=0, **kw):
        return self.login(**kw).op(RTU, conn)

    def cmd(self, conn=0, d=D_IN, fmt=F_DIRECT, defect=0, n=1, plen=4096,
            gap=0, act=HOLD, attr=0, lun=0, mut=0, flip=None, dispatch=True):
        cnt = n - 1 if n <= 16 else 0xf0 + BIG_N.index(n)
        size = PLEN[plen] | (8 | (gap - 8) << 4 if gap else 0)
        args = [conn, d | fmt << 2 | defect << 4, cnt, size,
                act | attr << 5, lun, mut]
        if mut >= 0xe0:
            args.append(flip or 0)
        return self.op(CMD, *args, dispatch=dispatch)

    def tsk(self, conn=0, func=ABORT_TASK, target=0, lun=0, trunc=0):
        return self.op(TSK, conn, func, target, lun, trunc)

    def raw(self, conn=0, kind=I_LOGOUT, lsel=0):
        return self.op(RAW, conn, kind, lsel)

    def sends(self, conn=0, n=None, err=False):
        return self.op(SENDS, conn, 0xff if n is None else n - 1,
                       0xe1 if err else 0)

    def drain(self, conn=0, flushed=True):
        return self.op(DRAIN, conn, int(flushed))

    def flush(self, conn=0, order=0, recvs=None):
        return self.op(FLUSH, conn,
                       order if recvs is None else 4 | (recvs - 1) << 3)

    def done(self, idx=0, kind=K_REG):
        return self.op(DONE, idx, kind)

    def fetch(self, idx=0, reg=True, pieces=1, short=False, after=False):
        return self.op(FETCH, idx, int(reg) | (pieces - 1) << 1
                       | short << 3 | after << 4)

    def cm(self, conn=0, ev=DREQ, dispatch=True):
        return self.op(CM, conn, ev, dispatch=dispatch)

    def close(self, conn=0):
        return self.op(CLOSE, conn)

    def gone(self, dev=0):
        return self.op(GONE, dev)

    def clock(self, ms=None):
        """None: past the drain timeout."""
        return self.op(CLOCK, 0 if ms is None else 0x80 | ms // 10)

    def fail(self, what, nth=1):
        return self.op(FAIL, what, nth - 1)

    def decide(self, conn=0, reject=False):
        return self.op(DECIDE, conn, int(reject))

    def unreg(self, conn=0):
        return self.op(UNREG, conn)

    def port(self, disable):
        return self.op(PORT, int(disable))

    def burst(self, conn=0, n=4, write=False, act=DONE_REG):
        return self.op(BURST, conn, (n - 1) | write << 7, act)

    def nop(self):
        return self.op(NOP)

    def bytes(self):
        return bytes(self.b)


def seeds():
    """Scenarios that pass on a correct core: one or more per operation."""
    s = {}
    s['read-write-direct'] = (
        Seq().live().cmd(act=DONE_REG).cmd(d=D_OUT, act=FETCH_REG | AFTER)
        .cmd(act=DONE_UNREG).cmd(d=D_OUT, act=FETCH_UNREG | AFTER)
        .cmd(d=D_NONE, act=DONE_REG).sends())
    s['indirect-inline'] = (
        Seq().live().cmd(fmt=F_INLINE, n=4, plen=1024, act=DONE_REG)
        .cmd(d=D_OUT, fmt=F_INLINE, n=3, plen=512, gap=8,
             act=FETCH_UNREG | AFTER)
        .sends().cmd(fmt=F_INLINE, n=2, plen=8, defect=DEF_ZERO,
                     act=DONE_UNREG).sends())
    s['external-table'] = (
        Seq().live().cmd(fmt=F_EXTERNAL, n=8, plen=512, act=DONE_REG)
        .sends(n=1).sends()
        .cmd(d=D_OUT, fmt=F_EXTERNAL, n=5, plen=1024,
             act=FETCH_REG | AFTER).sends(n=1).sends(n=1).sends())
    s['immediate-data'] = (
        Seq().live().cmd(d=D_OUT, fmt=F_IMM, n=2, plen=512,
                         act=FETCH_REG | AFTER)
        .cmd(d=D_OUT, fmt=F_IMM, n=1, plen=8, act=FETCH_UNREG).fetch()
        .done().sends())
    s['held-later'] = (
        Seq().live().cmd().cmd(d=D_OUT).cmd(fmt=F_INLINE, n=3, plen=512)
        .fetch(idx=1, reg=False, pieces=3).sends(n=1).done(idx=1)
        .done(idx=0, kind=K_SHORT).done(idx=0, kind=K_CHECK).sends())
    s['bad-results'] = (
        Seq(ti=1).live().cmd(act=DONE_BAD).cmd(act=DONE_CHECK)
        .cmd(act=DONE_SHORT).cmd(d=D_OUT, act=DONE_CHECK).sends())
    s['malformed-cmds'] = (
        Seq().live().cmd(defect=DEF_SUM, fmt=F_INLINE, n=2, plen=512)
        .cmd(fmt=F_INLINE, n=3, plen=512, defect=DEF_COUNT)
        .cmd(fmt=F_EXTERNAL, n=4, plen=512, defect=DEF_TABLE)
        .cmd(d=D_IN, fmt=F_IMM).cmd(mut=0xd0).cmd(mut=0xe0 + 4, flip=0x40)
        .sends())
    s['big-counts'] = (
        Seq().live().cmd(fmt=F_INLINE, n=255, plen=8, act=DONE_CHECK)
        .cmd(d=D_OUT, fmt=F_INLINE, n=255, plen=8, act=DONE_REG)
        .cmd(fmt=F_EXTERNAL, n=5000, plen=1, act=HOLD)
        .cmd(fmt=F_EXTERNAL, n=255, plen=8, defect=DEF_SUM).sends())
    s['tmf'] = (
        Seq().live().cmd(lun=1).cmd(lun=1).cmd(lun=2).cmd(lun=3)
        .tsk(func=ABORT_TASK, target=0).done(idx=0).sends()
        .tsk(func=LUN_RESET, lun=1).tsk(func=ABORT_TASK_SET, lun=2)
        .tsk(func=CLEAR_TASK_SET, lun=3).tsk(func=LUN_RESET, lun=3)
        .tsk(func=CLEAR_ACA).tsk(func=TM_ZERO).tsk(target=0xff)
        .tsk(trunc=0xe0 + 20).done(idx=0).done(idx=0).sends())
    s['credit-overrun'] = (
        Seq(qd=4).live().burst(n=7, act=HOLD).burst(n=2, act=DONE_REG)
        .sends().done().done().done().done().sends())
    s['sq-parking'] = (
        Seq(qd=16, sq_cap=8).live().burst(n=16, act=DONE_REG)
        .sends(n=1).sends(n=2).sends())
    s['dreq-held'] = (
        Seq().live().cmd().cmd(d=D_OUT).fetch(idx=1).cm(ev=DREQ)
        .done().sends(err=True).flush().done())
    s['timewait-gone'] = (
        Seq().live().live(initiator=1, dev=1).cmd(conn=0).cmd(conn=1)
        .cm(conn=0, ev=TIMEWAIT).gone(dev=1).flush(conn=0).flush(conn=1)
        .done().done())
    s['close-drain-timeout'] = (
        Seq().live().cmd(act=DONE_REG).fail(F_POST_DRAIN).close()
        .clock().nop().done())
    s['flush-orders'] = (
        Seq().live().live(initiator=1).live(initiator=2).live(initiator=3)
        .burst(conn=0, n=2).burst(conn=1, n=2).burst(conn=2, n=2)
        .burst(conn=3, n=2).close(conn=0).close(conn=1).close(conn=2)
        .close(conn=3).cm(conn=0).cm(conn=1).cm(conn=2).cm(conn=3)
        .flush(conn=0, order=0).flush(conn=1, order=1)
        .flush(conn=2, order=2).flush(conn=3, order=3).clock())
    s['srq'] = (
        Seq(srq=True).live().live(initiator=1).burst(conn=0, n=3)
        .burst(conn=1, n=3, write=True, act=FETCH_REG | AFTER).sends(conn=0)
        .sends(conn=1).sends(conn=1).flush(conn=1, recvs=2))
    s['defer-login'] = (
        Seq().login(verdict=2).decide().op(RTU, 0).cmd(act=DONE_REG)
        .login(verdict=2, initiator=1).decide(conn=1, reject=True)
        .login(verdict=3, initiator=2).login(bad_port=True)
        .login(it=7).login(fmt=3).sends())
    s['drained-pending'] = (
        Seq().live(pending=True).cmd(act=DONE_REG).close().cm().flush()
        .unreg())
    s['port-disable'] = (
        Seq().live().cmd().port(True).login(initiator=1).done().port(False)
        .live(initiator=2).cmd(conn=2, act=DONE_REG).sends(conn=2))
    s['single-nexus'] = (
        Seq().live().cmd().live(single=True).cmd(conn=1, act=DONE_REG)
        .done().sends(conn=1))
    s['logouts'] = (
        Seq().live().live(initiator=1).live(initiator=2).live(initiator=3)
        .cmd(conn=0, act=HOLD).raw(conn=0, kind=I_LOGOUT)
        .raw(conn=1, kind=CRED_RSP).raw(conn=2, kind=AER_RSP)
        .raw(conn=3, kind=RAW_EMPTY).done().sends(conn=1))
    s['garbage-ius'] = (
        Seq().live().live(initiator=1).live(initiator=2).live(initiator=3)
        .raw(conn=0, kind=9).raw(conn=1, kind=LOGIN_RSP)
        .raw(conn=2, kind=RSP, lsel=0x90).raw(conn=3, kind=T_LOGOUT)
        .sends(conn=0).sends(conn=1))
    s['truncated'] = (
        Seq().live().live(initiator=1).raw(conn=0, kind=10, lsel=0xc8)
        .tsk(conn=1, trunc=0xe0 + 4).sends(conn=0).sends(conn=1))
    s['ius-before-rtu'] = (
        Seq().login().cmd(act=DONE_REG).cmd(d=D_OUT, act=FETCH_REG | AFTER)
        .tsk(target=0xff).op(RTU, 0).sends().sends())
    s['qp-events'] = (
        Seq().login().cm(ev=QP_COMM_EST).cmd(act=DONE_REG).sends()
        .cm(ev=QP_LAST_WQE).cm(ev=QP_FATAL).flush())
    s['conn-errors'] = (
        Seq().login().cm(ev=REJ).login(initiator=1).cm(conn=1, ev=CM_FATAL)
        .flush(conn=1))
    s['recv-flush'] = (
        Seq().live().cmd().flush(recvs=1).done().flush())
    s['send-error'] = (
        Seq().live().cmd(act=DONE_REG).sends(err=True).cmd(act=DONE_REG)
        .drain().flush())
    s['no-dispatch'] = (
        Seq().live().cmd(act=DONE_REG, dispatch=False)
        .cm(ev=DREQ, dispatch=False).sends().nop())
    s['small-iu'] = (
        Seq().live(it=4, no_imm=True).cmd(fmt=F_INLINE, n=4, plen=512)
        .live(initiator=1, it=3, imm=3).cmd(conn=1, d=D_OUT, fmt=F_IMM)
        .done().sends())
    s['fault-accept'] = (
        Seq().fail(F_ACCEPT).login().op(RTU, 0).fail(F_REJECT)
        .login(verdict=3, initiator=1).fail(F_CH_CREATE).login(initiator=2)
        .fail(F_DISCONNECT).live(initiator=3).close(conn=3)
        .fail(F_QP_TO_ERROR).live(initiator=1).cm(conn=4))
    s['fault-recv'] = (
        Seq().live().fail(F_POST_RECV).cmd(act=DONE_REG).sends()
        .fail(F_REG_MEM).cmd(act=DONE_UNREG).sends())
    s['fault-srq'] = (
        Seq(srq=True).fail(F_SRQ_CREATE).login().live(initiator=1)
        .fail(F_SRQ_POST).cmd(conn=1, act=DONE_REG).sends(conn=1))
    s['io-priv'] = (
        Seq(priv=True, ti=3).live().cmd(act=DONE_CHECK).cmd(act=DONE_REG)
        .sends())
    return {k + '.bin': v.bytes() for k, v in s.items()}


def regressions():
    """The scenarios of the bugs the fuzzer found in the core (see the
    commit that added them): each must pass once its bug is fixed."""
    s = {}
    # sq_kick() <-> io_submit() recursion: an indirect READ with more
    # remote pieces than the free send queue slots, parked.
    s['sq-kick-recursion'] = (
        Seq(qd=16, sq_cap=8).live().cmd(act=DONE_REG)
        .cmd(fmt=F_INLINE, n=4, plen=1024, act=DONE_REG))
    # SRP_T_LOGOUT posted without a send queue slot: with the queue full
    # of responses the drain write has no room (send queue overrun).
    q = Seq(qd=16, sq_cap=8).live()
    for _ in range(7):
        q.cmd(d=D_NONE, act=DONE_REG)
    s['logout-no-slot'] = q.raw(kind=9).cm()
    # The library's own CHECK CONDITION on a context that served a READ:
    # RDMA WRITEs of the old data to the new command's buffer.
    s['stale-bidi'] = (
        Seq().live().cmd(act=DONE_REG).sends()
        .cmd(d=D_BIDI, fmt=F_DIRECT).sends())
    s['stale-bad-descriptors'] = (
        Seq().live().cmd(act=DONE_REG).sends()
        .cmd(d=D_OUT, fmt=F_INLINE, n=2, plen=512, defect=DEF_SUM).sends())
    # ... or its response is dropped: a malformed SRP_CMD after a READ.
    s['stale-malformed-dropped'] = (
        Seq().live().cmd(act=DONE_REG).sends().cmd(mut=0xc8).sends())
    # The same after a descriptor table read that could not be posted: the
    # CHECK CONDITION carries an RDMA WRITE of the table's bytes.
    s['stale-table-fetch'] = (
        Seq().live().fail(F_POST_CHAIN).cmd(fmt=F_EXTERNAL, n=10, plen=8)
        .sends())
    # A READ whose table holds more than 1,024 descriptors: delivered,
    # never answered.
    s['table-1025'] = (
        Seq().live().cmd(fmt=F_EXTERNAL, n=1025, plen=8, act=HOLD)
        .sends().done().sends())
    # More RDMA pieces than the send queue holds: never answered.
    s['pieces-over-sq'] = (
        Seq(sq_cap=4).live().cmd(fmt=F_INLINE, n=4, plen=512, act=DONE_REG)
        .sends())
    return {k + '.bin': v.bytes() for k, v in s.items()}


def write(sub, files):
    d = os.path.join(HERE, 'corpus', sub)
    os.makedirs(d, exist_ok=True)
    for name in os.listdir(d):
        if name.endswith('.bin') and name not in files:
            os.remove(os.path.join(d, name))
    for name, data in files.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)


def check_meson(names):
    """meson.build runs one test per regression scenario: all listed?"""
    with open(os.path.join(HERE, 'meson.build')) as f:
        text = f.read()
    missing = [n for n in names if "'%s'" % n[:-len('.bin')] not in text]
    if missing:
        raise SystemExit('add to fuzz_core_regress in tests/fuzz/meson.build: '
                         + ', '.join(missing))


def main():
    write('core', seeds())
    regress = regressions()
    write('core-regress', regress)
    check_meson(regress)


if __name__ == '__main__':
    main()
