# Helpers for the query, report and postmortem tests: source after lib.sh.
# qdb DB: a database with the fixture rows of tests/fixtures/query (see
# tests/gen/query_fixture.py), its schema taken from store/schema.c.
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
qdb() {
	python3 - "$TOP/store/schema.c" "$TOP/store/schema.h" "$1" <<'PY' || return 1
import re, sqlite3, sys
src = open(sys.argv[1]).read()
body = src[src.index('schema_steps[] = {'):src.index('};', src.index('schema_steps[] = {'))]
steps, cur = [], ''
for line in body.split('\n'):
    line = re.sub(r'/\*.*?\*/', '', line).strip()
    for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', line):
        cur += lit.encode().decode('unicode_escape')
    if line.endswith(','):
        steps.append(cur); cur = ''
if cur:
    steps.append(cur)
appid = int(re.search(r'SCHEMA_APPLICATION_ID\s+(0x[0-9a-fA-F]+)', open(sys.argv[2]).read()).group(1), 16)
db = sqlite3.connect(sys.argv[3])
for s in steps:
    db.executescript(s)
db.execute('PRAGMA user_version = %d' % len(steps))
db.execute('PRAGMA application_id = %d' % appid)
db.commit()
PY
	sed "s|@DIR@|$FIXTURES/query|g" "$FIXTURES/query/mkdb.sql" |
	    sqlite3 -batch "$1"
}
