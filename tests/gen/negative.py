#!/usr/bin/env python3
"""Logs with no asyncio failure in them, for aiosift's precision: real
services logging ordinary errors (tracebacks of KeyError, timeouts handled,
cancellations), prose that names the signatures, a custom exception
handler's `context: {'message': "Exception in callback ..."}` line (the
handler's own failure is kind handler_error, shipped disabled), a
traceback whose source line reads `raise RuntimeError('Event loop is
closed')` while the exception is another, a heartbeat every 2 s with 2.5 s
gaps (its normal cadence, not a stall), messages at ERROR that quote the
newer wordings and real handled exceptions' reprs at INFO (quoted_errors).

usage: python negative.py NAME OUTDIR    writes OUTDIR/{app.log,expected.json}
       python negative.py --list
"""
import asyncio
import importlib
import json
import logging
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenarios as S	# noqa: E402


async def heartbeat(log, period, n, rnd):
	loop = asyncio.get_running_loop()
	for seq in range(1, n + 1):
		t = loop.time()
		await asyncio.sleep(period)
		log.debug('heartbeat seq=%d tasks=%d loop_lag_ms=%.1f', seq, len(asyncio.all_tasks()),
			(loop.time() - t - period) * 1000)


# ---------------------------------------------------------------------------
# prose_docs: a help-desk bot quoting the signatures in sentences.

PROSE = [
	"docs: a coroutine 'x' was never awaited warning means the call site forgot `await`",
	"runbook step 3: grep the logs for 'Task exception was never retrieved' and find the fire-and-forget task",
	"alert rule asyncio-destroyed matches \"Task was destroyed but it is pending!\" (0 hits in 24h)",
	"FAQ: RuntimeError: This event loop is already running usually comes from calling asyncio.run() in Jupyter",
	"FAQ: 'asyncio.run() cannot be called from a running event loop' -> use await instead, see KB-1182",
	"ticket #4411 (closed): 'Exception in callback' spam after upgrade, fixed in 2.3.1",
	"changelog 2.4.0: no more 'Future exception was never retrieved' on shutdown",
	"slow request: GET /reports/q4/export took 1.234 seconds (threshold 1.0)",
	"retrying after RuntimeError: Event loop is closed (attempt 2 of 3), reconnect scheduled",
	"lint: object NoneType can't be used in 'await' expression is a TypeError, not a warning",
	"notes: Executing handlers took 12 ms on average, see dashboard 'loop lag'",
	"search results for 'got Future attached to a different loop': 14 threads",
]


async def prose_main(truth):
	log = logging.getLogger('helpdesk.bot')
	rnd = random.Random('prose')
	hb = asyncio.ensure_future(heartbeat(logging.getLogger('app.health'), 0.1, 22, rnd))
	for i, line in enumerate(PROSE):
		await asyncio.sleep(rnd.uniform(0.05, 0.15))
		log.info('answer #%d: %s', 100 + i, line)
		if i % 4 == 1:
			try:
				{'faq': 1}['kb-%d' % i]
			except KeyError:
				log.exception('knowledge base lookup failed for answer #%d', 100 + i)
	await hb
	log.info('bot stopped')


def neg_prose_docs(outdir):
	truth = S.Truth(outdir, 'prose_docs', 'default', handler='file', capture_warnings=True,
		asyncio_debug=False)
	S.setup_logging(outdir, 'file', logging.Formatter('%(asctime)s %(levelname)s %(name)s: %(message)s'))
	asyncio.run(prose_main(truth))
	return truth, 'file'


# ---------------------------------------------------------------------------
# custom_handler: ISO-8601 with -07:00; a custom exception handler that fails
# and an app that logs the context dicts it receives.


def notify_callback(user):
	raise KeyError(user)


async def custom_main(truth):
	log = logging.getLogger('app.notify')
	loop = asyncio.get_running_loop()
	seen = []

	def handler(lp, context):
		seen.append(context)
		raise RuntimeError('handler is broken: pager endpoint not configured')

	loop.set_exception_handler(handler)
	hb = asyncio.ensure_future(heartbeat(logging.getLogger('app.health'), 0.1, 15, None))
	for i in range(8):
		await asyncio.sleep(0.1)
		log.info('notification batch %d sent (%d recipients)', i, 3 + i)
		if i == 3:
			# the "Exception in callback" quoted in the context line of the
			# failing handler is no finding (the failure itself is kind
			# handler_error, whose rules ship disabled)
			loop.call_soon(notify_callback, 'user_id')
	await hb
	loop.set_exception_handler(None)
	log.warning('exception handler saw %d contexts: %r', len(seen),
		[{'message': c['message']} for c in seen])


def neg_custom_handler(outdir):
	truth = S.Truth(outdir, 'custom_handler', 'iso_tz_brackets', tz=S.MST, handler='file',
		capture_warnings=True, asyncio_debug=False)
	S.setup_logging(outdir, 'file', S.IsoFormatter('%(asctime)s [%(levelname)s] %(name)s: %(message)s',
		S.MST))
	asyncio.run(custom_main(truth))
	return truth, 'file'


# ---------------------------------------------------------------------------
# raise_source: the source line says one thing, the exception another.

GUARD_V1 = '''\
class LoopGuard:
    def __init__(self):
        self._flags = {}

    def check(self):
        return self._flags['draining']

    def check_chained(self):
        raise RuntimeError('Event loop is closed') from self._last_error()

    def _last_error(self):
        return self._flags['last_error']
'''

# the same file after a deploy changed it on disk: line 6 now reads the raise
GUARD_V2 = '''\
class LoopGuard:
    def __init__(self):
        self._flags = {}

    def check(self):
        raise RuntimeError('Event loop is closed')

    def check_chained(self):
        raise RuntimeError('Event loop is closed') from self._last_error()

    def _last_error(self):
        return self._flags['last_error']
'''


async def raise_main(guard):
	log = logging.getLogger('app.guard')
	hb = asyncio.ensure_future(heartbeat(logging.getLogger('app.health'), 0.1, 12, None))
	await asyncio.sleep(0.3)
	try:
		guard.check_chained()
	except KeyError:
		log.exception('loop guard failed')
	await asyncio.sleep(0.3)
	try:
		guard.check()
	except KeyError:
		log.exception('loop guard check failed (code changed on disk since start)')
	log.info('guard state: %r', RuntimeError('Event loop is closed'))
	await hb


def neg_raise_source(outdir):
	truth = S.Truth(outdir, 'raise_source', 'pid_thread', handler='file', capture_warnings=True,
		asyncio_debug=False)
	S.setup_logging(outdir, 'file', logging.Formatter(
		'%(asctime)s.%(msecs)03d [%(process)d] [%(threadName)s] %(levelname)-8s %(name)s - %(message)s',
		'%Y-%m-%d %H:%M:%S'))
	here = os.path.dirname(os.path.abspath(__file__))
	path = os.path.join(here, 'loopguard.py')
	with open(path, 'w') as fh:
		fh.write(GUARD_V1)
	try:
		sys.dont_write_bytecode = True
		mod = importlib.import_module('loopguard')
		with open(path, 'w') as fh:
			fh.write(GUARD_V2)
		import linecache
		linecache.clearcache()
		asyncio.run(raise_main(mod.LoopGuard()))
	finally:
		os.remove(path)
	return truth, 'file'


# ---------------------------------------------------------------------------
# cadence_2s: a heartbeat every 2 s, sometimes 2.5 s: its own cadence.


async def cadence_main():
	log = logging.getLogger('app.sync')
	hb = logging.getLogger('app.health')
	loop = asyncio.get_running_loop()
	periods = [2.0, 2.0, 2.5, 2.0, 2.5, 2.0, 2.0, 2.5, 2.0]
	for seq, p in enumerate(periods, 1):
		t = loop.time()
		await asyncio.sleep(p)
		hb.info('heartbeat seq=%d period=%.1fs loop_lag_ms=%.1f', seq, p, (loop.time() - t - p) * 1000)
		if seq % 3 == 0:
			log.info('synced %d records from upstream', 10 * seq)


def neg_cadence_2s(outdir):
	truth = S.Truth(outdir, 'cadence_2s', 'default', handler='file', capture_warnings=True,
		asyncio_debug=False, cadence_s=2.0)
	S.setup_logging(outdir, 'file', logging.Formatter('%(asctime)s %(levelname)s %(name)s: %(message)s'))
	asyncio.run(cadence_main())
	return truth, 'file'


# ---------------------------------------------------------------------------
# ordinary_errors: JSON lines full of handled failures, all retrieved.


async def flaky(i):
	await asyncio.sleep(0.01)
	if i % 3 == 0:
		raise ConnectionResetError(104, 'Connection reset by peer')
	return i


async def slow():
	await asyncio.sleep(5)


async def worker(q, log):
	while True:
		item = await q.get()
		log.info('processed item %d', item)


async def ordinary_main():
	log = logging.getLogger('app')
	rnd = random.Random('ordinary')
	hb = asyncio.ensure_future(heartbeat(logging.getLogger('app.health'), 0.1, 20, rnd))
	q = asyncio.Queue()
	w = asyncio.get_running_loop().create_task(worker(q, log), name='worker-1')
	results = await asyncio.gather(*[flaky(i) for i in range(6)], return_exceptions=True)
	for r in results:
		if isinstance(r, Exception):
			log.error('upstream call failed', exc_info=(type(r), r, r.__traceback__))
	try:
		await asyncio.wait_for(slow(), 0.05)
	except asyncio.TimeoutError:
		log.exception('report generation timed out after 50 ms')
	t = asyncio.get_running_loop().create_task(flaky(3), name='sync-accounts')
	try:
		await t
	except ConnectionError:
		log.exception('task %s failed', t.get_name())
	done = asyncio.get_running_loop().create_task(flaky(1), name='sync-orders')
	await done
	log.info('done: %r', done)
	for i in range(12):
		q.put_nowait(i)
		await asyncio.sleep(rnd.uniform(0.02, 0.08))
	try:
		json.loads('{"id": 3,')
	except ValueError:
		log.exception('bad payload from partner feed')
	try:
		int('twelve')
	except ValueError:
		log.warning('could not parse quantity', exc_info=True)
	w.cancel()
	try:
		await w
	except asyncio.CancelledError:
		log.info('worker-1 cancelled on shutdown')
	await hb


def neg_ordinary_errors(outdir):
	truth = S.Truth(outdir, 'ordinary_errors', 'jsonl', shows_task=True, handler='rotating-gz',
		capture_warnings=True, asyncio_debug=False)
	S.setup_logging(outdir, 'rotating-gz', S.JsonFormatter(), max_bytes=6000, task_filter=True)
	asyncio.run(ordinary_main())
	return truth, 'file'


# ---------------------------------------------------------------------------
# quoted_errors: at ERROR, messages that quote the wordings issue 11 added
# (an application's str(exc) and repr forms, uvloop's texts, the unraisable
# hook's header, a handler's "exception was never retrieved" with no
# traceback, "Exception in callback" cut short) inside prose, test names and
# quotes; at INFO and DEBUG, the reprs and texts of real exceptions the
# service caught and handled. None is a failure.

QUOTED_ERRORS = [
	"CI: test_event_loop_is_closed_after_run FAILED: expected RuntimeError('Event loop is closed') to be raised",
	"assertion failed: str(exc) == 'Event loop is closed'",
	"uvloop says this event loop is already running. when nested (see KB-7)",
	"docs build failed: Task exception was never retrieved (3 pages)",
	"lint error: Exception in callback",
	"flaky: 'Exception ignored in: <coroutine object fetch at 0x7f0e4e6a6610>' seen twice",
	"review: Exception ignored in: <coroutine object fetch at 0x7f0e4e6a6610>",
	'grep for "ResourceWarning: unclosed resource <TCPTransport" in CI logs',
	"mock side_effect=RuntimeError('Event loop is closed')",
	"ticket #5120: Task <Task pending name='t'> got Future attached to a different loop, again",
]


async def child_job():
	return 1


async def quoted_main():
	log = logging.getLogger('app.ci')
	hb = asyncio.ensure_future(heartbeat(logging.getLogger('app.health'), 0.1, 14, None))
	closed = asyncio.new_event_loop()
	closed.close()
	for i, line in enumerate(QUOTED_ERRORS):
		await asyncio.sleep(0.1)
		log.error('%s', line)
		if i == 2:
			try:
				closed.call_soon(print)
			except RuntimeError as e:	# handled: the probe of a closed loop
				log.info('probe state: %r', e)
				log.debug('probe state: %s', e)
		if i == 5:
			c = child_job()
			try:
				asyncio.run(c)
			except RuntimeError as e:	# handled: refused nested run
				log.info('nested run refused as expected: %r', e)
			c.close()
	await hb


def neg_quoted_errors(outdir):
	truth = S.Truth(outdir, 'quoted_errors', 'default', handler='file', capture_warnings=True,
		asyncio_debug=False)
	S.setup_logging(outdir, 'file', logging.Formatter('%(asctime)s %(levelname)s %(name)s: %(message)s'))
	asyncio.run(quoted_main())
	return truth, 'file'


NEGATIVES = {
	'prose_docs': neg_prose_docs,
	'custom_handler': neg_custom_handler,
	'raise_source': neg_raise_source,
	'cadence_2s': neg_cadence_2s,
	'ordinary_errors': neg_ordinary_errors,
	'quoted_errors': neg_quoted_errors,
}


def main(argv):
	if argv and argv[0] == '--list':
		print('\n'.join(NEGATIVES))
		return 0
	if len(argv) != 2 or argv[0] not in NEGATIVES:
		print('usage: negative.py NAME OUTDIR | --list; names: %s' % ' '.join(NEGATIVES),
			file=sys.stderr)
		return 2
	os.makedirs(argv[1], exist_ok=True)
	truth, target = NEGATIVES[argv[0]](argv[1])
	logging.shutdown()
	truth.write(target)
	return 0


if __name__ == '__main__':
	sys.exit(main(sys.argv[1:]))
