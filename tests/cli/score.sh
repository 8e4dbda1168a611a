#!/usr/bin/env bash
# tests/score.py, the scorer findings.sh relies on: matching by kind and
# time window, field comparison, thresholds and exit status.
. "$(dirname "$0")/lib.sh"
score=$(cd "$(dirname "$0")/.." && pwd)/score.py

cat >"$T/exp.json" <<'EOF'
{"findings": [
 {"kind": "never_retrieved", "task": "Task-8", "coro": "Pool.send", "exception": "ConnectionRefusedError",
  "ts_min": "2026-11-24T18:01:23.100000+00:00", "ts_max": "2026-11-24T18:01:23.400000+00:00", "duration_s": null},
 {"kind": "stall", "task": null, "coro": null, "exception": null,
  "ts_min": "2026-11-24T23:31:24.000+05:30", "ts_max": "2026-11-24T23:31:24.900+05:30", "duration_s": 0.9},
 {"kind": "never_awaited", "task": null, "coro": "Uploader.upload_chunk", "exception": null,
  "ts_min": "2026-11-24T18:01:30.000000+00:00", "ts_max": "2026-11-24T18:01:30.001000+00:00", "duration_s": null}
]}
EOF
good1='{"kind":"never_retrieved","task":"Task-8","coro":"send","exception":"builtins.ConnectionRefusedError","ts":"2026-11-24T18:01:23.250Z"}'
good2='{"kind":"stall","task":"w-3","coro":null,"exception":null,"ts":"2026-11-24T18:01:24.000Z","duration_s":0.95}'
good3='{"kind":"never_awaited","task":null,"coro":"Uploader.upload_chunk","exception":null,"ts":null}'

sc() { python3 "$score" "$@" >"$out" 2>"$err"; st=$?; }

printf '%s\n' "$good1" "$good2" "$good3" >"$T/a.ndjson"
sc --expected "$T/exp.json" --actual "$T/a.ndjson" --min-recall 1 --min-precision 1 --min-field-accuracy 1
expect_status score-perfect-status 0
expect_eq score-perfect-last "$(tail -1 "$out")" "recall 1.000 precision 1.000 field-accuracy 1.000"
expect_out score-per-kind '^stall +1 +0 +0 '

# a finding 3 s outside its window does not match: one miss, one extra
printf '%s\n' "${good1/23.250/27.500}" "$good2" "$good3" >"$T/b.ndjson"
sc "$T/exp.json" "$T/b.ndjson" --min-recall 0.9
expect_status score-window-threshold 1
expect_out score-window-counts '^never_retrieved +0 +1 +1 '
expect_eq score-window-last "$(tail -1 "$out")" "recall 0.667 precision 0.667 field-accuracy 1.000"

# within the 2 s tolerance it does
printf '%s\n' "${good1/23.250/25.300}" "$good2" "$good3" >"$T/c.ndjson"
sc "$T/exp.json" "$T/c.ndjson"
expect_out score-tolerance '^recall 1.000 precision 1.000'

# wrong task and a duration far off: matched, field accuracy drops
printf '%s\n' "${good1/Task-8/Task-9}" "${good2/0.95/2.5}" "$good3" >"$T/d.ndjson"
sc "$T/exp.json" "$T/d.ndjson" --min-field-accuracy 0.9
expect_status score-fields-threshold 1
expect_eq score-fields-last "$(tail -1 "$out")" "recall 1.000 precision 1.000 field-accuracy 0.600"

# the wrong kind never matches
printf '%s\n' "${good1/never_retrieved/callback_exception}" >"$T/e.ndjson"
sc "$T/exp.json" "$T/e.ndjson"
expect_out score-kind '^callback_exception +0 +0 +1 '

# several pairs are summed; an empty actual is all misses
: >"$T/empty.ndjson"
sc "$T/exp.json" "$T/a.ndjson" "$T/exp.json" "$T/empty.ndjson"
expect_out score-sum '^total TP 3 FN 3 FP 0$'

# bad input: exit 2, a message; a bad NDJSON line is reported and counted
echo '{"not": "findings"}' >"$T/bad.json"
sc "$T/bad.json" "$T/a.ndjson"
expect_status score-bad-expected 2
printf '%s\nnot json\n' "$good1" >"$T/f.ndjson"
sc "$T/exp.json" "$T/f.ndjson"
expect_out score-bad-line 'not a JSON object'
expect_out score-bad-line-fp '^<unparsable> +0 +0 +1 '
