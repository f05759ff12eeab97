// What both window operators share: per-key state in the keyed state store, the wake-up queues
// in event time and processing time, the watermark and processing time seen, late elements,
// and snapshots. `Derived` (CRTP) supplies, for its KeyState (which has event_wake and
// processing_wake members):
//   void settle(KeyState&, operator_output&)  fire what is due, clean up, queue the next wake-up
//   void schedule(KeyState&)                  queue the key's next wake-ups
//   void reset_derived(KeyState&)             forget state derived from the snapshotted part
// Thread-safety: owned by one operator instance.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dataflow/operator/operator.hpp"
#include "dataflow/state/keyed_state_store.hpp"
#include "dataflow/state/versioned_snapshot.hpp"
#include "dataflow/window/key_timer_queue.hpp"
#include "dataflow/window/window_options.hpp"

namespace dataflow {

template <class Derived, class K, class In, class KeyState>
class window_operator_base : public operator_base {
 public:
  static constexpr timestamp none = max_timestamp;

  window_operator_base(window_options opts, const char* state_name)
      : opts_(std::move(opts)), state_name_(state_name) {}

  void open(const operator_context& ctx) override {
    // On a serializing backend (RocksDB) the key states live in its tables (keyed_state_store).
    if (auto s = store_.open(ctx); !s) throw std::runtime_error(s.to_string());
    clock_ = ctx.clock;
    state_ = &store_.template value<KeyState>(state_name_);
  }

  void on_watermark(timestamp wm, operator_output& out) override {
    wm_ = std::max(wm_, wm);
    held_ = wm;
    holding_ = true;
    resume(out);
  }

  /// A watermark that fires more than opts_.max_output_per_step results (the final watermark
  /// over a week-long sliding window) is served in steps, whole keys at a time. Between steps
  /// the watermark of the wake-ups served so far goes out: every later result is at or after
  /// the next wake-up time, so downstream operators make progress too.
  bool has_pending_output() const override { return holding_; }

  void resume(operator_output& out) override {
    const std::size_t before = out.main_size();
    timestamp served = min_timestamp;  // wake-up time of the last key served
    const bool done = events_.pop_until(
        wm_,
        [&](timestamp t, const K& key) {
          served = t;
          store_.set_current_key(key);
          KeyState* st = state_->get_mutable();
          if (!st || st->event_wake != t) return;  // a superseded entry
          st->event_wake = none;
          self().settle(*st, out);
        },
        [&] {
          return out.main_size() - before >= opts_.max_output_per_step ||
                 (step_full_ && step_full_());
        });
    if (done) {
      holding_ = false;
      emit_watermark(held_, out);
    } else if (served > min_timestamp) {
      emit_watermark(served - 1, out);
    }
  }

  void on_processing_time(timestamp now, operator_output& out) override {
    proc_ = std::max(proc_, now);
    processing_.pop_until(proc_, [&](timestamp t, const K& key) {
      store_.set_current_key(key);
      KeyState* st = state_->get_mutable();
      if (!st || st->processing_wake != t) return;
      st->processing_wake = none;
      self().settle(*st, out);
    });
  }

  std::optional<timestamp> next_processing_timer() const override { return processing_.next(); }

  status snapshot(std::string& out) const override {
    out.clear();
    return append_snapshot(out);
  }
  /// Appends write_versioned_snapshot(snapshot_version, store bytes, wm_, proc_) to `out`,
  /// the store written in place (an enrich operator nests this one).
  status append_snapshot(std::string& out) const {
    detail::append_cereal(out, snapshot_version);
    auto s = append_nested_snapshot(out, [&](std::string& o) { return store_.append_snapshot(o); });
    if (!s) return s;
    detail::append_cereal(out, wm_, proc_);
    return status::ok();
  }

  /// What append_snapshot() would append now, written later: the key states are frozen
  /// copy-on-write (an enrich operator nests this one).
  expected<deferred_snapshot> freeze() const {
    auto store = store_.freeze();
    if (!store) return store.error();
    return deferred_snapshot(
        [store = std::move(*store), wm = wm_, proc = proc_](std::string& out) mutable -> status {
          detail::append_cereal(out, snapshot_version);
          if (auto s = append_nested_snapshot(out, store); !s) return s;
          detail::append_cereal(out, wm, proc);
          return status::ok();
        });
  }
  expected<deferred_snapshot> snapshot_deferred() override { return freeze(); }

  /// Called once per piece when rescaled: the keyed state adds up, and the watermark and
  /// processing time are the minimum over the pieces (never ahead of the slowest old instance).
  status restore(std::string_view bytes) override {
    std::string st;
    timestamp wm = min_timestamp, proc = min_timestamp;
    if (auto s = read_versioned_snapshot(bytes, snapshot_version, "window", st, wm, proc); !s)
      return s;
    if (auto s = store_.restore(st); !s) return s;
    wm_ = restored_ ? std::min(wm_, wm) : wm;
    proc_ = restored_ ? std::min(proc_, proc) : proc;
    restored_ = true;
    // Wake-ups and derived aggregates are not in the snapshot: rebuild them for every key,
    // those of earlier pieces too (the queues start empty again, so nothing fires twice).
    events_.clear();
    processing_.clear();
    std::vector<K> keys;
    store_.for_each_key(state_name_, [&](const K& k) { keys.push_back(k); });
    for (auto& k : keys) {
      store_.set_current_key(k);
      KeyState& s = *state_->get_mutable();
      s.event_wake = s.processing_wake = none;
      self().reset_derived(s);
      self().schedule(s);
    }
    return status::ok();
  }

  /// For an operator that wraps this one and turns its results into more output (enrichment):
  /// a step of resume() also ends when full() is true, asked after each key served.
  void set_step_full(std::function<bool()> full) { step_full_ = std::move(full); }

  /// Elements that came too late for every window they belong to (side output or dropped).
  [[nodiscard]] std::uint64_t late_elements() const noexcept { return late_; }
  /// Keys with window state; 0 once every window has been cleaned up.
  [[nodiscard]] std::size_t keys_with_state() const noexcept { return store_.entries(); }

 protected:
  static constexpr std::uint32_t snapshot_version = 2;  // 2: key states carry wake-ups

  /// Forwards watermark `wm` unless an earlier step already sent it or a later one.
  void emit_watermark(timestamp wm, operator_output& out) {
    if (wm <= out_wm_ && out_wm_ != min_timestamp) return;
    out_wm_ = wm;
    out.emit_watermark(wm);
  }

  /// Under the processing-time trigger, fires what is due by the clock first, so that whether an
  /// element re-fires a window at once does not depend on when the runtime last called us.
  void catch_up_processing_time(operator_output& out) {
    if (opts_.trigger.what() == window_trigger::kind::processing_time && clock_)
      on_processing_time(clock_->now(), out);
  }

  void on_late(const record<In>& r, operator_output& out) {
    ++late_;
    if (!opts_.late_tag.empty()) out.side<In>(opts_.late_tag).push_back(r);
  }

  /// Queues wake-ups at `ev` (event time) and `pt` (processing time) when earlier than queued.
  void queue_wakes(KeyState& st, timestamp ev, timestamp pt) {
    if (ev < st.event_wake) {
      st.event_wake = ev;
      events_.add(ev, store_.current_key());
    }
    if (pt < st.processing_wake) {
      st.processing_wake = pt;
      processing_.add(pt, store_.current_key());
    }
  }

  window_options opts_;
  keyed_state_store<K> store_;
  value_state<KeyState>* state_ = nullptr;
  timestamp wm_ = min_timestamp;
  timestamp proc_ = min_timestamp;

 private:
  bool restored_ = false;  // a piece was restored: later pieces take the minimum
  Derived& self() { return static_cast<Derived&>(*this); }

  const char* state_name_;
  const processing_clock* clock_ = nullptr;
  key_timer_queue<K> events_, processing_;
  std::uint64_t late_ = 0;
  // A watermark being served in steps (see resume()), and the last watermark sent on.
  timestamp held_ = min_timestamp;
  bool holding_ = false;
  timestamp out_wm_ = min_timestamp;
  std::function<bool()> step_full_;
};

}  // namespace dataflow
