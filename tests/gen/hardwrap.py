#!/usr/bin/env python3
"""Console hard-wrap fixtures: a CPython 3.12 service's stderr (basicConfig
LEVEL:logger:msg records, a ResourceWarning from the warnings module, bare
prints) as a console that wraps at 80 columns shows it (the Windows console
copy of realworld-dev 018: every 80 characters a line break, mid-word), and
the same output unwrapped.

    tests/gen/hardwrap.py [OUTDIR]   (default tests/fixtures/wrap)

wrapped80.log: the ResourceWarning's rest ("urceWarning: ...", then the
object's address) stays in its record; the "=" * 80 rule and the prints and
LEVEL:logger: records after 80-wide lines stay records of their own.
plain.log: unwrapped (a line 115 wide), with prints exactly 80 wide ending
in a letter and a print after them: nothing is joined. In a wrapped console
only a bare line's rest is joined (a LEVEL:logger: record's is not: the
print after the 80-wide WARNING record stays a record).
"""
import os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
PYENV = os.path.expanduser(os.environ.get('PYENV_ROOT', '~/.pyenv'))
PY312 = os.path.join(PYENV, 'versions/3.12.1/bin/python3')

PROG = r'''
import asyncio, gc, logging, sys, warnings
logging.basicConfig(level=logging.INFO)
warnings.simplefilter("default")
log = logging.getLogger("feedbot")
class ClientSession:
    def __del__(self):
        warnings.warn("Unclosed client session %r" % self, ResourceWarning)
async def poll():
    s = ClientSession()
    log.info("status: polling the feed at https://example.org/feeds/news.xml")
    del s
    gc.collect()
async def main():
    print("=" * 80, file=sys.stderr)
    print("feedbot 1.0 starting", file=sys.stderr)
    await poll()
    log.warning("status: %s", "x" * (80 - len("WARNING:feedbot:status: ")))
    print("feed poller stopping", file=sys.stderr)
    log.info("status: %s", "y" * (80 - len("INFO:feedbot:status: ")))
    log.error("polling stopped after one round")
    if sys.argv[1:] == ["plain"]:
        print("feedbot 1.0 %s" % ("z" * (80 - len("feedbot 1.0 "))),
            file=sys.stderr)
        print("feedbot stopped", file=sys.stderr)
asyncio.run(main())
'''

def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP,
        'tests/fixtures/wrap')
    os.makedirs(outdir, exist_ok=True)
    tmp = tempfile.mkdtemp()
    prog = os.path.join(tmp, 'feedbot.py')
    open(prog, 'w').write(PROG)
    def run(*args):
        out = subprocess.run([PY312, prog] + list(args),
            stderr=subprocess.PIPE, check=True, cwd=tmp,
            env=dict(os.environ, PYTHONHASHSEED='0')).stderr.decode()
        return out.replace(tmp + '/', 'C:\\feedbot\\')
    open(os.path.join(outdir, 'plain.log'), 'w').write(run('plain'))
    lines = run().split('\n')[:-1]
    wrapped = []
    for ln in lines:
        wrapped += [ln[i:i + 80] for i in range(0, max(len(ln), 1), 80)]
    open(os.path.join(outdir, 'wrapped80.log'), 'w').write(
        '\n'.join(wrapped) + '\n')
    print('plain %d lines, wrapped80 %d lines' % (len(lines), len(wrapped)))

if __name__ == '__main__':
    main()
