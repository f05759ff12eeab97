// The operator that hosts a sink_function: it has no main output.
#pragma once

#include <memory>

#include "dataflow/operator/operator.hpp"
#include "dataflow/sink/sink_function.hpp"

namespace dataflow {

template <class T>
class sink_operator final : public operator_base {
 public:
  explicit sink_operator(std::unique_ptr<sink_function<T>> fn) : fn_(std::move(fn)) {}
  void open(const operator_context& ctx) override { fn_->open(ctx.info); }
  void on_batch(int, const batch_base& in, operator_output&) override {
    fn_->write(records_of<T>(in));
  }
  void on_watermark(timestamp wm, operator_output&) override { fn_->on_watermark(wm); }
  void on_barrier(std::int64_t id, operator_output&) override { fn_->on_barrier(id); }
  void notify_checkpoint_complete(std::int64_t id) override { fn_->notify_checkpoint_complete(id); }
  void on_end(operator_output&) override { fn_->close(); }
  [[nodiscard]] status snapshot(std::string& out) const override { return fn_->snapshot(out); }
  [[nodiscard]] status restore(std::string_view bytes) override { return fn_->restore(bytes); }

 private:
  std::unique_ptr<sink_function<T>> fn_;
};

}  // namespace dataflow
