#!/bin/sh
# Runs every window benchmark case (issue #3) and prints the JSON lines; see bench/README.md.
# Usage: bench/run_window_bench.sh [build dir]   (default build/release)
set -e
b=${1:-build/release}/bench/window_bench
# The cases the issue names: 100,000 keys over 8 days of event time. Sparse: each key sees an
# event about every hour, so sliding windows emit far more results than there are events.
for agg in count distinct; do
  for c in a b c; do
    for impl in operator loop; do "$b" $c $agg $impl 20000000 100000 8; done
  done
done
# Dense: 1,000 keys, 200 M events over 8 days (about 17 events per key per minute), where
# results are few next to events and the cost per element shows.
for agg in count distinct; do
  for c in a b c; do
    for impl in operator loop; do "$b" $c $agg $impl 200000000 1000 8; done
  done
done
# Naive assignment (every element into each of the 10,080 windows) on a prefix: its rate.
"$b" c count naive 100000 1000 8
"$b" c count naive 20000 100000 8
