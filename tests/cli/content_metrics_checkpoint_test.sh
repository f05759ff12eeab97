#!/bin/sh
# content_metrics run on RocksDB state with checkpoints, then restored with --from: the first
# run completes checkpoints and reports them; the restored run reads only what the checkpoint
# had not, so together they enrich no fewer events than one run, and the restored one fewer.
# Usage: content_metrics_checkpoint_test.sh CONTENT_METRICS
set -eu
cm=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
fail() { echo "FAIL: $*"; exit 1; }
args="run --no-drain --live 300000 --live-rate 0 -p 2 --contents 300 --users 10000 --rate 1000"
# shellcheck disable=SC2086
"$cm" $args --state-backend rocksdb --state-dir "$dir/state" --checkpoint-dir "$dir/ck" \
  --checkpoint-interval-ms 40 > first.log 2>&1 || { cat first.log; fail "checkpointed run"; }
done=$(sed -n 's/^checkpoints: \([0-9]*\) completed.*/\1/p' first.log)
[ -n "$done" ] && [ "$done" -ge 1 ] || { cat first.log; fail "no checkpoint completed"; }
grep -q "^  where the time went .*: start delay .* sync [0-9]* / [0-9]* ms, async .*" first.log ||
  { cat first.log; fail "no breakdown of the checkpoints' time"; }
[ -z "$(ls "$dir/state")" ] || fail "RocksDB's working directory is left"
all=$(sed -n 's/^events: \([0-9]*\),.*/\1/p' first.log)
# shellcheck disable=SC2086
"$cm" $args --from "$dir/ck" > second.log 2>&1 || { cat second.log; fail "restored run"; }
grep -q "^restored from $dir/ck/chk-[0-9]*: first enriched event" second.log \
  || { cat second.log; fail "the restored run does not say where from"; }
rest=$(sed -n 's/^events: \([0-9]*\),.*/\1/p' second.log)
[ "$rest" -lt "$all" ] || fail "the restored run enriched $rest of $all: it started over"
echo "ok: $done checkpoints, $all events, $rest after the restore"
