// Enrichment: every input element comes out exactly once, joined with the aggregate of its
// key's window that ends first after it (the window [E - size, E) with E the first window end
// after the element's time, which contains the element). This is what a pipeline gets by
// interval-joining its input with its own windowed aggregate over [ts, ts + slide), made exact:
//   - an on-time element waits in keyed state until its window fires (watermark >= E - 1) and
//     then gets that window's complete result;
//   - a late element within the allowed lateness re-fires its window (Flink's rule) and gets
//     the updated result at once (status late);
//   - an element later than that whose later windows are still kept gets the first of them
//     (status past_lateness), re-fired at once or when it fires;
//   - an element too late for every window gets no aggregate (status too_late);
// so no element is dropped and none is emitted twice, whatever the order of arrival. Outputs
// carry timestamp E - 1, the time of the result they hold (the larger of the two timestamps,
// as an interval join's results do), so they are on time under the watermark the operator
// forwards after them.
// The aggregate runs on slices (sliced_window_operator), so an element costs one slice update
// and one buffered copy, whatever size / slide is. The window results themselves can go to a
// side output, so a job that wants both the metrics and the enriched events computes them once.
// Thread-safety: owned by one operator instance.
#pragma once

#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <cereal/types/optional.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

#include "dataflow/enrich/enriched.hpp"
#include "dataflow/state/versioned_snapshot.hpp"
#include "dataflow/window/window_operator_factory.hpp"

namespace dataflow {
namespace detail {

/// A key's elements waiting for a window to fire, by window end (ascending); `past_lateness`
/// ones arrived after their first window had been cleaned up.
template <class T>
struct pending_window {
  timestamp end = 0;
  std::vector<record<T>> on_time, past_lateness;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(end, on_time, past_lateness);
  }
};
template <class T>
struct pending_elements {
  std::vector<pending_window<T>> by_end;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(by_end);
  }
};

/// Makes enriched<T, R>.
struct make_enriched {
  template <class T, class R>
  enriched<T, R> operator()(const T& e, const R* agg, const time_window& w, enrich_status s) const {
    return {e, w, agg ? std::optional<R>(*agg) : std::nullopt, s};
  }
};

}  // namespace detail

/// Counts by status, for tests and metrics.
struct enrich_counts {
  std::uint64_t on_time = 0, late = 0, past_lateness = 0, too_late = 0;
};

/// JoinFn(const T& element, const R* aggregate (null when too late), const time_window&,
/// enrich_status) -> Out.
template <class K, class T, class Agg, class Out, class KeyFn, class JoinFn>
class enrich_operator final : public operator_base {
  using R = typename Agg::result_type;
  using result = window_result<K, R>;
  using emitter = detail::aggregate_emitter<K, Agg, detail::make_window_result<K>>;
  using inner_operator = sliced_window_operator<K, T, Agg, result, KeyFn, emitter>;

 public:
  static constexpr std::uint32_t snapshot_version = 1;

  /// `results_tag`: when not empty, every window result (window_result<K, R>) also goes to
  /// that side output. Only the event-time trigger; no late-data tag (nothing is dropped).
  enrich_operator(KeyFn key_fn, Agg agg, JoinFn join, sliced_geometry g, window_options opts,
                  slice_strategy strategy, std::string results_tag = {})
      : key_fn_(key_fn),
        join_(std::move(join)),
        size_(g.size),
        slide_(g.slide),
        offset_(g.offset),
        lateness_(opts.allowed_lateness),
        results_tag_(std::move(results_tag)),
        max_step_(opts.max_output_per_step),
        inner_(key_fn, agg, emitter{agg, {}}, g, inner_options(opts), strategy),
        inner_out_(&record_type_of<result>()) {
    // A step of a large watermark ends once its enriched elements fill it, not only its
    // window results: one result can release thousands of elements, and the first ones should
    // not wait for the rest.
    inner_.set_step_full([this] {
      if (!step_out_) return false;
      emit_fired(*step_out_);
      return step_out_->main_size() - step_before_ >= max_step_;
    });
  }

  // Not copyable or movable: the inner operator's step hook captures `this`.
  enrich_operator(const enrich_operator&) = delete;
  enrich_operator& operator=(const enrich_operator&) = delete;

  void open(const operator_context& ctx) override {
    inner_.open(ctx);
    if (auto s = store_.open(ctx); !s) throw std::runtime_error(s.to_string());
    pending_ = &store_.template value<detail::pending_elements<T>>("enrich-pending");
  }

  void on_batch(int input, const batch_base& in, operator_output& out) override {
    const auto& rs = records_of<T>(in);
    inner_.on_batch(input, in, inner_out_);  // too-late elements are counted and dropped there
    bool late_seen = false;
    for (const auto& r : rs) {
      const timestamp end = first_end(r.ts);
      if (end - 1 > wm_)
        buffer(r, end, false);
      else
        late_seen = true;
    }
    if (late_seen)
      for (const auto& r : rs)
        if (first_end(r.ts) - 1 <= wm_) on_late(r, out);
    forward_results(out);
  }

  void on_watermark(timestamp wm, operator_output& out) override {
    begin_step(out);
    inner_.on_watermark(wm, inner_out_);
    wm_ = std::max(wm_, wm);
    take_fired(out);
  }

  /// The inner window operator serves a large watermark in steps; so does enrichment.
  bool has_pending_output() const override { return inner_.has_pending_output(); }

  void resume(operator_output& out) override {
    begin_step(out);
    inner_.resume(inner_out_);
    take_fired(out);
  }

  void on_end(operator_output& out) override {
    inner_.on_end(inner_out_);
    forward_results(out);
  }

  /// write_versioned_snapshot(snapshot_version, inner bytes, store bytes, wm_), with the
  /// inner window's and the store's bytes written in place.
  status snapshot(std::string& out) const override {
    out.clear();
    detail::append_cereal(out, snapshot_version);
    auto s = append_nested_snapshot(out, [&](std::string& o) { return inner_.append_snapshot(o); });
    if (!s) return s;
    s = append_nested_snapshot(out, [&](std::string& o) { return store_.append_snapshot(o); });
    if (!s) return s;
    detail::append_cereal(out, wm_);
    return status::ok();
  }

  /// The same bytes, written later: the inner window's and the store's states are frozen.
  expected<deferred_snapshot> snapshot_deferred() override {
    auto inner = inner_.freeze();
    if (!inner) return inner.error();
    auto mine = store_.freeze();
    if (!mine) return mine.error();
    return deferred_snapshot([inner = std::move(*inner), mine = std::move(*mine),
                              wm = wm_](std::string& out) mutable -> status {
      detail::append_cereal(out, snapshot_version);
      if (auto s = append_nested_snapshot(out, inner); !s) return s;
      if (auto s = append_nested_snapshot(out, mine); !s) return s;
      detail::append_cereal(out, wm);
      return status::ok();
    });
  }

  /// Called once per piece when rescaled: state adds up, and the watermark is the minimum
  /// over the pieces, here and in the inner window operator.
  status restore(std::string_view bytes) override {
    std::string inner, mine;
    timestamp wm = min_timestamp;
    if (auto s = read_versioned_snapshot(bytes, snapshot_version, "enrich", inner, mine, wm); !s)
      return s;
    if (auto s = inner_.restore(inner); !s) return s;
    if (auto s = store_.restore(mine); !s) return s;
    wm_ = restored_ ? std::min(wm_, wm) : wm;
    restored_ = true;
    return status::ok();
  }

  [[nodiscard]] const enrich_counts& counts() const noexcept { return counts_; }
  /// Keys with buffered elements or window state; 0 once everything has fired and cleaned up.
  [[nodiscard]] std::size_t keys_with_state() const noexcept {
    return store_.entries() + inner_.keys_with_state();
  }

 private:
  static window_options inner_options(window_options o) {
    if (o.trigger.what() != window_trigger::kind::event_time)
      throw std::invalid_argument("enrichment runs on the event-time trigger only");
    o.late_tag.clear();
    return o;
  }

  /// End of the first window that contains ts.
  [[nodiscard]] timestamp first_end(timestamp ts) const noexcept {
    return window_start(ts, offset_, slide_) + slide_;
  }

  /// An element whose first window has fired. It goes with the first of its windows that is not
  /// yet cleaned up: re-fired just now by the inner operator (its result is in inner_out_), or
  /// not fired yet (it waits). When all are cleaned up, it is too late.
  void on_late(const record<T>& r, operator_output& out) {
    const timestamp first = first_end(r.ts);
    const timestamp last = window_start(r.ts, offset_, slide_) + size_;
    const timestamp kept = window_start(wm_ - lateness_ + 1, offset_, slide_) + slide_;
    const timestamp end = std::max(first, kept);
    const time_window w{end - size_, end};
    if (end > last) {
      ++counts_.too_late;
      emit(out, r.value, nullptr, {first - size_, first}, enrich_status::too_late);
      return;
    }
    if (end - 1 > wm_) {
      buffer(r, end, true);
      return;
    }
    const K key = key_fn_(r.value);
    auto& results = inner_out_.records<result>();
    for (auto it = results.rbegin(); it != results.rend(); ++it)
      if (it->value.window.end == end && it->value.key == key) {
        const auto status = end == first ? enrich_status::late : enrich_status::past_lateness;
        ++(end == first ? counts_.late : counts_.past_lateness);
        emit(out, r.value, &it->value.value, w, status);
        return;
      }
    // Unreachable: the inner operator re-fires every window of a late element that is kept.
    throw std::logic_error("enrich: no re-fired result for a late element's window");
  }

  void buffer(const record<T>& r, timestamp end, bool late) {
    store_.set_current_key(key_fn_(r.value));
    auto& v = pending_->get_or_create().by_end;
    // Elements mostly arrive in time order: their window is the last entry or near it.
    auto it = v.end();
    while (it != v.begin() && std::prev(it)->end > end) --it;
    if (it == v.begin() || std::prev(it)->end != end) it = v.insert(it, {end, fresh(), {}}) + 1;
    auto& entry = *std::prev(it);
    (late ? entry.past_lateness : entry.on_time).push_back(r);
  }

  // Buffers of fired windows are kept for new windows, of any key: a window's buffer would
  // otherwise cost an allocation (and its growth) every slide per key.
  void recycle(std::vector<record<T>>&& v) {
    if (free_.size() >= 1024) return;
    v.clear();
    free_.push_back(std::move(v));
  }
  std::vector<record<T>> fresh() {
    if (free_.empty()) return {};
    auto v = std::move(free_.back());
    free_.pop_back();
    return v;
  }

  void emit(operator_output& out, const T& e, const R* agg, const time_window& w, enrich_status s) {
    out.records<Out>().push_back({join_(e, agg, w, s), w.end - 1});
  }

  void begin_step(operator_output& out) {
    step_out_ = &out;
    step_before_ = out.main_size();
  }

  /// Emits the elements waiting for the windows the inner operator fired since the last call.
  void emit_fired(operator_output& out) {
    auto& results = inner_out_.records<result>();
    for (; fired_taken_ < results.size(); ++fired_taken_) {
      const result& res = results[fired_taken_].value;
      store_.set_current_key(res.key);
      auto* p = pending_->get_mutable();
      if (!p) continue;
      auto& v = p->by_end;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (it->end != res.window.end) continue;
        counts_.on_time += it->on_time.size();
        counts_.past_lateness += it->past_lateness.size();
        for (const auto& e : it->on_time)
          emit(out, e.value, &res.value, res.window, enrich_status::on_time);
        for (const auto& e : it->past_lateness)
          emit(out, e.value, &res.value, res.window, enrich_status::past_lateness);
        recycle(std::move(it->on_time));
        v.erase(it);
        break;
      }
      if (v.empty()) pending_->clear();
    }
  }

  /// Emits the elements waiting for the windows the inner operator just fired, then the
  /// results and the inner operator's watermark (if it sent one in this step).
  void take_fired(operator_output& out) {
    emit_fired(out);
    step_out_ = nullptr;
    const auto wm = inner_out_.watermark();
    forward_results(out);
    if (wm) out.emit_watermark(*wm);
  }

  void forward_results(operator_output& out) {
    if (!results_tag_.empty()) {
      auto& side = out.side<result>(results_tag_);
      auto& rs = inner_out_.records<result>();
      side.insert(side.end(), std::make_move_iterator(rs.begin()),
                  std::make_move_iterator(rs.end()));
    }
    inner_out_.clear();
    fired_taken_ = 0;
  }

  KeyFn key_fn_;
  JoinFn join_;
  duration_ms size_, slide_, offset_, lateness_;
  std::string results_tag_;
  std::size_t max_step_;
  inner_operator inner_;
  operator_output inner_out_;
  keyed_state_store<K> store_;
  value_state<detail::pending_elements<T>>* pending_ = nullptr;
  timestamp wm_ = min_timestamp;
  bool restored_ = false;  // a piece was restored: later pieces take the minimum
  enrich_counts counts_;
  std::vector<std::vector<record<T>>> free_;
  // The step being served (on_watermark, resume): its output, where its main output began,
  // and how many of inner_out_'s results have had their elements emitted.
  operator_output* step_out_ = nullptr;
  std::size_t step_before_ = 0;
  std::size_t fired_taken_ = 0;
};

}  // namespace dataflow
