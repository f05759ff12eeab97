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
#include "dataflow/window/key_timer_queue.hpp"
#include "dataflow/window/window_assigners.hpp"
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

}  // namespace detail

/// Emit(const K&, const time_window&, const Acc&, collector<Out>&) turns a fired window's
/// accumulator into output records.
template <class K, class In, class Agg, class Out, class KeyFn, class Emit, class Assigner>
class window_operator final : public operator_base {
 public:
  using Acc = typename Agg::accumulator_type;
  static constexpr timestamp none = max_timestamp;
  static constexpr bool merging = detail::is_merging_v<Assigner>;

  window_operator(KeyFn key_fn, Agg agg, Emit emit, Assigner assigner, window_options opts)
      : key_fn_(std::move(key_fn)),
        agg_(std::move(agg)),
        emit_(std::move(emit)),
        assigner_(std::move(assigner)),
        opts_(std::move(opts)) {}

  void open(const operator_context& ctx) override {
    store_.set_info(ctx.info);
    clock_ = ctx.clock;
    state_ = &store_.template value<key_state>("window-panes");
  }

  void on_batch(int, const batch_base& in, operator_output& out) override {
    // Under the processing-time trigger, first fire what is due by now, so that whether an
    // element re-fires a window at once does not depend on when the runtime last called us.
    if (opts_.trigger.what() == window_trigger::kind::processing_time && clock_)
      on_processing_time(clock_->now(), out);
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
      if (!added) {
        ++late_;
        if (!opts_.late_tag.empty()) out.side<In>(opts_.late_tag).push_back(r);
      }
      if (st.panes.empty())
        state_->clear();
      else
        schedule(st);
    }
  }

  void on_watermark(timestamp wm, operator_output& out) override {
    wm_ = std::max(wm_, wm);
    events_.pop_until(wm_, [&](timestamp t, const K& key) {
      store_.set_current_key(key);
      key_state* st = state_->get_mutable();
      if (!st || st->event_wake != t) return;
      st->event_wake = none;
      settle(*st, out);
    });
    out.emit_watermark(wm);
  }

  void on_processing_time(timestamp now, operator_output& out) override {
    proc_ = std::max(proc_, now);
    processing_.pop_until(proc_, [&](timestamp t, const K& key) {
      store_.set_current_key(key);
      key_state* st = state_->get_mutable();
      if (!st || st->processing_wake != t) return;
      st->processing_wake = none;
      settle(*st, out);
    });
  }

  std::optional<timestamp> next_processing_timer() const override { return processing_.next(); }

  status snapshot(std::string& out) const override {
    std::string st;
    if (auto s = store_.snapshot(st); !s) return s;
    std::ostringstream os(std::ios::binary);
    {
      cereal::BinaryOutputArchive ar(os);
      ar(snapshot_version, st, wm_, proc_);
    }
    out = std::move(os).str();
    return status::ok();
  }

  status restore(std::string_view bytes) override {
    std::uint32_t version = 0;
    std::string st;
    try {
      std::istringstream is{std::string(bytes), std::ios::binary};
      cereal::BinaryInputArchive ar(is);
      ar(version, st, wm_, proc_);
    } catch (const std::exception& e) {
      return {errc::decode_failed, std::string("window snapshot: ") + e.what()};
    }
    if (version != snapshot_version)
      return {errc::decode_failed, "window snapshot has format version " + std::to_string(version) +
                                       ", expected " + std::to_string(snapshot_version)};
    if (auto s = store_.restore(st); !s) return s;
    events_.clear();
    processing_.clear();
    std::vector<K> keys;
    store_.for_each_key("window-panes", [&](const K& k) { keys.push_back(k); });
    for (auto& k : keys) {
      store_.set_current_key(k);
      key_state& s = *state_->get_mutable();
      s.event_wake = s.processing_wake = none;
      schedule(s);
    }
    return status::ok();
  }

  [[nodiscard]] std::uint64_t late_elements() const noexcept { return late_; }
  [[nodiscard]] std::size_t keys_with_state() const noexcept { return store_.entries(); }

 private:
  static constexpr std::uint32_t snapshot_version = 1;

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

  struct key_state {
    std::vector<pane> panes;  // by start (and end)
    timestamp event_wake = none, processing_wake = none;
    template <class Archive>
    void save(Archive& ar) const {
      ar(panes);
    }
    template <class Archive>
    void load(Archive& ar) {
      ar(panes);
    }
  };

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
    const timestamp ev =
        trigger() == window_trigger::kind::event_time ? std::min(clean, fire_at) : clean;
    if (ev < st.event_wake) {
      st.event_wake = ev;
      events_.add(ev, store_.current_key());
    }
    if (trigger() == window_trigger::kind::processing_time && fire_at < st.processing_wake) {
      st.processing_wake = fire_at;
      processing_.add(fire_at, store_.current_key());
    }
  }

  KeyFn key_fn_;
  Agg agg_;
  Emit emit_;
  Assigner assigner_;
  window_options opts_;
  keyed_state_store<K> store_;
  value_state<key_state>* state_ = nullptr;
  key_timer_queue<K> events_, processing_;
  const processing_clock* clock_ = nullptr;
  timestamp wm_ = min_timestamp;
  timestamp proc_ = min_timestamp;
  std::uint64_t late_ = 0;
};

}  // namespace dataflow
