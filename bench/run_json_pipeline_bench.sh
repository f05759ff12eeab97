#!/bin/sh
# Issue #4's benchmark: file -> parse -> 1-minute tumbling count -> file sink, next to reading
# the same file line by line and to parsing it without the job; plain and gzip. Prints JSON
# lines; see bench/README.md. Usage: bench/run_json_pipeline_bench.sh [build dir] [lines]
set -e
b=${1:-build/release}/bench/json_pipeline_bench
lines=${2:-5000000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# ~140-byte content-delivery lines, 10,000 content items, one line per ms of event time.
"$b" generate "$lines" 10000 "$dir/events.jsonl"
"$b" generate "$lines" 10000 "$dir/events.jsonl.gz"
for f in events.jsonl events.jsonl.gz; do
  "$b" read "$dir/$f"
  "$b" parse "$dir/$f"
  "$b" pipeline "$dir/$f" "$dir/out.jsonl" 1
done
