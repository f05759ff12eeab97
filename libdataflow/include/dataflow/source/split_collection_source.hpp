// A bounded source over several splits (think the partitions of a log): split s is read by
// instance s % parallelism, and an instance reads its splits in turn, one record from each.
// Watermarks are kept per split and merged by minimum (split_watermarks), so interleaving a
// fast split with a slow one makes no record late. Thread-safety: the splits are shared
// read-only.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

#include <cereal/types/vector.hpp>

#include "dataflow/source/source_reader.hpp"
#include "dataflow/state/versioned_snapshot.hpp"
#include "dataflow/time/split_watermarks.hpp"
#include "dataflow/time/watermark_state.hpp"

namespace dataflow {

template <class T>
class split_collection_source_reader final : public source_reader {
 public:
  using splits_type = std::vector<std::vector<record<T>>>;

  split_collection_source_reader(std::shared_ptr<const splits_type> splits, watermark_strategy ws)
      : splits_(std::move(splits)), watermarks_(std::move(ws)) {}

  void open(const operator_context& ctx) override {
    std::optional<timestamp> now;
    if (ctx.clock) now = ctx.clock->now();
    auto p = static_cast<std::size_t>(ctx.info.parallelism);
    for (std::size_t s = static_cast<std::size_t>(ctx.info.subtask); s < splits_->size(); s += p) {
      if (restored_) {  // the watermark state already has the splits, in this order
        const auto i = mine_.size();
        if (i >= restored_next_.size() || restored_next_[i] > (*splits_)[s].size())
          throw std::runtime_error("splits source: the checkpoint was taken over other splits");
        mine_.push_back(assigned{s, restored_next_[i], i});
        continue;
      }
      mine_.push_back(assigned{s, 0, watermarks_.add_split(now)});
      if ((*splits_)[s].empty()) watermarks_.finish_split(mine_.back().handle);
    }
    if (restored_ && mine_.size() != restored_next_.size())
      throw std::runtime_error("splits source: the checkpoint was taken over other splits");
  }

  poll_result poll(operator_output& out, std::size_t max_records, timestamp now) override {
    auto& rs = out.records<T>();
    std::size_t n = 0;
    for (bool progress = true; progress && n < max_records;) {
      progress = false;
      for (auto& m : mine_) {
        auto& data = (*splits_)[m.split];
        if (n >= max_records || m.next >= data.size()) continue;
        rs.push_back(data[m.next++]);
        watermarks_.on_record(m.handle, rs.back().value, rs.back().ts);
        if (m.next == data.size()) watermarks_.finish_split(m.handle);
        ++n;
        progress = true;
      }
    }
    read_ += n;
    watermarks_.emit(out, now);
    bool done = true;
    for (auto& m : mine_) done = done && m.next >= (*splits_)[m.split].size();
    return {done ? poll_result::kind::end : poll_result::kind::more, 0};
  }

  std::uint64_t position() const noexcept override { return read_; }

  /// Per split of this instance, the next record; and the watermark state.
  status snapshot(std::string& out) const override {
    std::vector<std::uint64_t> next;
    for (auto& m : mine_) next.push_back(m.next);
    out = write_versioned_snapshot(snapshot_version, read_, next, watermark_state(watermarks_));
    return status::ok();
  }

  status restore(std::string_view bytes) override {
    auto wm = watermark_state(watermarks_);
    if (auto s = read_versioned_snapshot(bytes, snapshot_version, "splits source", read_,
                                         restored_next_, wm);
        !s)
      return s;
    restored_ = true;
    return status::ok();
  }

  /// The per-split watermarks (for tests and metrics).
  [[nodiscard]] const split_watermarks& watermarks() const noexcept { return watermarks_; }

 private:
  struct assigned {
    std::size_t split;
    std::size_t next;
    std::size_t handle;  // in watermarks_
  };
  static constexpr std::uint32_t snapshot_version = 1;
  std::shared_ptr<const splits_type> splits_;
  split_watermarks watermarks_;
  std::vector<assigned> mine_;
  std::uint64_t read_ = 0;
  bool restored_ = false;
  std::vector<std::uint64_t> restored_next_;
};

}  // namespace dataflow
