#include "dataflow/runtime/operator_chain.hpp"

namespace dataflow {

operator_chain::operator_chain(std::vector<std::unique_ptr<operator_base>> ops,
                               std::vector<const record_type*> output_types)
    : ops_(std::move(ops)) {
  outs_.reserve(output_types.size());
  for (auto* t : output_types) outs_.emplace_back(t);
}

void operator_chain::open(const std::vector<operator_context>& contexts) {
  for (std::size_t i = 0; i < ops_.size(); ++i) ops_[i]->open(contexts[i]);
}

void operator_chain::clear_outputs() {
  for (auto& o : outs_) o.clear();
}

void operator_chain::feed_into(std::size_t i, operator_output& prev) {
  active_ = i;
  auto& st = prev.status_change();
  if (st == watermark_status::active) ops_[i]->on_watermark_status(*st, outs_[i]);
  if (prev.has_main() && !prev.main().empty()) ops_[i]->on_batch(0, prev.main(), outs_[i]);
  if (prev.watermark()) ops_[i]->on_watermark(*prev.watermark(), outs_[i]);
  if (st == watermark_status::idle) ops_[i]->on_watermark_status(*st, outs_[i]);
}

void operator_chain::feed(std::size_t i) {
  feed_into(i, outs_[i - 1]);
}

operator_output& operator_chain::propagate_from(std::size_t i) {
  for (; i < ops_.size(); ++i) feed(i);
  return outs_.back();
}

operator_output& operator_chain::on_batch(int input, const batch_base& in) {
  clear_outputs();
  active_ = 0;
  ops_[0]->on_batch(input, in, outs_[0]);
  return propagate_from(1);
}

operator_output& operator_chain::on_watermark(timestamp wm) {
  clear_outputs();
  active_ = 0;
  ops_[0]->on_watermark(wm, outs_[0]);
  return propagate_from(1);
}

operator_output& operator_chain::on_watermark_status(watermark_status st) {
  clear_outputs();
  active_ = 0;
  ops_[0]->on_watermark_status(st, outs_[0]);
  return propagate_from(1);
}

operator_output& operator_chain::on_processing_time(timestamp now) {
  clear_outputs();
  // Any operator may have processing timers; each one's output flows down the rest.
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    if (i > 0) feed(i);
    active_ = i;
    auto next = ops_[i]->next_processing_timer();
    if (next && *next <= now) ops_[i]->on_processing_time(now, outs_[i]);
  }
  return outs_.back();
}

operator_output& operator_chain::on_barrier(std::int64_t id) {
  clear_outputs();
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    if (i > 0) feed(i);
    active_ = i;
    ops_[i]->on_barrier(id, outs_[i]);
  }
  return outs_.back();
}

operator_output& operator_chain::on_end() {
  clear_outputs();
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    if (i > 0) feed(i);
    active_ = i;
    ops_[i]->on_end(outs_[i]);
  }
  return outs_.back();
}

operator_output& operator_chain::on_source_output(operator_output& produced) {
  clear_outputs();
  if (ops_.empty()) return produced;
  feed_into(0, produced);
  return propagate_from(1);
}

bool operator_chain::has_pending_output() const {
  for (auto& op : ops_)
    if (op->has_pending_output()) return true;
  return false;
}

operator_output& operator_chain::resume() {
  clear_outputs();
  // The last one first: a step of operator i may leave operator i+1 holding output too, and
  // that goes out before operator i makes more.
  for (std::size_t i = ops_.size(); i-- > 0;)
    if (ops_[i]->has_pending_output()) {
      active_ = i;
      ops_[i]->resume(outs_[i]);
      return propagate_from(i + 1);
    }
  return outs_.back();
}

std::optional<timestamp> operator_chain::next_processing_timer() const {
  std::optional<timestamp> best;
  for (auto& op : ops_)
    if (auto t = op->next_processing_timer(); t && (!best || *t < *best)) best = t;
  return best;
}

}  // namespace dataflow
