// The watermark assigner: gives a stream new timestamps (optionally) and new watermarks by a
// watermark_strategy, anywhere in a graph. As in Flink's TimestampsAndWatermarksOperator, it
// ignores the watermarks and statuses from upstream, except the final watermark at the end of
// input, which it forwards; its own watermarks never go backwards. With an idleness timeout it
// declares itself idle after that long without records (processing time, from the operator
// context's clock) and active again with the next record.
// Thread-safety: owned by one operator instance.
#pragma once

#include <stdexcept>
#include <type_traits>
#include <utility>

#include "dataflow/operator/operator.hpp"
#include "dataflow/time/watermark_strategy.hpp"

namespace dataflow {

/// The assigner's default timestamp function: records keep their timestamps.
struct keep_timestamps {};

/// `TsFn` is keep_timestamps, `timestamp fn(const T&)` or `timestamp fn(const T&, timestamp)`
/// (the second argument is the record's current timestamp).
template <class T, class TsFn = keep_timestamps>
class watermark_assigner_operator final : public operator_base {
 public:
  explicit watermark_assigner_operator(watermark_strategy strategy, TsFn fn = {})
      : watermarks_(std::move(strategy)), fn_(std::move(fn)) {
    if (!watermarks_.strategy().template accepts<T>())
      throw std::invalid_argument(
          "the punctuated watermark strategy was made for another record type than this "
          "stream's");
  }

  void open(const operator_context& ctx) override {
    clock_ = ctx.clock;
    watermarks_.start(now());
  }

  void on_batch(int, const batch_base& in, operator_output& out) override {
    auto& src = records_of<T>(in);
    if (src.empty()) return;
    if (watermarks_.mark_active(now())) out.emit_watermark_status(watermark_status::active);
    auto& rs = out.records<T>();
    for (auto& r : src) {
      rs.push_back(record<T>{r.value, stamp(r)});
      watermarks_.on_record(rs.back().value, rs.back().ts);
    }
    if (auto wm = watermarks_.poll()) out.emit_watermark(*wm);
  }

  /// Upstream watermarks are replaced by this assigner's, except the final one.
  void on_watermark(timestamp wm, operator_output& out) override {
    if (wm == max_timestamp) out.emit_watermark(max_timestamp);
  }

  /// Upstream idleness is replaced by this assigner's own.
  void on_watermark_status(watermark_status, operator_output&) override {}

  void on_processing_time(timestamp now, operator_output& out) override {
    if (watermarks_.check_idle(now)) out.emit_watermark_status(watermark_status::idle);
  }

  [[nodiscard]] std::optional<timestamp> next_processing_timer() const override {
    return watermarks_.idle_deadline();
  }

  /// The last watermark emitted (min_timestamp before the first).
  [[nodiscard]] timestamp current_watermark() const noexcept { return watermarks_.current(); }
  [[nodiscard]] bool idle() const noexcept { return watermarks_.idle(); }

 private:
  [[nodiscard]] timestamp now() const { return clock_ ? clock_->now() : 0; }

  timestamp stamp(const record<T>& r) const {
    if constexpr (std::is_same_v<TsFn, keep_timestamps>)
      return r.ts;
    else if constexpr (std::is_invocable_v<const TsFn&, const T&, timestamp>)
      return static_cast<timestamp>(fn_(r.value, r.ts));
    else
      return static_cast<timestamp>(fn_(r.value));
  }

  watermark_generator watermarks_;
  TsFn fn_;
  const processing_clock* clock_ = nullptr;
};

}  // namespace dataflow
