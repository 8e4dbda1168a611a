# Error paths (issue 10): each error reaches the user with its message and
# exit status, never as success.
. "$(dirname "$0")/lib.sh"
db=$T/e.db
run ingest -q --db "$db" "$FIXTURES/asyncio/api_gateway-py3.12.1"
expect_status "setup ingest" 0
# an empty statement on stdin is a usage error, not a silent success
printf '' | "$AIOSIFT" query sql --db "$db" - >"$out" 2>"$err"; st=$?
expect_status "query sql -, empty stdin: usage error" 2
expect_err "query sql -, empty stdin: named" "no statement"
printf '  \n' | "$AIOSIFT" query sql --db "$db" - >"$out" 2>"$err"; st=$?
expect_status "query sql -, blank stdin: usage error" 2
printf 'SELECT 1' | "$AIOSIFT" query sql --db "$db" - >"$out" 2>"$err"; st=$?
expect_status "query sql -, one statement: 0" 0
