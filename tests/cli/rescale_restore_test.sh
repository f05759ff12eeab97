#!/bin/sh
# Restoring at another parallelism through the CLI: `dataflow run` of a JSON-lines pipeline with
# checkpoints every 50 ms runs at parallelism 2, is killed with SIGKILL once a checkpoint has
# completed, and is restored with --from at parallelism 1; then the same from 1 to 2. The
# committed output (every input record copied, and per-user counts in 1-s event-time windows)
# equals that of a run without failures: same records, none lost, none twice. The snapshots are
# written on the tasks (--snapshot-on-task); kill_restore_test.sh covers frozen state.
# Usage: rescale_restore_test.sh DATAFLOW
set -eu
dataflow=$1
# shellcheck source=checkpoint_test_lib.sh
. "$(dirname "$0")/checkpoint_test_lib.sh"  # works in a fresh $dir from here on

# Rolled logs: 4 files of 300,000 lines, file f holding the event times [f * 1000 s, f * 1000 s +
# 600 s), a little out of order (within the 10-ms bound). The source reads file f on instance
# f mod p, one file after the other, so no record is late at either parallelism and the output
# does not depend on it.
write_clicks 4 300000 1000000
# The sinks keep one instance: their state is not keyed.
clicks_pipeline rescale 1 1 > p1.yaml
clicks_pipeline rescale 2 1 > p2.yaml

# The reference: runs without failures, at both parallelisms (the same output).
"$dataflow" run p2.yaml --no-progress > ref.log 2>&1 || { cat ref.log; fail "reference run failed"; }
committed ref
[ "$(wc -l < ref.copy)" -eq 1200000 ] || fail "reference copied $(wc -l < ref.copy) lines"
rm -rf out
"$dataflow" run p1.yaml --no-progress > ref1.log 2>&1 || { cat ref1.log; fail "reference run at 1 failed"; }
committed ref1
cmp -s ref.copy ref1.copy && cmp -s ref.counts ref1.counts || fail "the reference runs at parallelism 1 and 2 differ"
rm -rf out

# Runs at parallelism $1 with checkpoints, kills it once a checkpoint is complete, restores at
# $2 from the latest checkpoint, and compares the committed output with the reference.
rescale() {
  rm -rf out ck
  ckpt="--checkpoint-dir $dir/ck --checkpoint-interval 50ms --retained 2 --snapshot-on-task"
  # shellcheck disable=SC2086
  "$dataflow" run "p$1.yaml" --no-progress $ckpt > run.log 2>&1 &
  pid=$!
  # Wait (at most 60 s) for the first complete checkpoint, then kill at once.
  wait_for_checkpoint "$dir/ck" 1
  [ "$(latest_checkpoint "$dir/ck")" -ge 1 ] || { cat run.log; fail "$1 -> $2: the run ended before a checkpoint completed"; }
  kill -9 "$pid" 2>/dev/null || fail "$1 -> $2: the run ended before it could be killed (the input is too small)"
  wait "$pid" 2>/dev/null || true
  pid=""
  [ "$(grep -c . out/copy*.jsonl 2>/dev/null | awk -F: '{s += $NF} END {print s + 0}')" -lt 1200000 ] ||
    fail "$1 -> $2: the killed run had committed everything"
  "$dataflow" savepoint check "p$2.yaml" --from "$dir/ck" > check.log 2>&1 ||
    { cat check.log; fail "$1 -> $2: savepoint check refused the restore"; }
  grep -q "ok *source-clicks: rescaled $1 -> $2 (its splits are redistributed)" check.log ||
    { cat check.log; fail "$1 -> $2: savepoint check does not say the source rescales"; }
  grep -q "ok *step-per_user: rescaled $1 -> $2" check.log ||
    { cat check.log; fail "$1 -> $2: savepoint check does not say the window rescales"; }
  # shellcheck disable=SC2086
  "$dataflow" run "p$2.yaml" --no-progress $ckpt --from "$dir/ck" > restore.log 2>&1 ||
    { cat restore.log; fail "$1 -> $2: the restored run failed"; }
  [ -z "$(find out -name '.*')" ] || fail "$1 -> $2: pending files left: $(find out -name '.*' | head -3)"
  committed got
  cmp -s ref.copy got.copy || fail "$1 -> $2: copied records differ: $(comm -3 ref.copy got.copy | head -3)"
  cmp -s ref.counts got.counts || fail "$1 -> $2: window counts differ: $(comm -3 ref.counts got.counts | head -3)"
}

rescale 2 1
rescale 1 2
echo "ok: restored 2 -> 1 and 1 -> 2, $(wc -l < got.copy) records, $(wc -l < got.counts) windows each time"
