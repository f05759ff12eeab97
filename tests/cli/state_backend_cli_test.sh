#!/bin/sh
# `dataflow run` on the RocksDB backend: chosen with --state-backend or a `state:` section, the
# output equals the memory backend's, the working directory is gone after the run, and mistakes
# stop the run before it starts with the place named.
# Usage: state_backend_cli_test.sh DATAFLOW
set -eu
dataflow=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
fail() { echo "FAIL: $*"; exit 1; }

mkdir in
awk 'BEGIN { for (i = 0; i < 50000; i++)
  printf "{\"ts\":%d,\"user\":\"u%d\",\"n\":%d}\n", i * 3 - (i % 11), (i * 7919) % 1013, i % 17 > "in/a.jsonl" }'
pipeline() {  # $1: extra top-level YAML
  cat <<YAML
name: backend-cli
parallelism: 2
$1
sources:
  - {name: clicks, type: json_lines, path: in, event_time: {field: ts}, watermarks: {strategy: bounded_out_of_orderness, max_delay: 20ms}}
steps:
  - {name: per_user, input: clicks, key_by: user, window: {type: sliding, size: 1s, slide: 250ms}, aggregate: [{count: n}, {sum: n, as: total}]}
sinks:
  - {input: per_user, type: json_lines, path: out/per-user.jsonl}
YAML
}
pipeline "" > memory.yaml
pipeline "state: {backend: rocksdb, directory: $dir/from-file, cache_entries: 16}" > rocksdb.yaml
pipeline "state: {backend: leveldb}" > bad.yaml

result() { cat out/*.jsonl | sort > "$1"; rm -rf out; }
"$dataflow" run memory.yaml --no-progress > log 2>&1 || { cat log; fail "memory run"; }
result memory.out
[ "$(wc -l < memory.out)" -gt 1000 ] || fail "only $(wc -l < memory.out) windows"
"$dataflow" run memory.yaml --no-progress --state-backend rocksdb --state-dir "$dir/from-flag" > log 2>&1 \
  || { cat log; fail "run with --state-backend rocksdb"; }
result flag.out
cmp -s memory.out flag.out || fail "--state-backend rocksdb differs: $(comm -3 memory.out flag.out | head -2)"
[ -d from-flag ] && [ -z "$(ls from-flag)" ] || fail "the working directory under from-flag is left: $(ls from-flag)"
"$dataflow" run rocksdb.yaml --no-progress > log 2>&1 || { cat log; fail "run with state: rocksdb"; }
result file.out
cmp -s memory.out file.out || fail "state: rocksdb differs: $(comm -3 memory.out file.out | head -2)"
[ -z "$(ls from-file)" ] || fail "the working directory under from-file is left"

# Mistakes: an unknown backend names the file, line and key; --state-dir needs rocksdb.
if "$dataflow" run bad.yaml --no-progress > log 2>&1; then fail "an unknown backend ran"; fi
grep -q "bad.yaml:3:.*state.backend: expected memory or rocksdb, got \"leveldb\"" log \
  || { cat log; fail "the unknown backend's error does not name the place"; }
set +e
"$dataflow" run memory.yaml --no-progress --state-dir "$dir/x" > log 2>&1
rc=$?
set -e
[ $rc -eq 2 ] || fail "--state-dir without rocksdb exited $rc"
grep -q -- "--state-dir needs --state-backend rocksdb" log || { cat log; fail "no reason for --state-dir"; }
echo "ok: $(wc -l < memory.out) windows alike on memory and RocksDB"
