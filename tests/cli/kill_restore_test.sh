#!/bin/sh
# Exactly-once through crashes: `dataflow run` with checkpoints every 50 ms is killed with
# SIGKILL at seeded moments (after 1 to 3 further checkpoints), several times in a row, and
# restarted each time from the latest checkpoint; the committed output (every input record
# copied, and per-user counts in 1-s windows) then equals that of a run without failures: same
# records, none lost, none twice.
# Usage: kill_restore_test.sh DATAFLOW [SEED]
set -eu
dataflow=$1
seed=${2:-7}
# shellcheck source=checkpoint_test_lib.sh
. "$(dirname "$0")/checkpoint_test_lib.sh"  # works in a fresh $dir from here on

# 2 files of 1,000,000 lines, one per source instance (checkpoint_test_lib.sh).
write_clicks 2 1000000
clicks_pipeline kill-restore 2 > job.yaml

# The reference: one run without failures.
"$dataflow" run job.yaml --no-progress > ref.log 2>&1 || { cat ref.log; fail "reference run failed"; }
committed ref
[ "$(wc -l < ref.copy)" -eq 2000000 ] || fail "reference copied $(wc -l < ref.copy) lines"
rm -rf out

# Kill, restart from the latest checkpoint, kill again...
kill_and_restore "$dir/ck" 4 "$seed" \
  "$dataflow" run job.yaml --no-progress --checkpoint-dir "$dir/ck" --checkpoint-interval 50ms --retained 2
[ -z "$(find out -name '.*')" ] || fail "pending files left: $(find out -name '.*' | head -3)"
committed got
cmp -s ref.copy got.copy || fail "copied records differ after $kills kills: $(comm -3 ref.copy got.copy | head -3)"
cmp -s ref.counts got.counts || fail "window counts differ after $kills kills: $(comm -3 ref.counts got.counts | head -3)"
[ "$kills" -ge 1 ] || fail "no run was killed (the input is too small for this machine)"
[ "$restores" -ge 1 ] || fail "no run restored from a checkpoint"
echo "ok: $kills kills, $restores restores, $(wc -l < got.copy) records, $(wc -l < got.counts) windows"
