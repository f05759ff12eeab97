// History then live: a source instance that first reads a bounded source (the history, e.g.
// a week of JSON-lines files) to its end, then switches to a live source, at a switch time S
// (epoch ms) that splits event time between them: history keeps its records with ts < S, live
// its records with ts >= S, and the others are dropped and counted, so the two never overlap.
//
//   hybrid_source_options o;
//   o.history = [h] { return std::make_unique<json_lines_source_reader>(h, "history"); };
//   o.live = [fn, g] { return std::make_unique<generator_source_reader<row>>(fn, g); };
//   o.switch_at = 1'732'406'400'000;  // 2024-11-24T00:00:00Z
//   auto rows = env.from_hybrid<row>(o, "events");
//
// Watermarks (each phase's reader applies its own strategy; this reader only corrects them):
// - history: its watermark, clamped to at most S - 1, so live records (ts >= S) are never late
//   because of the history. The history's end emits no final watermark; it emits S - 1, which
//   is then exact: this instance sends nothing below S any more.
// - live: its watermark, but only when it exceeds what was already emitted (no regression).
// - idleness: an instance in its history never declares itself idle (it has data to read), so
//   the minimum downstream waits for it; with p instances, one still replaying its share of
//   the history holds every window back, and live records of an instance that switched early
//   cannot make history records late. In the live phase, the live strategy's idleness applies.
//
// Each instance reads its own share of both phases and switches on its own when its history
// share is done; the live reader is made and opened then. Side outputs of either phase (the
// dead letters of a JSON-lines history) pass through unchanged.
//
// Checkpoints: the snapshot holds the phase, the phase reader's own snapshot, the watermark
// emitted and the drop counts, so a restore goes on in the same phase where it stopped. Both
// phases' readers must support snapshots (JSON-lines files and generators do).
//
// Thread-safety: one reader per source instance; the progress counters are shared and atomic.
#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "dataflow/record/record_type.hpp"
#include "dataflow/source/source_reader.hpp"
#include "dataflow/state/versioned_snapshot.hpp"

namespace dataflow {

/// Counters shared by all instances of one hybrid source. Read them from any thread.
struct hybrid_source_progress {
  std::atomic<std::uint64_t> history_dropped{0};  // history records with ts >= switch_at
  std::atomic<std::uint64_t> live_dropped{0};     // live records with ts < switch_at
  std::atomic<std::uint64_t> switched{0};         // instances that reached the live phase
};

struct hybrid_source_options {
  /// Makes an instance's history reader; it must be bounded (its poll ends). Required.
  std::function<std::unique_ptr<source_reader>()> history;
  /// Makes an instance's live reader, bounded or not; made and opened at the switch. Required.
  std::function<std::unique_ptr<source_reader>()> live;
  /// The switch time S (epoch ms): history keeps ts < S, live keeps ts >= S. Required.
  std::optional<timestamp> switch_at;
  /// Where instances add their drops and switches; optional. Default: none.
  std::shared_ptr<hybrid_source_progress> progress;

  /// Throws std::invalid_argument when a required field is missing.
  void validate() const {
    if (!history) throw std::invalid_argument("hybrid source: no history reader factory");
    if (!live) throw std::invalid_argument("hybrid source: no live reader factory");
    if (!switch_at) throw std::invalid_argument("hybrid source: no switch time (switch_at)");
    if (*switch_at <= min_timestamp) throw std::invalid_argument("hybrid source: bad switch_at");
  }
};

template <class T>
class hybrid_source_reader final : public source_reader {
 public:
  explicit hybrid_source_reader(hybrid_source_options opts)
      : opts_(std::move(opts)), switch_at_(*opts_.switch_at), inner_out_(&record_type_of<T>()) {}

  void open(const operator_context& ctx) override {
    ctx_ = ctx;
    if (live_) {  // restored in the live phase
      live_->open(ctx_);
      return;
    }
    if (!history_) history_ = opts_.history();
    history_->open(ctx_);
  }

  status snapshot(std::string& out) const override {
    std::string inner;
    if (auto s = (live_ ? live_ : history_)->snapshot(inner); !s) return s;
    out = write_versioned_snapshot(snapshot_version, live_ != nullptr, inner, emitted_,
                                   history_dropped_, live_dropped_);
    return status::ok();
  }

  /// Before open(): makes the reader of the phase the snapshot was in and restores it.
  status restore(std::string_view bytes) override {
    bool live = false;
    std::string inner;
    if (auto s = read_versioned_snapshot(bytes, snapshot_version, "hybrid source", live, inner,
                                         emitted_, history_dropped_, live_dropped_);
        !s)
      return s;
    auto reader = live ? opts_.live() : opts_.history();
    if (auto s = reader->restore(inner); !s) return s;
    (live ? live_ : history_) = std::move(reader);
    return status::ok();
  }

  poll_result poll(operator_output& out, std::size_t max_records, timestamp now) override {
    if (!live_) {
      auto r = history_->poll(inner_out_, max_records, now);
      take_records(
          out, [&](timestamp ts) { return ts < switch_at_; }, history_dropped_,
          opts_.progress ? &opts_.progress->history_dropped : nullptr);
      if (auto wm = inner_out_.watermark()) advance(out, std::min(*wm, switch_at_ - 1));
      // Status changes of the history are dropped: an instance in its history is never idle.
      inner_out_.clear();
      if (r.what != poll_result::kind::end) return r;
      advance(out, switch_at_ - 1);  // nothing below S comes from this instance any more
      live_ = opts_.live();
      live_->open(ctx_);
      if (opts_.progress) ++opts_.progress->switched;
      return {poll_result::kind::more, 0};
    }
    auto r = live_->poll(inner_out_, max_records, now);
    auto st = inner_out_.status_change();
    if (st == watermark_status::active) out.emit_watermark_status(*st);
    take_records(
        out, [&](timestamp ts) { return ts >= switch_at_; }, live_dropped_,
        opts_.progress ? &opts_.progress->live_dropped : nullptr);
    if (auto wm = inner_out_.watermark()) advance(out, *wm);
    if (st == watermark_status::idle) out.emit_watermark_status(*st);
    inner_out_.clear();
    return r;
  }

  /// Records read from both phases, the dropped ones included.
  [[nodiscard]] std::uint64_t position() const noexcept override {
    return (history_ ? history_->position() : 0) + (live_ ? live_->position() : 0);
  }

  /// True once this instance has finished its history and reads the live source.
  [[nodiscard]] bool live() const noexcept { return live_ != nullptr; }
  [[nodiscard]] std::uint64_t history_dropped() const noexcept { return history_dropped_; }
  [[nodiscard]] std::uint64_t live_dropped() const noexcept { return live_dropped_; }
  /// The watermark last emitted (min_timestamp before the first).
  [[nodiscard]] timestamp watermark() const noexcept { return emitted_; }

 private:
  // Moves the inner reader's records that `keep` accepts to `out`, counts the others, and
  // hands over its side outputs unchanged.
  template <class Keep>
  void take_records(operator_output& out, Keep keep, std::uint64_t& dropped,
                    std::atomic<std::uint64_t>* shared) {
    auto& from = inner_out_.records<T>();
    auto& to = out.records<T>();
    std::uint64_t n = 0;
    for (auto& r : from) {
      if (keep(r.ts))
        to.push_back(std::move(r));
      else
        ++n;
    }
    dropped += n;
    if (shared && n) *shared += n;
    out.move_sides_from(inner_out_);
  }

  void advance(operator_output& out, timestamp wm) {
    if (wm <= emitted_) return;
    emitted_ = wm;
    out.emit_watermark(wm);
  }

  static constexpr std::uint32_t snapshot_version = 1;

  hybrid_source_options opts_;
  timestamp switch_at_;
  operator_context ctx_;
  std::unique_ptr<source_reader> history_, live_;
  operator_output inner_out_;  // what the phase's reader wrote in one poll
  timestamp emitted_ = min_timestamp;
  std::uint64_t history_dropped_ = 0, live_dropped_ = 0;
};

}  // namespace dataflow
