#!/bin/sh
# `dataflow run` end to end, part two: a directory of several files at parallelism 2 into a
# rolling sink; allowed lateness and a late-data output driven by watermark lines in the input,
# with the sink writing the watermarks it receives; a generator source against counts computed
# here from its own raw output; and the progress line. Usage: run_pipeline_features_test.sh DATAFLOW
set -eu
dataflow=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
fail() { echo "FAILED: $*"; exit 1; }

# --- 1. three files in a directory, parallelism 2, a sink rolling every 300 bytes -------------
mkdir in
for f in a b c; do
  i=0
  while [ $i -lt 200 ]; do
    printf '{"ts":%d,"content":"%s%d"}\n' $((i * 1000)) $f $((i % 2))
    i=$((i + 1))
  done > in/$f.jsonl
done
cat > dir.yaml <<YAML
parallelism: 2
sources:
  - {name: events, type: json_lines, path: in, event_time: {field: ts}, watermarks: {strategy: monotonous}}
steps:
  - {name: per_minute, input: events, key_by: content, window: {type: tumbling, size: 1m}, aggregate: [{count: n}]}
sinks:
  - {input: per_minute, type: json_lines, path: out/result.jsonl, roll_size: 300}
YAML
"$dataflow" run dir.yaml 2> summary.txt
grep -q '^done: 600 records, 0 dead letters' summary.txt || fail "summary: $(cat summary.txt)"
# 200 s per file: minutes 0..2 full (60 events, 30 per content), minute 3 has 20 (10 each).
expected=$(for f in a b c; do for c in 0 1; do for m in 0 1 2 3; do
  n=30; [ $m -eq 3 ] && n=10
  printf '{"content":"%s%d","window_start":%d,"window_end":%d,"n":%d}\n' $f $c $((m * 60000)) $(((m + 1) * 60000)) $n
done; done; done | sort)
[ "$(cat out/*.jsonl | sort)" = "$expected" ] || fail "rolled results differ"
parts=$(ls out | wc -l)
[ "$parts" -ge 4 ] || fail "expected several parts, got: $(ls out)"
ls out | grep -qv '^result-[01]\.part[0-9]\{5\}\.jsonl$' && fail "part names: $(ls out)"
for p in out/*; do
  # a part holds at most 300 bytes, unless it is a single line
  [ "$(wc -c < "$p")" -le 300 ] || [ "$(wc -l < "$p")" -eq 1 ] || fail "$p is too big"
done

# --- 2. lateness: re-fire within allowed_lateness, late output beyond it ------------------------
cat > late.jsonl <<'JSON'
{"ts":1000,"k":"a"}
{"ts":2000,"k":"a"}
{"ts":61000,"k":"a"}
{"watermark":65000}
{"ts":3000,"k":"a"}
{"watermark":75000}
{"ts":4000,"k":"a","tag":"too late"}
{"ts":62000,"k":"a"}
JSON
cat > late.yaml <<YAML
sources:
  - {name: events, type: json_lines, path: late.jsonl, event_time: {field: ts}, watermarks: {strategy: punctuated}}
steps:
  - name: per_minute
    input: events
    key_by: k
    window: {type: tumbling, size: 1m}
    allowed_lateness: 10s
    late_output: late
    aggregate: [{count: n}]
sinks:
  - {input: per_minute, type: json_lines, path: windows.jsonl, write_watermarks: true}
  - {input: late, type: json_lines, path: late-out.jsonl}
YAML
"$dataflow" run late.yaml 2> summary.txt
# The window [0, 1m) fires at watermark 65000 with 2, re-fires with 3 for the element within the
# lateness, and is gone at 75000 (cleanup at 60000 - 1 + 10000); the last minute fires at the end.
cat > expected.jsonl <<'JSON'
{"k":"a","window_start":0,"window_end":60000,"n":2}
{"watermark":65000}
{"k":"a","window_start":0,"window_end":60000,"n":3}
{"watermark":75000}
{"k":"a","window_start":60000,"window_end":120000,"n":2}
{"watermark":9223372036854775807}
JSON
diff expected.jsonl windows.jsonl || fail "window results and watermarks differ"
[ "$(cat late-out.jsonl)" = '{"ts":4000,"k":"a","tag":"too late"}' ] || fail "late output: $(cat late-out.jsonl)"

# --- 3. a generator source: counts per content and minute equal those of its raw output ---------
cat > gen.yaml <<YAML
sources:
  - name: events
    type: generator
    count: 5000
    seed: 11
    event_time: {field: ts, start: 10000, per_second: 50, max_disorder: 2s}
    watermarks: {strategy: bounded_out_of_orderness, max_delay: 2s}
    schema:
      content: {zipf: {n: 5, exponent: 1.0}}
      user: {uniform: [1, 100]}
steps:
  - {name: per_minute, input: events, key_by: content, window: {type: tumbling, size: 1m}, aggregate: [{count: n}]}
sinks:
  - {input: events, type: json_lines, path: raw.jsonl}
  - {input: per_minute, type: json_lines, path: gen-out.jsonl}
YAML
"$dataflow" run gen.yaml 2> summary.txt
grep -q '^done: 5000 records' summary.txt || fail "generator summary: $(cat summary.txt)"
[ "$(wc -l < raw.jsonl)" -eq 5000 ] || fail "raw events: $(wc -l < raw.jsonl)"
expected=$(sed 's/{"content":\([0-9]*\),"user":[0-9]*,"ts":\([0-9]*\)}/\1 \2/' raw.jsonl |
  awk '{m = int($2 / 60000); n[$1 " " m]++} END {for (k in n) {split(k, a, " ");
    printf "{\"content\":%s,\"window_start\":%d,\"window_end\":%d,\"n\":%d}\n", a[1], a[2] * 60000, (a[2] + 1) * 60000, n[k]}}' | sort)
[ -n "$expected" ] || fail "no reference counts"
[ "$(sort gen-out.jsonl)" = "$expected" ] || fail "generator window counts differ"
# The same seed makes the same events.
cp raw.jsonl raw-first.jsonl
"$dataflow" run gen.yaml 2> /dev/null
cmp -s raw.jsonl raw-first.jsonl || fail "a second run generated other events"

# --- 4. the progress line: forced, absent when stderr is not a terminal, shown on a terminal ----
"$dataflow" run dir.yaml --progress always 2> progress.txt
grep -q '600 records, 0.0 MB, 100% of input, [0-9]* records/s' progress.txt || fail "progress: $(cat progress.txt)"
"$dataflow" run dir.yaml 2> progress.txt
grep -q 'of input' progress.txt && fail "a progress line without a terminal"
if command -v script > /dev/null; then
  script -qec "'$dataflow' run dir.yaml" /dev/null > tty.txt
  grep -q '600 records, 0.0 MB, 100% of input' tty.txt || fail "no progress on a terminal: $(cat tty.txt)"
fi

# --- 5. enrichment: every event once, with its content's count over the 3-minute window that ---
# ends first after it (sliding by a minute), and those window results as a stream of their own
i=0
while [ $i -lt 900 ]; do
  printf '{"ts":%d,"content":"c%d"}\n' $((i * 400)) $(( (i * i) % 4 ))
  i=$((i + 1))
done > enrich.jsonl
cat > enrich.yaml <<YAML
parallelism: 2
sources:
  - {name: events, type: json_lines, path: enrich.jsonl, event_time: {field: ts}, watermarks: {strategy: monotonous}}
steps:
  - name: enriched
    input: events
    enrich:
      window: {type: sliding, size: 3m, slide: 1m}
      key_by: content
      aggregate: [{count: n}]
      results: per_3m
sinks:
  - {input: enriched, type: json_lines, path: enriched.jsonl, parallelism: 1}
  - {input: per_3m, type: json_lines, path: per-3m.jsonl, parallelism: 1}
YAML
"$dataflow" run enrich.yaml 2> summary.txt || fail "enrich run: $(cat summary.txt)"
expected=$(sed 's/{"ts":\([0-9]*\),"content":"\(c[0-9]\)"}/\1 \2/' enrich.jsonl | awk '
  { ts[NR] = $1; c[NR] = $2; n[$2 " " int($1 / 60000)]++ }
  END { for (i = 1; i <= NR; i++) { m = int(ts[i] / 60000) + 1; s = 0
          for (k = m - 3; k < m; k++) s += n[c[i] " " k]
          printf "{\"ts\":%d,\"content\":\"%s\",\"n\":%d,\"window_end\":%d,\"enrich_status\":\"on_time\"}\n", ts[i], c[i], s, m * 60000 } }' | sort)
[ "$(wc -l < enriched.jsonl)" -eq 900 ] || fail "enriched lines: $(wc -l < enriched.jsonl)"
[ "$(sort enriched.jsonl)" = "$expected" ] || fail "enriched events differ"
# 6 minutes of events: windows ending at minutes 1..8 per content that has events in them.
grep -q '"window_start":-120000,"window_end":60000,"n":' per-3m.jsonl || fail "window results: $(head -3 per-3m.jsonl)"

# --- 6. interval join: each order with the clicks of its user in the 5 s before it -----------
i=0
while [ $i -lt 300 ]; do
  printf '{"ts":%d,"user":"u%d","click":%d}\n' $((i * 700)) $((i % 7)) $i
  i=$((i + 1))
done > clicks.jsonl
i=0
while [ $i -lt 100 ]; do
  printf '{"ts":%d,"user":"u%d","order":%d}\n' $((i * 2000 + 300)) $((i % 5)) $i
  i=$((i + 1))
done > orders.jsonl
cat > join.yaml <<YAML
parallelism: 2
sources:
  - {name: orders, type: json_lines, path: orders.jsonl, event_time: {field: ts}, watermarks: {strategy: monotonous}}
  - {name: clicks, type: json_lines, path: clicks.jsonl, event_time: {field: ts}, watermarks: {strategy: monotonous}}
steps:
  - name: orders_with_clicks
    interval_join: {left: orders, right: clicks, key_by: user, between: [-5s, 0s], upper_exclusive: true}
sinks:
  - {input: orders_with_clicks, type: json_lines, path: joined.jsonl, parallelism: 1}
YAML
"$dataflow" run join.yaml 2> summary.txt || fail "join run: $(cat summary.txt)"
expected=$(awk -F'[:,}"]+' 'FNR == NR {ct[NR] = $3; cu[NR] = $5; cn[NR] = $7; nc = NR; next}
  { for (k = 1; k <= nc; k++) if (cu[k] == $5 && ct[k] >= $3 - 5000 && ct[k] < $3)
      printf "{\"ts\":%d,\"user\":\"%s\",\"order\":%d,\"right_ts\":%d,\"right_user\":\"%s\",\"click\":%d}\n", $3, $5, $7, ct[k], cu[k], cn[k] }' clicks.jsonl orders.jsonl | sort)
[ -n "$expected" ] || fail "no reference pairs"
[ "$(sort joined.jsonl)" = "$expected" ] || fail "joined pairs differ: $(sort joined.jsonl | head -3) vs $(echo "$expected" | head -3)"

# --- 7. an unbounded generator stops on SIGINT: exit 0, "stopped:", the sink flushed ----------
cat > live.yaml <<YAML
sources:
  - name: events
    type: generator
    rate: 2000
    schema: {id: sequence}
sinks:
  - {input: events, type: json_lines, path: live-out.jsonl}
YAML
"$dataflow" run live.yaml --progress always 2> live.txt &
pid=$!
n=0  # wait (at most 10 s) until records flow, then interrupt
until grep -q 'records/s (Ctrl-C stops)' live.txt 2> /dev/null && [ -s live-out.jsonl ]; do
  n=$((n + 1)); [ $n -le 100 ] || { kill $pid; fail "no progress from the live run"; }
  sleep 0.1
done
kill -INT $pid
rc=0; wait $pid || rc=$?
[ $rc -eq 0 ] || fail "SIGINT: exit code $rc"
grep -q '^stopped: [1-9][0-9]* records' live.txt || fail "no stopped summary: $(tail -c 300 live.txt)"
# Every record written is whole and the ids run from 0 without a gap.
[ "$(tail -n 1 live-out.jsonl | grep -c '^{"id":[0-9]*,"ts":[0-9]*}$')" -eq 1 ] || fail "a cut last line"
lines=$(wc -l < live-out.jsonl)
[ "$(sed -n "${lines}p" live-out.jsonl | sed 's/{"id":\([0-9]*\),.*/\1/')" -eq $((lines - 1)) ] || fail "ids have gaps"
echo ok
