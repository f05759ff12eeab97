// What one call of an operator produced: records for the main output, records for named side
// outputs, at most one watermark, which always comes after the records, and at most one
// watermark status change: becoming active goes before the records, becoming idle after the
// watermark.
// Thread-safety: owned by one operator instance.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dataflow/record/batch.hpp"
#include "dataflow/time/watermark_status.hpp"

namespace dataflow {

class operator_output {
 public:
  /// `main_type` is null for operators without a main output (sinks).
  explicit operator_output(const record_type* main_type)
      : main_(main_type ? main_type->make_batch() : nullptr) {}

  [[nodiscard]] bool has_main() const noexcept { return main_ != nullptr; }
  batch_base& main() { return *main_; }
  /// Records in the main output so far (0 without one): what a step of output has made.
  [[nodiscard]] std::size_t main_size() const noexcept { return main_ ? main_->size() : 0; }

  /// The main output's records, typed. `T` must be the operator's output type.
  template <class T>
  std::vector<record<T>>& records() {
    return records_of<T>(*main_);
  }

  /// The records of side output `tag`, created on first use.
  template <class T>
  std::vector<record<T>>& side(const std::string& tag) {
    for (auto& [t, b] : sides_)
      if (t == tag) return records_of<T>(*b);
    sides_.emplace_back(tag, std::make_unique<batch<T>>());
    return records_of<T>(*sides_.back().second);
  }

  /// Moves the side-output records of `other` (an inner reader's or operator's output) to the
  /// same tags here, leaving other's side batches empty.
  void move_sides_from(operator_output& other) {
    for (auto& [tag, b] : other.sides_) {
      if (b->empty()) continue;
      auto it = std::find_if(sides_.begin(), sides_.end(), [&](auto& s) { return s.first == tag; });
      if (it == sides_.end()) {
        sides_.emplace_back(tag, b->make_empty(b->size()));
        it = sides_.end() - 1;
      }
      it->second->append(*b, true);
      b->clear();
    }
  }
  /// Side outputs written so far, by tag.
  std::vector<std::pair<std::string, std::unique_ptr<batch_base>>>& sides() { return sides_; }

  /// Forwards watermark `t` downstream after this call's records.
  void emit_watermark(timestamp t) { watermark_ = t; }
  [[nodiscard]] const std::optional<timestamp>& watermark() const noexcept { return watermark_; }

  /// Tells downstream this output became idle or active (see watermark_status.hpp).
  void emit_watermark_status(watermark_status s) { status_ = s; }
  [[nodiscard]] const std::optional<watermark_status>& status_change() const noexcept {
    return status_;
  }

  [[nodiscard]] bool empty() const noexcept {
    if (main_ && !main_->empty()) return false;
    for (auto& s : sides_)
      if (!s.second->empty()) return false;
    return !watermark_ && !status_;
  }

  /// Forgets the contents but keeps the buffers' capacity.
  void clear() noexcept {
    if (main_) main_->clear();
    for (auto& s : sides_) s.second->clear();
    watermark_.reset();
    status_.reset();
  }

 private:
  std::unique_ptr<batch_base> main_;
  std::vector<std::pair<std::string, std::unique_ptr<batch_base>>> sides_;
  std::optional<timestamp> watermark_;
  std::optional<watermark_status> status_;
};

}  // namespace dataflow
