// When a window emits its result. Flink's built-in triggers:
//   event_time()       fires when the watermark reaches the window's end - 1 (the default);
//                      within the allowed lateness every late element fires it again;
//   processing_time()  fires when processing time reaches the window's end - 1;
//   count(n)           fires every n elements added to the window (and not on time);
//   purging(t)         the same as t, and clears the window's contents after each firing.
// A window's state is cleared when the watermark passes end - 1 + allowed lateness, whatever
// the trigger. Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>

namespace dataflow {

class window_trigger {
 public:
  enum class kind : std::uint8_t { event_time, processing_time, count };

  static window_trigger event_time() { return window_trigger{kind::event_time, 0, false}; }
  static window_trigger processing_time() {
    return window_trigger{kind::processing_time, 0, false};
  }
  static window_trigger count(std::int64_t n) { return window_trigger{kind::count, n, false}; }
  static window_trigger purging(window_trigger t) {
    t.purging_ = true;
    return t;
  }

  [[nodiscard]] kind what() const noexcept { return kind_; }
  [[nodiscard]] std::int64_t max_count() const noexcept { return count_; }
  [[nodiscard]] bool is_purging() const noexcept { return purging_; }
  [[nodiscard]] std::string to_string() const;

 private:
  window_trigger(kind k, std::int64_t n, bool p) : kind_(k), count_(n), purging_(p) {}
  kind kind_;
  std::int64_t count_;
  bool purging_;
};

}  // namespace dataflow
