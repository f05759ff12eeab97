// Hosts a keyed_process_function: sets the current key per element, fires timers as the
// watermark and processing time advance, and snapshots state and timers together. `Fn` is the
// concrete function class, so the per-element call is resolved at compile time.
#pragma once

#include <memory>
#include <stdexcept>
#include <type_traits>

#include "dataflow/operator/keyed_process_function.hpp"
#include "dataflow/operator/operator.hpp"
#include "dataflow/state/detail/cereal_bytes.hpp"
#include "dataflow/state/versioned_snapshot.hpp"

namespace dataflow {

template <class K, class In, class Out, class KeyFn, class Fn = keyed_process_function<K, In, Out>>
class keyed_process_operator final : public operator_base {
  static_assert(std::is_base_of_v<keyed_process_function<K, In, Out>, Fn>);

 public:
  keyed_process_operator(KeyFn key_fn, std::unique_ptr<Fn> fn)
      : key_fn_(std::move(key_fn)), fn_(std::move(fn)) {}

  void open(const operator_context& ctx) override {
    info_ = ctx.info;
    if (auto s = state_.open(ctx); !s) throw std::runtime_error(s.to_string());
    ctx_.bind(&state_, &timers_, ctx.clock, &info_);
    fn_->open(ctx_);
  }

  void on_batch(int, const batch_base& in, operator_output& out) override {
    for (auto& r : records_of<In>(in)) {
      state_.set_current_key(key_fn_(r.value));
      ctx_.begin(&out, r.ts);
      // A qualified call: no virtual dispatch when Fn is the concrete class.
      if constexpr (std::is_same_v<Fn, keyed_process_function<K, In, Out>>)
        fn_->process_element(r.value, ctx_);
      else
        fn_->Fn::process_element(r.value, ctx_);
    }
  }

  void on_watermark(timestamp wm, operator_output& out) override {
    ctx_.set_watermark(wm);
    fire(time_domain::event_time, wm, out);
    out.emit_watermark(wm);
  }

  void on_processing_time(timestamp now, operator_output& out) override {
    fire(time_domain::processing_time, now, out);
  }

  std::optional<timestamp> next_processing_timer() const override {
    return timers_.next(time_domain::processing_time);
  }

  /// cereal(state bytes, timer bytes), both written in place.
  status snapshot(std::string& out) const override {
    out.clear();
    auto s = append_nested_snapshot(out, [&](std::string& o) { return state_.append_snapshot(o); });
    if (!s) return s;
    return append_nested_snapshot(out, [&](std::string& o) { return timers_.append_snapshot(o); });
  }

  /// The same bytes, written later: the keyed state is frozen copy-on-write, the timers
  /// (one entry per key at most) are written now.
  expected<deferred_snapshot> snapshot_deferred() override {
    auto state = state_.freeze();
    if (!state) return state.error();
    std::string timers;
    if (auto s = timers_.append_snapshot(timers); !s) return s;
    return deferred_snapshot([state = std::move(*state),
                              timers = std::move(timers)](std::string& out) mutable -> status {
      if (auto s = append_nested_snapshot(out, state); !s) return s;
      return append_nested_snapshot(out, [&](std::string& o) {
        o.append(timers);
        return status::ok();
      });
    });
  }

  status restore(std::string_view bytes) override {
    std::string st, tm;
    try {
      detail::read_cereal(bytes, st, tm);
    } catch (const std::exception& e) {
      return {errc::decode_failed, std::string("keyed process snapshot: ") + e.what()};
    }
    if (auto s = state_.restore(st); !s) return s;
    // Several pieces when rescaled: each adds its timers of the keys this instance owns.
    return timers_.restore(
        tm, key_group_range_of(info_.subtask, info_.parallelism, info_.max_parallelism),
        info_.max_parallelism);
  }

  /// For tests and metrics.
  [[nodiscard]] const keyed_state_store<K>& state() const noexcept { return state_; }
  [[nodiscard]] const timer_service<K>& timers() const noexcept { return timers_; }

 private:
  void fire(time_domain d, timestamp now, operator_output& out) {
    timers_.advance(d, now, [&](timestamp t, const K& key) {
      state_.set_current_key(key);
      ctx_.begin(&out, t);
      fn_->on_timer(t, d, ctx_);
    });
  }

  KeyFn key_fn_;
  std::unique_ptr<Fn> fn_;
  operator_info info_;
  keyed_state_store<K> state_;
  timer_service<K> timers_;
  keyed_process_context<K, Out> ctx_;
};

}  // namespace dataflow
