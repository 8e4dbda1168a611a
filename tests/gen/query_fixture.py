#!/usr/bin/env python3
"""Write tests/fixtures/query/{app.log,worker.log,mkdb.sql}: two small logs
of an asyncio service with real failure texts (CPython 3.11 wording) and
the rows ingest and the rules would store for them, for the query, report
and postmortem tests until those run on ingested fixtures."""
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
finds = []   # (log, rec index, sec, kind, rule, sev, task, coro, exc, loc, msg, dur_s, incident)

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
finds.append((app, r, 84.397, 'never_retrieved', 'task-exception-never-retrieved', 3, 'Task-9', 'WebWorkerPool.send_metrics', 'ConnectionRefusedError', 'scenarios.py:354', 'Task exception was never retrieved', None, 1))
sec = traffic(app, 130.0, start=85.0)
r = app.add(130.1, 'WARNING', 'py.warnings', "/srv/app/cache.py:120: RuntimeWarning: coroutine 'refresh_cache' was never awaited", ['  self.refresh_cache()', 'RuntimeWarning: Enable tracemalloc to get the object allocation traceback'])
finds.append((app, r, 130.1, 'never_awaited', 'coroutine-never-awaited', 2, None, 'refresh_cache', None, 'cache.py:120', "coroutine 'refresh_cache' was never awaited", None, 2))
sec = traffic(app, 175.8, start=130.5)
# 4.2 s of silence: the loop was blocked
r = app.add(180.0, 'WARNING', 'asyncio', "Executing <Task pending name='Task-3' coro=<Worker.crunch() running at /srv/app/worker.py:88> wait_for=<Future pending cb=[Task.task_wakeup()]> cb=[_run_until_complete_cb() at /usr/lib/python3.11/asyncio/base_events.py:180]> took 4.250 seconds")
finds.append((app, r - 1, 175.8, 'stall', 'stall-gap', 2, 'heartbeat', 'Heartbeat.run', None, None, '4.2 s gap in the record stream (usual cadence 0.5 s)', 4.2, 3))
finds.append((app, r, 180.0, 'stall', 'slow-callback', 2, 'Task-3', 'Worker.crunch', None, 'worker.py:88', 'Executing Task-3 took 4.250 seconds', 4.25, 3))
sec = traffic(app, 300.0, start=180.5)
r = app.add(300.0, 'ERROR', 'asyncio', 'Task was destroyed but it is pending!', ["task: <Task pending name='Task-12' coro=<Poller.poll() running at /srv/app/poller.py:31> wait_for=<Future pending cb=[Task.task_wakeup()]>>"])
finds.append((app, r, 300.0, 'task_destroyed_pending', 'task-destroyed-pending', 3, 'Task-12', 'Poller.poll', None, 'poller.py:31', 'Task was destroyed but it is pending!', None, 4))
sec = traffic(app, 360.0, start=300.5)
r = app.add(360.0, 'CRITICAL', 'app.main', 'service failed to start', [
    'Traceback (most recent call last):',
    '  File "/srv/app/main.py", line 40, in <module>',
    '    asyncio.run(main())',
    '  File "/usr/lib/python3.11/asyncio/runners.py", line 186, in run',
    '    raise RuntimeError(',
    'RuntimeError: asyncio.run() cannot be called from a running event loop'])
finds.append((app, r, 360.0, 'nested_run', 'nested-asyncio-run', 4, None, 'main', 'RuntimeError', 'main.py:40', 'asyncio.run() cannot be called from a running event loop', None, 5))
r = app.add(360.5, 'WARNING', 'py.warnings', "/srv/app/main.py:40: RuntimeWarning: coroutine 'main' was never awaited", ['  asyncio.run(main())'])
finds.append((app, r, 360.5, 'never_awaited', 'coroutine-never-awaited', 2, None, 'main', None, 'main.py:40', "coroutine 'main' was never awaited", None, 5))
sec = traffic(app, 420.0, start=361.0)
hostile = 'Exception in callback <Handle ' + ESC + ']8;;http://evil' + BEL + 'click' + ESC + ']8;;' + BEL + ' <script>alert(1)</script>>'
r = app.add(420.0, 'ERROR', 'asyncio', hostile, [
    'handle: <Handle <script>alert("x")</script>>',
    'Traceback (most recent call last):',
    '  File "/srv/app/hooks.py", line 7, in on_event',
    "KeyError: '" + ESC + "[2J" + ESC + "[31mowned'"])
finds.append((app, r, 420.0, 'callback_exception', 'exception-in-callback', 3, "=cmd|' /C calc'!A0", '<img src=x onerror=alert(1)>', 'KeyError', 'hooks.py:7', hostile, None, 6))
sec = traffic(app, 480.0, start=420.5)
r = app.add(480.0, 'ERROR', 'asyncio', 'Task exception was never retrieved', [
    "future: <Task finished name='Task-9' coro=<WebWorkerPool.send_metrics() done, defined at /srv/app/scenarios.py:352> exception=ConnectionRefusedError(111, \"Connect call failed ('127.0.0.1', 8125)\")>",
    'Traceback (most recent call last):',
    '  File "/srv/app/scenarios.py", line 354, in send_metrics',
    "    raise ConnectionRefusedError(111, \"Connect call failed ('127.0.0.1', 8125)\")",
    "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 8125)"])
finds.append((app, r, 480.0, 'never_retrieved', 'task-exception-never-retrieved', 3, 'Task-9', 'WebWorkerPool.send_metrics', 'ConnectionRefusedError', 'scenarios.py:354', 'Task exception was never retrieved', None, 1))
sec = traffic(app, 500.0, start=480.5)

sec = traffic(worker, 240.0, step=2.0, start=0.0)
r = worker.add(240.0, 'ERROR', 'asyncio', 'Task exception was never retrieved', [
    "future: <Task finished name='Task-20' coro=<Consumer.handle() done, defined at /srv/app/consumer.py:50> exception=KeyError('user')>",
    'Traceback (most recent call last):',
    '  File "/srv/app/consumer.py", line 57, in handle',
    "    uid = msg['user']",
    "KeyError: 'user'"])
finds.append((worker, r, 240.0, 'never_retrieved', 'task-exception-never-retrieved', 3, 'Task-20', 'Consumer.handle', 'KeyError', 'consumer.py:57', 'Task exception was never retrieved', None, 7))
sec = traffic(worker, 300.0, step=2.0, start=242.0)
# a record the splitter found no time for (bare stderr)
worker.lines.append("sys:1: ResourceWarning: unclosed <socket.socket fd=7, family=2, type=1, proto=6>")
worker.records.append(dict(offset=worker.off, line=len(worker.lines), nlines=1, ts=None, level=None, logger=None, msg_off=0, text=worker.lines[-1]))
worker.off += len(worker.lines[-1].encode()) + 1
finds.append((worker, len(worker.records), None, 'unclosed_resource', 'unclosed-socket', 1, None, None, 'ResourceWarning', None, 'unclosed <socket.socket fd=7>', None, None))

incidents = {
    1: (84.397, 480.0, 3, 'never_retrieved', 'task:Task-9', 'Task-9', 'WebWorkerPool.send_metrics', 2, "Task-9 (WebWorkerPool.send_metrics): exception never retrieved twice, ConnectionRefusedError"),
    2: (130.1, 130.1, 2, 'never_awaited', 'coro:refresh_cache', None, 'refresh_cache', 1, "coroutine 'refresh_cache' was never awaited at cache.py:120"),
    3: (175.8, 180.0, 2, 'stall', 'stall:175', 'Task-3', 'Worker.crunch', 2, "event loop stalled 4.2 s; Task-3 (Worker.crunch) took 4.250 s"),
    4: (300.0, 300.0, 3, 'task_destroyed_pending', 'task:Task-12', 'Task-12', 'Poller.poll', 1, "Task-12 (Poller.poll) destroyed while pending"),
    5: (360.0, 360.5, 4, 'nested_run,never_awaited', 'coro:main', None, 'main', 2, "asyncio.run() inside a running loop; coroutine 'main' never awaited"),
    6: (420.0, 420.0, 3, 'callback_exception', 'task:x', "=cmd|' /C calc'!A0", '<img src=x onerror=alert(1)>', 1, hostile),
    7: (240.0, 240.0, 3, 'never_retrieved', 'task:Task-20', 'Task-20', 'Consumer.handle', 1, "Task-20 (Consumer.handle): exception never retrieved, KeyError"),
}


def sqlstr(v):
    """A SQL expression for text v (ESC and BEL through char())."""
    if v is None:
        return 'NULL'
    out, cur = [], ''
    for ch in v:
        if ch in (ESC, BEL):
            out.append("'" + cur.replace("'", "''") + "'")
            out.append('char(%d)' % ord(ch))
            cur = ''
        else:
            cur += ch
    out.append("'" + cur.replace("'", "''") + "'")
    return '(' + ' || '.join(out) + ')'


sql = ['-- Generated by tests/gen/query_fixture.py: what ingest stores for',
       '-- tests/fixtures/query/{app,worker}.log. Paths are relative to',
       '-- the fixture folder, replaced by the tests.',
       'BEGIN;']
for sid, log in ((1, app), (2, worker)):
    sql.append("INSERT INTO sources (id, path, set_path, fingerprint, size, read_bytes, read_lines, layout, records, first_us, last_us, added_us, updated_us) VALUES (%d, '@DIR@/%s', '@DIR@/%s', x'00', %d, %d, %d, 'default', %d, %d, %d, 0, 0);" % (
        sid, log.name, log.name, log.off, log.off, len(log.lines), len(log.records),
        min(r['ts'] for r in log.records if r['ts']), max(r['ts'] for r in log.records if r['ts'])))
rid = {}
n = 0
for sid, log in ((1, app), (2, worker)):
    for i, r in enumerate(log.records, 1):
        n += 1
        rid[(log.name, i)] = n
        sql.append('INSERT INTO records (id, source_id, offset, line, nlines, ts_us, flags, level, logger, msg_off, text) VALUES (%d, %d, %d, %d, %d, %s, 0, %s, %s, %d, %s);' % (
            n, sid, r['offset'], r['line'], r['nlines'], 'NULL' if r['ts'] is None else r['ts'], sqlstr(r['level']), sqlstr(r['logger']), r['msg_off'], sqlstr(r['text'])))
for k, (a, b, sev, kinds, key, task, coro, cnt, summ) in incidents.items():
    sql.append('INSERT INTO incidents (id, first_us, last_us, severity, kinds, key, task, coro, count, summary) VALUES (%d, %d, %d, %d, %s, %s, %s, %s, %d, %s);' % (
        k, us(T0) + int(a * 1e6), us(T0) + int(b * 1e6), sev, sqlstr(kinds), sqlstr(key), sqlstr(task), sqlstr(coro), cnt, sqlstr(summ)))
for i, (log, ri, s, kind, rule, sev, task, coro, exc, loc, msg, dur, inc) in enumerate(finds, 1):
    r = log.records[ri - 1]
    sql.append('INSERT INTO findings (id, record_id, source_id, offset, line, ts_us, kind, rule, severity, task, coro, exception, location, message, duration_us, incident_id) VALUES (%d, %d, %d, %d, %d, %s, %s, %s, %d, %s, %s, %s, %s, %s, %s, %s);' % (
        i, rid[(log.name, ri)], 1 if log is app else 2, r['offset'], r['line'],
        'NULL' if s is None else str(us(T0) + int(round(s * 1e6))), sqlstr(kind), sqlstr(rule), sev,
        sqlstr(task), sqlstr(coro), sqlstr(exc), sqlstr(loc), sqlstr(msg),
        'NULL' if dur is None else str(int(round(dur * 1e6))), 'NULL' if inc is None else str(inc)))
sql.append('COMMIT;')
for log in (app, worker):
    with open(os.path.join(here, log.name), 'w', newline='\n') as f:
        f.write('\n'.join(log.lines) + '\n')
with open(os.path.join(here, 'mkdb.sql'), 'w') as f:
    f.write('\n'.join(sql) + '\n')
print('%d + %d records, %d findings' % (len(app.records), len(worker.records), len(finds)))
