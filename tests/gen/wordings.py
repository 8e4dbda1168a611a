#!/usr/bin/env python3
"""Real output of CPython, uvloop and pytest for the wordings issue 11 lists,
written as rule cases: tests/rules/real.cases. Each case is one small
program run under one interpreter; what it printed (stderr, where logging
and the warnings module write) becomes the case's log, and the program's
own knowledge of what it did (the task it named, the coroutine it left)
becomes the case's expect lines. Paths are neutralized as the fixtures'
are: this folder is /srv/app/, the interpreter's stdlib /usr/lib/pythonX.Y/.

usage: python3 tests/gen/wordings.py [OUT]     (default tests/rules/real.cases)
Needs pyenv's 3.8.18 ... 3.13.0 and Debian's python3 with python3-uvloop and
python3-pytest (apt-get install -y python3-uvloop python3-pytest).
"""
import os
import subprocess
import sys
import sysconfig
import tempfile
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
PYROOT = os.environ.get('PYENV_ROOT') or subprocess.run(['pyenv', 'root'],
	capture_output=True, text=True).stdout.strip()
ALL = ['3.8.18', '3.9.18', '3.10.13', '3.11.7', '3.12.1', '3.13.0']
DEBIAN = '/usr/bin/python3'

# name: (interpreters, extra argv before the script, script, expect lines)
# An interpreter is a pyenv version or 'debian'. The expect lines are
# aiosift rule-case lines ("KIND field=value ..."), "none" for none.
CASES = {}

CASES['uvloop nested run'] = (['debian'], [], r'''
import asyncio, logging, uvloop
logging.basicConfig(format='%(asctime)s %(levelname)s %(name)s: %(message)s')
log = logging.getLogger('app.sync')

async def child():
	return 1

async def main():
	loop = asyncio.get_running_loop()
	try:
		loop.run_until_complete(child())
	except RuntimeError as e:
		log.exception('run_until_complete failed')
		log.error('sync bridge: %s', e)
		log.error('sync bridge: %r', e)
		log.info('state: %r', e)

uvloop.install()
asyncio.run(main())
''', ['nested_run exc=RuntimeError', 'nested_run', 'nested_run exc=RuntimeError'])

CASES['uvloop unclosed transport'] = (['debian'], ['-W', 'default::ResourceWarning'], r'''
import asyncio, gc, uvloop

async def main():
	srv = await asyncio.start_server(lambda r, w: None, '127.0.0.1', 0)
	port = srv.sockets[0].getsockname()[1]
	reader, writer = await asyncio.open_connection('127.0.0.1', port)
	tr = writer.transport
	del reader, writer, tr
	gc.collect()
	srv.close()
	await srv.wait_closed()

uvloop.install()
asyncio.run(main())
''', None)	# expect lines from the output: one unclosed_resource a warning

CASES['never awaited under -W error'] = (ALL, ['-W', 'error::RuntimeWarning'], r'''
import gc

async def refresh_cache():
	pass

def main():
	refresh_cache()
	gc.collect()
	print('done')

main()
''', ['never_awaited coro=refresh_cache'])

CASES['a started coroutine that ignores GeneratorExit'] = (['3.8.18', '3.12.1', '3.13.0'], [], r'''
import asyncio, gc

async def with_cleanup():
	try:
		await asyncio.sleep(3600)
	finally:
		await asyncio.sleep(0)

loop = asyncio.new_event_loop()
t = loop.create_task(with_cleanup())
loop.run_until_complete(asyncio.sleep(0.01))
loop.close()
del t
gc.collect()
''', ['task_destroyed_pending coro=with_cleanup'])

CASES['pytest never awaited'] = (['debian'], [], None, None)	# see pytest_case()

CASES['loop closed inside a never-retrieved task'] = (ALL, [], r'''
import asyncio, gc, logging
logging.basicConfig(format='%(levelname)s:%(name)s:%(message)s')

closed = asyncio.new_event_loop()
closed.close()

async def push_metrics():
	closed.call_soon(print)

async def main():
	t = asyncio.get_running_loop().create_task(push_metrics(), name='metrics-push')
	await asyncio.sleep(0.01)
	del t
	gc.collect()

asyncio.run(main())
''', ['never_retrieved task=metrics-push coro=push_metrics exc=RuntimeError',
	'loop_closed task=metrics-push coro=push_metrics exc=RuntimeError'])

CASES['different loop inside a never-retrieved task'] = (ALL, [], r'''
import asyncio, gc, logging
logging.basicConfig(format='%(levelname)s:%(name)s:%(message)s')

# 3.8/3.9: the lock takes the current loop when made; 3.10+: the loop of
# its first waiter. Either way the warm-up loop, where a second holder waits.
warm = asyncio.new_event_loop()
asyncio.set_event_loop(warm)
lock = asyncio.Lock()

async def hold():
	async with lock:
		await asyncio.sleep(0.05)

async def warm_up():
	asyncio.get_running_loop().create_task(hold())
	asyncio.get_running_loop().create_task(hold())
	await asyncio.sleep(0.01)

warm.run_until_complete(warm_up())
asyncio.set_event_loop(None)

async def refresh_token():
	async with lock:
		pass

async def main():
	t = asyncio.get_running_loop().create_task(refresh_token(), name='token-refresh')
	await asyncio.sleep(0.01)
	del t
	gc.collect()

asyncio.run(main())
''', lambda log: ['never_retrieved task=token-refresh coro=refresh_token exc=RuntimeError',
	'different_loop task=token-refresh coro=refresh_token exc=RuntimeError'] +
	# the warm-up loop's two holders, left pending; on some versions the
	# close of one fails on that closed loop (a loop_closed of its own,
	# under "Exception ignored in: <coroutine object hold>": a coroutine
	# that ran, so no never_awaited)
	['task_destroyed_pending coro=hold'] * log.count('Task was destroyed') +
	['loop_closed exc=RuntimeError'] * log.count('RuntimeError: Event loop is closed'))

CASES['an application logging str(exc) and repr(exc)'] = (['3.12.1'], [], r'''
import asyncio, logging
logging.basicConfig(format='%(asctime)s %(levelname)s %(name)s: %(message)s')
log = logging.getLogger('app.worker')

async def child():
	return 1

async def main():
	closed = asyncio.new_event_loop()
	closed.close()
	try:
		closed.call_soon(print)
	except RuntimeError as e:
		log.error(str(e))
		log.error('publish failed: %r', e)
		log.info('guard state: %r', e)
		log.info('guard state: %s', e)
	c = child()
	try:
		asyncio.run(c)
	except RuntimeError as e:
		log.error('%s', e)
		log.warning('retry: %r', e)
	c.close()
	try:
		await None
	except TypeError as e:
		log.error('%s', e, exc_info=True)
		log.error('handler: %r', e)

asyncio.run(main())
''', ['loop_closed', 'loop_closed exc=RuntimeError', 'nested_run', 'nested_run exc=RuntimeError',
	'await_non_awaitable coro=main', 'await_non_awaitable exc=TypeError'])

# Home Assistant's loop exception handler, its format strings as in
# homeassistant/runner.py (async_loop_exception_handler): HA itself is not
# installable here.
HA = r'''
import asyncio, gc, logging, traceback
logging.basicConfig(format='%(asctime)s.%(msecs)03d %(levelname)s (%(threadName)s) [%(name)s] %(message)s',
	datefmt='%Y-%m-%d %H:%M:%S')

def handler(_, context):
	kwargs = {}
	if exception := context.get('exception'):
		kwargs['exc_info'] = (type(exception), exception, exception.__traceback__)
	logger = logging.getLogger('homeassistant')
	if source_traceback := context.get('source_traceback'):
		stack_summary = ''.join(traceback.format_list(source_traceback))
		logger.error('Error doing job: %s (task: %s): %s', context['message'],
			context.get('task'), stack_summary, **kwargs)
		return
	logger.error('Error doing job: %s (task: %s)', context['message'], context.get('task'), **kwargs)

async def poll_sensor():
	{}['temperature']

async def forever():
	await asyncio.sleep(3600)

async def main():
	loop = asyncio.get_running_loop()
	loop.set_exception_handler(handler)
	t = loop.create_task(poll_sensor(), name='sensor-poll')
	await asyncio.sleep(0.01)
	del t
	gc.collect()

asyncio.run(main(), debug=DEBUG)
'''
CASES['Home Assistant handler'] = (['3.12.1'], [], HA.replace('DEBUG', 'False'),
	['never_retrieved exc=KeyError'])
CASES['Home Assistant handler in debug mode'] = (['3.12.1'], [], HA.replace('DEBUG', 'True'),
	['never_retrieved exc=KeyError'])
CASES['Home Assistant handler: task destroyed'] = (['3.12.1'], [], r'''
import asyncio, gc, logging
logging.basicConfig(format='%(asctime)s %(levelname)s (%(threadName)s) [%(name)s] %(message)s')

def handler(_, context):
	logging.getLogger('homeassistant').error('Error doing job: %s (task: %s)',
		context['message'], context.get('task'))

async def watch_config():
	await asyncio.sleep(3600)

loop = asyncio.new_event_loop()
loop.set_exception_handler(handler)
t = loop.create_task(watch_config(), name='config-watch')
loop.run_until_complete(asyncio.sleep(0.01))
loop.close()
del t
gc.collect()
''', ['task_destroyed_pending task=config-watch coro=watch_config'])

CASES['two sub-exceptions of a TaskGroup'] = (['3.11.7', '3.13.0'], [], r'''
import asyncio, logging
logging.basicConfig(format='%(levelname)s:%(name)s:%(message)s')
log = logging.getLogger('app.fanout')

closed = asyncio.new_event_loop()
closed.close()

async def publish(i):
	closed.call_soon(print)	# both fail in one step of the loop

async def main():
	try:
		async with asyncio.TaskGroup() as tg:
			tg.create_task(publish(1))
			tg.create_task(publish(2))
	except* RuntimeError:
		log.exception('fan-out failed')

asyncio.run(main())
''', ['loop_closed exc=RuntimeError', 'loop_closed exc=RuntimeError'])


def interpreter(v):
	return DEBIAN if v == 'debian' else os.path.join(PYROOT, 'versions', v, 'bin', 'python3')


def run(py, argv, script, cwd):
	path = os.path.join(cwd, 'app.py')
	with open(path, 'w') as fh:
		fh.write(textwrap.dedent(script).lstrip())
	env = dict(os.environ, TZ='UTC', PYTHONHASHSEED='0')
	env.pop('PYTHONASYNCIODEBUG', None)
	p = subprocess.run([py] + argv + ['app.py'], cwd=cwd, env=env, capture_output=True,
		text=True, timeout=120)
	return p.stdout + p.stderr


def neutral(text, py, cwd):
	stdlib = subprocess.run([py, '-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'],
		capture_output=True, text=True).stdout.strip()
	ver = subprocess.run([py, '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
		capture_output=True, text=True).stdout.strip()
	for a, b in ((os.path.realpath(cwd), '/srv/app'), (cwd, '/srv/app'),
			(stdlib, '/usr/lib/python' + ver)):
		text = text.replace(a, b)
	return text


def pytest_case(cwd):
	"""pytest's warnings summary for two tests that call a coroutine
	function without awaiting it, and, under -W error::RuntimeWarning, the
	unraisable-hook form (PytestUnraisableExceptionWarning)."""
	with open(os.path.join(cwd, 'test_sync.py'), 'w') as fh:
		fh.write(textwrap.dedent('''
			import gc

			async def fetch_rates():
				return 1

			def test_rates():
				fetch_rates()
				gc.collect()

			def test_rates_again():
				fetch_rates()
				gc.collect()
			''').lstrip())
	out = []
	for extra in ([], ['-W', 'error::RuntimeWarning']):
		p = subprocess.run([DEBIAN, '-m', 'pytest', '-p', 'no:cacheprovider', '-q'] + extra +
			['test_sync.py'], cwd=cwd, capture_output=True, text=True, timeout=120,
			env=dict(os.environ, TZ='UTC'))
		out.append(neutral(p.stdout + p.stderr, DEBIAN, cwd))
	return out


def main(argv):
	out = argv[1] if len(argv) > 1 else os.path.join(TOP, 'tests', 'rules', 'real.cases')
	parts = ['# Generated by tests/gen/wordings.py from real output of CPython, uvloop and\n'
		'# pytest: do not edit, run the generator again.\n']
	for name, (versions, argv_extra, script, expect) in CASES.items():
		for v in versions:
			py = interpreter(v)
			if not os.path.exists(py):
				sys.exit('wordings.py: no interpreter %s' % py)
			with tempfile.TemporaryDirectory() as cwd:
				if script is None:
					logs = pytest_case(cwd)
					exps = [['never_awaited coro=fetch_rates'] * 2,
						['never_awaited coro=fetch_rates'] * 2]
				else:
					logs = [neutral(run(py, argv_extra, script, cwd), py, cwd)]
					exps = [expect]
			for i, (log, exp) in enumerate(zip(logs, exps)):
				if callable(exp):
					exp = exp(log)
				if exp is None:	# uvloop: one finding per warning printed
					n = log.count('ResourceWarning: unclosed')
					if n == 0:
						sys.exit('wordings.py: %s: no ResourceWarning' % name)
					exp = ['unclosed_resource'] * n
				label = '%s (%s%s)' % (name, 'uvloop/pytest, Debian python3' if v == 'debian'
					else v, ', -W error' if i else '')
				parts.append('\n=== %s\n' % label)
				parts += ['expect %s\n' % e for e in (exp or ['none'])]
				parts.append('---\n')
				parts.append(''.join(l if l.strip() != '---' and not l.startswith('=== ')
					else ' ' + l for l in log.splitlines(True)))
	with open(out, 'w') as fh:
		fh.write(''.join(parts))
	return 0


if __name__ == '__main__':
	sys.exit(main(sys.argv))
