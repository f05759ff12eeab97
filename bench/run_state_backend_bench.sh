#!/bin/sh
# Runs every state backend benchmark case (issue #6) and prints the JSON lines; see
# bench/README.md. Usage: bench/run_state_backend_bench.sh [build dir]   (default build/release)
# RocksDB directories go under $BENCH_DIR (default: the system temp directory).
set -e
b=${1:-build/release}/bench/state_backend_bench
# Value-state read-modify-write over 1M keys: 20M operations, uniform and Zipf (exponent 1.0).
for dist in uniform zipf; do
  "$b" rmw memory 1000000 20000000 $dist
  "$b" rmw rocksdb 1000000 20000000 $dist
done
# The write-back cache's size against the hit rate, Zipf.
for cache in 4096 262144 1048576; do "$b" rmw rocksdb 1000000 20000000 zipf $cache; done
# Native checkpoints: 1M and 10M keys; and snapshot() / restore() of the same state on both
# backends, the path a job's checkpoints take.
for keys in 1000000 10000000; do
  "$b" checkpoint $keys
  "$b" snapshot memory $keys
  "$b" snapshot rocksdb $keys
done
