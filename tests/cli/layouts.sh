#!/usr/bin/env bash
# Layouts and files: a directory ingest reads every text log and names
# what it leaves out; each layout fixture (tests/fixtures/layouts, real
# output of the program that writes the layout, tests/gen/layouts.py)
# splits into the records and fields its table (layouts.tsv) says.
. "$(dirname "$0")/lib.sh"

# --- files: what a directory walk reads and what it leaves out ---
d=$T/dir; mkdir -p "$d/sub" "$d/.cache"
printf 'Traceback (most recent call last):\n  File "/a.py", line 1, in f\nValueError: x\n' >"$d/worker.stderr"
printf 'ERROR:asyncio:Task exception was never retrieved\n' >"$d/nohup.out"
printf 'INFO:app:started\n' >"$d/sub/job.err"
printf '2026-11-24 18:01:22,001 INFO app: up\n' >"$d/worker-3"
printf 'import asyncio\n' >"$d/main.py"
printf 'just words\n' >"$d/README"
printf 'x\0y\n' >"$d/core"
printf '{"a": 1}\n' >"$d/state.json"
run ingest --db "$T/files.db" "$d"
expect_status "dir: exit 0" 0
expect_out "dir: 4 files read (.stderr, nohup.out, .err, a log without a log's name)" '^ingested 4 files'
expect_eq "dir: the .stderr file is a source" \
    "$(sql "$T/files.db" "SELECT count(*) FROM sources WHERE path LIKE '%worker.stderr'")" 1
expect_err "dir: one note names what was left out" '5 files in the directories given were not read as logs \(.*--verbose names each'
run ingest -v --db "$T/files2.db" "$d"
expect_err "dir -v: a .py file named, with why" 'main\.py: a source, config or data file \(by its name\), skipped'
expect_err "dir -v: binary named" 'core: binary \(NUL bytes in its first 4 KiB\), skipped'
expect_err "dir -v: text without log lines named" 'README: no log lines in its first 4 KiB, skipped'
expect_err "dir -v: JSON document named" 'state\.json: a database or JSON document, not a log, skipped'
expect_err "dir -v: hidden named" '\.cache: hidden, skipped'
run ingest -q --db "$T/files3.db" "$d"
expect_eq "dir -q: no notes" "$(cat "$err")" ""
