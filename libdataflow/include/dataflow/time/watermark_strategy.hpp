// How watermarks are derived from a stream, and the generator that applies that policy to one
// input. A strategy is a plain value chosen per source or per watermark assigner: none,
// monotonous, bounded out-of-orderness, or punctuated (the records carry the watermarks); any
// of them may add an idleness timeout. Semantics follow Flink's WatermarkStrategy.
// Thread-safety: strategies are values (a punctuated one shares its immutable function); a
// watermark_generator is owned by one source instance, split or assigner.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <typeinfo>

#include "dataflow/time/timestamp.hpp"

namespace dataflow {

namespace detail {

/// A punctuated strategy's function, type-erased so strategies for any record type share a
/// class. extract() must only be given a `const T*` for the `T` that type() names.
class punctuation {
 public:
  virtual ~punctuation() = default;
  [[nodiscard]] virtual const std::type_info& type() const noexcept = 0;
  [[nodiscard]] virtual std::optional<timestamp> extract(const void* value, timestamp ts) const = 0;
};

template <class T, class F>
class punctuation_of final : public punctuation {
 public:
  explicit punctuation_of(F fn) : fn_(std::move(fn)) {}
  [[nodiscard]] const std::type_info& type() const noexcept override { return typeid(T); }
  [[nodiscard]] std::optional<timestamp> extract(const void* value, timestamp ts) const override {
    const T& v = *static_cast<const T*>(value);
    if constexpr (std::is_invocable_v<const F&, const T&, timestamp>)
      return std::optional<timestamp>(fn_(v, ts));
    else
      return std::optional<timestamp>(fn_(v));
  }

 private:
  F fn_;
};

}  // namespace detail

/// The policy, chosen per source or per assigner.
class watermark_strategy {
 public:
  enum class kind { none, monotonous, bounded_out_of_orderness, punctuated };

  /// No watermarks until the end of input (then the final one).
  static watermark_strategy none() { return watermark_strategy{kind::none, 0}; }
  /// Timestamps never decrease: watermark = max timestamp seen - 1.
  static watermark_strategy monotonous() { return watermark_strategy{kind::monotonous, 0}; }
  /// Elements are at most `max_delay` ms late: watermark = max timestamp - max_delay - 1.
  static watermark_strategy bounded_out_of_orderness(duration_ms max_delay) {
    return watermark_strategy{kind::bounded_out_of_orderness, max_delay};
  }
  /// The records carry the watermarks: `fn(const T& value, timestamp ts)` (or `fn(const T&)`)
  /// returns a watermark when `value` is a punctuation, else std::nullopt. The watermark
  /// emitted is the largest one returned so far. For streams of `T` only.
  template <class T, class F>
  static watermark_strategy punctuated(F fn) {
    static_assert(std::is_invocable_v<const F&, const T&, timestamp> ||
                      std::is_invocable_v<const F&, const T&>,
                  "punctuated<T> takes fn(const T&, timestamp) or fn(const T&) returning "
                  "std::optional<timestamp>");
    watermark_strategy s{kind::punctuated, 0};
    s.punctuation_ = std::make_shared<const detail::punctuation_of<T, F>>(std::move(fn));
    return s;
  }

  /// This strategy, and an input that read no records for `timeout` ms of processing time
  /// declares itself idle (left out of the minimum downstream) until it reads records again.
  /// `timeout` <= 0 means never idle (the default).
  [[nodiscard]] watermark_strategy with_idleness(duration_ms timeout) const {
    auto s = *this;
    s.idle_timeout_ = std::max<duration_ms>(0, timeout);
    return s;
  }

  [[nodiscard]] kind what() const noexcept { return kind_; }
  [[nodiscard]] duration_ms max_delay() const noexcept { return max_delay_; }
  /// The idleness timeout in ms; 0 means never idle.
  [[nodiscard]] duration_ms idle_timeout() const noexcept { return idle_timeout_; }
  /// The punctuated strategy's function (null for other kinds).
  [[nodiscard]] const detail::punctuation* punctuation() const noexcept {
    return punctuation_.get();
  }
  /// True if the strategy can read records of type `T` (only punctuated ones are typed).
  template <class T>
  [[nodiscard]] bool accepts() const noexcept {
    return !punctuation_ || punctuation_->type() == typeid(T);
  }

 private:
  watermark_strategy(kind k, duration_ms d) : kind_(k), max_delay_(d) {}
  kind kind_;
  duration_ms max_delay_;
  duration_ms idle_timeout_ = 0;
  std::shared_ptr<const detail::punctuation> punctuation_;
};

/// Applies a strategy to one input: tracks the maximum timestamp (or the punctuations), says
/// when the watermark advances, and tracks idleness in processing time.
class watermark_generator {
 public:
  explicit watermark_generator(watermark_strategy s) : strategy_(std::move(s)) {}

  /// A record with timestamp `ts` was read (its value is not needed unless punctuated).
  void on_event(timestamp ts) noexcept { max_ts_ = std::max(max_ts_, ts); }

  /// A record was read; a punctuated strategy looks at its value. Throws std::invalid_argument
  /// if the strategy is punctuated for another type than `T`.
  template <class T>
  void on_record(const T& value, timestamp ts) {
    on_event(ts);
    if (auto* p = strategy_.punctuation()) {
      if (p->type() != typeid(T))
        throw std::invalid_argument(
            "punctuated watermark strategy used on a stream of another type");
      if (auto wm = p->extract(&value, ts)) punctuation_ = std::max(punctuation_, *wm);
    }
  }

  /// The watermark to emit now, if it advanced since the last call.
  std::optional<timestamp> poll() noexcept {
    timestamp wm = min_timestamp;
    switch (strategy_.what()) {
      case watermark_strategy::kind::none:
        return {};
      case watermark_strategy::kind::punctuated:
        wm = punctuation_;
        break;
      case watermark_strategy::kind::monotonous:
      case watermark_strategy::kind::bounded_out_of_orderness:
        if (max_ts_ == min_timestamp) return {};
        wm = max_ts_ - strategy_.max_delay() - 1;
        break;
    }
    if (wm <= emitted_) return {};
    emitted_ = wm;
    return wm;
  }

  // -- idleness, in processing time ---------------------------------------------------------

  /// Starts the idleness clock at processing time `now` (when the input opens): an input that
  /// never reads anything becomes idle one timeout later.
  void start(timestamp now) noexcept { last_active_ = now; }

  /// Records were read at processing time `now`. Returns true if the input was idle and has
  /// just become active again.
  bool mark_active(timestamp now) noexcept {
    last_active_ = now;
    if (!idle_) return false;
    idle_ = false;
    return true;
  }

  /// Nothing was read; returns true if the input has just become idle at processing time
  /// `now` (no records for the timeout). Always false without an idleness timeout.
  bool check_idle(timestamp now) noexcept {
    if (last_active_ == min_timestamp) start(now);  // never started: the clock starts now
    if (idle_ || strategy_.idle_timeout() <= 0 || now - last_active_ < strategy_.idle_timeout())
      return false;
    idle_ = true;
    return true;
  }

  [[nodiscard]] bool idle() const noexcept { return idle_; }

  /// When the input becomes idle unless records arrive first; empty without an idleness
  /// timeout, before start() and while idle.
  [[nodiscard]] std::optional<timestamp> idle_deadline() const noexcept {
    if (idle_ || strategy_.idle_timeout() <= 0 || last_active_ == min_timestamp) return {};
    return last_active_ + strategy_.idle_timeout();
  }

  /// The last watermark poll() returned (min_timestamp before the first).
  [[nodiscard]] timestamp current() const noexcept { return emitted_; }
  [[nodiscard]] const watermark_strategy& strategy() const noexcept { return strategy_; }

  // -- checkpoints --------------------------------------------------------------------------

  /// Writes what the generator learned from its input to a cereal archive: the maximum
  /// timestamp, the largest punctuation and the watermark emitted. Not the strategy (the job
  /// gives it again) and not the idleness clock, which restarts after a restore.
  template <class Archive>
  void save_state(Archive& ar) const {
    ar(max_ts_, punctuation_, emitted_);
  }

  /// Reads what save_state() wrote, into a generator made with the same strategy. The input
  /// counts as active, and its idleness clock starts at the next start() or check_idle().
  template <class Archive>
  void load_state(Archive& ar) {
    ar(max_ts_, punctuation_, emitted_);
    last_active_ = min_timestamp;
    idle_ = false;
  }

 private:
  watermark_strategy strategy_;
  timestamp max_ts_ = min_timestamp;
  timestamp punctuation_ = min_timestamp;
  timestamp emitted_ = min_timestamp;
  timestamp last_active_ = min_timestamp;  // not started
  bool idle_ = false;
};

}  // namespace dataflow
