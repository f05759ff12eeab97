// A generator source: calls a user function for index 0, 1, 2, ... (split among instances
// like the collection source), bounded by a count or unbounded, optionally limited to a rate
// in processing time. Deterministic: the same function and count give the same records.
// Thread-safety: each instance owns its reader; the function is copied per instance.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "dataflow/source/source_reader.hpp"
#include "dataflow/state/versioned_snapshot.hpp"
#include "dataflow/time/split_watermarks.hpp"
#include "dataflow/time/watermark_state.hpp"

namespace dataflow {

struct generator_options {
  /// Records to produce over all instances; empty means unbounded (cancel the job to stop).
  /// Default: unbounded.
  std::optional<std::uint64_t> count;
  /// Records per second over all instances, in processing time; 0 means as fast as possible.
  /// Default: 0.
  double rate = 0;
  /// How the source derives watermarks, per instance; with an idleness timeout, a rate slow
  /// enough to leave that long between records makes the instance idle in between.
  /// Default: none (only the final one at the end).
  watermark_strategy watermarks = watermark_strategy::none();
  /// When set, every instance adds the records it made, once per batch, for progress displays.
  /// Default: none.
  std::shared_ptr<std::atomic<std::uint64_t>> produced;
};

/// Produces the record with the given global index.
template <class T>
using generator_fn = std::function<record<T>(std::uint64_t index)>;

template <class T>
class generator_source_reader final : public source_reader {
 public:
  generator_source_reader(generator_fn<T> fn, generator_options opts)
      : fn_(std::move(fn)), opts_(opts), watermarks_(opts.watermarks) {
    watermarks_.add_split();
  }

  void open(const operator_context& ctx) override {
    subtask_ = static_cast<std::uint64_t>(ctx.info.subtask);
    stride_ = static_cast<std::uint64_t>(ctx.info.parallelism);
    next_ = subtask_ + produced_ * stride_;  // produced_ > 0 after a restore
    rate_per_ms_ = opts_.rate / 1000.0 / static_cast<double>(stride_);
  }

  poll_result poll(operator_output& out, std::size_t max_records, timestamp now) override {
    std::uint64_t budget = max_records;
    if (rate_per_ms_ > 0) {
      if (start_ == min_timestamp) start_ = now;
      // The rate counts from the start, or from the restore: a restored source does not race.
      auto due =
          base_ + static_cast<std::uint64_t>(static_cast<double>(now - start_) * rate_per_ms_) + 1;
      if (due <= produced_) {
        auto wake =
            start_ + static_cast<timestamp>(static_cast<double>(produced_ - base_) / rate_per_ms_);
        watermarks_.emit(out, now);  // may declare the instance idle
        if (auto idle_at = watermarks_.next_idle_check()) wake = std::min(wake, *idle_at);
        return {poll_result::kind::wait, std::max(wake, now + 1)};
      }
      budget = std::min<std::uint64_t>(budget, due - produced_);
    }
    auto& rs = out.records<T>();
    const auto before = produced_;
    for (std::uint64_t n = 0; n < budget && !done(); ++n, next_ += stride_, ++produced_) {
      rs.push_back(fn_(next_));
      watermarks_.on_record(0, rs.back().value, rs.back().ts);
    }
    if (opts_.produced) opts_.produced->fetch_add(produced_ - before, std::memory_order_relaxed);
    watermarks_.emit(out, now);
    return {done() ? poll_result::kind::end : poll_result::kind::more, 0};
  }

  std::uint64_t position() const noexcept override { return produced_; }

  /// Record i is a pure function of i: the position and the watermark state are enough.
  status snapshot(std::string& out) const override {
    out = write_versioned_snapshot(snapshot_version, produced_, watermark_state(watermarks_));
    return status::ok();
  }

  status restore(std::string_view bytes) override {
    auto wm = watermark_state(watermarks_);
    if (auto s =
            read_versioned_snapshot(bytes, snapshot_version, "generator source", produced_, wm);
        !s)
      return s;
    base_ = produced_;
    return status::ok();
  }

 private:
  [[nodiscard]] bool done() const noexcept { return opts_.count && next_ >= *opts_.count; }

  generator_fn<T> fn_;
  generator_options opts_;
  split_watermarks watermarks_;  // one split: this instance's share
  static constexpr std::uint32_t snapshot_version = 1;
  std::uint64_t subtask_ = 0, stride_ = 1, next_ = 0, produced_ = 0;
  std::uint64_t base_ = 0;  // produced_ at the restore, where the rate counts from
  double rate_per_ms_ = 0;
  timestamp start_ = min_timestamp;
};

}  // namespace dataflow
