"""A real asyncio service's logging, written while `aiosift watch` runs,
for tests/cli/watch.sh.

Three logs in DIR, each through a real logging handler of the standard
library: app.log (RotatingFileHandler, small maxBytes: it rotates many
times), copy.log (FileHandler; this program copies it and truncates it in
place between phases, as logrotate's copytruncate does) and gz.log
(RotatingFileHandler whose rotator gzips the old file and removes it).
With --deldir, del.log there (WatchedFileHandler) is deleted while
watched, with lines watch has not read yet, and written again.

The records are asyncio's own: tasks whose exception was never retrieved,
coroutines never awaited (through py.warnings), between steady heartbeat
lines. After each phase this program waits until watch has stored every
record written so far (it runs with --keep all: the records table of its
database), polling the database a bounded number of times; the stall
phase goes silent until watch prints a stall in progress. Never a sleep
as synchronisation: the sleeps between heartbeats only give the log its
cadence. Exit 0, or 3 with a message when watch did not catch up.
"""
import argparse
import asyncio
import gc
import gzip
import json
import logging
import logging.handlers
import os
import shutil
import sqlite3
import sys
import time
import warnings

POLL_S = 0.05
POLLS = 600         # 30 s at most for one wait

written = 0


class Count(logging.Filter):
    def filter(self, record):
        global written
        written += 1
        return True


def wait_for(what, check):
    for _ in range(POLLS):
        got = check()
        if got is True:
            return
        time.sleep(POLL_S)
    sys.stderr.write("watch_writer: watch did not catch up: %s (%s)\n"
                     % (what, got))
    sys.exit(3)


def stored(db, where=""):
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
        try:
            return con.execute("SELECT count(*) FROM records r JOIN "
                               "sources s ON s.id = r.source_id " +
                               where).fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error as e:      # not created yet, or busy
        return str(e)


def caught_up(db):
    def check():
        n = stored(db)
        return True if n == written else "stored %s of %d" % (n, written)
    wait_for("records", check)


async def fail(n):
    await asyncio.sleep(0)
    raise ValueError("payment %d declined" % n)


async def refresh():
    await asyncio.sleep(0)


async def service(log, n):
    for i in range(n):
        log.info("heartbeat %d", i)
        if i % 7 == 3:
            task = asyncio.ensure_future(fail(i))
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            del task
            gc.collect()
        if i % 11 == 5:
            refresh()       # never awaited: a RuntimeWarning
            gc.collect()
        await asyncio.sleep(0.004)


def gz_rotator(source, dest):
    with open(source, "rb") as f, gzip.open(dest, "wb") as g:
        shutil.copyfileobj(f, g)
    os.remove(source)


def handler(h, fmt):
    h.setFormatter(fmt)
    h.addFilter(Count())
    return h


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--deldir")
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--records", type=int, default=120)
    a = ap.parse_args()

    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = handler(logging.handlers.RotatingFileHandler(
        os.path.join(a.dir, "app.log"), maxBytes=6000, backupCount=200),
        fmt)
    copy = handler(logging.FileHandler(os.path.join(a.dir, "copy.log")),
                   fmt)
    gz = logging.handlers.RotatingFileHandler(
        os.path.join(a.dir, "gz.log"), maxBytes=9000, backupCount=200)
    gz.namer = lambda name: name + ".gz"
    gz.rotator = gz_rotator
    handler(gz, fmt)
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(app)
    logging.captureWarnings(True)
    warnings.simplefilter("always")
    # every logger of the service reaches app.log; copy and gz take their
    # own loggers' lines
    clog = logging.getLogger("svc.copy")
    clog.propagate = False
    clog.addHandler(copy)
    glog = logging.getLogger("svc.gz")
    glog.propagate = False
    glog.addHandler(gz)
    log = logging.getLogger("svc")

    def phase(n):
        asyncio.run(service(log, n))
        for i in range(n):
            clog.info("copy line %d", i)
            glog.info("gz line %d of a longer message to rotate sooner", i)
        caught_up(a.db)

    phase(a.records // 2)
    # copytruncate, as logrotate does it: copy, then truncate in place
    cpath = os.path.join(a.dir, "copy.log")
    shutil.copyfile(cpath, cpath + ".1")
    with open(cpath, "r+b") as f:
        f.truncate(0)
    phase(a.records // 2)

    # a stall: silence until watch shows one more in progress (each wait
    # above is a silence too), then records
    def in_progress():
        with open(a.out, encoding="utf-8", errors="replace") as f:
            return sum(1 for line in f if line.strip() and
                       json.loads(line).get("rule") == "stall.in_progress")
    before = in_progress()

    def shown():
        n = in_progress()
        return True if n > before else "%d stalls in progress printed" % n
    wait_for("stall in progress", shown)
    phase(a.records // 4)

    if a.deldir:
        dpath = os.path.join(a.deldir, "del.log")
        dlog = logging.getLogger("svc.del")
        dlog.propagate = False
        dlog.addHandler(handler(logging.handlers.WatchedFileHandler(dpath),
                                fmt))
        for i in range(20):
            dlog.info("before delete %d", i)
        caught_up(a.db)
        # lines watch has not read yet, then the file deleted: the
        # handler opens a new one at the next record
        for i in range(20, 40):
            dlog.info("before delete %d", i)
        os.remove(dpath)
        for i in range(40, 60):
            dlog.info("after delete %d", i)
        caught_up(a.db)
    logging.shutdown()
    print(written)


if __name__ == "__main__":
    main()
