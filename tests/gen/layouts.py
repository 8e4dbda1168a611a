#!/usr/bin/env python3
"""Layout fixtures: one small asyncio service, logged through many layouts.

    tests/gen/layouts.py [OUTDIR [NAME...]]    (default tests/fixtures/layouts)

For each layout the same program runs under the real logging setup of that
layout and writes NAME.log (what the program printed) and NAME.expect.json
(the truth the program captured about itself: one entry per log event, with
its time, level, logger, pid, thread and task as the library saw them, the
fields the layout shows, and the findings it must give). tests/cli/layouts.sh
ingests each log and compares.

The failures are real asyncio ones: a task whose exception is never retrieved
("Task exception was never retrieved" + future: + traceback), a coroutine never
awaited (RuntimeWarning through logging.captureWarnings: the py.warnings
logger), and, in debug mode, a task step that blocks the loop ("Executing
<Task ...> took N seconds", logger asyncio: the slow-callback rule needs the
logger to be asyncio).

Layouts:
 - Python logging Formatters, run under the pyenv CPythons (3.12 for taskName);
 - libraries from Debian's packages (python3-loguru, -structlog, -rich,
   -pythonjsonlogger, -celery, gunicorn, uvicorn), run by /usr/bin/python3:
   their own formatters and renderers;
 - Home Assistant and faust/mode are not packaged: their format strings are
   copied from the source (homeassistant/bootstrap.py `fmt`/`datefmt`;
   mode/utils/logging.py DEFAULT_FORMAT, and mode's "[^Worker]: " service
   prefix) and run with CPython's logging;
 - prefixes added by tools that cannot run here are copied line for line
   from their documentation around a real run's lines: journalctl -o
   short-iso (man journalctl: "ISO 8601 wallclock timestamp, host,
   ident[pid]:"), RFC 3164 (rsyslog's traditional file format) and RFC 5424
   (section 6 of the RFC), Heroku (devcenter.heroku.com/articles/logging,
   "timestamp source[dyno]: message"), pm2 (pm2 logs: "ID|name | line"),
   docker logs -t (RFC 3339 nanoseconds, one blank), a "stderr: " tag and a
   leading blank (pasted logs).
"""
import json, os, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
PYENV = os.path.expanduser(os.environ.get('PYENV_ROOT', '~/.pyenv'))
PY312 = os.path.join(PYENV, 'versions/3.12.1/bin/python3')
PY38 = os.path.join(PYENV, 'versions/3.8.18/bin/python3')
SYSPY = '/usr/bin/python3'

# The service, with a placeholder for the logging setup. SETUP defines
# setup() and may set CAPTURE (a function returning the truth list).
SERVICE = r'''
import asyncio, gc, json, logging, os, sys, time, warnings
TRUTH = []
class Truth(logging.Handler):
    def emit(self, r):
        TRUTH.append({"ts": r.created, "level": r.levelname, "logger": r.name,
            "pid": r.process, "thread": r.threadName,
            "procname": r.processName,
            "task": getattr(r, "taskName", None),
            "msg": r.getMessage().split("\n")[0]})
CAPTURE = None
%(setup)s
setup()
logging.captureWarnings(True)
warnings.simplefilter("default")
if CAPTURE is None:
    logging.getLogger().addHandler(Truth())
log = logging.getLogger("app.svc")

async def fetch_quotes():
    await asyncio.sleep(0)
    raise ConnectionResetError("peer closed the feed")

async def send_metrics():
    await asyncio.sleep(0)

async def rebalance():
    time.sleep(0.15)            # blocks the loop: debug mode reports it

async def main():
    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = 0.1
    log.info("service starting")
    t = asyncio.ensure_future(fetch_quotes())
    if hasattr(t, "set_name"):
        t.set_name("quotes-feed")
    await asyncio.sleep(0.02)
    del t
    gc.collect()
    send_metrics()
    gc.collect()
    await asyncio.ensure_future(rebalance())
    log.warning("shutting down")

asyncio.run(main(), debug=True)
gc.collect()
out = CAPTURE() if CAPTURE is not None else TRUTH
with open(os.environ["TRUTH_FILE"], "w") as fh:
    json.dump(out, fh)
'''

def stdlib(fmt, datefmt=None, style='%'):
    return '''
def setup():
    h = logging.StreamHandler(sys.stdout)
    h.setFormatter(logging.Formatter(%r, %r, %r))
    logging.basicConfig(level=logging.DEBUG, handlers=[h])
''' % (fmt, datefmt, style)

LOGURU = '''
from loguru import logger as _lg
def setup():
    global CAPTURE
    _lg.remove()
    _lg.add(sys.stdout, colorize=False, backtrace=False, diagnose=False)
    seen = []
    _lg.add(lambda m: seen.append({"ts": m.record["time"].timestamp(),
        "level": m.record["level"].name, "logger": m.record["name"],
        "pid": m.record["process"].id, "thread": m.record["thread"].name,
        "task": None, "procname": None,
        "msg": m.record["message"].split("\\n")[0]}))
    class Intercept(logging.Handler):   # loguru's documented recipe
        def emit(self, r):
            try:
                level = _lg.level(r.levelname).name
            except ValueError:
                level = r.levelno
            frame, depth = logging.currentframe(), 2
            while frame and frame.f_code.co_filename == logging.__file__:
                frame = frame.f_back
                depth += 1
            _lg.opt(depth=depth, exception=r.exc_info).log(level,
                r.getMessage())
    logging.basicConfig(handlers=[Intercept()], level=0, force=True)
    CAPTURE = lambda: seen
'''

def structlog_setup(renderer):
    return '''
import structlog
def setup():
    pre = [structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso")]
    f = structlog.stdlib.ProcessorFormatter(foreign_pre_chain=pre,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info, %s])
    h = logging.StreamHandler(sys.stdout)
    h.setFormatter(f)
    logging.basicConfig(level=logging.DEBUG, handlers=[h])
''' % renderer

RICH = '''
from rich.console import Console
from rich.logging import RichHandler
def setup():
    c = Console(file=sys.stdout, width=200, color_system=None,
        force_terminal=False)
    logging.basicConfig(level=logging.DEBUG, format="%(message)s",
        datefmt="[%X]", handlers=[RichHandler(console=c, show_path=True)])
'''

JSONLOGGER = '''
from pythonjsonlogger import jsonlogger
def setup():
    h = logging.StreamHandler(sys.stdout)
    h.setFormatter(jsonlogger.JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(process)d %(threadName)s "
        "%(message)s"))
    logging.basicConfig(level=logging.DEBUG, handlers=[h])
'''

CELERY = '''
from celery.app.defaults import NAMESPACES
def setup():
    h = logging.StreamHandler(sys.stdout)
    h.setFormatter(logging.Formatter(
        NAMESPACES["worker"]["log_format"].default))
    logging.basicConfig(level=logging.DEBUG, handlers=[h])
'''

GUNICORN = '''
from gunicorn.glogging import CONFIG_DEFAULTS
def setup():
    g = CONFIG_DEFAULTS["formatters"]["generic"]
    h = logging.StreamHandler(sys.stdout)
    h.setFormatter(logging.Formatter(g["format"], g["datefmt"]))
    logging.basicConfig(level=logging.DEBUG, handlers=[h])
'''

UVICORN = '''
from uvicorn.logging import DefaultFormatter
def setup():
    h = logging.StreamHandler(sys.stdout)
    h.setFormatter(DefaultFormatter("%(levelprefix)s %(message)s",
        use_colors=False))
    logging.basicConfig(level=logging.DEBUG, handlers=[h])
'''

# mode's service logs put "[^Name]: " before the message (mode/services.py
# Service.log, CompositeLogger); asyncio's own records have none.
FAUST = '''
def setup():
    class Mode(logging.Filter):
        def filter(self, r):
            if r.name == "app.svc":
                r.msg = "[^Worker]: " + r.msg
            return True
    h = logging.StreamHandler(sys.stdout)
    h.addFilter(Mode())
    h.setFormatter(logging.Formatter(
        "[%(asctime)s] [%(process)s] [%(levelname)s] %(message)s"))
    logging.basicConfig(level=logging.DEBUG, handlers=[h])
'''

# name: (python, setup, shows, wrap)
# shows: the fields the layout prints (ts precision: "ts_ms" or "ts_s").
F = ['level', 'logger']
CASES = {
    'py312_msecs_pid_task': (PY312, stdlib(
        '%(asctime)s.%(msecs)03d %(levelname)-8s %(name)s [%(process)d] '
        '%(taskName)s: %(message)s', '%Y-%m-%d %H:%M:%S'),
        ['ts_ms', 'level', 'logger', 'pid', 'task']),
    'py312_default_msecs': (PY312, stdlib(
        '%(asctime)s.%(msecs)03d %(levelname)s %(name)s: %(message)s'),
        ['ts_ms', 'level', 'logger']),
    # taskName or threadName, then funcName or module, before the ':'
    'task_funcname': (PY312, stdlib(
        '%(asctime)s %(levelname)-8s [%(name)s] %(taskName)s '
        '%(funcName)s: %(message)s'),
        ['ts_ms', 'level', 'logger', 'task']),
    'task_module': (PY312, stdlib(
        '%(asctime)s %(levelname)-8s [%(name)s] %(taskName)s '
        '%(module)s: %(message)s'),
        ['ts_ms', 'level', 'logger', 'task']),
    'thread_funcname': (PY312, stdlib(
        '%(asctime)s %(levelname)s %(threadName)s %(funcName)s: '
        '%(message)s'), ['ts_ms', 'level', 'thread']),
    'bracket_name': (PY312, stdlib(
        '%(asctime)s [%(name)s] %(levelname)s: %(message)s'),
        ['ts_ms', 'level', 'logger']),
    'bare_name': (PY312, stdlib(
        '%(asctime)s %(name)s %(levelname)s %(message)s'),
        ['ts_ms', 'level', 'logger']),
    'name_lineno': (PY312, stdlib(
        '%(asctime)s %(levelname)-8s %(name)s:%(lineno)d: %(message)s'),
        ['ts_ms', 'level', 'logger']),
    'filename_func': (PY312, stdlib(
        '%(asctime)s | %(levelname)-8s | %(filename)s:%(lineno)d | '
        '%(funcName)s | %(message)s'),
        ['ts_ms', 'level']),
    'module_thread': (PY312, stdlib(
        '%(asctime)s %(levelname)s [%(threadName)s] %(module)s '
        '(%(process)d): %(message)s'),
        ['ts_ms', 'level', 'thread', 'pid']),
    'thread_id_dash': (PY312, stdlib(
        '%(asctime)s - %(thread)d - %(name)s - %(levelname)s - %(message)s'),
        ['ts_ms', 'level', 'logger']),
    'py38_pid_thread': (PY38, stdlib(
        '%(asctime)s.%(msecs)03d [%(process)d] [%(threadName)s] '
        '%(levelname)-8s %(name)s - %(message)s', '%Y-%m-%d %H:%M:%S'),
        ['ts_ms', 'level', 'logger', 'pid', 'thread']),
    'homeassistant': (PY312, stdlib(
        '%(asctime)s.%(msecs)03d %(levelname)s (%(threadName)s) [%(name)s] '
        '%(message)s', '%Y-%m-%d %H:%M:%S'),
        ['ts_ms', 'level', 'logger', 'thread']),
    'faust': (PY312, FAUST, ['ts_ms', 'level', 'pid']),
    'celery': (SYSPY, CELERY, ['ts_ms', 'level', 'procname']),
    'gunicorn': (SYSPY, GUNICORN, ['ts_s', 'level', 'pid']),
    'uvicorn': (SYSPY, UVICORN, ['level']),
    'loguru': (SYSPY, LOGURU, ['ts_ms', 'level', 'logger']),
    'structlog_console': (SYSPY, structlog_setup(
        'structlog.dev.ConsoleRenderer(colors=False)'),
        ['ts_ms', 'level']),
    'structlog_kv': (SYSPY, structlog_setup(
        'structlog.processors.KeyValueRenderer(key_order=["timestamp", '
        '"level", "logger", "event"])'), ['ts_ms', 'level', 'logger']),
    'structlog_json': (SYSPY, structlog_setup(
        'structlog.processors.JSONRenderer()'),
        ['ts_ms', 'level', 'logger']),
    'jsonlogger': (SYSPY, JSONLOGGER,
        ['ts_ms', 'level', 'logger', 'pid', 'thread']),
    'rich': (SYSPY, RICH, ['level']),
}

# Wrappers: a prefix before every line of a base case's output.
def iso(ts, frac=6, zone='+00:00'):
    import datetime
    d = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    s = d.strftime('%Y-%m-%dT%H:%M:%S')
    if frac:
        s += ('.%06d' % d.microsecond)[:frac + 1] if frac <= 6 else \
            '.%06d%03d' % (d.microsecond, 0)
    return s + zone

def syslog_time(ts):
    import datetime
    d = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    return d.strftime('%b %d %H:%M:%S').replace(' 0', '  ', 1) \
        if d.day < 10 else d.strftime('%b %d %H:%M:%S')

WRAPS = {
    # name: (base case, line prefix function(ts, pid) -> str, extra shows)
    'journald_short_iso': ('py312_default_msecs',
        lambda ts, pid: '%s web01 quotes[%d]: ' % (iso(ts, 0, '+0000'), pid),
        ['pid']),
    'syslog_3164': ('py312_default_msecs',
        lambda ts, pid: '%s web01 quotes[%d]: ' % (syslog_time(ts), pid),
        ['pid']),
    'syslog_5424': ('uvicorn',
        lambda ts, pid: '<11>1 %s web01 quotes %d - - ' % (iso(ts, 6, 'Z'),
            pid), ['pid', 'ts_us_outer']),
    'heroku': ('py312_default_msecs',
        lambda ts, pid: '%s app[web.1]: ' % iso(ts), []),
    'pm2': ('py312_default_msecs', lambda ts, pid: '0|quotes   | ', []),
    'docker_t': ('uvicorn', lambda ts, pid: '%s ' % iso(ts, 9, 'Z'),
        ['ts_us_outer']),
    'stderr_tag': ('uvicorn', lambda ts, pid: 'stderr: ', []),
    'leading_blank': ('uvicorn', lambda ts, pid: ' ', []),
}

FINDINGS = [
    {"kind": "never_retrieved", "task": "quotes-feed", "coro": "fetch_quotes",
     "exception": "ConnectionResetError"},
    {"kind": "never_awaited", "coro": "send_metrics"},
    {"kind": "slow_callback", "coro": "rebalance"},
]

def run(name, py, setup, tmp):
    truth = os.path.join(tmp, name + '.truth')
    env = dict(os.environ, TRUTH_FILE=truth, TZ='UTC', PYTHONHASHSEED='0',
        COLUMNS='200')
    prog = os.path.join(tmp, 'svc_' + name + '.py')
    open(prog, 'w').write(SERVICE % {'setup': setup})
    out = subprocess.run([py, prog], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, check=True, cwd=tmp).stdout.decode()
    out = out.replace(tmp + '/', '/srv/app/')
    out = re.sub(r'/root/\.pyenv/versions/[0-9.]+/lib/', '/usr/lib/', out)
    truth = json.load(open(truth))
    for t in truth:
        t['msg'] = t['msg'].replace(tmp + '/', '/srv/app/')
    return out, truth

def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP,
        'tests/fixtures/layouts')
    only = sys.argv[2:]
    os.makedirs(outdir, exist_ok=True)
    tmp = tempfile.mkdtemp()
    base_out = {}
    for name, (py, setup, shows) in CASES.items():
        if only and name not in only and not any(
                WRAPS[w][0] == name for w in only if w in WRAPS):
            continue
        out, truth = run(name, py, setup, tmp)
        base_out[name] = (out, truth, shows)
        if only and name not in only:
            continue
        write(outdir, name, out, truth, shows, py)
    for name, (base, pfx, extra) in WRAPS.items():
        if only and name not in only:
            continue
        out, truth, shows = base_out[base]
        # every line takes the time of the event it belongs to
        lines, k = [], -1
        msgs = [t['msg'] for t in truth]
        for ln in out.split('\n')[:-1]:
            if k + 1 < len(truth) and msgs[k + 1] and msgs[k + 1] in ln:
                k += 1
            t = truth[max(k, 0)]
            lines.append(pfx(t['ts'], t['pid']) + ln)
        write(outdir, name, '\n'.join(lines) + '\n', truth,
            shows + [e for e in extra if e != 'ts_us_outer'],
            'wrapped ' + base)

# Findings a layout cannot give, and why (for the rules, not the layout):
# loguru names the module (asyncio.base_events), not the logger, and the
# slow-callback rule wants logger asyncio; structlog's console renderer puts
# "[asyncio]" after the "took N seconds" the rule ends on; Rich wraps the
# long "Executing <Task ...> took" line at the console's width.
NOT_FOUND = {
    'loguru': ['slow_callback'],
    'structlog_console': ['slow_callback'],
    'rich': ['slow_callback'],
}

def write(outdir, name, out, truth, shows, how):
    open(os.path.join(outdir, name + '.log'), 'w').write(out)
    json.dump({"made_by": how if how.startswith('wrapped') else
        os.path.basename(os.path.dirname(os.path.dirname(how))) or how,
        "shows": shows, "records": truth, "findings": [f for f in FINDINGS
            if f['kind'] not in NOT_FOUND.get(name, [])]},
        open(os.path.join(outdir, name + '.expect.json'), 'w'), indent=1)
    print('%-22s %3d records' % (name, len(truth)))

if __name__ == '__main__':
    main()
