#!/bin/sh
# The CLI's checkpoint commands: `dataflow savepoint check` against a hand-written savepoint (a
# _metadata file as docs/checkpoints.md describes it, and snapshot files with their CRC), a
# compatible change (another parallelism) and an incompatible one (a stateful step removed,
# accepted with --allow-dropped-state); the exit codes; `run` with checkpoint flags and a
# `checkpoints` section. Usage: checkpoint_cli_test.sh DATAFLOW
set -eu
dataflow=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"

fail() { echo "FAIL: $*"; [ -f out.txt ] && cat out.txt; exit 1; }
# Runs the CLI, keeps stdout and stderr in out.txt, and checks the exit code is $1.
expect() {
  want=$1; shift
  set +e; "$dataflow" "$@" > out.txt 2>&1; rc=$?; set -e
  [ "$rc" -eq "$want" ] || fail "dataflow $* exited $rc, expected $want"
}
has() { grep -qF -- "$1" out.txt || fail "no line with: $1"; }

# A snapshot file (docs/checkpoints.md): magic, version 1, payload length and CRC32 (both
# little-endian), payload. gzip's trailer holds the CRC32 of its input, little-endian.
le_bytes() {  # $1: value, $2: byte count -> printf escapes
  v=$1; n=0; out=""
  while [ $n -lt "$2" ]; do out="$out\\$(printf '%03o' $((v % 256)))"; v=$((v / 256)); n=$((n + 1)); done
  printf '%s' "$out"
}
crc_of() {
  printf '%s' "$1" | gzip -c | tail -c 8 | head -c 4 | od -An -tu1 |
    awk '{printf "%.0f\n", $1 + 256 * $2 + 65536 * $3 + 16777216 * $4}'
}
state_file() {  # $1: path, $2: payload
  crc=$(crc_of "$2")
  printf "DFSNAPSH$(le_bytes 1 4)$(le_bytes ${#2} 8)$(le_bytes "$crc" 4)%s" "$2" > "$1"
}

# A savepoint of the pipeline below at parallelism 2: the source's read positions, the
# window's state (5 bytes per instance), the sinks without state.
mkdir sp
state_file sp/source-clicks-0.state ""
state_file sp/source-clicks-1.state ""
state_file sp/step-per_user-0.state "aaaaa"
state_file sp/step-per_user-1.state "bbbbb"
state_file sp/sink-per_user-sink-0.state ""
crc_a=$(crc_of aaaaa); crc_b=$(crc_of bbbbb)
cat > sp/_metadata <<JSON
{
  "format_version": 1, "id": 7, "kind": "savepoint", "created_ms": 1718000000000,
  "job_name": "clicks", "max_parallelism": 128,
  "stats": {"duration_ms": 5, "size_bytes": 10},
  "operators": [
    {"uid": "source-clicks", "name": "clicks", "kind": "json_lines", "keyed": false,
     "source": true, "parallelism": 2, "max_parallelism": 128, "subtasks": [
      {"subtask": 0, "file": "source-clicks-0.state", "size": 0, "crc32": 0, "states": [],
       "alignment_ms": 0, "source_position": 10},
      {"subtask": 1, "file": "source-clicks-1.state", "size": 0, "crc32": 0, "states": [],
       "alignment_ms": 0, "source_position": 12}]},
    {"uid": "step-per_user", "name": "per_user", "kind": "window", "keyed": true,
     "source": false, "parallelism": 2, "max_parallelism": 128, "subtasks": [
      {"subtask": 0, "file": "step-per_user-0.state", "size": 5, "crc32": $crc_a,
       "states": ["window-contents"], "alignment_ms": 1},
      {"subtask": 1, "file": "step-per_user-1.state", "size": 5, "crc32": $crc_b,
       "states": ["window-contents"], "alignment_ms": 2}]},
    {"uid": "sink-per_user-sink", "name": "per_user-sink", "kind": "sink", "keyed": false,
     "source": false, "parallelism": 1, "max_parallelism": 128, "subtasks": [
      {"subtask": 0, "file": "sink-per_user-sink-0.state", "size": 0, "crc32": 0,
       "states": [], "alignment_ms": 0}]}
  ]
}
JSON

pipeline() {  # $1: default parallelism, $2: "window" or "no-window"
  printf 'name: clicks\nparallelism: %s\n' "$1"
  cat <<YAML
sources:
  - name: clicks
    type: json_lines
    path: in
    parallelism: 2
    event_time: {field: ts}
    watermarks: {strategy: monotonous}
YAML
  if [ "$2" = window ]; then
    cat <<YAML
steps:
  - {name: per_user, input: clicks, key_by: user, window: {type: tumbling, size: 1s}, aggregate: [{count: n}]}
sinks:
  - {input: per_user, type: json_lines, path: out/per-user.jsonl}
YAML
  else
    printf 'sinks:\n  - {input: clicks, type: json_lines, path: out/clicks.jsonl}\n'
  fi
}
mkdir in
i=0
while [ $i -lt 40 ]; do
  printf '{"ts":%d,"user":"u%d"}\n' $((i * 100)) $((i % 3)) >> "in/$((i % 4)).jsonl"
  i=$((i + 1))
done

# The same pipeline restores as it was.
pipeline 2 window > same.yaml
expect 0 savepoint check same.yaml --from sp
has "savepoint 7 of job 'clicks'"
has "ok            step-per_user: restores as it was (parallelism 2)"
has "verdict: compatible"

# Another parallelism: the keyed window rescales, the source keeps its own.
pipeline 3 window > wider.yaml
expect 0 savepoint check wider.yaml --from sp
has "ok            step-per_user: rescaled 2 -> 3"
has "ok            source-clicks: restores as it was (parallelism 2)"
has "verdict: compatible"

# The window removed: its state would be dropped.
pipeline 2 no-window > fewer.yaml
expect 1 savepoint check fewer.yaml --from sp
has "incompatible  step-per_user: not in the new job: its state (10 bytes in 2 instances) would be dropped"
has "verdict: incompatible (1 problem)"
has "--allow-dropped-state"
expect 0 savepoint check fewer.yaml --from sp --allow-dropped-state
has "warning       step-per_user: not in the new job: its state (10 bytes in 2 instances) is dropped"
has "verdict: compatible (1 warning)"

# A checkpoints directory: its latest complete checkpoint, passing over an incomplete one.
mkdir -p cps/chk-4
cp -r sp cps/chk-3
sed -i 's/"kind": "savepoint"/"kind": "checkpoint"/; s/"id": 7/"id": 3/' cps/chk-3/_metadata
expect 0 savepoint check same.yaml --from cps
has "skipped       chk-4: incomplete"
has "checkpoint 3 of job 'clicks'"

# Errors that are not a verdict exit 2 and say what is wrong.
expect 2 savepoint check same.yaml --from nowhere
has "nowhere"
expect 2 savepoint check same.yaml
has "--from is required"
printf 'ccccc' > sp/step-per_user-1.state.bad
cp sp/step-per_user-1.state sp/good.state
head -c 20 sp/good.state > sp/step-per_user-1.state
expect 2 savepoint check same.yaml --from sp
has "step-per_user-1.state"
cp sp/good.state sp/step-per_user-1.state

# run: the checkpoint flags are checked, and a bounded run with checkpoints commits its output
# at the end of input, as numbered parts, with nothing left pending.
expect 2 run same.yaml --checkpoint-interval 10s
has "--checkpoint-interval needs --checkpoint-dir"
expect 2 run same.yaml --checkpoint-dir cp --checkpoint-interval soon
has "--checkpoint-interval: expected a duration"
expect 2 run same.yaml --checkpoint-dir cp --checkpoint-timeout soon
has "--checkpoint-timeout: expected a duration such as 30s or 10m (0: none), got \"soon\""
expect 0 run same.yaml --no-progress
if grep -qF "channels:" out.txt; then fail "default channels reported"; fi
ls out/per-user-0.jsonl out/per-user-1.jsonl > /dev/null || fail "no output files"
cat out/*.jsonl | sort > plain.txt
# --buffer-timeout is applied (the run says so) and changes batching, not results.
expect 2 run same.yaml --buffer-timeout soon
has "--buffer-timeout: expected a duration from 1ms to 1h such as 20ms, got \"soon\""
expect 2 run same.yaml --buffer-timeout 2h
has "--buffer-timeout: expected a duration from 1ms to 1h"
rm -rf out
expect 0 run same.yaml --no-progress --buffer-timeout 20ms
has "channels: batch_size 1024, buffer_timeout 20ms, credits 8"
cat out/*.jsonl | sort > batched.txt
cmp -s plain.txt batched.txt || fail "--buffer-timeout 20ms changed the output"
rm -rf out
expect 0 run same.yaml --no-progress --checkpoint-dir "$dir/run-cps" --checkpoint-interval 1h --retained 2
[ -z "$(ls out | grep -v '\.part[0-9]*\.jsonl$')" ] || fail "not numbered parts: $(ls out)"
cat out/*.jsonl | sort > parts.txt
cmp -s plain.txt parts.txt || fail "the committed parts differ from a run without checkpoints"
[ -s parts.txt ] || fail "no output"
[ -z "$(find out -name '.*')" ] || fail "pending files left: $(find out -name '.*')"

# The pipeline file's checkpoints section, and its mistakes named with file, line and key.
{ pipeline 2 window; printf 'checkpoints: {directory: %s, interval: 1h, retained: 2}\n' "$dir/file-cps"; } > with.yaml
expect 0 validate with.yaml
{ pipeline 2 window; printf 'checkpoints:\n  directory: x\n  interval: often\n'; } > bad.yaml
expect 1 validate bad.yaml
has "bad.yaml:16:13: checkpoints.interval: expected a duration"
{ pipeline 2 window; printf 'checkpoints: {interval: 1s}\n'; } > bad2.yaml
expect 1 validate bad2.yaml
has "checkpoints.directory: missing"
{ pipeline 2 window; printf 'checkpoints: {directory: cps, interval: 1s, timeout: never}\n'; } > bad3.yaml
expect 1 validate bad3.yaml
has "bad3.yaml:14:54: checkpoints.timeout: expected a duration"
echo ok
