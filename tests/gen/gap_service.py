#!/usr/bin/env python3
"""An order-shipping asyncio service that restarts, idles and blocks, for
aiosift's gap fixtures (tests/gen/make_gaps.sh runs it).

usage: python gap_service.py OUTDIR RUN [--debug]

RUN is one run of the service, appending to OUTDIR/app.log, as a process
under systemd would: a startup banner with its pid, orders shipped every
~50 ms by two workers (each order priced with a 1 s timeout), and a clean
shutdown banner. Run "a" also blocks the loop for 1.5 s in a coroutine
(a synchronous price-cache refresh: time.sleep, while a price fetch is
waiting on its timeout) and then goes idle for 3 s (the producer waits for
the next batch; nothing is pending). The truth the program recorded about
itself (the block's start, end and task; the idle period; the run's pid
and time span) is appended to OUTDIR/truth.jsonl, never read back from the
log. Exit status 75: the run was disturbed (an unplanned loop lag over
0.3 s), run it again.
"""
import asyncio
import json
import logging
import os
import sys
import time

FMT = '%(asctime)s [%(process)d] %(levelname)s %(name)s [%(taskName)s] %(message)s'
EX_UNSTABLE = 75


class Service:
	def __init__(self, outdir, run):
		self.outdir, self.run = outdir, run
		self.log = logging.getLogger('shop.orders')
		self.plog = logging.getLogger('shop.pricing')
		self.queue = asyncio.Queue()
		self.shipped = 0
		self.lags = []
		self.truth = []

	def record(self, **kw):
		kw['run'] = self.run
		self.truth.append(kw)

	async def fetch_price(self, order):
		await asyncio.sleep(0.02)	# the pricing service answers in 20 ms
		return 10 + order % 7

	async def price(self, order, timeout=1.0):
		try:
			return await asyncio.wait_for(self.fetch_price(order), timeout)
		except asyncio.TimeoutError:
			self.plog.warning('price fetch for order %d timed out after %.1f s', order, timeout)
			return None

	async def worker(self):
		while True:
			order = await self.queue.get()
			p = await self.price(order)
			await asyncio.sleep(0.01)
			self.shipped += 1
			self.log.info('order %d shipped (price %s)', order, p)
			self.queue.task_done()

	async def slow_fetch(self, order):
		# a price fetch whose answer never comes before its timeout:
		# started just before the loop blocks, it times out as it resumes
		await asyncio.sleep(5)
		return 0

	async def refresh_cache(self):
		"""The bug: a synchronous refresh inside a coroutine."""
		self.log.info('refreshing price cache (3 regions)')
		t0 = time.time()
		time.sleep(1.5)		# blocks the event loop
		t1 = time.time()
		self.log.info('price cache refreshed')
		self.record(what='block', start=t0, end=t1, seconds=round(t1 - t0, 3),
			task=asyncio.current_task().get_name(), coro='Service.refresh_cache')

	async def timed_fetch(self, order):
		try:
			await asyncio.wait_for(self.slow_fetch(order), 1.0)
		except asyncio.TimeoutError:
			self.plog.warning('price fetch for order %d timed out after 1.0 s', order)

	async def produce(self, first, n):
		for i in range(first, first + n):
			await self.queue.put(i)
			self.log.debug('order %d queued', i)
			await asyncio.sleep(0.05)

	async def lag_watch(self):
		# measures loop lag without logging (logging would fill the gaps)
		loop = asyncio.get_running_loop()
		while True:
			t = loop.time()
			await asyncio.sleep(0.05)
			self.lags.append((time.time(), loop.time() - t - 0.05))

	async def main(self, debug):
		loop = asyncio.get_running_loop()
		self.log.info('starting pid=%d python=%d.%d debug=%s', os.getpid(),
			sys.version_info[0], sys.version_info[1], debug)
		t_start = time.time()
		watch = loop.create_task(self.lag_watch(), name='lag-watch')
		workers = [loop.create_task(self.worker(), name='worker-%d' % i) for i in (1, 2)]
		await self.produce(1, 30)
		if self.run == 'a':
			fetch = loop.create_task(self.timed_fetch(31), name='price-31')
			await asyncio.sleep(0.2)
			await loop.create_task(self.refresh_cache(), name='cache-refresher')
			await fetch
			await self.produce(31, 20)
			await self.queue.join()
			# idle: nothing queued, nothing pending, nobody logs
			self.log.info('batch done; waiting for the next batch')
			t0 = time.time()
			await asyncio.sleep(3.0)
			self.record(what='idle', start=t0, end=time.time())
			await self.produce(51, 20)
		await self.queue.join()
		for t in workers + [watch]:
			t.cancel()
		await asyncio.gather(*workers, watch, return_exceptions=True)
		self.log.info('stopping: %d orders shipped, bye', self.shipped)
		self.record(what='run', pid=os.getpid(), start=t_start, end=time.time())
		blocked = [b for b in self.truth if b['what'] == 'block']
		bad = [(t, lag) for t, lag in self.lags if lag > 0.3 and not any(
			b['start'] - 0.1 <= t <= b['end'] + 0.5 for b in blocked)]
		return bad


def main(argv):
	outdir, run = argv[0], argv[1]
	debug = '--debug' in argv
	h = logging.FileHandler(os.path.join(outdir, 'app.log'))
	h.setFormatter(logging.Formatter(FMT))
	root = logging.getLogger()
	root.addHandler(h)
	root.setLevel(logging.DEBUG if debug else logging.INFO)
	svc = Service(outdir, run)
	bad = asyncio.run(svc.main(debug), debug=debug)
	if bad:
		print('unplanned loop lag: %r' % bad, file=sys.stderr)
		return EX_UNSTABLE
	with open(os.path.join(outdir, 'truth.jsonl'), 'a') as f:
		for t in svc.truth:
			f.write(json.dumps(t) + '\n')
	return 0


if __name__ == '__main__':
	sys.exit(main(sys.argv[1:]))
