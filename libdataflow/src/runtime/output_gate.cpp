#include "dataflow/runtime/output_gate.hpp"

#include <algorithm>
#include <cassert>

namespace dataflow {

output_gate::output_gate(const channel_options& opts, std::vector<edge_spec> specs) : opts_(opts) {
  std::uint32_t min_id = UINT32_MAX, max_id = 0;
  for (auto& s : specs)
    for (auto& [id, task] : s.channels) {
      min_id = std::min(min_id, id);
      max_id = std::max(max_id, id);
    }
  min_id_ = min_id == UINT32_MAX ? 0 : min_id;
  if (min_id != UINT32_MAX) channel_by_id_.assign(max_id - min_id_ + 1, SIZE_MAX);
  for (auto& s : specs) {
    edge e;
    e.side_tag = std::move(s.side_tag);
    e.route = std::move(s.route);
    for (auto& [id, task] : s.channels) {
      channel ch;
      ch.id = id;
      ch.target_task = task;
      ch.credit = opts_.credits;
      auto b = s.type->make_batch();
      ch.building = b->make_empty(opts_.batch_size);
      channel_by_id_[id - min_id_] = channels_.size();
      e.channel_index.push_back(channels_.size());
      channels_.push_back(std::move(ch));
    }
    edges_.push_back(std::move(e));
  }
  for (auto& e : edges_)
    for (auto i : e.channel_index) e.targets.push_back(channels_[i].building.get());
}

void output_gate::seal(channel& ch) {
  std::shared_ptr<batch_base> sealed(std::move(ch.building));
  ch.building = sealed->make_empty(opts_.batch_size);
  ch.outbox.push_back(channel_event{channel_event::kind::batch, std::move(sealed), 0});
}

void output_gate::route_into(edge& e, batch_base& produced, bool move) {
  // Sealing replaces `building`, so refresh the router's view of the targets first.
  for (std::size_t i = 0; i < e.channel_index.size(); ++i)
    e.targets[i] = channels_[e.channel_index[i]].building.get();
  e.route->route(produced, move, e.targets);
  for (auto i : e.channel_index)
    if (channels_[i].building->size() >= opts_.batch_size) seal(channels_[i]);
}

void output_gate::push(operator_output& out) {
  // Every edge reading the same output gets a copy but the last, which may move.
  auto route_all = [&](const std::string& tag, batch_base& produced) {
    if (produced.empty()) return;
    std::size_t last = SIZE_MAX;
    for (std::size_t i = 0; i < edges_.size(); ++i)
      if (edges_[i].side_tag == tag) last = i;
    for (std::size_t i = 0; i < edges_.size(); ++i)
      if (edges_[i].side_tag == tag) route_into(edges_[i], produced, i == last);
  };
  if (out.has_main()) route_all(std::string{}, out.main());
  for (auto& [tag, b] : out.sides()) route_all(tag, *b);
}

void output_gate::flush() {
  for (auto& ch : channels_)
    if (!ch.building->empty()) seal(ch);
}

void output_gate::push_control(channel_event::kind what, std::int64_t value) {
  flush();
  for (auto& ch : channels_) ch.outbox.push_back(channel_event{what, nullptr, value});
}

void output_gate::push_watermark(timestamp t) {
  push_control(channel_event::kind::watermark, t);
}
void output_gate::push_barrier(std::int64_t id) {
  push_control(channel_event::kind::barrier, id);
}
void output_gate::push_status(watermark_status s) {
  push_control(channel_event::kind::status, static_cast<std::int64_t>(s));
}
void output_gate::push_end() {
  push_control(channel_event::kind::end, 0);
}

void output_gate::add_credit(std::uint32_t id, int n) {
  if (id < min_id_ || id - min_id_ >= channel_by_id_.size()) return;
  auto idx = channel_by_id_[id - min_id_];
  if (idx == SIZE_MAX) return;
  auto& ch = channels_[idx];
  ch.credit += n;
  ch.in_flight = std::max(0, ch.in_flight - n);
}

bool output_gate::backlogged() const noexcept {
  for (auto& ch : channels_)
    if (ch.credit <= 0)
      for (auto& ev : ch.outbox)
        if (ev.what == channel_event::kind::batch) return true;
  return false;
}

bool output_gate::drained() const noexcept {
  for (auto& ch : channels_)
    if (!ch.outbox.empty()) return false;
  return true;
}

bool output_gate::has_partial() const noexcept {
  for (auto& ch : channels_)
    if (!ch.building->empty()) return true;
  return false;
}

}  // namespace dataflow
