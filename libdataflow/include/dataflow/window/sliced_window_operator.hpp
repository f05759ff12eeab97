// Tumbling and sliding windows computed from slices. Each element updates exactly one slice (the
// greatest common divisor of size and slide); a window's result combines the slices it spans,
// so the cost per element does not grow with size / slide. How slices are combined depends on
// the aggregate:
//   single_slice  the window is one slice (tumbling windows): its accumulator is the result;
//   running       invertible aggregates keep the last fired window's accumulator and move it:
//                 add the slices that enter, retract the ones that leave;
//   two_stacks    other aggregates keep a two-stacks queue of suffix aggregates (amortized O(1)
//                 merges per window);
//   recompute     merge the window's slices afresh (for element lists, whose merge is a copy).
// Windows fire by the event-time or processing-time trigger (non-purging triggers; the others
// use window_operator). Flink's rules hold: [start, end), fires at end - 1 with that timestamp,
// late elements within the allowed lateness update and re-fire their windows at once, later ones
// go to the late side output, and a slice is dropped when its last window is cleaned up.
// Per key, slices and the next window to fire live in the keyed state store; the wake-up queues
// and the running aggregates are derived and rebuilt on restore.
// Thread-safety: owned by one operator instance.
#pragma once

#include <algorithm>
#include <memory>
#include <numeric>
#include <sstream>
#include <vector>

#include <cereal/types/vector.hpp>

#include "dataflow/operator/collector.hpp"
#include "dataflow/operator/operator.hpp"
#include "dataflow/state/keyed_state_store.hpp"
#include "dataflow/window/sliced_geometry.hpp"
#include "dataflow/window/time_window.hpp"
#include "dataflow/window/window_operator_base.hpp"
#include "dataflow/window/window_options.hpp"

namespace dataflow {

enum class slice_strategy : std::uint8_t { single_slice, running, two_stacks, recompute };

namespace detail {

/// One slice of a key's stream: its start and accumulator.
template <class Acc>
struct slice {
  timestamp start = 0;
  Acc acc{};
  template <class Archive>
  void serialize(Archive& ar) {
    ar(start, acc);
  }
};

/// A key's slices, the next window to fire and its queued wake-ups (saved: a state on RocksDB
/// leaves its cache and comes back before the wake-up; a restore queues afresh), and what is
/// derived from them (not saved).
template <class Acc>
struct sliced_key_state {
  std::vector<slice<Acc>> slices;  // by start; the live ones from `head`
  std::uint32_t head = 0;
  timestamp next_end = max_timestamp;  // end of the next window to fire
  timestamp event_wake = max_timestamp, processing_wake = max_timestamp;  // queued wake-up times
  // Derived: the window [lo, hi) last combined; `run` is its accumulator (running) or the
  // back stack (two_stacks), whose front stack is `front` (suffix aggregates from front_head)
  // and which covers [mid, hi).
  // For `running`, lo_i and hi_i index the first slices at or after lo and hi, so moving
  // the window forward needs no search.
  bool valid = false;
  timestamp lo = 0, hi = 0, mid = 0;
  std::uint32_t lo_i = 0, hi_i = 0;
  Acc run{};
  std::vector<slice<Acc>> front;
  std::uint32_t front_head = 0;

  template <class Archive>
  void save(Archive& ar) const {
    // The bytes of a vector of the live slices, without copying them into one.
    ar(cereal::make_size_tag(static_cast<cereal::size_type>(slices.size() - head)));
    for (std::size_t i = head; i < slices.size(); ++i) ar(slices[i]);
    ar(next_end, event_wake, processing_wake);
  }
  template <class Archive>
  void load(Archive& ar) {
    ar(slices, next_end, event_wake, processing_wake);
    head = 0;
    valid = false;  // derived state is rebuilt from the slices
  }
};

}  // namespace detail

/// Emit(const K&, const time_window&, const Acc&, collector<Out>&) turns a fired window's
/// accumulator into output records.
template <class K, class In, class Agg, class Out, class KeyFn, class Emit>
class sliced_window_operator final
    : public window_operator_base<sliced_window_operator<K, In, Agg, Out, KeyFn, Emit>, K, In,
                                  detail::sliced_key_state<typename Agg::accumulator_type>> {
  using Acc = typename Agg::accumulator_type;
  using key_state = detail::sliced_key_state<Acc>;
  using slice = detail::slice<Acc>;
  using base = window_operator_base<sliced_window_operator, K, In, key_state>;
  friend base;
  using base::none;
  using base::opts_;
  using base::proc_;
  using base::state_;
  using base::store_;
  using base::wm_;

 public:
  sliced_window_operator(KeyFn key_fn, Agg agg, Emit emit, sliced_geometry g, window_options opts,
                         slice_strategy strategy)
      : base(std::move(opts), "window-slices"),
        key_fn_(std::move(key_fn)),
        agg_(std::move(agg)),
        emit_(std::move(emit)),
        size_(g.size),
        slide_(g.slide),
        offset_(g.offset),
        slice_(std::gcd(g.size, g.slide)),
        strategy_(g.size == slice_ ? slice_strategy::single_slice : strategy),
        event_trigger_(opts_.trigger.what() == window_trigger::kind::event_time) {}

  void on_batch(int, const batch_base& in, operator_output& out) override {
    this->catch_up_processing_time(out);
    for (auto& r : records_of<In>(in)) {
      const timestamp ts = r.ts;
      if (event_trigger_ && ts > wm_) {
        // The common case: no window of ts has fired, so only its slice and maybe the next
        // wake-up change.
        key_state& st = enter(r.value);
        const timestamp start = window_start(ts, offset_, slice_);
        add_to_slice(st, start, r.value);
        if (st.next_end > ts + 1) {
          st.next_end = std::min(st.next_end, first_end_of_slice(start));
          schedule(st);
        }
        continue;
      }
      const timestamp last_end = window_start(ts, offset_, slide_) + size_;
      if (last_end - 1 + opts_.allowed_lateness <= wm_) {
        this->on_late(r, out);
        continue;
      }
      key_state& st = enter(r.value);
      add_to_slice(st, window_start(ts, offset_, slice_), r.value);
      // Windows of ts that are already due fire now (again); the first later one is scheduled.
      const timestamp now = trigger_time();
      timestamp e = first_end(ts);
      for (; e <= last_end && e - 1 <= now; e += slide_)
        if (e - 1 + opts_.allowed_lateness > wm_) fire(st, e - size_, e, /*late=*/true, out);
      if (e <= last_end && e < st.next_end) st.next_end = e;
      schedule(st);
    }
  }

  [[nodiscard]] slice_strategy strategy() const noexcept { return strategy_; }

 private:
  key_state& enter(const In& value) {
    store_.set_current_key(key_fn_(value));
    return state_->get_or_create();
  }

  [[nodiscard]] timestamp trigger_time() const noexcept { return event_trigger_ ? wm_ : proc_; }

  /// End of the first window that contains ts.
  [[nodiscard]] timestamp first_end(timestamp ts) const noexcept {
    return window_start(ts - size_, offset_, slide_) + slide_ + size_;
  }
  /// The same for a slice start (when slices are one slide wide, without a division).
  [[nodiscard]] timestamp first_end_of_slice(timestamp start) const noexcept {
    return slice_ == slide_ ? start + slide_ : first_end(start);
  }
  /// Event time at which slice `start` is no longer needed: its last window is cleaned up.
  [[nodiscard]] timestamp cleanup_time(timestamp start) const noexcept {
    const timestamp last_start = slice_ == slide_ ? start : window_start(start, offset_, slide_);
    return last_start + size_ - 1 + opts_.allowed_lateness;
  }
  [[nodiscard]] std::uint32_t index_of(key_state& st, timestamp t) {
    return static_cast<std::uint32_t>(lower(st, t) - st.slices.begin());
  }

  typename std::vector<slice>::iterator lower(key_state& st, timestamp t) {
    return std::lower_bound(st.slices.begin() + st.head, st.slices.end(), t,
                            [](const slice& s, timestamp v) { return s.start < v; });
  }

  void add_to_slice(key_state& st, timestamp start, const In& value) {
    auto& v = st.slices;
    slice* target;
    if (st.head < v.size() && v.back().start == start) {
      target = &v.back();
    } else if (st.head == v.size() || v.back().start < start) {
      target = &v.emplace_back(slice{start, agg_.create()});
      shift_indices(st, start);
    } else {
      auto it = lower(st, start);
      if (it == v.end() || it->start != start) {
        it = v.insert(it, slice{start, agg_.create()});
        shift_indices(st, start);
      }
      target = &*it;
    }
    agg_.add(target->acc, value);
    // Keep the derived aggregates exact when the slice is already part of them (late data).
    if (!st.valid || start >= st.hi) return;
    if (strategy_ == slice_strategy::running) {
      if (start >= st.lo) agg_.add(st.run, value);
    } else if (strategy_ == slice_strategy::two_stacks) {
      if (start >= st.mid)
        agg_.add(st.run, value);
      else if (start >= st.lo)
        st.valid = false;
    }
  }

  /// A new slice at `start` moved the slices after it by one.
  static void shift_indices(key_state& st, timestamp start) {
    if (!st.valid) return;
    if (start < st.lo) ++st.lo_i;
    if (start < st.hi) ++st.hi_i;
  }

  template <class F>
  void for_range(key_state& st, timestamp from, timestamp to, F&& fn) {
    for (auto it = lower(st, from); it != st.slices.end() && it->start < to; ++it) fn(*it);
  }

  void fire(key_state& st, timestamp ws, timestamp we, bool late, operator_output& out) {
    collector<Out> c(out.records<Out>(), we - 1);
    const time_window w{ws, we};
    const K& key = store_.current_key();
    switch (late && strategy_ == slice_strategy::two_stacks ? slice_strategy::recompute
                                                            : strategy_) {
      case slice_strategy::single_slice: {
        auto it = lower(st, ws);
        if (it != st.slices.end() && it->start == ws) emit_(key, w, it->acc, c);
        return;
      }
      case slice_strategy::running:
        emit_(key, w, move_running(st, ws, we), c);
        return;
      case slice_strategy::two_stacks:
        emit_(key, w, query_two_stacks(st, ws, we), c);
        return;
      case slice_strategy::recompute: {
        Acc acc = agg_.create();
        for_range(st, ws, we, [&](const slice& s) { agg_.merge(acc, s.acc); });
        emit_(key, w, acc, c);
        return;
      }
    }
  }

  /// Moves the running window to [ws, we): cost is the number of slices that enter or leave.
  const Acc& move_running(key_state& st, timestamp ws, timestamp we) {
    auto& v = st.slices;
    if (!st.valid || we <= st.lo || ws >= st.hi) {
      st.run = agg_.create();
      st.lo = st.hi = ws;
      st.lo_i = st.hi_i = index_of(st, ws);
      st.valid = true;
    }
    if (ws < st.lo) {  // backwards, for a late firing: add the slices in [ws, lo)
      const auto from = index_of(st, ws);
      for (auto i = from; i < st.lo_i; ++i) agg_.merge(st.run, v[i].acc);
      st.lo_i = from;
    } else {
      for (; st.lo_i < v.size() && v[st.lo_i].start < ws; ++st.lo_i)
        agg_.retract(st.run, v[st.lo_i].acc);
    }
    st.lo = ws;
    if (we >= st.hi) {
      for (; st.hi_i < v.size() && v[st.hi_i].start < we; ++st.hi_i)
        agg_.merge(st.run, v[st.hi_i].acc);
    } else {  // backwards: retract the slices in [we, hi)
      const auto to = index_of(st, we);
      for (auto i = to; i < st.hi_i; ++i) agg_.retract(st.run, v[i].acc);
      st.hi_i = to;
    }
    st.hi = we;
    return st.run;
  }

  /// Two-stacks queue over slices for windows that only move forward.
  Acc query_two_stacks(key_state& st, timestamp ws, timestamp we) {
    if (!st.valid || ws < st.lo || we < st.hi) {
      st.front.clear();
      st.front_head = 0;
      st.run = agg_.create();
      st.lo = st.hi = st.mid = ws;
      st.valid = true;
    }
    for_range(st, st.hi, we, [&](const slice& s) { agg_.merge(st.run, s.acc); });
    st.hi = we;
    while (st.front_head < st.front.size() && st.front[st.front_head].start < ws) ++st.front_head;
    if (st.front_head == st.front.size()) {
      // Flip: the back stack becomes the front, as suffix aggregates.
      st.front.clear();
      st.front_head = 0;
      for_range(st, ws, st.hi, [&](const slice& s) { st.front.push_back(s); });
      for (std::size_t i = st.front.size(); i-- > 1;)
        agg_.merge(st.front[i - 1].acc, st.front[i].acc);
      st.run = agg_.create();
      st.mid = st.hi;
    }
    st.lo = ws;
    if (st.front_head == st.front.size()) return st.run;
    Acc acc = st.front[st.front_head].acc;
    agg_.merge(acc, st.run);
    return acc;
  }

  /// The next window after the one ending at e that holds a slice, or none.
  timestamp next_end_after(key_state& st, timestamp e) {
    const timestamp from = e + slide_ - size_;
    auto& v = st.slices;
    std::uint32_t i;
    if (strategy_ == slice_strategy::running && st.valid && st.lo <= from) {
      for (i = std::max(st.lo_i, st.head); i < v.size() && v[i].start < from; ++i) {
      }
    } else {
      i = index_of(st, from);
    }
    if (i == v.size()) return none;
    return std::max(e + slide_, first_end_of_slice(v[i].start));
  }

  /// Fires what is due, drops slices whose last window is cleaned up, and queues the next
  /// wake-up. Called when a queued wake-up comes due.
  void settle(key_state& st, operator_output& out) {
    const timestamp now = trigger_time();
    while (st.next_end != none && st.next_end - 1 <= now) {
      const timestamp e = st.next_end;
      // On time under the event-time trigger even when cleaned up at the same moment (no
      // lateness); a processing-time firing after the cleanup has nothing left to show.
      if (event_trigger_ || e - 1 + opts_.allowed_lateness > wm_)
        fire(st, e - size_, e, /*late=*/false, out);
      st.next_end = next_end_after(st, e);
    }
    auto& v = st.slices;
    while (st.head < v.size() && cleanup_time(v[st.head].start) <= wm_) {
      slice& s = v[st.head];
      if (strategy_ == slice_strategy::running && st.valid && s.start >= st.lo && s.start < st.hi) {
        agg_.retract(st.run, s.acc);
        st.lo = s.start + slice_;
      }
      s.acc = Acc{};  // free what it holds now
      ++st.head;
    }
    if (st.head == v.size()) {
      state_->clear();
      return;
    }
    st.lo_i = std::max(st.lo_i, st.head);
    st.hi_i = std::max(st.hi_i, st.head);
    if (st.head >= 32 && st.head * 2 >= v.size()) {
      v.erase(v.begin(), v.begin() + st.head);
      st.lo_i -= st.head;
      st.hi_i -= st.head;
      st.head = 0;
    }
    schedule(st);
  }

  /// Queues the key's next wake-up in each time domain when it is earlier than the queued one.
  void schedule(key_state& st) {
    const timestamp clean =
        st.head < st.slices.size() ? cleanup_time(st.slices[st.head].start) : none;
    const timestamp fire_at = st.next_end == none ? none : st.next_end - 1;
    if (event_trigger_)
      this->queue_wakes(st, std::min(clean, fire_at), none);
    else
      this->queue_wakes(st, clean, fire_at);
  }

  static void reset_derived(key_state& st) { st.valid = false; }

  KeyFn key_fn_;
  Agg agg_;
  Emit emit_;
  duration_ms size_, slide_, offset_, slice_;
  slice_strategy strategy_;
  bool event_trigger_;
};

}  // namespace dataflow
