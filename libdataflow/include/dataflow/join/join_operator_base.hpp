// What both keyed joins share: per-key buffers of both sides in the keyed state store, one
// queued wake-up per key in event time, the watermark, late elements per side, and snapshots
// that hold only the buffers and the watermark (wake-ups are rebuilt on restore).
// `Derived` (CRTP) supplies, for the current key:
//   void add_left(const record<L>&, key_state&, operator_output&)   an on-time left element:
//   void add_right(const record<R>&, key_state&, operator_output&)  join it, buffer it or not
//   bool is_late_left(timestamp) / is_late_right(timestamp)        the lateness rule
//   void settle(key_state&, operator_output&)   the wake-up is due: emit, trim, re-schedule
//   void schedule(key_state&)                    queue the key's next wake-up (queue_wake)
//   timestamp output_watermark(timestamp)        the watermark to forward for an input one
// Thread-safety: owned by one operator instance.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "dataflow/join/join_buffer.hpp"
#include "dataflow/operator/operator.hpp"
#include "dataflow/state/keyed_state_store.hpp"
#include "dataflow/state/versioned_snapshot.hpp"
#include "dataflow/window/key_timer_queue.hpp"

namespace dataflow {

template <class Derived, class K, class L, class R, class KeyL, class KeyR>
class join_operator_base : public operator_base {
 public:
  using key_state = join_key_state<L, R>;

  join_operator_base(KeyL key_left, KeyR key_right, std::string left_late_tag,
                     std::string right_late_tag, const char* state_name)
      : key_left_(std::move(key_left)),
        key_right_(std::move(key_right)),
        left_late_tag_(std::move(left_late_tag)),
        right_late_tag_(std::move(right_late_tag)),
        state_name_(state_name) {}

  void open(const operator_context& ctx) override {
    if (auto s = store_.open(ctx); !s) throw std::runtime_error(s.to_string());
    state_ = &store_.template value<key_state>(state_name_);
  }

  void on_batch(int input, const batch_base& in, operator_output& out) override {
    if (input == 0)
      take(
          records_of<L>(in), key_left_, left_late_tag_, late_left_, out,
          [&](timestamp ts) { return self().is_late_left(ts); },
          [&](const record<L>& r, key_state& st) { self().add_left(r, st, out); });
    else
      take(
          records_of<R>(in), key_right_, right_late_tag_, late_right_, out,
          [&](timestamp ts) { return self().is_late_right(ts); },
          [&](const record<R>& r, key_state& st) { self().add_right(r, st, out); });
  }

  void on_watermark(timestamp wm, operator_output& out) override {
    if (wm <= wm_) return;
    prev_wm_ = wm_;
    wm_ = wm;
    events_.pop_until(wm_, [&](timestamp t, const K& key) {
      store_.set_current_key(key);
      key_state* st = state_->get_mutable();
      if (!st || !st->wake_queued || st->event_wake != t) return;  // a superseded entry
      st->wake_queued = false;
      self().settle(*st, out);
      if (st->empty())
        state_->clear();
      else
        self().schedule(*st);
    });
    out.emit_watermark(self().output_watermark(wm_));
  }

  /// write_versioned_snapshot(snapshot_version, store bytes, wm_), the store written in place.
  status snapshot(std::string& out) const override {
    out.clear();
    detail::append_cereal(out, snapshot_version);
    auto s = append_nested_snapshot(out, [&](std::string& o) { return store_.append_snapshot(o); });
    if (!s) return s;
    detail::append_cereal(out, wm_);
    return status::ok();
  }

  /// The same bytes, written later: the buffers are frozen copy-on-write.
  expected<deferred_snapshot> snapshot_deferred() override {
    auto store = store_.freeze();
    if (!store) return store.error();
    return deferred_snapshot(
        [store = std::move(*store), wm = wm_](std::string& out) mutable -> status {
          detail::append_cereal(out, snapshot_version);
          if (auto s = append_nested_snapshot(out, store); !s) return s;
          detail::append_cereal(out, wm);
          return status::ok();
        });
  }

  /// Called once per piece when rescaled: the buffers add up, and the watermark is the
  /// minimum over the pieces (never ahead of the slowest old instance).
  status restore(std::string_view bytes) override {
    std::string st;
    timestamp wm = min_timestamp;
    if (auto s = read_versioned_snapshot(bytes, snapshot_version, "join", st, wm); !s) return s;
    if (auto s = store_.restore(st); !s) return s;
    wm_ = restored_ ? std::min(wm_, wm) : wm;
    restored_ = true;
    prev_wm_ = wm_;  // snapshots fall between calls: everything due at wm_ was done
    // Wake-ups are not in the snapshot: rebuild them from the buffers.
    events_.clear();
    std::vector<K> keys;
    store_.for_each_key(state_name_, [&](const K& k) { keys.push_back(k); });
    for (auto& k : keys) {
      store_.set_current_key(k);
      key_state& s = *state_->get_mutable();
      s.wake_queued = false;
      self().schedule(s);
    }
    return status::ok();
  }

  /// Left elements that came late (side output or dropped).
  [[nodiscard]] std::uint64_t late_left() const noexcept { return late_left_; }
  /// Right elements that came late (side output or dropped).
  [[nodiscard]] std::uint64_t late_right() const noexcept { return late_right_; }
  /// Keys with buffered elements; 0 once every buffer has been trimmed.
  [[nodiscard]] std::size_t keys_with_state() const noexcept { return store_.entries(); }
  /// Buffered elements over all keys and both sides.
  /// (Changes the current key: call it between batches, as tests do.)
  [[nodiscard]] std::size_t buffered_elements() {
    std::size_t n = 0;
    std::vector<K> keys;
    store_.for_each_key(state_name_, [&](const K& k) { keys.push_back(k); });
    for (auto& k : keys) {
      store_.set_current_key(k);
      if (auto* s = state_->get()) n += s->left.size() + s->right.size();
    }
    return n;
  }

 protected:
  static constexpr std::uint32_t snapshot_version = 2;  // 2: key states carry wake-ups

  /// Queues a wake-up of the current key at `t` when earlier than the one queued.
  void queue_wake(key_state& st, timestamp t) {
    if (!st.wake_queued || t < st.event_wake) {
      st.wake_queued = true;
      st.event_wake = t;
      events_.add(t, store_.current_key());
    }
  }

  keyed_state_store<K> store_;
  value_state<key_state>* state_ = nullptr;
  /// The input watermark, and the one before the last advance (min_timestamp at first).
  timestamp wm_ = min_timestamp;
  timestamp prev_wm_ = min_timestamp;

 private:
  bool restored_ = false;  // a piece was restored: later pieces take the minimum
  /// One side's batch: late elements are counted and sent to `late_tag` (when set); the others
  /// go to `add(record, key_state&)` under their key.
  template <class V, class KeyFn, class IsLate, class Add>
  void take(const std::vector<record<V>>& rs, const KeyFn& key_fn, const std::string& late_tag,
            std::uint64_t& late, operator_output& out, IsLate&& is_late, Add&& add) {
    for (auto& r : rs) {
      if (is_late(r.ts)) {
        ++late;
        if (!late_tag.empty()) out.side<V>(late_tag).push_back(r);
        continue;
      }
      store_.set_current_key(key_fn(r.value));
      key_state& st = state_->get_or_create();
      add(r, st);
      if (st.empty()) state_->clear();
    }
  }

  Derived& self() { return static_cast<Derived&>(*this); }

  KeyL key_left_;
  KeyR key_right_;
  std::string left_late_tag_, right_late_tag_;
  const char* state_name_;
  key_timer_queue<K> events_;
  std::uint64_t late_left_ = 0, late_right_ = 0;
};

}  // namespace dataflow
