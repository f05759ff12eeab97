// Windows with per-window state, as Flink's WindowOperator keeps them: session windows (which
// merge), and tumbling or sliding windows under the count trigger or a purging trigger, where
// each window needs contents of its own. An element is added to every window it belongs to, so
// for sliding windows the cost grows with size / slide; sliced_window_operator serves the
// event-time and processing-time triggers without that cost.
// Rules (Flink's): windows are [start, end) and fire with timestamp end - 1; the event-time
// trigger fires a window once when the watermark reaches end - 1 and again for every late
// element within the allowed lateness; a window's state is cleared when the watermark reaches
// end - 1 + allowed lateness; sessions merge when an element's [ts, ts + gap) intersects or
// touches them, also for a late element within the allowed lateness; an element whose every
// window is past its cleanup is late (side output or dropped, and counted).
// Thread-safety: owned by one operator instance.
#pragma once

#include <algorithm>
#include <sstream>
#include <vector>

#include <cereal/types/vector.hpp>

#include "dataflow/operator/collector.hpp"
#include "dataflow/operator/operator.hpp"
#include "dataflow/state/keyed_state_store.hpp"
#include "dataflow/window/window_assigners.hpp"
#include "dataflow/window/window_operator_base.hpp"
#include "dataflow/window/window_options.hpp"

namespace dataflow {

namespace detail {

// The windows of one element, per assigner; merging assigners yield exactly one.
template <class In, class F>
void windows_of(const tumbling_windows& a, const In&, timestamp ts, F&& f) {
  f(a.assign(ts));
}
template <class In, class F>
void windows_of(const sliding_windows& a, const In&, timestamp ts, F&& f) {
  a.for_each_window(ts, f);
}
template <class In, class F>
void windows_of(const session_windows& a, const In&, timestamp ts, F&& f) {
  f(a.assign(ts));
}
template <class GapFn, class In, class F>
void windows_of(const dynamic_session_windows<GapFn>& a, const In& v, timestamp ts, F&& f) {
  f(a.assign(v, ts));
}

template <class A>
inline constexpr bool is_merging_v = false;
template <>
inline constexpr bool is_merging_v<session_windows> = true;
template <class GapFn>
inline constexpr bool is_merging_v<dynamic_session_windows<GapFn>> = true;

/// One window's contents and trigger state.
template <class Acc>
struct pane {
  time_window window;
  Acc acc{};
  std::int64_t elements = 0;  // in the contents (0 after a purge)
  std::int64_t counted = 0;   // since the count trigger last fired
  bool pending = true;        // the on-time firing has not happened yet
  template <class Archive>
  void serialize(Archive& ar) {
    ar(window, acc, elements, counted, pending);
  }
};

/// A key's windows and its queued wake-ups. The wake-ups are saved too, because a state on
/// RocksDB leaves its cache and comes back between a wake-up's queueing and its time; a restore
/// ignores them and queues afresh.
template <class Acc>
struct pane_key_state {
  std::vector<pane<Acc>> panes;  // by start (and end)
  timestamp event_wake = max_timestamp, processing_wake = max_timestamp;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(panes, event_wake, processing_wake);
  }
};

}  // namespace detail

/// Emit(const K&, const time_window&, const Acc&, collector<Out>&) turns a fired window's
/// accumulator into output records.
template <class K, class In, class Agg, class Out, class KeyFn, class Emit, class Assigner>
class window_operator final
    : public window_operator_base<window_operator<K, In, Agg, Out, KeyFn, Emit, Assigner>, K, In,
                                  detail::pane_key_state<typename Agg::accumulator_type>> {
  using Acc = typename Agg::accumulator_type;
  using key_state = detail::pane_key_state<Acc>;
  using pane = detail::pane<Acc>;
  using base = window_operator_base<window_operator, K, In, key_state>;
  friend base;
  using base::none;
  using base::opts_;
  using base::proc_;
  using base::state_;
  using base::store_;
  using base::wm_;

 public:
  static constexpr bool merging = detail::is_merging_v<Assigner>;

  window_operator(KeyFn key_fn, Agg agg, Emit emit, Assigner assigner, window_options opts)
      : base(std::move(opts), "window-panes"),
        key_fn_(std::move(key_fn)),
        agg_(std::move(agg)),
        emit_(std::move(emit)),
        assigner_(std::move(assigner)) {}

  void on_batch(int, const batch_base& in, operator_output& out) override {
    this->catch_up_processing_time(out);
    for (auto& r : records_of<In>(in)) {
      store_.set_current_key(key_fn_(r.value));
      key_state& st = state_->get_or_create();
      bool added = false;
      detail::windows_of(assigner_, r.value, r.ts, [&](const time_window& w) {
        if constexpr (merging) {
          added = add_merging(st, w, r.value, out);
        } else {
          if (is_cleaned(w)) return;
          add_to(st, find_or_create(st, w), r.value, out);
          added = true;
        }
      });
      if (!added) this->on_late(r, out);
      if (st.panes.empty())
        state_->clear();
      else
        schedule(st);
    }
  }

 private:
  [[nodiscard]] window_trigger::kind trigger() const noexcept { return opts_.trigger.what(); }
  [[nodiscard]] bool is_cleaned(const time_window& w) const noexcept {
    return w.max_timestamp() + opts_.allowed_lateness <= wm_;
  }
  /// The time the trigger compares window ends with (count triggers do not fire on time).
  [[nodiscard]] timestamp trigger_time() const noexcept {
    switch (trigger()) {
      case window_trigger::kind::event_time:
        return wm_;
      case window_trigger::kind::processing_time:
        return proc_;
      case window_trigger::kind::count:
        break;
    }
    return min_timestamp;
  }

  pane& find_or_create(key_state& st, const time_window& w) {
    auto it = std::lower_bound(st.panes.begin(), st.panes.end(), w,
                               [](const pane& p, const time_window& v) { return p.window < v; });
    if (it == st.panes.end() || it->window != w) it = st.panes.insert(it, pane{w, agg_.create()});
    return *it;
  }

  /// Merges `w` with the sessions it intersects and adds the element to the result; false when
  /// the merged session is already cleaned up (the element is late).
  bool add_merging(key_state& st, const time_window& w, const In& value, operator_output& out) {
    auto& ps = st.panes;
    auto first =
        std::find_if(ps.begin(), ps.end(), [&](const pane& p) { return p.window.intersects(w); });
    auto last =
        std::find_if(first, ps.end(), [&](const pane& p) { return !p.window.intersects(w); });
    time_window merged = w;
    for (auto it = first; it != last; ++it) merged = merged.cover(it->window);
    if (is_cleaned(merged)) return false;
    pane* target;
    if (first == last) {
      auto pos = std::lower_bound(ps.begin(), ps.end(), merged,
                                  [](const pane& p, const time_window& v) { return p.window < v; });
      target = &*ps.insert(pos, pane{merged, agg_.create()});
    } else {
      pane m{merged, std::move(first->acc), first->elements, first->counted, true};
      for (auto it = first + 1; it != last; ++it) {
        agg_.merge(m.acc, it->acc);
        m.elements += it->elements;
        m.counted += it->counted;
      }
      // The merged session has a later end: its on-time firing is still to come, unless the
      // watermark already passed it (then the element fires it below).
      m.pending = merged.max_timestamp() > trigger_time();
      auto pos = ps.erase(first, last);
      target = &*ps.insert(pos, std::move(m));
    }
    add_to(st, *target, value, out);
    return true;
  }

  void add_to(key_state& st, pane& p, const In& value, operator_output& out) {
    (void)st;
    agg_.add(p.acc, value);
    ++p.elements;
    switch (trigger()) {
      case window_trigger::kind::event_time:
      case window_trigger::kind::processing_time:
        if (p.window.max_timestamp() <= trigger_time()) {
          p.pending = false;  // late, or already on time: fire with this element at once
          fire(p, out);
        }
        return;
      case window_trigger::kind::count:
        if (++p.counted >= opts_.trigger.max_count()) {
          p.counted = 0;
          fire(p, out);
        }
        return;
    }
  }

  void fire(pane& p, operator_output& out) {
    if (p.elements == 0) return;  // purged and nothing since
    collector<Out> c(out.records<Out>(), p.window.max_timestamp());
    emit_(store_.current_key(), p.window, p.acc, c);
    if (opts_.trigger.is_purging()) {
      p.acc = agg_.create();
      p.elements = 0;
    }
  }

  void settle(key_state& st, operator_output& out) {
    const timestamp now = trigger_time();
    const bool timed = trigger() != window_trigger::kind::count;
    for (auto& p : st.panes)
      if (timed && p.pending && p.window.max_timestamp() <= now) {
        p.pending = false;
        // A processing-time firing after the cleanup has nothing left to show.
        if (trigger() == window_trigger::kind::event_time || !is_cleaned(p.window)) fire(p, out);
      }
    std::erase_if(st.panes, [&](const pane& p) { return is_cleaned(p.window); });
    if (st.panes.empty()) {
      state_->clear();
      return;
    }
    schedule(st);
  }

  void schedule(key_state& st) {
    timestamp clean = none, fire_at = none;
    for (auto& p : st.panes) {
      clean = std::min(clean, p.window.max_timestamp() + opts_.allowed_lateness);
      if (p.pending) fire_at = std::min(fire_at, p.window.max_timestamp());
    }
    switch (trigger()) {
      case window_trigger::kind::event_time:
        this->queue_wakes(st, std::min(clean, fire_at), none);
        break;
      case window_trigger::kind::processing_time:
        this->queue_wakes(st, clean, fire_at);
        break;
      case window_trigger::kind::count:
        this->queue_wakes(st, clean, none);
        break;
    }
  }

  static void reset_derived(key_state&) {}

  KeyFn key_fn_;
  Agg agg_;
  Emit emit_;
  Assigner assigner_;
};

}  // namespace dataflow
