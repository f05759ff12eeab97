// The keyed process function: user code that sees each element of a keyed stream with its
// key's state and can set event-time and processing-time timers per key (Flink's
// KeyedProcessFunction). Called by one instance, never concurrently.
#pragma once

#include <vector>

#include "dataflow/api/output_tag.hpp"
#include "dataflow/operator/operator_output.hpp"
#include "dataflow/state/keyed_state_store.hpp"
#include "dataflow/state/timer_service.hpp"

namespace dataflow {

/// What a keyed process function may do while it handles an element or a timer.
template <class K, class Out>
class keyed_process_context {
 public:
  /// The key of the element or timer being handled.
  [[nodiscard]] const K& current_key() const { return state_->current_key(); }
  /// The element's timestamp, or the timer's.
  [[nodiscard]] timestamp ts() const noexcept { return ts_; }
  [[nodiscard]] timestamp current_watermark() const noexcept { return watermark_; }
  [[nodiscard]] timestamp current_processing_time() const { return clock_ ? clock_->now() : 0; }
  [[nodiscard]] const operator_info& info() const noexcept { return *info_; }

  /// The current key's state.
  keyed_state_store<K>& state() { return *state_; }

  void register_event_time_timer(timestamp t) {
    timers_->register_timer(time_domain::event_time, current_key(), t);
  }
  void delete_event_time_timer(timestamp t) {
    timers_->delete_timer(time_domain::event_time, current_key(), t);
  }
  void register_processing_time_timer(timestamp t) {
    timers_->register_timer(time_domain::processing_time, current_key(), t);
  }
  void delete_processing_time_timer(timestamp t) {
    timers_->delete_timer(time_domain::processing_time, current_key(), t);
  }

  /// Emits `value` with the current timestamp.
  void output(Out value) { out_->template records<Out>().push_back({std::move(value), ts_}); }
  /// Emits `value` to the side output `tag`.
  template <class T>
  void output(const output_tag<T>& tag, T value) {
    out_->template side<T>(tag.id).push_back({std::move(value), ts_});
  }

  // -- set by the operator ------------------------------------------------------------------
  void bind(keyed_state_store<K>* s, timer_service<K>* t, const processing_clock* c,
            const operator_info* i) {
    state_ = s;
    timers_ = t;
    clock_ = c;
    info_ = i;
  }
  void begin(operator_output* out, timestamp ts) {
    out_ = out;
    ts_ = ts;
  }
  void set_watermark(timestamp wm) noexcept { watermark_ = wm; }

 private:
  keyed_state_store<K>* state_ = nullptr;
  timer_service<K>* timers_ = nullptr;
  const processing_clock* clock_ = nullptr;
  const operator_info* info_ = nullptr;
  operator_output* out_ = nullptr;
  timestamp ts_ = 0;
  timestamp watermark_ = min_timestamp;
};

template <class K, class In, class Out>
class keyed_process_function {
 public:
  using context = keyed_process_context<K, Out>;
  virtual ~keyed_process_function() = default;
  /// Called once before the first element; a good place to look up state handles.
  virtual void open(context& ctx) { (void)ctx; }
  virtual void process_element(const In& value, context& ctx) = 0;
  virtual void on_timer(timestamp t, time_domain domain, context& ctx) {
    (void)t;
    (void)domain;
    (void)ctx;
  }
};

/// Adapts a lambda `fn(const In&, context&)` to a keyed process function.
template <class K, class In, class Out, class F>
class lambda_process_function final : public keyed_process_function<K, In, Out> {
 public:
  explicit lambda_process_function(F fn) : fn_(std::move(fn)) {}
  void process_element(const In& v, keyed_process_context<K, Out>& ctx) override { fn_(v, ctx); }

 private:
  F fn_;
};

}  // namespace dataflow
