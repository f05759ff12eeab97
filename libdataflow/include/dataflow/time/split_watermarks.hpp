// Per-split watermarks inside one source reader (Flink's per-partition watermarks). A reader
// that reads several splits (partitions, files) interleaved keeps a watermark generator per
// split; its watermark is the minimum over the splits that are neither finished nor idle, so
// a fast split cannot make a slow split's records late, and a silent split (with an idleness
// timeout) cannot stall the source. The reader's watermark never goes backwards: a split that
// speaks again holds it back until it catches up. The reader is idle when every unfinished
// split is idle.
//
//   split_watermarks wms(watermark_strategy::bounded_out_of_orderness(100).with_idleness(5000));
//   auto a = wms.add_split(), b = wms.add_split();
//   ... for each record read from split s: wms.on_record(s, value, ts); out.records<T>()...
//   wms.emit(out, now);                        // at the end of every poll
//   return {kind::wait, std::min(next_data, wms.next_idle_check().value_or(max_timestamp))};
//
// Checkpoints: save_state(archive) / load_state(archive) carry the watermark state (cereal).
// A source restored at another parallelism moves splits between readers with add_split_from.
//
// Thread-safety: owned by one source instance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "dataflow/operator/operator_output.hpp"
#include "dataflow/time/watermark_strategy.hpp"

namespace dataflow {

class split_watermarks {
 public:
  explicit split_watermarks(watermark_strategy s) : strategy_(std::move(s)) {}

  /// Adds a split; returns its index. Its idleness clock starts at the next emit() (or at
  /// `now`, if given). A new split holds the watermark back until it has one of its own.
  std::size_t add_split(std::optional<timestamp> now = std::nullopt) {
    splits_.push_back(split{watermark_generator(strategy_)});
    if (now) splits_.back().gen.start(*now);
    return splits_.size() - 1;
  }

  /// Pauses split `s` (a split that waits for its turn, such as a file the reader resumes
  /// after the one it reads now) or reads it again. A paused split stays in the minimum with
  /// the watermark it has and never becomes idle: it holds the reader's watermark back as a
  /// split being read would.
  void pause_split(std::size_t s, bool paused) { splits_[s].paused = paused; }

  /// A record with timestamp `ts` was read from split `s`.
  template <class T>
  void on_record(std::size_t s, const T& value, timestamp ts) {
    auto& sp = splits_[s];
    sp.gen.on_record(value, ts);
    sp.touched = true;
  }

  /// Split `s` has no more records: it leaves the minimum for good.
  void finish_split(std::size_t s) { splits_[s].finished = true; }

  /// Call at the end of every poll, at processing time `now`: updates each split's idleness
  /// and watermark and writes what changed to `out` (a status change, a new watermark).
  void emit(operator_output& out, timestamp now) {
    bool any_live = false, any_active = false;
    timestamp m = max_timestamp;
    for (auto& sp : splits_) {
      if (sp.finished) continue;
      any_live = true;
      if (sp.touched)
        sp.gen.mark_active(now);
      else if (!sp.paused)
        sp.gen.check_idle(now);
      sp.touched = false;
      sp.gen.poll();
      if (sp.gen.idle()) continue;
      any_active = true;
      m = std::min(m, sp.gen.current());
    }
    auto st = any_live && !any_active ? watermark_status::idle : watermark_status::active;
    if (st != status_ && st == watermark_status::active) out.emit_watermark_status(st);
    if (any_active && m > emitted_ && m != min_timestamp) {
      emitted_ = m;
      out.emit_watermark(m);
    }
    if (st != status_ && st == watermark_status::idle) out.emit_watermark_status(st);
    status_ = st;
  }

  /// The earliest processing time at which some split becomes idle if it reads nothing:
  /// poll the reader again by then. Empty without an idleness timeout.
  [[nodiscard]] std::optional<timestamp> next_idle_check() const noexcept {
    std::optional<timestamp> t;
    for (auto& sp : splits_) {
      if (sp.finished || sp.paused) continue;
      if (auto d = sp.gen.idle_deadline(); d && (!t || *d < *t)) t = d;
    }
    return t;
  }

  /// The reader's watermark last emitted (min_timestamp before the first).
  [[nodiscard]] timestamp current() const noexcept { return emitted_; }
  /// Split `s`'s own watermark.
  [[nodiscard]] timestamp split_watermark(std::size_t s) const { return splits_[s].gen.current(); }
  [[nodiscard]] bool split_idle(std::size_t s) const { return splits_[s].gen.idle(); }
  [[nodiscard]] watermark_status status() const noexcept { return status_; }
  [[nodiscard]] std::size_t size() const noexcept { return splits_.size(); }
  [[nodiscard]] bool split_finished(std::size_t s) const { return splits_[s].finished; }

  // -- checkpoints --------------------------------------------------------------------------

  /// Writes the watermark state to a cereal archive: the reader's emitted watermark and, per
  /// split in order, whether it finished and its generator's state (see
  /// watermark_generator::save_state). Not the strategy, the idleness clocks or the status.
  template <class Archive>
  void save_state(Archive& ar) const {
    ar(emitted_, static_cast<std::uint64_t>(splits_.size()));
    for (auto& sp : splits_) {
      ar(sp.finished);
      sp.gen.save_state(ar);
    }
  }

  /// Reads what save_state() wrote, into an object made with the same strategy, replacing its
  /// splits (indexes as before). Every split starts active, its idleness clock at the next
  /// emit(), and the status is active, as a restarted downstream expects.
  template <class Archive>
  void load_state(Archive& ar) {
    std::uint64_t n = 0;
    ar(emitted_, n);
    splits_.clear();
    for (std::uint64_t i = 0; i < n; ++i) {
      split sp{watermark_generator(strategy_)};
      ar(sp.finished);
      sp.gen.load_state(ar);
      splits_.push_back(std::move(sp));
    }
    status_ = watermark_status::active;
  }

  /// Restoring a source at another parallelism, where splits move between readers: adds a
  /// split with the state split `s` of `from` had (what its generator learned, whether it
  /// finished), `from` being another reader's state read back with load_state() and made
  /// with the same strategy. Returns the new split's index. The split starts active.
  std::size_t add_split_from(const split_watermarks& from, std::size_t s) {
    split sp = from.splits_.at(s);
    sp.touched = sp.paused = false;
    splits_.push_back(std::move(sp));
    return splits_.size() - 1;
  }

  /// Restoring at another parallelism: the watermark this reader counts as emitted, which
  /// should be the minimum over the readers it took splits from, so that it is never ahead of
  /// any of them. The status is active.
  void set_emitted(timestamp t) noexcept {
    emitted_ = t;
    status_ = watermark_status::active;
  }

 private:
  struct split {
    watermark_generator gen;
    bool touched = false;  // read records since the last emit()
    bool finished = false;
    bool paused = false;  // waits for its turn: never idle (not saved: set again on restore)
  };
  watermark_strategy strategy_;
  std::vector<split> splits_;
  timestamp emitted_ = min_timestamp;
  watermark_status status_ = watermark_status::active;
};

}  // namespace dataflow
