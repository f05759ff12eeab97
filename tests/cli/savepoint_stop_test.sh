#!/bin/sh
# Savepoints through the control port, end to end: `dataflow run --control-port 0` on a
# JSON-lines pipeline, `dataflow savepoint trigger`, then `dataflow stop --savepoint`, then
# `dataflow run --from` the stop's savepoint. The output committed before the stop plus the
# restored run's equals a run without a stop: the same records and windows, none lost, none
# twice. Also: the exit codes and messages of a refused savepoint, of a port already in use
# and of a port nobody serves.
# Usage: savepoint_stop_test.sh DATAFLOW
set -eu
dataflow=$1
# shellcheck source=checkpoint_test_lib.sh
. "$(dirname "$0")/checkpoint_test_lib.sh"  # works in a fresh $dir from here on

# Waits up to 60 s for a file to exist; fails if the run ended first.
wait_for_file() {
  n=0
  while [ ! -e "$1" ]; do
    kill -0 "$pid" 2>/dev/null || { cat run.log; fail "the run ended before $1 appeared"; }
    n=$((n + 1))
    [ $n -le 6000 ] || fail "no $1 after 60 s"
    sleep 0.01
  done
}

# 2 files of 1,500,000 lines like those of kill_restore_test.sh, one per source instance: the run
# takes seconds, long enough to be stopped in the middle.
write_clicks 2 1500000
clicks_pipeline savepoint-stop 2 > job.yaml

# The reference: one run without a stop.
"$dataflow" run job.yaml --no-progress > ref.log 2>&1 || { cat ref.log; fail "reference run failed"; }
committed ref
[ "$(wc -l < ref.copy)" -eq 3000000 ] || fail "reference copied $(wc -l < ref.copy) lines"
rm -rf out

# The run to stop: checkpoints every 100 ms, a control port on a free port, written to a file.
"$dataflow" run job.yaml --no-progress --checkpoint-dir "$dir/ck" --checkpoint-interval 100ms \
  --control-port 0 --control-port-file port.txt > run.log 2>&1 &
pid=$!
wait_for_file port.txt
port=$(cat port.txt)
grep -q "^control port: 127.0.0.1:$port\$" run.log || fail "run.log does not announce port $port: $(head -3 run.log)"
# Once a checkpoint is complete, the job has read for 100 ms at least.
wait_for_file ck/chk-1/_metadata

# A savepoint into a chosen directory, then one refused (its target is not empty).
"$dataflow" savepoint trigger --port "$port" --target "$dir/sp-trigger" > trigger.out 2> trigger.err ||
  { cat trigger.err; fail "savepoint trigger failed"; }
[ "$(cat trigger.out)" = "$dir/sp-trigger" ] || fail "savepoint trigger printed $(cat trigger.out)"
grep -q '"kind": *"savepoint"' sp-trigger/_metadata || fail "sp-trigger/_metadata is not a savepoint"
set +e
"$dataflow" savepoint trigger --port "$port" --target "$dir/in" > refused.out 2> refused.err
rc=$?
set -e
[ $rc -eq 1 ] || fail "a savepoint into a non-empty directory exited $rc, not 1: $(cat refused.err)"
grep -q "already exists" refused.err || fail "the refusal does not say why: $(cat refused.err)"

# A second run cannot have the same port, from the command line or from the file's control
# section: it exits 1 before it starts.
{ cat job.yaml; echo "control: {port: $port}"; } > busy.yaml
for how in "job.yaml --control-port $port" "busy.yaml"; do
  set +e
  # shellcheck disable=SC2086
  "$dataflow" run $how --no-progress > busy.out 2> busy.err
  rc=$?
  set -e
  [ $rc -eq 1 ] || fail "a second run on port $port ($how) exited $rc, not 1: $(cat busy.err)"
  grep -q "cannot listen on 127.0.0.1:$port" busy.err || fail "the second run ($how) says: $(cat busy.err)"
done

# Stop with a savepoint: it answers once the job has ended.
"$dataflow" stop --port "$port" --savepoint "$dir/sp-stop" > stop.out 2> stop.err ||
  { cat stop.err run.log; fail "dataflow stop failed"; }
[ "$(cat stop.out)" = "$dir/sp-stop" ] || fail "dataflow stop printed $(cat stop.out)"
wait "$pid" || { cat run.log; fail "the stopped run exited non-zero"; }
pid=""
grep -q "^stopped with savepoint $dir/sp-stop\$" run.log || fail "run.log: $(tail -3 run.log)"
# The summary counts both savepoints and says where their time went.
grep -Eq "^checkpoints: ([2-9]|[1-9][0-9]+) completed, " run.log || fail "no checkpoint summary: $(tail -5 run.log)"
grep -q "^  where the time went .*: start delay [0-9]* / [0-9]* ms, alignment .* sync .* async [0-9]* / [0-9]* ms\$" run.log ||
  fail "no breakdown: $(tail -5 run.log)"
grep -q "^  waited for most often: .*#[0-9]* ([0-9]* of [0-9]*)\$" run.log || fail "no slowest: $(tail -5 run.log)"
grep -q '"kind": *"savepoint"' sp-stop/_metadata || fail "sp-stop/_metadata is not a savepoint"
committed stopped
stopped_lines=$(wc -l < stopped.copy)
[ "$stopped_lines" -gt 0 ] && [ "$stopped_lines" -lt 3000000 ] ||
  fail "the stopped run committed $stopped_lines of 3000000 lines: not stopped in the middle"

# Nobody serves the port any more: exit 3, naming host and port.
set +e
"$dataflow" savepoint trigger --port "$port" > gone.out 2> gone.err
rc=$?
set -e
[ $rc -eq 3 ] || fail "a savepoint of a stopped job exited $rc, not 3: $(cat gone.err)"
grep -q "127.0.0.1:$port" gone.err || fail "the connection error does not name the port: $(cat gone.err)"

# Restored from the stop's savepoint, the job writes the rest.
"$dataflow" savepoint check job.yaml --from "$dir/sp-stop" > check.log 2>&1 || { cat check.log; fail "savepoint check"; }
# Its control port comes from the file's control section this time.
{ cat job.yaml; echo "control: {port: 0, port_file: port2.txt}"; } > restored.yaml
"$dataflow" run restored.yaml --no-progress --checkpoint-dir "$dir/ck2" --checkpoint-interval 1s \
  --from "$dir/sp-stop" > restored.log 2>&1 || { cat restored.log; fail "the restored run failed"; }
grep -q "^control port: 127.0.0.1:$(cat port2.txt)\$" restored.log ||
  fail "the control section was not served: $(head -3 restored.log)"
[ -z "$(find out -name '.*')" ] || fail "pending files left: $(find out -name '.*' | head -3)"
committed got
cmp -s ref.copy got.copy || fail "copied records differ: $(comm -3 ref.copy got.copy | head -3)"
cmp -s ref.counts got.counts || fail "window counts differ: $(comm -3 ref.counts got.counts | head -3)"
echo "ok: stopped after $stopped_lines of $(wc -l < got.copy) records, restored, $(wc -l < got.counts) windows"
