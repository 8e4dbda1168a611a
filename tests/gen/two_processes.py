"""Two runs of one service appending to one log, as a restart does:
%(process)d differs, task names (Task-2 ...) start again in each run.
Each run leaves a task whose exception is never retrieved. Run with
CPython 3.12 (taskName): python3 tests/gen/two_processes.py OUT.log
(it runs itself twice, as two processes); the committed output is
tests/fixtures/restarts/restarts.log."""
import asyncio
import gc
import logging
import subprocess
import sys


async def fail():
    raise ConnectionResetError("peer went away")


async def main():
    logging.info("starting")
    t = asyncio.ensure_future(fail())
    await asyncio.sleep(0.01)
    del t
    gc.collect()
    logging.info("stopping")


if __name__ == "__main__":
    if len(sys.argv) == 2:
        for _ in range(2):
            subprocess.run([sys.executable, __file__, sys.argv[1], "run"],
                           check=True)
        sys.exit(0)
    logging.basicConfig(
        filename=sys.argv[1],
        format="%(asctime)s %(levelname)s %(name)s [%(process)d] "
               "%(taskName)s: %(message)s")
    logging.getLogger().setLevel(logging.INFO)
    asyncio.run(main())
