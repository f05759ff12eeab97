#!/bin/sh
# `dataflow run` end to end: a generated JSON-lines file (plain and gzip), a pipeline file, and
# the window results checked against counts computed here. Usage: run_pipeline_test.sh DATAFLOW
set -eu
dataflow=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
mkdir in
# 600 events, one per 200 ms over two minutes; content c0..c2 in turn; every 10th has status 500;
# one malformed line.
i=0
while [ $i -lt 600 ]; do
  status=200; [ $((i % 10)) -eq 9 ] && status=500
  printf '{"ts":%d,"content":"c%d","status":%d,"bytes":%d}\n' $((i * 200)) $((i % 3)) $status $i
  [ $i -eq 300 ] && printf '{"ts": \n'
  i=$((i + 1))
done > in/a.jsonl
cat > p.yaml <<YAML
sources:
  - name: events
    type: json_lines
    path: in
    event_time: {field: ts}
    watermarks: {strategy: monotonous}
    dead_letters: dead.jsonl
steps:
  - {name: ok, input: events, filter: {field: status, op: "==", value: 200}}
  - name: per_minute
    input: ok
    key_by: content
    window: {type: tumbling, size: 1m}
    aggregate: [{count: requests}]
sinks:
  - {input: per_minute, type: json_lines, path: out.jsonl}
YAML
"$dataflow" run p.yaml 2> summary.txt
grep -q '^done: 600 records, 1 dead letters' summary.txt
# Expected: per minute (300 events) and content (100 each), minus the status-500 events.
expected=$(i=0; while [ $i -lt 600 ]; do
  [ $((i % 10)) -ne 9 ] && echo "c$((i % 3)) $((i / 300))"; i=$((i + 1)); done | sort | uniq -c |
  awk '{printf "{\"content\":\"%s\",\"window_start\":%d,\"window_end\":%d,\"requests\":%d}\n", $2, $3 * 60000, ($3 + 1) * 60000, $1}' | sort)
got=$(sort out.jsonl)
[ "$got" = "$expected" ] || { echo "got:"; echo "$got"; echo "expected:"; echo "$expected"; exit 1; }
test "$(wc -l < dead.jsonl)" -eq 1
# The same input gzip-compressed gives the same results.
gzip in/a.jsonl
"$dataflow" run p.yaml 2> /dev/null
[ "$(sort out.jsonl)" = "$expected" ]
echo ok
