#!/usr/bin/env python3
"""Small asyncio services that fail for real, for aiosift's fixtures.

usage: python scenarios.py SCENARIO OUTDIR     run one scenario
       python scenarios.py --list               name, first Python, log target

Each scenario runs a real asyncio service for two or three seconds under the
running CPython: ordinary traffic (heartbeats every 100 ms, requests, jobs),
ordinary application errors logged with log.exception (never findings), and
real asyncio failures. The log goes to OUTDIR/app.log (rotation sets with
gzip members for some), or to stderr for the bare-stderr scenarios (the
caller redirects 2>OUTDIR/app.log).

The truth is recorded by the program itself, never read back from the log:
ts_min just before a failure is triggered, ts_max once it must have been
logged (after gc.collect() and a short sleep for the ones Python reports from
a finalizer), the measured length for a stall. It is written to
OUTDIR/expected.json in the format of the shared samples. A field is null
when the log cannot show it (a task name in a format without one).

Exit status 75 means the run was disturbed (an unplanned loop lag over
0.3 s, an unplanned slow-callback warning): make_fixtures.sh runs it again.
"""
import asyncio
import datetime
import functools
import gc
import gzip
import json
import logging
import logging.handlers
import os
import random
import shutil
import socket
import sys
import threading
import time
import traceback
import warnings

PY = '%d.%d.%d' % sys.version_info[:3]
UTC = datetime.timezone.utc
IST = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
MST = datetime.timezone(datetime.timedelta(hours=-7))
SUPPRESSED = "warnings filter 'default' action: same message at the same location is shown once"
EX_UNSTABLE = 75


# ---------------------------------------------------------------------------
# truth


class Truth:
	"""What a correct analyzer must find, recorded as the program runs."""

	def __init__(self, outdir, scenario, fmt, tz=UTC, shows_task=False, **meta):
		self.outdir, self.scenario, self.fmt, self.tz = outdir, scenario, fmt, tz
		self.shows_task = shows_task
		self.meta = meta
		self.findings, self.suppressed = [], []
		self.sites = set()
		self.planned = []	# (start, end) of planned stalls
		self.unstable = []	# reasons the run is not trustworthy
		self.started = time.time()

	def iso(self, t):
		return datetime.datetime.fromtimestamp(t, self.tz).isoformat()

	def vis(self, task):
		"""A task name as the log shows it: only formats with a task field."""
		return task if self.shows_task else None

	def add(self, kind, t0, t1, task=None, coro=None, exception=None, duration_s=None):
		self.findings.append({'kind': kind, 'task': task, 'coro': coro,
			'exception': exception, 'ts_min': self.iso(t0),
			'ts_max': self.iso(t1), 'duration_s': duration_s})

	def leak(self, site, coro, t0, t1, task=None):
		"""A never-awaited coroutine: Python's warning filter shows the same
		text at the same location once; the repeats are listed apart."""
		if (site, coro) in self.sites:
			self.suppressed.append({'kind': 'never_awaited', 'task': task,
				'coro': coro, 'ts': self.iso(t0), 'reason': SUPPRESSED})
		else:
			self.sites.add((site, coro))
			self.add('never_awaited', t0, t1, task=task, coro=coro)

	def plan_stall(self, seconds):
		t = time.time()
		self.planned.append((t - 0.05, t + seconds + 0.35))

	def in_planned(self, t):
		return any(a <= t <= b for a, b in self.planned)

	def write(self, log_target):
		ended = time.time()
		if log_target == 'stderr':
			files = ['app.log']
		else:
			files = list_files(self.outdir)
		doc = {'python': PY, 'scenario': self.scenario, 'format': self.fmt,
			'files': files,
			'findings': sorted(self.findings, key=lambda f: (f['ts_min'], f['kind'])),
			'utc_offset': datetime.datetime.fromtimestamp(self.started, self.tz).strftime('%z'),
			'suppressed': self.suppressed}
		doc.update(self.meta)
		doc.update({'log_target': log_target, 'tz': str(self.tz),
			'run_started': self.iso(self.started), 'run_ended': self.iso(ended)})
		if self.unstable:
			doc['unstable'] = self.unstable
		with open(os.path.join(self.outdir, 'expected.json'), 'w') as fh:
			json.dump(doc, fh, indent=2)
			fh.write('\n')


def list_files(outdir):
	"""The log files of OUTDIR, newest first within each rotation set
	(app.log, .1, .2.gz / by time), sets by name."""
	names = [n for n in os.listdir(outdir) if '.log' in n and n != 'expected.json']
	def key(n):
		base = n[:n.index('.log') + 4]
		rest = n[len(base):].lstrip('.-')
		if rest.endswith('.gz'):
			rest = rest[:-3]
		if rest == '':
			return (base, 0, 0, '')
		if rest.isdigit():
			return (base, 1, int(rest), '')
		# time-stamped names: newest first
		return (base, 2, 0, ''.join(chr(0x10ffff - ord(c)) for c in rest))
	return sorted(names, key=key)


# ---------------------------------------------------------------------------
# logging set-ups


class IsoFormatter(logging.Formatter):
	"""ISO-8601 times with the zone's offset (2026-11-24T23:31:12.430+05:30)."""

	def __init__(self, fmt, tz):
		super().__init__(fmt)
		self.tz = tz

	def formatTime(self, record, datefmt=None):
		d = datetime.datetime.fromtimestamp(record.created, self.tz)
		return d.isoformat(timespec='milliseconds')


class TaskFilter(logging.Filter):
	"""record.task: the current asyncio task's name, or None."""

	def filter(self, record):
		try:
			t = asyncio.current_task()
		except RuntimeError:
			t = None
		record.task = t.get_name() if t is not None else None
		return True


class JsonFormatter(logging.Formatter):
	"""One JSON object a line, as python-json-logger style services write."""

	def format(self, record):
		d = {'ts': datetime.datetime.fromtimestamp(record.created, UTC)
				.strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
			'level': record.levelname, 'logger': record.name,
			'pid': record.process, 'thread': record.threadName,
			'task': getattr(record, 'task', None), 'msg': record.getMessage()}
		if record.exc_info:
			d['exc_info'] = self.formatException(record.exc_info)
		return json.dumps(d)


def gzip_rotator(members=1):
	"""A rotator that gzips the rotated file (in MEMBERS gzip members, split
	at line boundaries, as `gzip -c part >> file.gz` would)."""
	def rotate(source, dest):
		with open(source, 'rb') as fh:
			data = fh.read()
		parts = [data]
		if members > 1 and data:
			cut = data.find(b'\n', len(data) // 2) + 1
			if 0 < cut < len(data):
				parts = [data[:cut], data[cut:]]
		with open(dest, 'wb') as out:
			for p in parts:
				with gzip.GzipFile(filename=os.path.basename(dest)[:-3],
						mode='wb', fileobj=out) as gz:
					gz.write(p)
		os.remove(source)
	return rotate


class DelayCompressHandler(logging.handlers.RotatingFileHandler):
	"""logrotate's delaycompress: app.log.1 stays plain, older ones are
	gzipped (app.log.2.gz, app.log.3.gz...)."""

	def doRollover(self):
		if self.stream:
			self.stream.close()
			self.stream = None
		base = self.baseFilename
		for i in range(self.backupCount - 1, 1, -1):
			s, d = '%s.%d.gz' % (base, i), '%s.%d.gz' % (base, i + 1)
			if os.path.exists(s):
				os.replace(s, d)
		if os.path.exists(base + '.1'):
			gzip_rotator()(base + '.1', base + '.2.gz')
		if os.path.exists(base):
			os.replace(base, base + '.1')
		if not self.delay:
			self.stream = self._open()


def make_handler(kind, path, max_bytes):
	if kind == 'rotating-gz' or kind == 'rotating-gz2':
		h = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=9)
		h.namer = lambda name: name + '.gz'
		h.rotator = gzip_rotator(2 if kind == 'rotating-gz2' else 1)
	elif kind == 'rotating-plain':
		h = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=9,
			encoding='utf-8')
	elif kind == 'rotating-delaycompress':
		h = DelayCompressHandler(path, maxBytes=max_bytes, backupCount=9)
	elif kind == 'timed-gz':
		h = logging.handlers.TimedRotatingFileHandler(path, when='S', interval=1)
		h.namer = lambda name: name + '.gz'
		h.rotator = gzip_rotator()
	elif kind == 'file':
		h = logging.FileHandler(path)
	elif kind == 'stderr':
		h = logging.StreamHandler(sys.stderr)
	else:
		raise ValueError(kind)
	return h


def setup_logging(outdir, handler, formatter, level=logging.DEBUG, max_bytes=6000,
		capture=True, task_filter=False):
	for n in os.listdir(outdir):
		if n.startswith('app.log') and handler != 'stderr':
			os.remove(os.path.join(outdir, n))
	h = make_handler(handler, os.path.join(outdir, 'app.log'), max_bytes)
	h.setFormatter(formatter)
	if task_filter:
		h.addFilter(TaskFilter())
	root = logging.getLogger()
	root.handlers[:] = [h]
	root.setLevel(level)
	logging.captureWarnings(capture)
	return h


class SlowCallbackWatch(logging.Filter):
	"""Marks the run unstable when asyncio reports a slow step that was not
	planned (a busy machine), so the generator runs it again."""

	def __init__(self, truth):
		super().__init__()
		self.truth = truth

	def filter(self, record):
		if record.msg == 'Executing %s took %.3f seconds':
			if not self.truth.in_planned(time.time()):
				self.truth.unstable.append('unplanned slow step %.3f s' % record.args[1])
		return True


# ---------------------------------------------------------------------------
# the common service skeleton


class Service:
	"""Heartbeat, housekeeping and helpers shared by the scenarios."""

	hb_period = 0.1

	def __init__(self, truth, seed):
		self.truth = truth
		self.rnd = random.Random(seed)
		self.running = True
		self.bg = set()
		self.hb_log = logging.getLogger('app.health')
		self.maint_log = logging.getLogger('app.maint')
		self.hb_seq = 0

	def spawn(self, coro, name=None):
		t = asyncio.get_running_loop().create_task(coro, name=name)
		self.bg.add(t)
		t.add_done_callback(self.bg.discard)
		return t

	async def heartbeat(self):
		loop = asyncio.get_running_loop()
		while self.running:
			t = loop.time()
			await asyncio.sleep(self.hb_period)
			lag = loop.time() - t - self.hb_period
			self.hb_seq += 1
			if lag > 0.3 and not self.truth.in_planned(time.time()):
				self.truth.unstable.append('unplanned loop lag %.3f s' % lag)
			self.hb_log.debug('heartbeat seq=%d tasks=%d loop_lag_ms=%.1f', self.hb_seq,
				len(asyncio.all_tasks()), lag * 1000)

	async def housekeeping(self, period=0.35):
		while self.running:
			await asyncio.sleep(period)
			n = gc.collect()
			self.maint_log.debug('housekeeping: gc collected %d objects, %d entries in cache',
				n, self.rnd.randint(40, 90))

	async def confirm(self, kind, t0, delay=0.15, **fields):
		"""Record a failure Python reports later (from a finalizer): wait,
		collect, and take ts_max once it must have been written."""
		await asyncio.sleep(delay)
		gc.collect()
		await asyncio.sleep(0.01)
		self.truth.add(kind, t0, time.time(), **fields)

	def later(self, kind, t0, delay=0.15, **fields):
		self.spawn(self.confirm(kind, t0, delay, **fields))

	def fire_and_forget(self, coro, name=None):
		"""Start a task nobody keeps or awaits; returns (t0, name, qualname)."""
		q = coro.__qualname__
		t0 = time.time()
		if name is None:
			t = asyncio.ensure_future(coro)
		else:
			t = asyncio.get_running_loop().create_task(coro, name=name)
		tname = t.get_name()
		del t
		return t0, tname, q

	def block(self, log, seconds, msg, *args):
		"""Block the loop (a synchronous call in async code): returns
		(start, end) of the blocking call."""
		log.info(msg, *args)
		self.truth.plan_stall(seconds)
		t0 = time.time()
		time.sleep(seconds)
		return t0, time.time()

	async def stop_background(self):
		self.running = False
		for t in list(self.bg):
			t.cancel()
		await asyncio.gather(*self.bg, return_exceptions=True)


def current_name():
	t = asyncio.current_task()
	return t.get_name() if t is not None else None


def ip(rnd):
	return '10.%d.%d.%d' % (rnd.randint(0, 9), rnd.randint(0, 255), rnd.randint(1, 254))


# ---------------------------------------------------------------------------
# web_pool: default layout, RotatingFileHandler with gzip members (two
# members a file), captureWarnings, no debug mode.


class WebWorkerPool(Service):
	USERS = {'u1001': 'ada', 'u1002': 'grace', 'u1003': 'linus'}
	PATHS = ['/api/items/%d', '/api/search?q=%s', '/api/users/%s', '/healthz']

	def __init__(self, truth):
		super().__init__(truth, 'web_pool')
		self.log = logging.getLogger('app.web')
		self.access = logging.getLogger('app.access')
		self.metrics_log = logging.getLogger('app.metrics')
		self.q = None	# made inside the loop (3.8/3.9 bind it at creation)
		self.served = 0

	async def audit_log(self, req):
		await asyncio.sleep(0)
		logging.getLogger('app.audit').info('audit %s %s', req['method'], req['path'])

	async def send_metrics(self, batch):
		await asyncio.sleep(0.02)
		raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 8125)")

	async def refresh_geo_db(self):
		await asyncio.sleep(0.03)
		raise FileNotFoundError(2, 'No such file or directory', '/var/lib/geoip/GeoLite2-City.mmdb')

	def geoip_lookup(self, addr):
		return 'NL'

	async def handle(self, req, wname):
		await asyncio.sleep(self.rnd.uniform(0.002, 0.009))
		path = req['path']
		if path.startswith('/api/users/'):
			name = self.USERS[path.rsplit('/', 1)[1]]
			return 200, 180 + len(name)
		if path.startswith('/admin/'):
			t0 = time.time()
			self.audit_log(req)	# forgot the await: the coroutine is dropped here
			self.truth.leak('web.audit', 'WebWorkerPool.audit_log', t0, time.time())
			return 200, 128
		if path == '/api/geo':
			t0, t1 = self.block(self.log, 0.8, 'geo lookup for %s (sync resolver)', req['ip'])
			self.log.info('geo lookup for %s -> %s', req['ip'], self.geoip_lookup(req['ip']))
			await asyncio.sleep(0)
			self.truth.add('stall', t0, time.time(), duration_s=round(t1 - t0, 3))
			return 200, 64
		return 200, self.rnd.randint(200, 9000)

	async def worker(self, wname):
		while True:
			req = await self.q.get()
			t = time.monotonic()
			try:
				status, size = await self.handle(req, wname)
			except Exception:
				self.log.exception('unhandled error while serving %s %s', req['method'], req['path'])
				status, size = 500, 0
			self.served += 1
			self.access.info('%s - - "%s %s HTTP/1.1" %d %d %.1fms', req['ip'], req['method'],
				req['path'], status, size, (time.monotonic() - t) * 1000)

	def request(self, path=None, method='GET'):
		r = self.rnd
		if path is None:
			p = r.choice(self.PATHS)
			if '%d' in p:
				path = p % r.randint(1, 99999)
			elif 'users' in p:
				path = p % r.choice(['u1001', 'u1002', 'u1003'])
			elif '%s' in p:
				path = p % r.choice(['lamp', 'desk', 'chair'])
			else:
				path = p
		self.q.put_nowait({'ip': ip(r), 'method': method, 'path': path})

	async def traffic(self):
		while self.running:
			await asyncio.sleep(self.rnd.uniform(0.015, 0.045))
			self.request()

	async def flush_metrics(self):
		n = 0
		while self.running:
			await asyncio.sleep(0.25)
			n += 1
			self.metrics_log.debug('flushed %d gauges to statsd', 10 + n % 7)

	async def main(self):
		self.log.info('starting web pool pid=%d python=%s', os.getpid(), PY)
		self.q = asyncio.Queue()
		for i in range(4):
			self.spawn(self.worker('web-worker-%d' % i), name='web-worker-%d' % i)
		self.spawn(self.heartbeat(), name='heartbeat')
		self.spawn(self.housekeeping(), name='housekeeping')
		self.spawn(self.traffic(), name='traffic')
		self.spawn(self.flush_metrics(), name='metrics')
		await asyncio.sleep(0.3)
		self.request('/admin/flags/dark-mode', 'POST')
		await asyncio.sleep(0.25)
		# fire-and-forget metrics push: nobody retrieves its exception
		t0, name, q = self.fire_and_forget(self.send_metrics([1, 2, 3]))
		self.later('never_retrieved', t0, task=name, coro=q, exception='ConnectionRefusedError')
		await asyncio.sleep(0.3)
		self.request('/api/users/u9071')	# KeyError, logged by the app: not a finding
		await asyncio.sleep(0.1)
		self.request('/api/geo')
		await asyncio.sleep(0.3)
		self.request('/admin/flags/dark-mode', 'POST')	# same leak again: shown once
		t0, name, q = self.fire_and_forget(self.refresh_geo_db(), name='geo-db-refresh')
		self.later('never_retrieved', t0, task=name, coro=q, exception='FileNotFoundError')
		await asyncio.sleep(0.4)
		self.request('/admin/flags/beta', 'POST')
		await asyncio.sleep(0.2)
		t0, name, q = self.fire_and_forget(self.send_metrics([4, 5]))
		self.later('never_retrieved', t0, task=name, coro=q, exception='ConnectionRefusedError')
		await asyncio.sleep(0.35)
		await self.stop_background()
		self.log.info('web pool stopped, %d requests served', self.served)


def scenario_web_pool(outdir):
	truth = Truth(outdir, 'web_pool', 'default', handler='rotating-gz-2members',
		capture_warnings=True, asyncio_debug=False)
	setup_logging(outdir, 'rotating-gz2',
		logging.Formatter('%(asctime)s %(levelname)s %(name)s: %(message)s'), max_bytes=4000)
	svc = WebWorkerPool(truth)
	asyncio.run(svc.main())
	return truth


# ---------------------------------------------------------------------------
# queue_consumer: asctime with dot milliseconds, [pid] [threadName];
# TimedRotatingFileHandler (per second) with gzip members; debug mode.


class Consumer(Service):
	def __init__(self, truth):
		super().__init__(truth, 'queue_consumer')
		self.log = logging.getLogger('app.consumer')
		self.metrics = MetricsClient()
		self.q = None
		self.msg_id = 1000
		self.acks = {}

	def lookup_geo(self, msg):
		return {'country': 'NL', 'msg': msg['id']}

	async def _enrich(self, msg):
		geo = await self.lookup_geo(msg)	# not a coroutine function
		msg['geo'] = geo

	async def _watch_lease(self, lease):
		fut = asyncio.get_running_loop().create_future()
		self.log.info('watching lease %s', lease)
		await fut	# nobody ever resolves it, nobody keeps the task

	def _ack_timeout(self, msg_id):
		del self.acks[msg_id]	# already acked: KeyError

	async def process(self, msg, wname):
		kind = msg['type']
		if kind == 'flush':
			t0 = time.time()
			self.metrics.flush()	# forgot the await
			self.truth.leak('consumer.flush', 'MetricsClient.flush', t0, time.time())
		elif kind == 'enrich':
			t0 = time.time()
			try:
				await self._enrich(msg)
			except TypeError:
				self.log.exception('enrichment failed for msg id=%d', msg['id'])
				self.truth.add('await_non_awaitable', t0, time.time(), coro='Consumer._enrich',
					exception='TypeError')
		elif kind == 'rebuild':
			t0, t1 = self.block(self.log, 0.7, 'rebuilding routing table (%d routes)', 5000)
			self.log.info('routing table rebuilt')
			await asyncio.sleep(0)
			self.truth.add('stall', t0, time.time(), task=wname, coro='Consumer.run',
				duration_s=round(t1 - t0, 3))
		elif kind == 'poison':
			try:
				json.loads(msg['body'])
			except ValueError:
				self.log.exception('poison message id=%d moved to dead-letter queue', msg['id'])
		else:
			await asyncio.sleep(self.rnd.uniform(0.001, 0.006))
		self.log.info('consumed msg id=%d type=%s', msg['id'], kind)

	async def run(self, wname):
		while True:
			msg = await self.q.get()
			await self.process(msg, wname)

	def put(self, kind=None, body='{}'):
		self.msg_id += 1
		if kind is None:
			kind = self.rnd.choice(['order.paid', 'cart.touched', 'user.updated'])
		self.q.put_nowait({'id': self.msg_id, 'type': kind, 'body': body})

	async def producer(self):
		while self.running:
			await asyncio.sleep(self.rnd.uniform(0.02, 0.05))
			self.put()

	async def main(self):
		loop = asyncio.get_running_loop()
		loop.slow_callback_duration = 0.4
		self.q = asyncio.Queue()
		logging.getLogger('app.main').info('starting queue_consumer pid=%d python=%s', os.getpid(), PY)
		for i in range(3):
			self.spawn(self.run('consumer-%d' % i), name='consumer-%d' % i)
		self.spawn(self.heartbeat(), name='heartbeat')
		self.spawn(self.housekeeping(), name='housekeeping')
		self.spawn(self.producer(), name='producer')
		logging.getLogger('app').info('consumer group started: 3 workers, prefetch=50')
		await asyncio.sleep(0.3)
		self.put('flush')
		await asyncio.sleep(0.3)
		self.put('poison', body='{"id": 17, "amount": ')
		await asyncio.sleep(0.2)
		self.put('rebuild')
		await asyncio.sleep(0.9)
		self.put('enrich')
		t0 = time.time()
		self.acks[4242] = True
		loop.call_later(0.05, self._ack_timeout, 4242)
		del self.acks[4242]
		self.later('callback_exception', t0, 0.1, exception='KeyError')
		await asyncio.sleep(0.2)
		t0 = time.time()
		loop.create_task(self._watch_lease('lease-7'), name='lease-watch-7')
		self.later('task_destroyed_pending', t0, 0.2, task='lease-watch-7', coro='Consumer._watch_lease')
		await asyncio.sleep(0.4)
		self.put('flush')	# same site: suppressed by the warnings filter
		await asyncio.sleep(0.3)
		await self.stop_background()
		logging.getLogger('app').info('consumer group stopped')


class MetricsClient:
	async def flush(self):
		await asyncio.sleep(0)


def scenario_queue_consumer(outdir):
	truth = Truth(outdir, 'queue_consumer', 'pid_thread', handler='timed-gz',
		capture_warnings=True, asyncio_debug=True)
	setup_logging(outdir, 'timed-gz', logging.Formatter(
		'%(asctime)s.%(msecs)03d [%(process)d] [%(threadName)s] %(levelname)-8s %(name)s - %(message)s',
		'%Y-%m-%d %H:%M:%S'))
	logging.getLogger('asyncio').addFilter(SlowCallbackWatch(truth))
	asyncio.run(Consumer(truth).main(), debug=True)
	return truth


# ---------------------------------------------------------------------------
# scheduler: %(taskName)s (3.12+), RotatingFileHandler gzipping every member.


class LegacyCrmClient:
	async def _fetch_accounts(self):
		await asyncio.sleep(0.01)
		return []

	def accounts_sync(self):
		return asyncio.run(self._fetch_accounts())


class Scheduler(Service):
	def __init__(self, truth):
		super().__init__(truth, 'scheduler')
		self.log = logging.getLogger('app.sched')
		self.jobs_log = logging.getLogger('app.jobs')
		self.seq = 0
		self.crm = LegacyCrmClient()
		self.report_cache = {}

	async def refresh_tokens(self):
		await asyncio.sleep(self.rnd.uniform(0.005, 0.03))
		self.jobs_log.info('refreshed %d oauth tokens', self.rnd.randint(1, 40))

	async def poll_inbox(self):
		await asyncio.sleep(self.rnd.uniform(0.005, 0.03))
		self.jobs_log.info('inbox: %d new messages', self.rnd.randint(0, 6))

	async def watch_config(self):
		fut = asyncio.get_running_loop().create_future()
		self.jobs_log.info('watching config for changes')
		await fut

	async def send_digest(self):
		await asyncio.sleep(0.03)
		raise ConnectionResetError(104, 'Connection reset by peer')

	async def sync_legacy(self):
		t0 = time.time()
		try:
			self.crm.accounts_sync()
		except RuntimeError:
			self.jobs_log.exception('legacy CRM sync failed')
		t1 = time.time()
		me = current_name()
		self.truth.add('nested_run', t0, t1, task=me, exception='RuntimeError')
		self.truth.leak('sched.crm', 'LegacyCrmClient._fetch_accounts', t0, t1, task=me)

	async def report(self):
		loop = asyncio.get_running_loop()
		loop.call_soon(self._render_report, 'weekly')
		await asyncio.sleep(0.01)

	def _render_report(self, name):
		self.jobs_log.info('rendering %s report', name)
		return self.report_cache[name]['rows']

	async def compact_db(self):
		t0, t1 = self.block(self.jobs_log, 0.85, 'compacting sqlite cache (VACUUM)')
		self.jobs_log.info('compaction done')
		await asyncio.sleep(0)
		self.truth.add('stall', t0, time.time(), task=current_name(),
			duration_s=round(t1 - t0, 3))

	async def export_csv(self):
		await asyncio.sleep(0.01)
		rows = {'2026-11': 12}
		try:
			return rows['2026-12']
		except KeyError:
			self.jobs_log.exception('export failed: no rows for period')

	def start(self, fn, keep=True):
		self.seq += 1
		name = 'job:%s#%d' % (fn.__name__.replace('_', '-'), self.seq)
		self.log.debug('spawned %s', name)
		if keep:
			self.spawn(self.wrap(fn, name), name=name)
		else:	# nobody keeps a reference
			asyncio.get_running_loop().create_task(fn(), name=name)
		return name

	async def wrap(self, fn, name):
		await fn()
		logging.getLogger('app.sched').info('job %s finished', name)

	async def main(self):
		logging.getLogger('app').info('scheduler started pid=%d python=%s', os.getpid(), PY)
		self.spawn(self.heartbeat(), name='heartbeat')
		self.spawn(self.housekeeping(), name='housekeeping')
		plan = [[self.refresh_tokens], [self.refresh_tokens, self.poll_inbox, 'watch'],
			[self.poll_inbox, 'digest'], [self.refresh_tokens, self.export_csv],
			['legacy', self.poll_inbox], ['report'], [self.refresh_tokens, self.poll_inbox],
			['compact'], [self.refresh_tokens], [self.poll_inbox, 'digest'], [self.refresh_tokens],
			['legacy'], [self.poll_inbox]]
		for step in plan:
			await asyncio.sleep(0.15)
			for job in step:
				if job == 'watch':
					t0 = time.time()
					name = self.start(self.watch_config, keep=False)
					self.later('task_destroyed_pending', t0, 0.3, task=name, coro='Scheduler.watch_config')
				elif job == 'digest':
					t0 = time.time()
					name = self.start(self.send_digest, keep=False)
					self.later('never_retrieved', t0, 0.2, task=name, coro='Scheduler.send_digest',
						exception='ConnectionResetError')
				elif job == 'legacy':
					self.start(self.sync_legacy)
				elif job == 'report':
					t0 = time.time()
					self.start(self.report)
					self.later('callback_exception', t0, 0.1, exception='KeyError')
				elif job == 'compact':
					self.start(self.compact_db)
				else:
					self.start(job)
		await asyncio.sleep(0.3)
		await self.stop_background()
		logging.getLogger('app').info('scheduler stopped')


def scenario_scheduler(outdir):
	truth = Truth(outdir, 'scheduler', 'taskname', shows_task=True, handler='rotating-gz',
		capture_warnings=True, asyncio_debug=False)
	setup_logging(outdir, 'rotating-gz', logging.Formatter(
		'%(asctime)s %(levelname)-8s [%(taskName)s] %(name)s: %(message)s'), max_bytes=5000)
	asyncio.run(Scheduler(truth).main())
	return truth


# ---------------------------------------------------------------------------
# sync_bridge: ISO-8601 with +05:30, ' | ' separated; delaycompress rotation;
# sync code calling into asyncio from inside the loop; a loop managed by
# hand, closed while a thread still uses it.


class ConfigClient:
	async def fetch(self):
		await asyncio.sleep(0.01)
		return {'flags': 3}

	def get_sync(self):
		return asyncio.run(self.fetch())


class FeatureCache:
	async def load(self):
		await asyncio.sleep(0.01)

	def load_sync(self):
		loop = asyncio.get_event_loop()
		return loop.run_until_complete(self.load())


class Exporter:
	async def _push(self, rows):
		await asyncio.sleep(0.01)

	def export_sync(self, rows):
		loop = asyncio.new_event_loop()
		try:
			return loop.run_until_complete(self._push(rows))
		finally:
			loop.close()

	async def _push_with_ack(self, ack, box):
		box.append(current_name())
		await ack

	def push_in_thread(self, ack, box):
		return asyncio.run(self._push_with_ack(ack, box))

	async def flush(self):
		await asyncio.sleep(0.01)


class Bridge(Service):
	def __init__(self, truth, loop):
		super().__init__(truth, 'sync_bridge')
		self.loop = loop
		self.log = logging.getLogger('app.bridge')
		self.config = ConfigClient()
		self.features = FeatureCache()
		self.exporter = Exporter()
		self.rid = 0
		self.metrics_stop = False

	async def request(self, kind):
		self.rid += 1
		rid = self.rid
		me = current_name()
		box = []
		t0 = time.time()
		try:
			if kind == 'config':
				self.config.get_sync()
			elif kind == 'features':
				self.features.load_sync()
			elif kind == 'export':
				self.exporter.export_sync([1, 2, 3])
			elif kind == 'upstream':
				await asyncio.sleep(0.005)
				raise RuntimeError('upstream returned 503 Service Unavailable')
			elif kind == 'ack':
				ack = self.loop.create_future()
				await self.loop.run_in_executor(None, self.exporter.push_in_thread, ack, box)
			else:
				await asyncio.sleep(self.rnd.uniform(0.002, 0.01))
				self.log.info('request %d: GET /v1/flags 200', rid)
				return
		except Exception:
			self.log.exception('request %d (%s) failed', rid, kind)
		t1 = time.time()
		if kind == 'ack':
			self.truth.add('different_loop', t0, t1, task=box[0] if box else None,
				coro='Exporter._push_with_ack', exception='RuntimeError')
		coro = {'config': 'ConfigClient.fetch', 'features': 'FeatureCache.load',
			'export': 'Exporter._push'}.get(kind)
		if coro:
			self.truth.add('nested_run', t0, t1, task=self.truth.vis(me), exception='RuntimeError')
			self.truth.leak('bridge.request', coro, t0, t1, task=self.truth.vis(me))

	async def traffic(self, plan):
		i = 0
		while self.running:
			await asyncio.sleep(self.rnd.uniform(0.02, 0.05))
			i += 1
			kind = plan.get(i, 'flags')
			self.spawn(self.request(kind), name='req-%d' % i)

	def _sample(self):
		logging.getLogger('app.metrics').debug('flushed %d gauges to statsd', self.rnd.randint(10, 16))

	def metrics_thread(self):
		try:
			while not self.metrics_stop:
				self.loop.call_soon_threadsafe(self._sample)
				time.sleep(0.1)
		except RuntimeError:
			logging.getLogger('app.metrics').exception('metrics flush failed')

	async def main(self):
		self.spawn(self.heartbeat(), name='heartbeat')
		self.spawn(self.housekeeping(), name='housekeeping')
		plan = {8: 'config', 14: 'upstream', 22: 'features', 29: 'export', 39: 'config',
			47: 'ack', 54: 'upstream', 60: 'config', 66: 'features'}
		self.spawn(self.traffic(plan), name='traffic')
		while self.rid < 70:
			await asyncio.sleep(0.05)
		await self.stop_background()


def scenario_sync_bridge(outdir):
	truth = Truth(outdir, 'sync_bridge', 'iso_tz', tz=IST, handler='rotating-delaycompress',
		capture_warnings=True, asyncio_debug=False)
	setup_logging(outdir, 'rotating-delaycompress', IsoFormatter(
		'%(asctime)s | %(levelname)-8s | %(name)s | %(message)s', IST), max_bytes=5000)
	app = logging.getLogger('app')
	app.info('bridge service starting pid=%d python=%s', os.getpid(), PY)
	loop = asyncio.new_event_loop()
	asyncio.set_event_loop(loop)
	svc = Bridge(truth, loop)
	th = threading.Thread(target=svc.metrics_thread, name='metrics')
	th.start()
	loop.run_until_complete(svc.main())
	app.info('bridge service stopping')
	if hasattr(loop, 'shutdown_default_executor'):
		loop.run_until_complete(loop.shutdown_default_executor())
	t0 = time.time()
	loop.close()
	th.join()
	truth.add('loop_closed', t0, time.time(), exception='RuntimeError')
	t0 = time.time()
	try:
		loop.run_until_complete(svc.exporter.flush())
	except RuntimeError:
		app.exception('final export flush failed during shutdown')
	t1 = time.time()
	truth.add('loop_closed', t0, t1, exception='RuntimeError')
	truth.leak('bridge.final', 'Exporter.flush', t0, t1)
	app.info('bridge service stopped')
	return truth


# ---------------------------------------------------------------------------
# api_gateway: JSON lines with ts/level/logger/msg/exc_info/task; rotation
# set with gzip members; a queue left bound to a warm-up loop.


class Gateway(Service):
	def __init__(self, truth):
		super().__init__(truth, 'api_gateway')
		self.log = logging.getLogger('gateway')
		self.access = logging.getLogger('gateway.access')
		self.sessions = {}
		self.rid = 0
		self.refresh_q = None

	async def _prime_tokens(self):
		self.refresh_q = asyncio.Queue()
		try:
			await asyncio.wait_for(self.refresh_q.get(), 0.01)
		except asyncio.TimeoutError:
			pass
		self.log.info('token cache primed')

	def prime(self):
		"""Warm-up at start: a first asyncio.run() the queue stays bound to."""
		asyncio.run(self._prime_tokens())

	async def quota_sync(self):
		t0 = time.time()
		try:
			item = await self.refresh_q.get()
			self.log.info('quota refresh %s', item)
		except RuntimeError:
			self.log.exception('quota sync failed')
			self.truth.add('different_loop', t0, time.time(), task=current_name(),
				exception='RuntimeError')

	async def push_analytics(self, rid):
		await asyncio.wait_for(asyncio.sleep(1.0), 0.02)

	def purge(self, key):
		self.sessions.pop(key, None)

	async def purge_cache(self, key):
		await self.purge(key)	# a plain method: returns None

	def _expire_session(self, sid):
		del self.sessions[sid]

	async def jwks_refresh(self):
		t0, t1 = self.block(self.log, 0.85,
			'refreshing JWKS from https://auth.example.test/.well-known/jwks.json')
		self.log.info('JWKS refreshed: 3 keys')
		await asyncio.sleep(0)
		self.truth.add('stall', t0, time.time(), task=current_name(), duration_s=round(t1 - t0, 3))

	async def serve(self, rid, kind):
		t = time.monotonic()
		status = 200
		path = self.rnd.choice(['GET /v1/orders', 'GET /v1/me', 'POST /v1/cart', 'GET /v1/products'])
		if kind == 'purge':
			path = 'DELETE /v1/cache/sessions'
			t0 = time.time()
			try:
				await self.purge_cache('s-17')
			except TypeError:
				self.log.exception('cache purge failed')
				status = 500
			self.truth.add('await_non_awaitable', t0, time.time(), task=current_name(),
				coro='Gateway.purge_cache', exception='TypeError')
		elif kind == 'upstream':
			path = 'GET /v1/orders'
			try:
				await asyncio.sleep(0.003)
				raise ConnectionResetError(104, 'Connection reset by peer')
			except ConnectionError:
				self.log.exception('upstream orders-svc failed, returning 502')
				status = 502
		elif kind == 'analytics':
			t0 = time.time()
			name = 'analytics-%d' % rid
			asyncio.get_running_loop().create_task(self.push_analytics(rid), name=name)
			self.later('never_retrieved', t0, 0.2, task=name, coro='Gateway.push_analytics',
				exception='TimeoutError')
		else:
			await asyncio.sleep(self.rnd.uniform(0.002, 0.01))
		self.access.info('%s %d %.1fms rid=%d', path, status, (time.monotonic() - t) * 1000, rid)

	async def traffic(self, plan):
		loop = asyncio.get_running_loop()
		while self.running:
			await asyncio.sleep(self.rnd.uniform(0.02, 0.05))
			self.rid += 1
			kind = plan.get(self.rid)
			if kind == 'expire':
				t0 = time.time()
				self.sessions['s-4242'] = 1
				loop.call_later(0.02, self._expire_session, 's-4242')
				self.sessions.clear()
				self.later('callback_exception', t0, 0.1, exception='KeyError')
			elif kind == 'jwks':
				self.spawn(self.jwks_refresh(), name='jwks-refresh')
			elif kind == 'quota':
				self.spawn(self.quota_sync(), name='quota-sync')
			self.spawn(self.serve(self.rid, kind), name='req-%d' % self.rid)

	async def main(self):
		self.spawn(self.heartbeat(), name='heartbeat')
		self.spawn(self.housekeeping(), name='housekeeping')
		plan = {5: 'quota', 12: 'analytics', 18: 'upstream', 25: 'purge', 31: 'expire',
			38: 'jwks', 47: 'analytics', 55: 'upstream'}
		self.spawn(self.traffic(plan), name='traffic')
		while self.rid < 62:
			await asyncio.sleep(0.05)
		await self.stop_background()
		self.log.info('shutting down')


def scenario_api_gateway(outdir):
	truth = Truth(outdir, 'api_gateway', 'jsonl', shows_task=True, handler='rotating-gz',
		capture_warnings=True, asyncio_debug=False)
	setup_logging(outdir, 'rotating-gz', JsonFormatter(), max_bytes=9000, task_filter=True)
	gw = Gateway(truth)
	gw.log.info('gateway starting pid=%d python=%s', os.getpid(), PY)
	gw.prime()
	asyncio.run(gw.main())
	gw.log.info('gateway stopped')
	return truth


# ---------------------------------------------------------------------------
# cli_batch: basicConfig's LEVEL:logger:message on stderr, no timestamps; a
# loop managed by hand; warnings printed by Python itself.

pending_retries = []


class Uploader:
	async def upload_chunk(self, part):
		await asyncio.sleep(0)


class BatchState:
	def __init__(self, n):
		self.sizes = [0] * n

	def on_part_done(self, idx):
		self.sizes[idx + 1] = 1


async def notify_webhook():
	await asyncio.sleep(0.01)
	raise OSError(101, 'Network is unreachable')


async def progress_reporter(state):
	log = logging.getLogger('batch.progress')
	while True:
		await asyncio.sleep(0.06)
		log.info('progress %d/%d parts', sum(state.sizes), len(state.sizes))


async def write_manifest(state):
	await asyncio.sleep(0)


async def retry_upload(part):
	await asyncio.sleep(0)


async def batch_main(truth, state, loop):
	log = logging.getLogger('batch')
	up = Uploader()
	rnd = random.Random('cli_batch')
	schemas = {'orders': 1}
	n = len(state.sizes)
	log.info('starting batch: %d parts', n)
	for part in range(n):
		await asyncio.sleep(rnd.uniform(0.02, 0.05))
		if part % 9 == 4:
			t0 = time.time()
			up.upload_chunk(part)	# forgot the await, at the same place each time
			truth.leak('batch.upload', 'Uploader.upload_chunk', t0, time.time())
		if part == 11:
			try:
				schemas['payments']
			except KeyError:
				log.exception('schema lookup failed for part-%05d.parquet', part)
		if part == 17:
			t0 = time.time()
			t = asyncio.ensure_future(notify_webhook())
			name = t.get_name()
			del t
			await asyncio.sleep(0.1)
			gc.collect()
			truth.add('never_retrieved', t0, time.time(), task=name, coro='notify_webhook',
				exception='OSError')
		if part == 23:
			pending_retries.append(retry_upload(part))
		state.sizes[part] = 1
		log.info('processed part-%05d.parquet rows=%d', part, rnd.randint(1000, 90000))
	t0 = time.time()
	loop.call_soon(state.on_part_done, n - 1)
	await asyncio.sleep(0.02)
	truth.add('callback_exception', t0, time.time(), exception='IndexError')
	log.info('batch finished')


def scenario_cli_batch(outdir):
	truth = Truth(outdir, 'cli_batch', 'stderr_plain', handler='stderr',
		capture_warnings=False, asyncio_debug=False)
	logging.basicConfig(level=logging.INFO)
	log = logging.getLogger('batch')
	state = BatchState(40)
	loop = asyncio.new_event_loop()
	reporter = loop.create_task(progress_reporter(state), name='progress-reporter')
	loop.run_until_complete(batch_main(truth, state, loop))
	t0 = time.time()
	loop.close()
	del reporter
	gc.collect()
	truth.add('task_destroyed_pending', t0, time.time(), task='progress-reporter',
		coro='progress_reporter')
	t0 = time.time()
	try:
		loop.run_until_complete(write_manifest(state))
	except RuntimeError:
		log.exception('could not write manifest')
	t1 = time.time()
	truth.add('loop_closed', t0, t1, exception='RuntimeError')
	truth.leak('batch.manifest', 'write_manifest', t0, t1)
	log.info('exiting with %d pending retries', len(pending_retries))
	t0 = time.time()
	# retry_upload() is finalized at interpreter exit (sys:1 / <sys>:0),
	# after this file is written: ts_max allows for the exit.
	truth.add('never_awaited', t0, t0 + 0.5, coro='retry_upload')
	return truth


# ---------------------------------------------------------------------------
# crawler: no logging configuration at all, bare stderr; debug mode.


class Crawler:
	def __init__(self, truth):
		self.truth = truth
		self.rnd = random.Random('crawler')
		self.planned = []

	async def _fetch_robots(self, host):
		await asyncio.sleep(0.01)
		return 'User-agent: *'

	def allowed_sync(self, host):
		return asyncio.run(self._fetch_robots(host))

	async def throttle(self):
		await time.sleep(0.01)	# the blocking sleep, awaited

	async def prefetch_dns(self, host):
		await asyncio.sleep(0.01)
		raise socket.gaierror(-2, 'Name or service not known')

	def flush_cache(self, path):
		print('[crawler] flushing page cache to %s' % path, file=sys.stderr)
		self.truth.plan_stall(0.6)
		t0 = time.time()
		time.sleep(0.6)	# a synchronous fsync-heavy callback
		self.flushed = (t0, time.time())

	def parse(self, body):
		self.truth.plan_stall(0.65)
		t0 = time.time()
		time.sleep(0.65)	# a regex from hell
		return t0, time.time()

	async def fetch(self, i):
		await asyncio.sleep(self.rnd.uniform(0.01, 0.08))
		if i == 13:
			print('[crawler] parsing https://shop.example.test/catalog?page=13', file=sys.stderr)
			t0, t1 = self.parse('<html>')
			await asyncio.sleep(0)
			self.truth.add('stall', t0, time.time(), task='fetch-13', coro='Crawler.fetch',
				duration_s=round(t1 - t0, 3))
		if i == 21:
			try:
				raise ConnectionResetError(104, 'Connection reset by peer')
			except ConnectionError:
				print('[crawler] fetch failed: https://shop.example.test/catalog?page=21', file=sys.stderr)
				traceback.print_exc()
		print('[crawler] fetched https://shop.example.test/catalog?page=%d 200 %d bytes' %
			(i, self.rnd.randint(2000, 90000)), file=sys.stderr)


async def crawl_main(truth):
	loop = asyncio.get_running_loop()
	loop.slow_callback_duration = 0.4
	cr = Crawler(truth)
	print('[crawler] crawl started, debug=%s' % loop.get_debug(), file=sys.stderr)
	t0 = time.time()
	try:
		cr.allowed_sync('shop.example.test')
	except RuntimeError:
		traceback.print_exc()
	t1 = time.time()
	truth.add('nested_run', t0, t1, exception='RuntimeError')
	truth.leak('crawler.robots', 'Crawler._fetch_robots', t0, t1)
	t0 = time.time()
	t = asyncio.ensure_future(cr.throttle())
	name = t.get_name()
	del t
	await asyncio.sleep(0.1)
	gc.collect()
	await asyncio.sleep(0.01)
	t1 = time.time()
	truth.add('never_retrieved', t0, t1, task=name, coro='Crawler.throttle', exception='TypeError')
	truth.add('await_non_awaitable', t0, t1, task=name, coro='Crawler.throttle', exception='TypeError')
	for batch in (range(1, 12), range(12, 24), range(24, 32)):
		await asyncio.gather(*[loop.create_task(cr.fetch(i), name='fetch-%d' % i)
			for i in batch])
		if batch[0] == 12:
			t0 = time.time()
			t = asyncio.ensure_future(cr.prefetch_dns('cdn.example.test'))
			name = t.get_name()
			del t
			await asyncio.sleep(0.1)
			gc.collect()
			await asyncio.sleep(0.01)
			truth.add('never_retrieved', t0, time.time(), task=name, coro='Crawler.prefetch_dns',
				exception='gaierror')
	loop.call_later(0.01, cr.flush_cache, '/var/cache/crawler')
	await asyncio.sleep(0.05)
	await asyncio.sleep(0)
	t0, t1 = cr.flushed
	truth.add('stall', t0, time.time(), duration_s=round(t1 - t0, 3))
	print('[crawler] crawl finished: 31 pages', file=sys.stderr)


def scenario_crawler(outdir):
	truth = Truth(outdir, 'crawler', 'stderr_bare', handler='none',
		capture_warnings=False, asyncio_debug=True)
	logging.getLogger('asyncio').addFilter(SlowCallbackWatch(truth))
	asyncio.run(crawl_main(truth), debug=True)
	return truth


# ---------------------------------------------------------------------------
# trace_worker: a StreamHandler on stderr ("[LEVEL] logger:") with Python's
# own warnings in between, under tracemalloc (Object allocated at).


class ReportWorker(Service):
	def __init__(self, truth):
		super().__init__(truth, 'trace_worker')
		self.log = logging.getLogger('worker')
		self.loop = None

	async def render(self, job):
		await asyncio.sleep(0.005)

	def thumbnail(self, n):
		return 100 // n

	def checksum(self, job):
		return None

	async def verify(self, job):
		await self.checksum(job)

	async def flush_outbox(self):
		await asyncio.sleep(0)

	def sync_flush(self):
		return self.loop.run_until_complete(self.flush_outbox())

	async def jobs(self):
		n = 0
		while self.running:
			await asyncio.sleep(self.rnd.uniform(0.03, 0.07))
			n += 1
			if n == 6:
				t0 = time.time()
				self.render(n)	# forgot the await
				self.truth.leak('worker.render', 'ReportWorker.render', t0, time.time())
			elif n == 10:
				t0 = time.time()
				self.loop.run_in_executor(None, self.thumbnail, 0)	# nobody awaits it
				self.later('never_retrieved', t0, 0.2, exception='ZeroDivisionError')
			elif n == 14:
				t0 = time.time()
				try:
					await self.verify(n)
				except TypeError:
					self.log.exception('verification of job %d failed', n)
				self.truth.add('await_non_awaitable', t0, time.time(), coro='ReportWorker.verify',
					exception='TypeError')
			elif n == 18:
				t0, t1 = self.block(self.log, 0.75, 'building PDF for job %d (sync renderer)', n)
				self.log.info('PDF for job %d built', n)
				await asyncio.sleep(0)
				self.truth.add('stall', t0, time.time(), duration_s=round(t1 - t0, 3))
			elif n == 22:
				t0 = time.time()
				try:
					self.sync_flush()
				except RuntimeError:
					self.log.exception('outbox flush failed')
				t1 = time.time()
				self.truth.add('nested_run', t0, t1, exception='RuntimeError')
				self.truth.leak('worker.flush', 'ReportWorker.flush_outbox', t0, t1)
			elif n == 26:
				try:
					{}['template']
				except KeyError:
					self.log.exception('job %d: template lookup failed', n)
			elif n == 28:
				t0 = time.time()
				self.render(n)	# another place: a new location, shown again
				self.truth.leak('worker.render2', 'ReportWorker.render', t0, time.time())
			self.log.info('job %d done in %.1fms', n, self.rnd.uniform(3, 40))

	async def main(self):
		self.loop = asyncio.get_running_loop()
		self.log.info('report worker starting pid=%d python=%s', os.getpid(), PY)
		self.spawn(self.heartbeat(), name='heartbeat')
		self.spawn(self.housekeeping(), name='housekeeping')
		self.spawn(self.jobs(), name='jobs')
		await asyncio.sleep(2.7)
		await self.stop_background()
		self.log.info('report worker stopping')


def late_callback(loop, truth):
	log = logging.getLogger('worker.notify')
	t0 = time.time()
	try:
		loop.call_soon_threadsafe(print)
	except RuntimeError:
		log.exception('could not notify the loop')
	truth.add('loop_closed', t0, time.time(), exception='RuntimeError')


def scenario_trace_worker(outdir):
	import tracemalloc
	tracemalloc.start(5)
	truth = Truth(outdir, 'trace_worker', 'bracket_level', handler='stderr',
		capture_warnings=False, asyncio_debug=False, tracemalloc=True)
	setup_logging(outdir, 'stderr', logging.Formatter(
		'%(asctime)s [%(levelname)s] %(name)s: %(message)s'), capture=False)
	w = ReportWorker(truth)
	loop = asyncio.new_event_loop()
	asyncio.set_event_loop(loop)
	loop.run_until_complete(w.main())
	loop.run_until_complete(loop.shutdown_asyncgens())
	loop.close()
	th = threading.Thread(target=late_callback, args=(loop, truth), name='notifier')
	th.start()
	th.join()
	w.log.info('report worker stopped')
	return truth


# ---------------------------------------------------------------------------
# edge_names: the cookbook layout '%(asctime)s - %(name)s - %(levelname)s -
# %(message)s', RotatingFileHandler with plain numbered backups; names that
# are hard to read back: a task name with a quote (repr in double quotes), a
# non-ASCII task name, a <locals> qualname, a functools.partial callback, a
# _GatheringFuture, a stall right after a traceback, a 12 KB log line.


def make_job(kind):
	async def job():
		await asyncio.sleep(0)
	return job


class Notifier:
	async def push(self, user):
		await asyncio.sleep(0.02)
		raise ValueError("can't parse 'locale' for user %s" % user)


class Poller:
	async def poll(self, queue):
		fut = asyncio.get_running_loop().create_future()
		logging.getLogger('app.poller').info('polling %s', queue)
		await fut


class Cache:
	def __init__(self):
		self.entries = {}

	def evict(self, key, reason=None):
		raise ValueError('cannot evict %s (%s): entry is pinned' % (key, reason))


class EdgeService(Service):
	def __init__(self, truth):
		super().__init__(truth, 'edge_names')
		self.log = logging.getLogger('app')
		self.notifier = Notifier()
		self.poller = Poller()
		self.cache = Cache()

	async def traffic(self):
		log = logging.getLogger('app.requests')
		n = 0
		while self.running:
			await asyncio.sleep(self.rnd.uniform(0.02, 0.06))
			n += 1
			log.info('request %d: GET /v2/catalog/%d 200 (%s)', n, self.rnd.randint(1, 500),
				self.rnd.choice(['München', 'Zürich', 'São Paulo', 'Kraków', '東京']))

	async def fetch_all(self, n):
		await asyncio.sleep(10)

	async def main(self):
		loop = asyncio.get_running_loop()
		self.log.info('edge service starting pid=%d python=%s', os.getpid(), PY)
		self.spawn(self.heartbeat(), name='heartbeat')
		self.spawn(self.housekeeping(), name='housekeeping')
		self.spawn(self.traffic(), name='traffic')
		await asyncio.sleep(0.25)
		# a task name with a quote: repr() puts it in double quotes
		t0, name, q = self.fire_and_forget(self.notifier.push('u-17'), name="it's-notify-u17")
		self.later('never_retrieved', t0, 0.15, task=name, coro=q, exception='ValueError')
		await asyncio.sleep(0.25)
		# a non-ASCII task name, pending forever, dropped
		t0 = time.time()
		loop.create_task(self.poller.poll('инвойсы'), name='очередь-7')
		self.later('task_destroyed_pending', t0, 0.2, task='очередь-7', coro='Poller.poll')
		await asyncio.sleep(0.3)
		# a <locals> qualname, never awaited
		t0 = time.time()
		make_job('reindex')()
		self.truth.leak('edge.job', 'make_job.<locals>.job', t0, time.time())
		await asyncio.sleep(0.2)
		# a functools.partial callback (3.13 hides its arguments)
		t0 = time.time()
		loop.call_soon(functools.partial(self.cache.evict, 'k1', reason='ttl'))
		self.later('callback_exception', t0, 0.05, exception='ValueError')
		await asyncio.sleep(0.2)
		# a gather nobody awaits, cancelled: _GatheringFuture never retrieved
		t0 = time.time()
		g = asyncio.gather(self.fetch_all(1), self.fetch_all(2))
		await asyncio.sleep(0.01)
		g.cancel()
		del g
		self.later('never_retrieved', t0, 0.1, exception='CancelledError')
		await asyncio.sleep(0.25)
		# a 12 KB line, then a traceback right before a stall
		self.log.debug('catalog snapshot: %s', json.dumps([{'sku': 'SKU-%05d' % i,
			'name': 'item %d' % i, 'stock': (i * 37) % 101} for i in range(200)]))
		try:
			{'warm': False}['ready']
		except KeyError:
			self.log.exception('cache warmup failed, rebuilding synchronously')
		self.truth.plan_stall(0.7)
		t0 = time.time()
		time.sleep(0.7)
		t1 = time.time()
		self.log.info('cache rebuilt')
		await asyncio.sleep(0)
		self.truth.add('stall', t0, time.time(), duration_s=round(t1 - t0, 3))
		await asyncio.sleep(0.35)
		await self.stop_background()
		self.log.info('edge service stopped')


def scenario_edge_names(outdir):
	truth = Truth(outdir, 'edge_names', 'cookbook', handler='rotating-plain',
		capture_warnings=True, asyncio_debug=False)
	setup_logging(outdir, 'rotating-plain', logging.Formatter(
		'%(asctime)s - %(name)s - %(levelname)s - %(message)s'), max_bytes=9000)
	asyncio.run(EdgeService(truth).main())
	return truth


# ---------------------------------------------------------------------------
# etl_pipeline: ISO-8601 with -07:00 and [LEVEL]; records go through a
# QueueHandler to a QueueListener thread writing a TimedRotatingFileHandler
# with logrotate dateext names (app.log-20261124-180146.gz); a module-level
# lock shared by two asyncio.run() calls.

ETL_LOCK = asyncio.Lock() if sys.version_info >= (3, 10) else None


class OperationalError(Exception):
	pass


class Sink:
	async def write(self, rows):
		await asyncio.sleep(0)


class Batcher:
	def __init__(self):
		self.rows = 0
		self.batches = 0

	def _flush_due(self):
		return self.rows / self.batches	# no batch yet: ZeroDivisionError


class Pipeline(Service):
	def __init__(self, truth):
		super().__init__(truth, 'etl_pipeline')
		self.log = logging.getLogger('etl')
		self.sink = Sink()
		self.batcher = Batcher()

	async def locked_step(self, name):
		t0 = time.time()
		try:
			async with self.lock:
				await asyncio.sleep(0.02)
			self.log.info('%s: checkpoint written', name)
		except RuntimeError:
			self.log.exception('%s: checkpoint failed', name)
			old = sys.version_info < (3, 10)	# "Task <Task pending name=... coro=<...>> got Future"
			self.truth.add('different_loop', t0, time.time(), task=current_name() if old else None,
				coro='Pipeline.locked_step' if old else None, exception='RuntimeError')

	async def warmup(self):
		"""A first asyncio.run() at start: the shared lock is contended."""
		self.log.info('warmup: validating checkpoints')
		await asyncio.gather(self.locked_step('warmup-a'), self.locked_step('warmup-b'))

	async def load_orders(self):
		await asyncio.sleep(0.03)
		raise OperationalError('server closed the connection unexpectedly')

	def plugin_enrich(self, rows):
		"""A synchronous plugin API that drives the loop itself."""
		loop = asyncio.get_event_loop()
		return loop.run_until_complete(self.sink.write(rows))

	async def extract(self):
		n = 0
		while self.running:
			await asyncio.sleep(self.rnd.uniform(0.03, 0.07))
			n += 1
			self.log.info('extract: batch %d, %d rows from orders_%02d', n, self.rnd.randint(50, 900),
				n % 12)

	async def transform(self, i):
		log = logging.getLogger('etl.transform')
		me = current_name()
		if i == 3:
			t0 = time.time()
			try:
				self.plugin_enrich([1, 2])
			except RuntimeError:
				log.exception('enrich plugin failed')
			t1 = time.time()
			self.truth.add('nested_run', t0, t1, exception='RuntimeError')
			self.truth.leak('etl.enrich', 'Sink.write', t0, t1)
		elif i == 5:
			t0 = time.time()
			try:
				await self.sink.write	# forgot the call
			except TypeError:
				log.exception('sink write failed')
			self.truth.add('await_non_awaitable', t0, time.time(), coro='Pipeline.transform',
				exception='TypeError')
		elif i == 7:
			t0, t1 = self.block(log, 0.9, 'transform %s: sorting 1.2M events in memory', me)
			log.info('transform %s: sorted', me)
			await asyncio.sleep(0)
			self.truth.add('stall', t0, time.time(), duration_s=round(t1 - t0, 3))
		else:
			await asyncio.sleep(self.rnd.uniform(0.01, 0.05))
		log.info('transform %s done', me)

	async def main(self):
		loop = asyncio.get_running_loop()
		self.spawn(self.heartbeat(), name='heartbeat')
		self.spawn(self.housekeeping(), name='housekeeping')
		self.spawn(self.extract(), name='extract')
		await asyncio.gather(self.locked_step('main-a'), self.locked_step('main-b'))
		for i in range(1, 11):
			await asyncio.sleep(0.15)
			self.spawn(self.transform(i), name='transform:events-%d' % i)
			if i == 2:
				t0 = time.time()
				loop.create_task(self.load_orders(), name='load:orders')
				self.later('never_retrieved', t0, 0.15, task='load:orders', coro='Pipeline.load_orders',
					exception='OperationalError')
			if i == 8:
				t0 = time.time()
				loop.call_later(0.01, self.batcher._flush_due)
				self.later('callback_exception', t0, 0.08, exception='ZeroDivisionError')
		await asyncio.sleep(0.3)
		await self.stop_background()


def scenario_etl_pipeline(outdir):
	import queue
	truth = Truth(outdir, 'etl_pipeline', 'iso_tz_brackets', tz=MST, handler='queue+timed-dateext-gz',
		capture_warnings=True, asyncio_debug=False)
	for n in os.listdir(outdir):
		if n.startswith('app.log'):
			os.remove(os.path.join(outdir, n))
	fh = logging.handlers.TimedRotatingFileHandler(os.path.join(outdir, 'app.log'), when='S', interval=1)
	fh.suffix = '%Y%m%d-%H%M%S'
	fh.namer = lambda name: name[:-16] + '-' + name[-15:] + '.gz'	# app.log.X -> app.log-X.gz
	fh.rotator = gzip_rotator()
	fh.setFormatter(IsoFormatter('%(asctime)s [%(levelname)s] %(name)s: %(message)s', MST))
	q = queue.Queue()
	listener = logging.handlers.QueueListener(q, fh)
	root = logging.getLogger()
	root.handlers[:] = [logging.handlers.QueueHandler(q)]
	root.setLevel(logging.DEBUG)
	logging.captureWarnings(True)
	listener.start()
	try:
		p = Pipeline(truth)
		p.log.info('etl pipeline starting pid=%d python=%s', os.getpid(), PY)
		global ETL_LOCK
		if ETL_LOCK is None:	# 3.8/3.9 bind a lock to the current loop when made
			with warnings.catch_warnings():
				warnings.simplefilter('ignore', DeprecationWarning)
				ETL_LOCK = asyncio.Lock()
		p.lock = ETL_LOCK
		asyncio.run(p.warmup())
		asyncio.run(p.main())
		p.log.info('etl pipeline finished')
	finally:
		listener.stop()
		fh.close()
	return truth


# ---------------------------------------------------------------------------
# k8s_worker: a container's log as the CRI runtime writes it. The service
# (a child process, PYTHONUNBUFFERED=1 as container images set it) logs to
# stdout with the default layout; Python's warnings go to stderr. The parent
# plays containerd: it reads both pipes and writes every line as
# "RFC3339Nano-time stream F|P line" (lines over 16 KiB split into P
# partials), and rotates like the kubelet (app.log.YYYYMMDD-HHMMSS, older
# ones gzipped). Truth windows allow 0.05 s for the pipe.

CRI_MAX_LINE = 16 * 1024
CRI_LATENCY = 0.05


class K8sWorker(Service):
	def __init__(self, truth):
		super().__init__(truth, 'k8s_worker')
		self.log = logging.getLogger('worker')

	async def upload(self, key):
		await asyncio.sleep(0)

	async def renew_lease(self):
		await asyncio.sleep(0.02)
		raise PermissionError(13, 'Permission denied', '/var/run/secrets/lease')

	async def watch(self, resource):
		fut = asyncio.get_running_loop().create_future()
		self.log.info('watching %s', resource)
		await fut

	def probe(self):
		return True

	async def readiness(self):
		return await self.probe()

	def _rebalance(self, shard):
		return {'a': 1}[shard]

	async def jobs(self):
		n = 0
		while self.running:
			await asyncio.sleep(self.rnd.uniform(0.03, 0.07))
			n += 1
			self.log.info('job %d: resized image %dx%d in %.1fms', n, self.rnd.choice([640, 1280]),
				self.rnd.choice([480, 720]), self.rnd.uniform(2, 30))

	async def main(self):
		loop = asyncio.get_running_loop()
		self.log.info('worker starting pid=%d python=%s', os.getpid(), PY)
		self.spawn(self.heartbeat(), name='heartbeat')
		self.spawn(self.housekeeping(), name='housekeeping')
		self.spawn(self.jobs(), name='jobs')
		await asyncio.sleep(0.3)
		t0 = time.time()
		self.upload('thumbs/17.webp')	# forgot the await
		self.truth.leak('k8s.upload', 'K8sWorker.upload', t0, time.time() + CRI_LATENCY)
		await asyncio.sleep(0.25)
		t0 = time.time()
		loop.create_task(self.renew_lease(), name='lease-renewer')
		self.later('never_retrieved', t0, 0.15, task='lease-renewer', coro='K8sWorker.renew_lease',
			exception='PermissionError')
		await asyncio.sleep(0.3)
		self.log.debug('config dump: %s', json.dumps({'env': {'K%03d' % i: 'v' * 80 for i in range(200)}}))
		t0 = time.time()
		try:
			await self.readiness()
		except TypeError:
			self.log.exception('readiness probe failed')
		self.truth.add('await_non_awaitable', t0, time.time() + CRI_LATENCY, coro='K8sWorker.readiness',
			exception='TypeError')
		await asyncio.sleep(0.25)
		t0 = time.time()
		loop.create_task(self.watch('configmaps/worker'), name='cm-watch')
		self.later('task_destroyed_pending', t0, 0.2, task='cm-watch', coro='K8sWorker.watch')
		await asyncio.sleep(0.35)
		t0, t1 = self.block(self.log, 0.8, 'rebuilding thumbnail index (sync)')
		self.log.info('thumbnail index rebuilt')
		await asyncio.sleep(0)
		self.truth.add('stall', t0, time.time() + CRI_LATENCY, duration_s=round(t1 - t0, 3))
		await asyncio.sleep(0.2)
		t0 = time.time()
		loop.call_soon(self._rebalance, 'b')
		self.later('callback_exception', t0, 0.05, exception='KeyError')
		await asyncio.sleep(0.3)
		await self.stop_background()
		self.log.info('worker stopped')


class CriWriter:
	"""containerd's CRI log file: one line per line read from a stream."""

	def __init__(self, outdir, max_bytes=5000):
		self.path = os.path.join(outdir, 'app.log')
		self.outdir = outdir
		self.max_bytes = max_bytes
		self.lock = threading.Lock()
		self.fh = open(self.path, 'ab')

	def stamp(self):
		ns = time.time_ns()
		s = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(ns // 10**9))
		frac = ('%09d' % (ns % 10**9)).rstrip('0')
		return s + ('.' + frac if frac else '') + 'Z'

	def write(self, stream, line):
		with self.lock:
			while len(line) > CRI_MAX_LINE:
				self.fh.write(('%s %s P ' % (self.stamp(), stream)).encode() + line[:CRI_MAX_LINE] + b'\n')
				line = line[CRI_MAX_LINE:]
			self.fh.write(('%s %s F ' % (self.stamp(), stream)).encode() + line + b'\n')
			self.fh.flush()
			if self.fh.tell() > self.max_bytes:
				self.rotate()

	def rotate(self):
		name = self.path + '.' + time.strftime('%Y%m%d-%H%M%S', time.gmtime())
		if os.path.exists(name) or os.path.exists(name + '.gz'):
			return	# one rotation a second, as the kubelet's names allow
		self.fh.close()
		for n in os.listdir(self.outdir):	# the kubelet gzips all but the newest
			p = os.path.join(self.outdir, n)
			if n.startswith('app.log.') and not n.endswith('.gz'):
				gzip_rotator()(p, p + '.gz')
		os.replace(self.path, name)
		self.fh = open(self.path, 'ab')

	def pump(self, pipe, stream):
		for raw in iter(pipe.readline, b''):
			self.write(stream, raw.rstrip(b'\n'))


def scenario_k8s_worker(outdir):
	if os.environ.get('AIOSIFT_CRI_CHILD') == '1':
		truth = Truth(outdir, 'k8s_worker', 'cri', handler='cri+kubelet-rotation',
			capture_warnings=False, asyncio_debug=False, inner_format='default',
			container_runtime='containerd (emulated)')
		h = logging.StreamHandler(sys.stdout)
		h.setFormatter(logging.Formatter('%(asctime)s %(levelname)s %(name)s: %(message)s'))
		logging.getLogger().handlers[:] = [h]
		logging.getLogger().setLevel(logging.DEBUG)
		asyncio.run(K8sWorker(truth).main())
		return truth
	import subprocess
	for n in os.listdir(outdir):
		if n.startswith('app.log'):
			os.remove(os.path.join(outdir, n))
	env = dict(os.environ, AIOSIFT_CRI_CHILD='1', PYTHONUNBUFFERED='1')
	child = subprocess.Popen([sys.executable, os.path.abspath(__file__), 'k8s_worker', outdir],
		env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
	w = CriWriter(outdir)
	ts = [threading.Thread(target=w.pump, args=(child.stdout, 'stdout')),
		threading.Thread(target=w.pump, args=(child.stderr, 'stderr'))]
	for t in ts:
		t.start()
	rc = child.wait()
	for t in ts:
		t.join()
	w.fh.close()
	if rc not in (0, EX_UNSTABLE):
		raise SystemExit('k8s_worker child exited %d' % rc)
	with open(os.path.join(outdir, 'expected.json')) as fh:
		doc = json.load(fh)
	doc['files'] = list_files(outdir)
	with open(os.path.join(outdir, 'expected.json'), 'w') as fh:
		json.dump(doc, fh, indent=2)
		fh.write('\n')
	raise SystemExit(rc)


# ---------------------------------------------------------------------------
# fanout (3.11+): two rotation sets in one folder, api.log (busy, gzip
# rotation) and jobs.log (a tick every 0.5 s, sometimes 0.75 s: its own
# cadence); failures inside TaskGroup exception groups (gutter lines), a
# nested asyncio.run() chained under the app's own exception, a
# fire-and-forget task dying of an ExceptionGroup.


class ConfigError(Exception):
	pass


class Fanout(Service):
	def __init__(self, truth):
		super().__init__(truth, 'fanout')
		self.log = logging.getLogger('api')
		self.jobs_log = logging.getLogger('jobs')
		self.sink = Sink()
		self.stale_loop = None

	async def fetch_shard(self, shard):
		await asyncio.sleep(0.01)
		if shard == 3:
			raise ConnectionResetError(104, 'Connection reset by peer')
		return shard

	async def store_shard(self, shard):
		await asyncio.sleep(0.005)
		await self.sink.write	# forgot the call

	async def notify_legacy(self):
		await asyncio.sleep(0.005)
		self.stale_loop.call_soon_threadsafe(print)	# a loop closed at start

	async def fan(self, name, jobs):
		async with asyncio.TaskGroup() as tg:
			for j in jobs:
				tg.create_task(j)

	async def fetch_config(self):
		await asyncio.sleep(0.01)

	def config_sync(self):
		try:
			return asyncio.run(self.fetch_config())
		except RuntimeError as e:
			raise ConfigError('config refresh failed') from e

	async def sync_partners(self):
		async with asyncio.TaskGroup() as tg:
			tg.create_task(self.fetch_shard(3))
			tg.create_task(self.fetch_shard(4))

	async def requests(self):
		access = logging.getLogger('api.access')
		n = 0
		while self.running:
			await asyncio.sleep(self.rnd.uniform(0.02, 0.05))
			n += 1
			access.info('GET /v1/search?q=%s 200 %.1fms', self.rnd.choice(['a', 'b', 'c']),
				self.rnd.uniform(1, 9))

	async def ticks(self):
		n = 0
		while self.running:
			n += 1
			await asyncio.sleep(0.75 if n % 4 == 0 else 0.5)
			self.jobs_log.info('tick %d: %d jobs queued, %d running', n, self.rnd.randint(0, 9),
				self.rnd.randint(0, 3))

	async def main(self):
		self.spawn(self.heartbeat(), name='heartbeat')
		self.spawn(self.requests(), name='requests')
		self.spawn(self.ticks(), name='ticks')
		await asyncio.sleep(0.4)
		# 1. a TaskGroup: one child awaits a method, another's upstream resets
		t0 = time.time()
		try:
			await self.fan('store', [self.store_shard(1), self.fetch_shard(3)])
		except Exception:
			self.log.exception('fan-out store failed')
		self.truth.add('await_non_awaitable', t0, time.time(), coro='Fanout.store_shard',
			exception='TypeError')
		await asyncio.sleep(0.5)
		# 2. a TaskGroup child uses a loop closed long ago
		t0 = time.time()
		try:
			await self.fan('notify', [self.notify_legacy(), self.fetch_shard(1)])
		except Exception:
			self.log.exception('fan-out notify failed')
		self.truth.add('loop_closed', t0, time.time(), exception='RuntimeError')
		await asyncio.sleep(0.5)
		# 3. nested asyncio.run, chained under the app's exception
		t0 = time.time()
		try:
			self.config_sync()
		except ConfigError:
			self.log.exception('config refresh failed, keeping the old one')
		t1 = time.time()
		self.truth.add('nested_run', t0, t1, exception='RuntimeError')
		self.truth.leak('fanout.config', 'Fanout.fetch_config', t0, t1)
		await asyncio.sleep(0.5)
		# 4. a fire-and-forget task dying of an ExceptionGroup
		t0 = time.time()
		asyncio.get_running_loop().create_task(self.sync_partners(), name='partner-sync')
		self.later('never_retrieved', t0, 0.2, task='partner-sync', coro='Fanout.sync_partners',
			exception='ExceptionGroup')
		await asyncio.sleep(0.8)
		await self.stop_background()
		self.log.info('api stopped')


def scenario_fanout(outdir):
	truth = Truth(outdir, 'fanout', 'default', handler='rotating-gz + file (two sets)',
		capture_warnings=True, asyncio_debug=False, cadences={'jobs.log': 0.75})
	for n in os.listdir(outdir):
		if n.startswith(('api.log', 'jobs.log')):
			os.remove(os.path.join(outdir, n))
	fmt = logging.Formatter('%(asctime)s %(levelname)s %(name)s: %(message)s')
	api = make_handler('rotating-gz', os.path.join(outdir, 'api.log'), 6000)
	api.setFormatter(fmt)
	jobs = logging.FileHandler(os.path.join(outdir, 'jobs.log'))
	jobs.setFormatter(fmt)
	root = logging.getLogger()
	root.handlers[:] = [api]
	root.setLevel(logging.DEBUG)
	jl = logging.getLogger('jobs')
	jl.handlers[:] = [jobs]
	jl.propagate = False
	logging.captureWarnings(True)
	f = Fanout(truth)
	f.stale_loop = asyncio.new_event_loop()
	f.stale_loop.close()
	f.log.info('api starting pid=%d python=%s', os.getpid(), PY)
	jl.info('job runner starting, tick 0.5 s')
	asyncio.run(f.main())
	jl.info('job runner stopped')
	return truth


# ---------------------------------------------------------------------------
# quiet_poller: a quiet service whose only records are a heartbeat every
# 200 ms and a poll result every 200 ms (the slow end of the cadences), with
# stalls of 0.6 s and 1.0 s: the gap detector's lower edge.


class QuietPoller(Service):
	hb_period = 0.2

	def __init__(self, truth):
		super().__init__(truth, 'quiet_poller')
		self.log = logging.getLogger('poller')

	async def poll(self):
		n = 0
		while self.running:
			await asyncio.sleep(0.2)
			n += 1
			if n == 12:
				t0, t1 = self.block(self.log, 0.6, 'poll %d: parsing feed synchronously', n)
			elif n == 20:
				t0, t1 = self.block(self.log, 1.0, 'poll %d: recomputing digest synchronously', n)
			else:
				self.log.info('poll %d: %d new items', n, self.rnd.randint(0, 4))
				continue
			self.log.info('poll %d: done', n)
			await asyncio.sleep(0)
			self.truth.add('stall', t0, time.time(), duration_s=round(t1 - t0, 3))

	async def main(self):
		self.log.info('poller starting pid=%d python=%s', os.getpid(), PY)
		self.spawn(self.heartbeat(), name='heartbeat')
		self.spawn(self.poll(), name='poll')
		await asyncio.sleep(6.5)
		await self.stop_background()
		self.log.info('poller stopped')


def scenario_quiet_poller(outdir):
	truth = Truth(outdir, 'quiet_poller', 'default', handler='file', capture_warnings=True,
		asyncio_debug=False)
	setup_logging(outdir, 'file', logging.Formatter('%(asctime)s %(levelname)s %(name)s: %(message)s'))
	asyncio.run(QuietPoller(truth).main())
	return truth


# ---------------------------------------------------------------------------

SCENARIOS = {
	# name: (function, first Python, log target)
	'web_pool': (scenario_web_pool, (3, 8), 'file'),
	'queue_consumer': (scenario_queue_consumer, (3, 8), 'file'),
	'scheduler': (scenario_scheduler, (3, 12), 'file'),
	'sync_bridge': (scenario_sync_bridge, (3, 8), 'file'),
	'api_gateway': (scenario_api_gateway, (3, 8), 'file'),
	'cli_batch': (scenario_cli_batch, (3, 8), 'stderr'),
	'crawler': (scenario_crawler, (3, 8), 'stderr'),
	'trace_worker': (scenario_trace_worker, (3, 8), 'stderr'),
	'edge_names': (scenario_edge_names, (3, 8), 'file'),
	'etl_pipeline': (scenario_etl_pipeline, (3, 8), 'file'),
	'k8s_worker': (scenario_k8s_worker, (3, 8), 'file'),
	'fanout': (scenario_fanout, (3, 11), 'file'),
	# no asyncio text in it: two interpreters are enough
	'quiet_poller': (scenario_quiet_poller, (3, 8), 'file', ('3.8', '3.12')),
}


def main(argv):
	if argv and argv[0] == '--list':
		for name, spec in SCENARIOS.items():
			print(name, '%d.%d' % spec[1], spec[2], ','.join(spec[3]) if len(spec) > 3 else 'all')
		return 0
	if len(argv) != 2 or argv[0] not in SCENARIOS:
		print('usage: scenarios.py SCENARIO OUTDIR | --list; scenarios: %s' %
			' '.join(SCENARIOS), file=sys.stderr)
		return 2
	fn, first, target = SCENARIOS[argv[0]][:3]
	if sys.version_info[:2] < first:
		print('%s needs Python %d.%d+' % ((argv[0],) + first), file=sys.stderr)
		return 2
	os.makedirs(argv[1], exist_ok=True)
	truth = fn(argv[1])
	logging.shutdown()
	truth.write(target)
	return EX_UNSTABLE if truth.unstable else 0


if __name__ == '__main__':
	sys.exit(main(sys.argv[1:]))
