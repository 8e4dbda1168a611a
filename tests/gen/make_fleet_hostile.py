"""Write tests/fixtures/fleet/hostile.log: a real CPython asyncio log whose
findings carry hostile text (terminal escapes, quotes, backslashes,
invalid UTF-8), for tests/cli/fleet.sh to ship and read back byte-exact.
Run with a pyenv CPython 3.11: python3 tests/gen/make_fleet_hostile.py OUT
"""
import asyncio
import gc
import logging
import sys

out = sys.argv[1]
handler = logging.FileHandler(out, mode="w", encoding="utf-8",
                              errors="surrogateescape")
logging.basicConfig(
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    handlers=[handler], level=logging.INFO)
bad = b"\xff\xfe\xc3".decode("utf-8", "surrogateescape")


async def boom():
    raise ValueError('bad \\ path "C:\\temp" \x1b[31mred\x1b[0m ' + bad)


async def never():
    pass

# a qualname is anything: the warning prints it raw
never.__qualname__ = 'evil\x1b[31m"q\'\\Job' + bad


async def main():
    log = logging.getLogger("app")
    logging.captureWarnings(True)
    never()
    gc.collect()
    log.info("start \x1b]8;;http://evil\x07link\x1b]8;;\x07 'q' \"dq\" \\ %s",
             bad)
    t = asyncio.get_running_loop().create_task(
        boom(), name='evil\\"\x1b[2J\'task' + bad)
    await asyncio.sleep(0.05)
    del t
    gc.collect()
    await asyncio.sleep(0.01)
    evil = logging.getLogger('evil\x1b[31m"q\'\\' + bad)
    evil.warning("from a logger with a hostile name")
    log.info("done")

asyncio.run(main())
