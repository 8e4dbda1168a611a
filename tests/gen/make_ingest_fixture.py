"""Write tests/fixtures/ingest/service.log: real CPython output of a small
asyncio service (asctime layout), for the ingest mechanics tests (resume,
rotation, truncation, kill). Run with any CPython 3.8+:

    mkdir -p /srv/app && cp tests/gen/make_ingest_fixture.py /srv/app/service.py
    (cd /srv/app && TZ=UTC python3.12 service.py "$OLDPWD/tests/fixtures/ingest/service.log")
"""
import asyncio
import gc
import logging
import sys
import warnings

out = sys.argv[1]
handler = logging.FileHandler(out, mode="w")
handler.setFormatter(logging.Formatter(
    "%(asctime)s %(levelname)s %(name)s: %(message)s"))
root = logging.getLogger()
root.addHandler(handler)
root.setLevel(logging.DEBUG)
logging.captureWarnings(True)
warnings.simplefilter("always")
log = logging.getLogger("app")
access = logging.getLogger("app.access")


async def send_metrics(i):
    raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 8125)")


async def audit(i):
    pass


async def worker(n):
    for i in range(60):
        access.info('10.0.%d.%d - - "GET /api/items/%d HTTP/1.1" 200 %d 2.%dms',
                    n, i, i * 7 + n, 100 + i, n)
        if i % 17 == 5:
            try:
                {}["user-%d" % i]
            except KeyError:
                log.exception("lookup failed for request %d", i)
        if i % 23 == 11:
            asyncio.ensure_future(send_metrics(i))
            await asyncio.sleep(0)
            gc.collect()
        if i % 29 == 13:
            audit(i)
            gc.collect()
        await asyncio.sleep(0.003)


async def heartbeat():
    for seq in range(200):
        logging.getLogger("app.health").debug(
            "heartbeat seq=%d tasks=%d loop_lag_ms=0.%d", seq,
            len(asyncio.all_tasks()), seq % 10)
        await asyncio.sleep(0.004)


async def main():
    log.info("starting service pid=1 python=%s", sys.version.split()[0])
    hb = asyncio.ensure_future(heartbeat())
    await asyncio.gather(*(worker(n) for n in range(6)))
    hb.cancel()
    log.info("service stopped")


asyncio.run(main())
