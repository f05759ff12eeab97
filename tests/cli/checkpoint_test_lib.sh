# Shared by the CLI tests that checkpoint, kill, stop and restore `dataflow run` (sourced, not
# run): the clicks input and pipeline they use, what a run committed, and kills whose moments
# follow the run's own progress (its completed checkpoints), not the wall clock, so a fast
# machine kills as often as a slow one and a slow one never times out early.
#
# Sourcing it sets the test up: a fresh temporary directory `dir`, made the current one, removed
# on exit after a kill of the run whose process id the caller keeps in `pid`; and `fail`.

dir=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
cd "$dir"
fail() { echo "FAIL: $*"; exit 1; }

# write_clicks FILES LINES [FILE_OFFSET_MS]
# Writes in/0.jsonl ... : per line a user, an event time that rises with a little disorder
# (within the pipeline's 10-ms bound, so no record is ever late and the windows do not depend
# on how source instances interleave), and a payload. Without an offset the files interleave
# in event time (one per source instance); with one, file f starts at f * FILE_OFFSET_MS
# (rolled logs read one after the other).
write_clicks() {
  mkdir -p in
  awk -v files="$1" -v lines="$2" -v offset="${3:-0}" 'BEGIN {
    for (f = 0; f < files; f++)
      for (i = 0; i < lines; i++)
        printf "{\"ts\":%d,\"user\":\"u%d\",\"n\":%d}\n", (offset > 0 ? f * offset : f) + i * 2 - (i % 7),
          (i * 31 + f) % 97, i > ("in/" f ".jsonl")
  }'
}

# clicks_pipeline NAME PARALLELISM [SINK_PARALLELISM]
# Prints the pipeline: the clicks copied to out/copy.jsonl, and per-user counts in 1-s windows
# to out/per-user.jsonl.
clicks_pipeline() {
  _sinks=""
  [ -n "${3:-}" ] && _sinks=", parallelism: $3"
  cat <<YAML
name: $1
parallelism: $2
sources:
  - name: clicks
    type: json_lines
    path: in
    event_time: {field: ts}
    watermarks: {strategy: bounded_out_of_orderness, max_delay: 10ms}
steps:
  - {name: per_user, input: clicks, key_by: user, window: {type: tumbling, size: 1s}, aggregate: [{count: n}]}
sinks:
  - {input: clicks, type: json_lines, path: out/copy.jsonl$_sinks}
  - {input: per_user, type: json_lines, path: out/per-user.jsonl$_sinks}
YAML
}

# committed PREFIX: what the clicks pipeline committed, sorted, into PREFIX.copy and
# PREFIX.counts.
committed() {
  cat out/copy*.jsonl 2>/dev/null | sort > "$1.copy"
  cat out/per-user*.jsonl 2>/dev/null | sort > "$1.counts"
}

# The id of the latest complete checkpoint in directory $1 (0 when there is none).
latest_checkpoint() {
  # shellcheck disable=SC2012
  ls -d "$1"/chk-*/_metadata 2>/dev/null | sed 's|^.*/chk-\([0-9]*\)/_metadata$|\1|' |
    sort -n | tail -1 | grep . || echo 0
}

# Waits until the run $pid has completed checkpoint $2 or a later one in directory $1, or has
# ended by itself; at most 60 s.
wait_for_checkpoint() {
  _waited=0
  while [ "$(latest_checkpoint "$1")" -lt "$2" ] && kill -0 "$pid" 2>/dev/null; do
    [ $_waited -lt 6000 ] || fail "no checkpoint $2 in $1 after 60 s"
    sleep 0.01
    _waited=$((_waited + 1))
  done
}

# kill_and_restore CHECKPOINT_DIR ATTEMPTS SEED COMMAND...
# Runs COMMAND (output to run.log) and kills it with SIGKILL once it has completed 1 to 3 more
# checkpoints and then run 0 to 45 ms more (both drawn from SEED); restarts it with
# `--from CHECKPOINT_DIR` once a checkpoint exists, up to ATTEMPTS times; then runs it to the
# end. Sets `kills` and `restores`.
kill_and_restore() {
  _ck=$1
  _attempts=$2
  _rand=$3
  shift 3
  kills=0
  restores=0
  _attempt=0
  _finished=0
  while [ $_attempt -lt "$_attempts" ]; do
    _attempt=$((_attempt + 1))
    _from=""
    if [ "$(latest_checkpoint "$_ck")" -gt 0 ]; then
      _from="--from $_ck"
      restores=$((restores + 1))
    fi
    # shellcheck disable=SC2086
    "$@" $_from > run.log 2>&1 &
    pid=$!
    _rand=$(( (_rand * 1103515245 + 12345) % 2147483648 ))
    wait_for_checkpoint "$_ck" $(( $(latest_checkpoint "$_ck") + 1 + _rand % 3 ))
    _rand=$(( (_rand * 1103515245 + 12345) % 2147483648 ))
    _extra=$(( _rand % 10 ))
    while [ $_extra -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
      sleep 0.005
      _extra=$((_extra - 1))
    done
    if kill -9 "$pid" 2>/dev/null; then
      kills=$((kills + 1))
      wait "$pid" 2>/dev/null || true
      pid=""
    else
      wait "$pid" || { cat run.log; fail "run $_attempt failed"; }
      pid=""
      _finished=1
      break
    fi
  done
  if [ $_finished -eq 0 ]; then
    _from=""
    if [ "$(latest_checkpoint "$_ck")" -gt 0 ]; then
      _from="--from $_ck"
      restores=$((restores + 1))
    fi
    # shellcheck disable=SC2086
    "$@" $_from > run.log 2>&1 || { cat run.log; fail "the final run failed"; }
  fi
}
