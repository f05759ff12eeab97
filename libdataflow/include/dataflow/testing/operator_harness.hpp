// Drives one operator (one or two inputs, keyed or not) without actors, the way the runtime
// would: push records and watermarks in any order, advance processing time, read what it
// emitted, snapshot and restore it in the middle (also a snapshot taken at one point and written
// later, snapshot_deferred()). Include it in your own tests.
//
//   dataflow::testing::operator_harness<int, int> h(
//       std::make_unique<dataflow::map_operator<int, int, decltype(f)>>(f));
//   h.push(41, /*ts=*/1000);
//   h.push_watermark(1000);
//   CHECK(h.values() == std::vector<int>{42});
//
// Thread-safety: single-threaded.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "dataflow/operator/keyed_process_operator.hpp"
#include "dataflow/operator/operator.hpp"
#include "dataflow/state/state_backend.hpp"

namespace dataflow::testing {

/// A processing clock the test sets by hand.
class manual_clock final : public processing_clock {
 public:
  timestamp now() const override { return now_; }
  void set(timestamp t) noexcept { now_ = t; }

 private:
  timestamp now_ = 0;
};

/// Harness for an operator whose main output is `Out` and whose inputs carry `In` (and `In2`
/// on the second input, for two-input operators).
template <class In, class Out, class In2 = In>
class operator_harness {
 public:
  explicit operator_harness(std::unique_ptr<operator_base> op, operator_info info = {})
      : op_(std::move(op)), out_(&record_type_of<Out>()) {
    if (info.name.empty()) info.name = "operator-under-test";
    ctx_.info = std::move(info);
    ctx_.backend = backend_.get();
    ctx_.clock = &clock_;
    op_->open(ctx_);
  }

  /// Pushes one record into input 0.
  void push(In value, timestamp ts) { push_batch({record<In>{std::move(value), ts}}); }
  void push_batch(std::vector<record<In>> rs) {
    batch<In> b(std::move(rs));
    op_->on_batch(0, b, out_);
    collect();
  }
  /// Pushes one record into input 1.
  void push_second(In2 value, timestamp ts) {
    push_second_batch({record<In2>{std::move(value), ts}});
  }
  void push_second_batch(std::vector<record<In2>> rs) {
    batch<In2> b(std::move(rs));
    op_->on_batch(1, b, out_);
    collect();
  }
  /// Delivers input watermark `wm` (the runtime's valve has already taken the minimum), then
  /// resumes held-back output until there is none, as the runtime does.
  void push_watermark(timestamp wm) {
    op_->on_watermark(wm, out_);
    collect();
    while (op_->has_pending_output()) {
      ++resumes_;
      op_->resume(out_);
      collect();
    }
  }
  /// How many resume() steps watermarks took so far.
  [[nodiscard]] std::size_t resumes() const noexcept { return resumes_; }
  /// Delivers a change of the input's watermark status (idle or active again).
  void push_watermark_status(watermark_status s) {
    op_->on_watermark_status(s, out_);
    collect();
  }
  /// Sets processing time to `now` and fires what is due.
  void set_processing_time(timestamp now) {
    clock_.set(now);
    auto next = op_->next_processing_timer();
    if (next && *next <= now) {
      op_->on_processing_time(now, out_);
      collect();
    }
  }
  /// Ends the input: the final watermark, then on_end.
  void end() {
    push_watermark(max_timestamp);
    op_->on_end(out_);
    collect();
  }

  [[nodiscard]] std::string snapshot() const {
    std::string bytes;
    auto s = op_->snapshot(bytes);
    if (!s) throw std::runtime_error(s.to_string());
    return bytes;
  }
  /// The operator's state frozen now, as the runtime takes it at a barrier: the function
  /// returned writes, later and on any thread, the bytes snapshot() would return now.
  [[nodiscard]] deferred_snapshot snapshot_deferred() {
    auto frozen = op_->snapshot_deferred();
    if (!frozen) throw std::runtime_error(frozen.error().to_string());
    return std::move(*frozen);
  }
  /// Replaces the operator by `fresh` (a new instance), opened and restored from `bytes`.
  void restore(std::unique_ptr<operator_base> fresh, const std::string& bytes) {
    op_ = std::move(fresh);
    op_->open(ctx_);
    auto s = op_->restore(bytes);
    if (!s) throw std::runtime_error(s.to_string());
  }

  /// The same with the snapshots of several old instances, restored one after the other, as
  /// the runtime does when an operator is restored at another parallelism (set the instance
  /// and parallelism in the harness's operator_info).
  void restore(std::unique_ptr<operator_base> fresh, const std::vector<std::string>& pieces) {
    op_ = std::move(fresh);
    op_->open(ctx_);
    for (auto& bytes : pieces)
      if (auto s = op_->restore(bytes); !s) throw std::runtime_error(s.to_string());
  }

  /// Records emitted so far (main output), in order.
  [[nodiscard]] const std::vector<record<Out>>& output() const noexcept { return records_; }
  [[nodiscard]] std::vector<Out> values() const {
    std::vector<Out> v;
    for (auto& r : records_) v.push_back(r.value);
    return v;
  }
  /// Watermarks emitted so far, in order.
  [[nodiscard]] const std::vector<timestamp>& watermarks() const noexcept { return watermarks_; }
  /// Watermark status changes emitted so far, in order.
  [[nodiscard]] const std::vector<watermark_status>& statuses() const noexcept { return statuses_; }
  /// Records emitted to side output `tag`.
  template <class T>
  std::vector<record<T>> side_output(const std::string& tag) const {
    for (auto& [t, b] : sides_)
      if (t == tag) return records_of<T>(*b);
    return {};
  }
  void clear_output() {
    records_.clear();
    watermarks_.clear();
    statuses_.clear();
    sides_.clear();
  }

  operator_base& op() noexcept { return *op_; }
  manual_clock& clock() noexcept { return clock_; }

 private:
  void collect() {
    auto& rs = out_.template records<Out>();
    records_.insert(records_.end(), rs.begin(), rs.end());
    if (out_.watermark()) watermarks_.push_back(*out_.watermark());
    if (out_.status_change()) statuses_.push_back(*out_.status_change());
    for (auto& [tag, b] : out_.sides()) {
      if (b->empty()) continue;
      batch_base* into = nullptr;
      for (auto& [t, mine] : sides_)
        if (t == tag) into = mine.get();
      if (!into) {
        sides_.emplace_back(tag, b->make_empty(0));
        into = sides_.back().second.get();
      }
      into->append(*b, false);
    }
    out_.clear();
  }

  std::shared_ptr<state_backend> backend_ = make_memory_state_backend();
  manual_clock clock_;
  operator_context ctx_;
  std::unique_ptr<operator_base> op_;
  operator_output out_;
  std::vector<record<Out>> records_;
  std::vector<timestamp> watermarks_;
  std::vector<watermark_status> statuses_;
  std::size_t resumes_ = 0;
  std::vector<std::pair<std::string, std::unique_ptr<batch_base>>> sides_;
};

/// Makes the operator that keyed_stream::process would run, for use with operator_harness.
template <class K, class In, class Out, class KeyFn, class Fn>
std::unique_ptr<operator_base> make_keyed_process(KeyFn key_fn, Fn fn) {
  return std::make_unique<keyed_process_operator<K, In, Out, KeyFn, Fn>>(std::move(key_fn),
                                                                         std::make_unique<Fn>(fn));
}

}  // namespace dataflow::testing
