#!/bin/sh
# Exactly-once through crashes in the content-metrics pipeline: history (JSON lines from
# `content_metrics write-history`, with out-of-order events and stragglers past the allowed
# lateness) then a live generator, enrichment with a sliding-window aggregate, per-user distinct
# urls, and the late events split off. `dataflow run` with checkpoints every 50 ms is killed with
# SIGKILL at seeded moments (after 1 to 3 further checkpoints) and restarted from the latest
# checkpoint each time; every committed output (enriched events, content windows, user
# windows, late events) then equals a run without failures. The windows are shorter than the
# reference's week (1 h sliding by 1 min for contents, 10 min for users) so that the final
# watermark's output stays small.
# Parallelism 1: which records count as late must not depend on how instances interleave (with
# two, a straggler read before the other instance's first watermark arrives is on time).
# Usage: kill_restore_content_metrics_test.sh DATAFLOW CONTENT_METRICS [SEED]
set -eu
dataflow=$1
content_metrics=$2
seed=${3:-11}
# shellcheck source=checkpoint_test_lib.sh
. "$(dirname "$0")/checkpoint_test_lib.sh"  # works in a fresh $dir from here on

# 6 minutes of history at 1,000 events/s: 360,000 events, 0.5% of them stragglers 10 min late.
"$content_metrics" write-history --out history --days 0.0041666667 --rate 1000 --users 20000 \
  --contents 500 --straggler-share 0.005 > history.log 2>&1 || { cat history.log; fail "write-history"; }
switch_ms=$(sed -n 's/.*starts at .* (\([0-9]*\))$/\1/p' history.log)
switch_iso=$(sed -n 's/.*starts at \([^ ]*\) (.*$/\1/p' history.log)
[ -n "$switch_ms" ] || { cat history.log; fail "no switch time in the write-history output"; }

cat > job.yaml <<YAML
name: content-metrics-kill
parallelism: 1
sources:
  - name: deliveries
    type: hybrid
    switch_at: $switch_iso
    history:
      path: history
      event_time: {field: ts}
      watermarks: {strategy: bounded_out_of_orderness, max_delay: 5s}
      fields: {user_id: int, content_id: int, bytes: int, status: int, url: string}
    live:
      count: 150000
      seed: 2
      event_time: {field: ts, start: $switch_iso, max_disorder: 5s}
      watermarks: {strategy: bounded_out_of_orderness, max_delay: 5s}
      schema:
        user_id: {uniform: [1, 20000]}
        content_id: {zipf: {n: 500, exponent: 1.0}}
        segment: {uniform: [0, 599]}
        url: {pattern: "https://cdn.example.com/c/{content_id}/seg{segment}.ts"}
        bytes: {uniform: [200000, 3999999]}
        status: {choice: [200, 206, 404, 500], weights: [960, 30, 8, 2]}
steps:
  - name: enriched
    input: deliveries
    enrich:
      window: {type: sliding, size: 1h, slide: 1m}
      key_by: content_id
      allowed_lateness: 1m
      aggregate: [{count: requests}, {sum: bytes, as: bytes_total}, {count_distinct: user_id, as: users}]
      results: content_windows
  - name: user_urls
    input: deliveries
    key_by: user_id
    window: {type: sliding, size: 10m, slide: 1m}
    allowed_lateness: 1m
    aggregate: [{count_distinct: url, as: urls}]
  - {name: past_lateness, input: enriched, filter: {field: enrich_status, op: "==", value: past_lateness}}
  - {name: too_late, input: enriched, filter: {field: enrich_status, op: "==", value: too_late}}
  - {name: late, union: [past_lateness, too_late]}
sinks:
  - {input: enriched, type: json_lines, path: out/enriched.jsonl}
  - {input: content_windows, type: json_lines, path: out/content.jsonl}
  - {input: user_urls, type: json_lines, path: out/users.jsonl}
  - {input: late, type: json_lines, path: out/late.jsonl}
YAML

committed() {
  for f in enriched content users late; do cat out/$f*.jsonl 2>/dev/null | sort > "$1.$f"; done
}

"$dataflow" run job.yaml --no-progress > ref.log 2>&1 || { cat ref.log; fail "reference run failed"; }
committed ref
events=$(wc -l < ref.enriched)
[ "$events" -gt 400000 ] || fail "the reference enriched only $events events"
[ "$(wc -l < ref.late)" -gt 100 ] || fail "the reference has only $(wc -l < ref.late) late events"
rm -rf out

kill_and_restore "$dir/ck" 3 "$seed" \
  "$dataflow" run job.yaml --no-progress --checkpoint-dir "$dir/ck" --checkpoint-interval 50ms --retained 2
[ -z "$(find out -name '.*')" ] || fail "pending files left: $(find out -name '.*' | head -3)"
committed got
for f in enriched content users late; do
  cmp -s ref.$f got.$f || fail "$f differs after $kills kills: $(comm -3 ref.$f got.$f | head -3)"
done
[ "$kills" -ge 1 ] || fail "no run was killed (the input is too small for this machine)"
[ "$restores" -ge 1 ] || fail "no run restored from a checkpoint"
echo "ok: $kills kills, $restores restores, $events enriched events, $(wc -l < got.content) content windows, $(wc -l < got.users) user windows, $(wc -l < got.late) late"
