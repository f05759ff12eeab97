#!/bin/sh
# `dataflow run` of a hybrid source (history then live), end to end, at parallelism 1 and 2:
# per-second windows over history files then a live generator equal those of one bounded run
# over the same events (the history's rows before switch_at and the live rows from it on), the
# drops at the switch are the ones counted here, and a bad history line is a dead letter. Then
# the reference's example, docs/examples/history-then-live.yaml, runs over a week of files made
# here. Usage: run_hybrid_pipeline_test.sh DATAFLOW EXAMPLE_YAML
set -eu
dataflow=$1
example=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
fail() { echo "FAILED: $*"; exit 1; }

# The history: 30 s of events from 1700000000000 on (100 per second, up to 1 s out of order),
# written by a generator pipeline into rolled parts. The live stream: the same kind of generator
# with another seed, from 25 s on, so history and live overlap by 5 s around the switch at 27.5 s.
schema='{content: {zipf: {n: 5}}, bytes: {uniform: [1, 1000]}}'
live_keys="count: 3000, seed: 8, event_time: {start: 1700000025000, per_second: 100, max_disorder: 1s}, schema: $schema"
cat > make.yaml <<YAML
sources:
  - {name: h, type: generator, count: 3000, seed: 7, event_time: {start: 1700000000000, per_second: 100, max_disorder: 1s}, schema: $schema}
  - {name: l, type: generator, $live_keys}
sinks:
  - {input: h, type: json_lines, path: hist/events.jsonl, roll_size: 20KB}
  - {input: l, type: json_lines, path: live.jsonl}
YAML
"$dataflow" run make.yaml 2> summary.txt || fail "making the input: $(cat summary.txt)"
[ "$(ls hist | wc -l)" -ge 3 ] || fail "expected several history files, got: $(ls hist)"
second=$(ls hist | sed -n 2p)
echo '{"content": 1, "ts": "not a time"}' >> "hist/$second"

switch=1700000027500  # 2023-11-14T22:13:47.500Z
# Rows with "ts" before (or, with after=1, from) the switch.
rows() { awk -v s=$switch -v after="$1" '{ match($0, /"ts":[0-9]+/); t = substr($0, RSTART + 5, RLENGTH - 5) + 0; if ((t >= s) == after) print }'; }
cat hist/*.jsonl | grep -v 'not a time' > history-rows.jsonl
h_dropped=$(rows 1 < history-rows.jsonl | wc -l)
l_dropped=$(rows 0 < live.jsonl | wc -l)
[ "$h_dropped" -gt 0 ] && [ "$l_dropped" -gt 0 ] || fail "the input does not overlap the switch"
# The same events in one bounded file, in time order but for the disorder.
{ rows 0 < history-rows.jsonl; rows 1 < live.jsonl; } > all.jsonl
[ "$(wc -l < all.jsonl)" -eq $((6000 - h_dropped - l_dropped)) ] || fail "reference input"

window='{name: per_second, input: events, key_by: content, window: {type: tumbling, size: 1s}, late_output: late, aggregate: [{count: n}, {sum: bytes}]}'
for p in 1 2; do
  rm -rf out
  cat > hybrid.yaml <<YAML
parallelism: $p
sources:
  - name: events
    type: hybrid
    switch_at: 2023-11-14T22:13:47.500Z
    history: {path: hist, event_time: {field: ts}, watermarks: {strategy: bounded_out_of_orderness, max_delay: 1s}, dead_letters: out/dead.jsonl}
    live: {$live_keys, watermarks: {strategy: bounded_out_of_orderness, max_delay: 1s}}
steps:
  - $window
sinks:
  - {input: per_second, type: json_lines, path: out/hybrid.jsonl}
  - {input: late, type: json_lines, path: out/late-hybrid.jsonl}
YAML
  cat > bounded.yaml <<YAML
parallelism: $p
sources:
  - {name: events, type: json_lines, path: all.jsonl, event_time: {field: ts}, watermarks: {strategy: bounded_out_of_orderness, max_delay: 1s}}
steps:
  - $window
sinks:
  - {input: per_second, type: json_lines, path: out/bounded.jsonl}
  - {input: late, type: json_lines, path: out/late-bounded.jsonl}
YAML
  "$dataflow" run hybrid.yaml 2> summary.txt || fail "hybrid run: $(cat summary.txt)"
  grep -q "^done: 6000 records, 1 dead letters" summary.txt || fail "summary: $(cat summary.txt)"
  grep -qx "events: dropped $h_dropped history records at or after switch_at and $l_dropped live records before it" summary.txt ||
    fail "drops (expected $h_dropped and $l_dropped): $(cat summary.txt)"
  "$dataflow" run bounded.yaml 2> summary.txt || fail "bounded run: $(cat summary.txt)"
  [ "$(cat out/hybrid*.jsonl | wc -l)" -gt 100 ] || fail "too few windows"
  [ "$(cat out/hybrid*.jsonl | sort)" = "$(cat out/bounded*.jsonl | sort)" ] ||
    fail "p=$p: hybrid windows differ from the bounded run's"
  [ "$(cat out/late-hybrid*.jsonl 2>/dev/null | wc -l)" -eq 0 ] || fail "p=$p: late rows in the hybrid run"
  [ "$(cat out/late-bounded*.jsonl 2>/dev/null | wc -l)" -eq 0 ] || fail "p=$p: late rows in the bounded run"
  n=$(cat out/hybrid*.jsonl | sed 's/.*"n":\([0-9]*\).*/\1/' | awk '{s += $1} END {print s}')
  [ "$n" -eq "$(wc -l < all.jsonl)" ] || fail "p=$p: windows count $n events"
  grep -q '"reason"' out/dead.jsonl || fail "no dead letter"
done

# --- the reference's example: a week of history, one file per day, then 100000 live events ---
mkdir -p data/history
day=0
while [ $day -lt 7 ]; do
  awk -v d=$day 'BEGIN { for (h = 0; h < 24; h++) for (i = 0; i < 3; i++)
    printf "{\"ts\":%.0f,\"content_id\":%d,\"bytes\":%d}\n",
      1794873600000 + (d * 24 + h) * 3600000 + i * 60000, i + 1, 1000 }' \
    > data/history/deliveries-2026-11-$((17 + day)).jsonl
  day=$((day + 1))
done
echo '{"ts":1795400000000,"content_id":1,"bytes":"big"}' >> data/history/deliveries-2026-11-23.jsonl
"$dataflow" run "$example" 2> summary.txt || fail "example: $(cat summary.txt)"
grep -q "^done: 100504 records, 1 dead letters" summary.txt || fail "example summary: $(cat summary.txt)"
dropped=$(sed -n 's/^deliveries: dropped 0 history records at or after switch_at and \([0-9]*\) live.*/\1/p' summary.txt)
[ -n "$dropped" ] || fail "example drops: $(cat summary.txt)"
n=$(cat out/per-hour*.jsonl | sed 's/.*"requests":\([0-9]*\).*/\1/' | awk '{s += $1} END {print s}')
[ "$n" -eq $((504 + 100000 - dropped)) ] || fail "example: windows count $n events"
# every hour of the week has its 3 history events, one per content item
[ "$(cat out/per-hour*.jsonl | awk -F'"window_start":' '{split($2, a, ","); if (a[1] < 1795478400000) print}' | wc -l)" -eq 504 ] ||
  fail "example: history windows"
[ "$(wc -l < out/history-dead-letters.jsonl)" -eq 1 ] || fail "example: dead letters"
echo ok
