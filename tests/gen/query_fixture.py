#!/usr/bin/env python3
"""Write tests/fixtures/query/{app.log,worker.log}: two small logs of an
asyncio service with real failure texts (CPython 3.11 wording), ordinary
traffic, a stall, a silent gap, and hostile text (terminal escapes, HTML,
a spreadsheet formula) in task names and tracebacks, for the query, report
and postmortem tests, which ingest them with the real binary."""
import datetime, os, sys

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..',
                    'fixtures', 'query')
T0 = datetime.datetime(2026, 11, 24, 18, 0, 0, tzinfo=datetime.timezone.utc)
ESC, BEL = '\x1b', '\x07'


def us(dt):
    return int(dt.timestamp()) * 1000000 + dt.microsecond


def stamp(dt):
    return dt.strftime('%Y-%m-%d %H:%M:%S,') + '%03d' % (dt.microsecond // 1000)


class Log:
    def __init__(self, name):
        self.name, self.lines, self.records, self.off = name, [], [], 0

    def add(self, sec, level, logger, msg, more=()):
        dt = T0 + datetime.timedelta(seconds=sec)
        first = '%s %s %s: %s' % (stamp(dt), level, logger, msg)
        text = '\n'.join([first] + list(more))
        rec = dict(offset=self.off, line=len(self.lines) + 1,
                   nlines=1 + len(more), ts=us(dt), level=level,
                   logger=logger, msg_off=len(first.encode()) - len(msg.encode()),
                   text=text)
        self.records.append(rec)
        self.lines.extend(text.split('\n'))
        self.off += len(text.encode()) + 1
        return len(self.records)   # 1-based index in this log


app, worker = Log('app.log'), Log('worker.log')

sec = 0.0
def traffic(log, upto, step=0.5, start=None):
    global sec
    s = sec if start is None else start
    n = 0
    while s < upto:
        n += 1
        log.add(s, 'INFO', 'app.access', '10.0.0.%d - - "GET /api/items/%d HTTP/1.1" 200 %d 2.%dms' % (n % 250, 1000 + n, 400 + n, n % 10))
        s += step
    return s

sec = traffic(app, 84.0)
r = app.add(84.397, 'ERROR', 'asyncio', 'Task exception was never retrieved', [
    "future: <Task finished name='Task-9' coro=<WebWorkerPool.send_metrics() done, defined at /srv/app/scenarios.py:352> exception=ConnectionRefusedError(111, \"Connect call failed ('127.0.0.1', 8125)\")>",
    'Traceback (most recent call last):',
    '  File "/srv/app/scenarios.py", line 354, in send_metrics',
    "    raise ConnectionRefusedError(111, \"Connect call failed ('127.0.0.1', 8125)\")",
    "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 8125)"])
sec = traffic(app, 130.0, start=85.0)
r = app.add(130.1, 'WARNING', 'py.warnings', "/srv/app/cache.py:120: RuntimeWarning: coroutine 'refresh_cache' was never awaited", ['  self.refresh_cache()', 'RuntimeWarning: Enable tracemalloc to get the object allocation traceback'])
sec = traffic(app, 175.8, start=130.5)
# 4.2 s of silence: the loop was blocked
r = app.add(180.0, 'WARNING', 'asyncio', "Executing <Task pending name='Task-3' coro=<Worker.crunch() running at /srv/app/worker.py:88> wait_for=<Future pending cb=[Task.task_wakeup()]> cb=[_run_until_complete_cb() at /usr/lib/python3.11/asyncio/base_events.py:180]> took 4.250 seconds")
sec = traffic(app, 300.0, start=180.5)
r = app.add(300.0, 'ERROR', 'asyncio', 'Task was destroyed but it is pending!', ["task: <Task pending name='Task-12' coro=<Poller.poll() running at /srv/app/poller.py:31> wait_for=<Future pending cb=[Task.task_wakeup()]>>"])
sec = traffic(app, 360.0, start=300.5)
r = app.add(360.0, 'CRITICAL', 'app.main', 'service failed to start', [
    'Traceback (most recent call last):',
    '  File "/srv/app/main.py", line 40, in <module>',
    '    asyncio.run(main())',
    '  File "/usr/lib/python3.11/asyncio/runners.py", line 186, in run',
    '    raise RuntimeError(',
    'RuntimeError: asyncio.run() cannot be called from a running event loop'])
r = app.add(360.5, 'WARNING', 'py.warnings', "/srv/app/main.py:40: RuntimeWarning: coroutine 'main' was never awaited", ['  asyncio.run(main())'])
sec = traffic(app, 420.0, start=361.0)
hostile = 'Exception in callback <Handle ' + ESC + ']8;;http://evil' + BEL + 'click' + ESC + ']8;;' + BEL + ' <script>alert(1)</script>>'
r = app.add(420.0, 'ERROR', 'asyncio', hostile, [
    'handle: <Handle <script>alert("x")</script>>',
    'Traceback (most recent call last):',
    '  File "/srv/app/hooks.py", line 7, in on_event',
    "KeyError: '" + ESC + "[2J" + ESC + "[31mowned'"])
sec = traffic(app, 450.0, start=420.5)
r = app.add(450.0, 'ERROR', 'asyncio', 'Task exception was never retrieved', [
    "future: <Task finished name='T-" + ESC + "]8;;http://evil" + BEL + "<script>alert(1)</script>' coro=<Evil.run() done, defined at /srv/app/evil.py:1> exception=KeyError('" + ESC + "[2J<b>owned</b>')>",
    'Traceback (most recent call last):',
    '  File "/srv/app/evil.py", line 7, in run',
    "KeyError: '" + ESC + "[2J<b>owned</b>'"])
r = app.add(451.0, 'ERROR', 'asyncio', 'Task exception was never retrieved', [
    "future: <Task finished name='=1+2@evil' coro=<Sheet.calc() done, defined at /srv/app/sheet.py:1> exception=ValueError('x')>",
    'ValueError: x'])
sec = traffic(app, 480.0, start=451.5)
r = app.add(480.0, 'ERROR', 'asyncio', 'Task exception was never retrieved', [
    "future: <Task finished name='Task-9' coro=<WebWorkerPool.send_metrics() done, defined at /srv/app/scenarios.py:352> exception=ConnectionRefusedError(111, \"Connect call failed ('127.0.0.1', 8125)\")>",
    'Traceback (most recent call last):',
    '  File "/srv/app/scenarios.py", line 354, in send_metrics',
    "    raise ConnectionRefusedError(111, \"Connect call failed ('127.0.0.1', 8125)\")",
    "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 8125)"])
sec = traffic(app, 500.0, start=480.5)

sec = traffic(worker, 240.0, step=2.0, start=0.0)
r = worker.add(240.0, 'ERROR', 'asyncio', 'Task exception was never retrieved', [
    "future: <Task finished name='Task-20' coro=<Consumer.handle() done, defined at /srv/app/consumer.py:50> exception=KeyError('user')>",
    'Traceback (most recent call last):',
    '  File "/srv/app/consumer.py", line 57, in handle',
    "    uid = msg['user']",
    "KeyError: 'user'"])
sec = traffic(worker, 270.0, step=2.0, start=242.0)
# 30 s of silence in worker.log that nothing in the log explains
sec = traffic(worker, 300.0, step=2.0, start=300.0)
sec = traffic(worker, 330.0, step=2.0, start=300.0)
# a record the splitter found no time for (bare stderr)
worker.lines.append("sys:1: ResourceWarning: unclosed <socket.socket fd=7, family=2, type=1, proto=6>")
worker.records.append(dict(offset=worker.off, line=len(worker.lines), nlines=1, ts=None, level=None, logger=None, msg_off=0, text=worker.lines[-1]))
worker.off += len(worker.lines[-1].encode()) + 1

# a batch job's stderr: no timestamps at all
batch = ['Starting batch', "/srv/app/batch.py:12: RuntimeWarning: coroutine 'flush' was never awaited",
         '  flush()', 'RuntimeWarning: Enable tracemalloc to get the object allocation traceback', 'done']
with open(os.path.join(here, 'batch.err'), 'w', newline='\n') as f:
    f.write('\n'.join(batch) + '\n')
for log in (app, worker):
    with open(os.path.join(here, log.name), 'w', newline='\n') as f:
        f.write('\n'.join(log.lines) + '\n')
print('%d + %d records' % (len(app.records), len(worker.records)))
