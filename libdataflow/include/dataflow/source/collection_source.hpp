// A bounded source over a vector of records, split among instances: instance i reads the
// elements at positions i, i + p, i + 2p, ... Thread-safety: the vector is shared read-only.
#pragma once

#include <memory>
#include <vector>

#include "dataflow/source/source_reader.hpp"
#include "dataflow/state/versioned_snapshot.hpp"
#include "dataflow/time/watermark_state.hpp"
#include "dataflow/time/watermark_strategy.hpp"

namespace dataflow {

template <class T>
class collection_source_reader final : public source_reader {
 public:
  collection_source_reader(std::shared_ptr<const std::vector<record<T>>> data,
                           watermark_strategy ws)
      : data_(std::move(data)), watermarks_(ws) {}

  void open(const operator_context& ctx) override {
    stride_ = static_cast<std::size_t>(ctx.info.parallelism);
    next_ = static_cast<std::size_t>(ctx.info.subtask) + read_ * stride_;  // read_ > 0 restored
  }

  poll_result poll(operator_output& out, std::size_t max_records, timestamp) override {
    auto& rs = out.records<T>();
    for (std::size_t n = 0; n < max_records && next_ < data_->size(); ++n, next_ += stride_) {
      rs.push_back((*data_)[next_]);
      watermarks_.on_record(rs.back().value, rs.back().ts);
      ++read_;
    }
    if (auto wm = watermarks_.poll()) out.emit_watermark(*wm);
    return {next_ >= data_->size() ? poll_result::kind::end : poll_result::kind::more, 0};
  }

  std::uint64_t position() const noexcept override { return read_; }

  status snapshot(std::string& out) const override {
    out = write_versioned_snapshot(snapshot_version, read_, watermark_state(watermarks_));
    return status::ok();
  }

  status restore(std::string_view bytes) override {
    auto wm = watermark_state(watermarks_);
    return read_versioned_snapshot(bytes, snapshot_version, "collection source", read_, wm);
  }

 private:
  static constexpr std::uint32_t snapshot_version = 1;
  std::shared_ptr<const std::vector<record<T>>> data_;
  watermark_generator watermarks_;
  std::size_t next_ = 0;
  std::size_t stride_ = 1;
  std::uint64_t read_ = 0;
};

}  // namespace dataflow
