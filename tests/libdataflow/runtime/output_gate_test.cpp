#include "dataflow/runtime/output_gate.hpp"

#include <doctest/doctest.h>

using namespace dataflow;

namespace {

output_gate make_gate(int targets, partitioning kind, channel_options opts) {
  std::vector<output_gate::edge_spec> edges(1);
  edges[0].type = &record_type_of<int>();
  edges[0].route = make_plain_router_factory<int>()(router_params{kind, 0, targets, 128});
  for (int i = 0; i < targets; ++i)
    edges[0].channels.emplace_back(static_cast<std::uint32_t>(10 + i), i);
  return output_gate(opts, std::move(edges));
}

void produce(output_gate& g, int from, int to) {
  operator_output out(&record_type_of<int>());
  for (int i = from; i < to; ++i) out.records<int>().push_back({i, i});
  g.push(out);
}

struct sent {
  std::uint32_t channel;
  channel_event::kind what;
  std::size_t size;
};

std::vector<sent> drain(output_gate& g) {
  std::vector<sent> r;
  g.drain([&](const output_gate::channel& ch, channel_event&& ev) {
    r.push_back({ch.id, ev.what, ev.records ? ev.records->size() : 0});
  });
  return r;
}

}  // namespace

TEST_CASE("full batches leave with credit, the rest waits for credit or a flush") {
  channel_options opts;
  opts.batch_size = 4;
  opts.credits = 2;
  auto g = make_gate(1, partitioning::forward, opts);
  produce(g, 0, 10);  // over the batch size: handed over whole, one batch of 10
  auto s = drain(g);
  REQUIRE(s.size() == 1);
  CHECK(s[0].size == 10);  // a large produced batch is handed over whole, not copied
  produce(g, 0, 3);
  CHECK(drain(g).empty());  // partial
  CHECK(g.has_partial());
  g.flush();
  s = drain(g);
  REQUIRE(s.size() == 1);
  CHECK(s[0].size == 3);
  produce(g, 0, 4);
  CHECK(drain(g).empty());  // no credit left
  CHECK(g.backlogged());
  g.add_credit(10, 1);
  CHECK(drain(g).size() == 1);
  CHECK_FALSE(g.backlogged());
  CHECK(g.channels()[0].max_in_flight == 2);
}

TEST_CASE("control events keep their place behind batches that wait for credit") {
  channel_options opts;
  opts.batch_size = 2;
  opts.credits = 1;
  auto g = make_gate(1, partitioning::forward, opts);
  produce(g, 0, 2);
  produce(g, 2, 4);
  g.push_watermark(99);
  auto s = drain(g);
  REQUIRE(s.size() == 1);  // one batch; the second waits, and the watermark behind it
  g.add_credit(10, 1);
  s = drain(g);
  REQUIRE(s.size() == 2);
  CHECK(s[0].what == channel_event::kind::batch);
  CHECK(s[1].what == channel_event::kind::watermark);
}

TEST_CASE("rebalance spreads records and broadcast copies them") {
  channel_options opts;
  opts.batch_size = 1000;
  auto r = make_gate(3, partitioning::rebalance, opts);
  produce(r, 0, 9);
  r.flush();
  auto s = drain(r);
  REQUIRE(s.size() == 3);
  for (auto& x : s) CHECK(x.size == 3);
  auto b = make_gate(3, partitioning::broadcast, opts);
  produce(b, 0, 5);
  b.push_end();
  s = drain(b);
  REQUIRE(s.size() == 6);
  for (auto& x : s)
    if (x.what == channel_event::kind::batch) CHECK(x.size == 5);
}

TEST_CASE("hash routing sends each key to the instance that owns its key group") {
  channel_options opts;
  std::vector<output_gate::edge_spec> edges(1);
  edges[0].type = &record_type_of<int>();
  auto key = [](int v) { return v % 10; };
  edges[0].route = make_hash_router_factory<int>(key)(router_params{partitioning::hash, 0, 4, 128});
  for (int i = 0; i < 4; ++i) edges[0].channels.emplace_back(static_cast<std::uint32_t>(i), i);
  output_gate g(opts, std::move(edges));
  operator_output out(&record_type_of<int>());
  for (int i = 0; i < 1000; ++i) out.records<int>().push_back({i, i});
  g.push(out);
  g.flush();
  g.drain([&](const output_gate::channel& ch, channel_event&& ev) {
    for (auto& r : records_of<int>(*ev.records))
      CHECK(instance_of_key_group(key_group_of(key(r.value), 128), 128, 4) == ch.target_task);
  });
}
