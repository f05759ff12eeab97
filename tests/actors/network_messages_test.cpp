// Channel messages cross two actor systems over CAF's middleman on 127.0.0.1 and arrive
// intact and in order.
#include <doctest/doctest.h>

#include <caf/io/middleman.hpp>
#include <future>
#include <variant>

#include "dataflow/actors/actor_system_setup.hpp"
#include "dataflow/actors/channel_protocol.hpp"

using namespace dataflow;
using namespace dataflow::actors;

namespace {

struct page_view {
  std::string url;
  std::int64_t bytes = 0;
  friend bool operator==(const page_view&, const page_view&) = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(url, bytes);
  }
};

using received = std::variant<data_batch, watermark_event, barrier_event, credit_grant,
                              end_of_stream, task_done, watermark_status_event>;

struct collector_state {
  std::vector<received> got;
  std::shared_ptr<std::promise<std::vector<received>>> done;
};

caf::behavior collector(caf::stateful_actor<collector_state>* self,
                        std::shared_ptr<std::promise<std::vector<received>>> done) {
  self->state.done = std::move(done);
  return {
      [self](data_batch& m) { self->state.got.emplace_back(std::move(m)); },
      [self](const watermark_event& m) { self->state.got.emplace_back(m); },
      [self](const barrier_event& m) { self->state.got.emplace_back(m); },
      [self](const watermark_status_event& m) { self->state.got.emplace_back(m); },
      [self](const credit_grant& m) { self->state.got.emplace_back(m); },
      [self](const task_done& m) { self->state.got.emplace_back(m); },
      [self](const end_of_stream& m) {
        self->state.got.emplace_back(m);
        self->state.done->set_value(self->state.got);
        self->quit();
      },
  };
}

}  // namespace

TEST_CASE("batches, watermarks, statuses, credits and barriers cross the network in order") {
  // Both processes must know the record type; here both systems live in one process.
  (void)record_type_of<page_view>();
  caf::actor_system_config cfg_a, cfg_b;
  configure(cfg_a, 1, true);
  configure(cfg_b, 1, true);
  caf::actor_system a{cfg_a};
  caf::actor_system b{cfg_b};

  auto promise = std::make_shared<std::promise<std::vector<received>>>();
  auto future = promise->get_future();
  auto receiver = b.spawn(collector, promise);
  auto port = b.middleman().publish(receiver, 0, "127.0.0.1");
  REQUIRE(port);
  auto remote = a.middleman().remote_actor("127.0.0.1", *port);
  REQUIRE(remote);
  CHECK(remote->node() != a.node());

  std::vector<record<page_view>> rs;
  for (int i = 0; i < 1000; ++i) rs.push_back({{"/video/" + std::to_string(i), i * 1000}, i});
  auto b1 = std::make_shared<batch<page_view>>(rs);
  caf::anon_send(*remote, data_batch{7, b1});
  caf::anon_send(*remote, watermark_event{7, 999});
  caf::anon_send(*remote, barrier_event{7, 42});
  caf::anon_send(*remote, credit_grant{3, 5});
  caf::anon_send(*remote, data_batch{7, std::make_shared<batch<page_view>>()});
  task_metrics metrics;
  metrics.name = "generator -> map";
  metrics.subtask = 1;
  metrics.is_source = true;
  metrics.records_in = 12345;
  metrics.barriers = {{1, 100}, {2, 200}};
  caf::anon_send(*remote, task_done{3, metrics});
  caf::anon_send(*remote, watermark_status_event{7, true});
  caf::anon_send(*remote, end_of_stream{7});

  REQUIRE(future.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  auto got = future.get();
  REQUIRE(got.size() == 8);
  auto& d = std::get<data_batch>(got[0]);
  CHECK(d.channel == 7);
  REQUIRE(d.records);
  CHECK(d.records.get() != b1.get());  // it was decoded, not shared
  CHECK(records_of<page_view>(*d.records) == rs);
  CHECK(std::get<watermark_event>(got[1]).ts == 999);
  CHECK(std::get<barrier_event>(got[2]).checkpoint == 42);
  CHECK(std::get<credit_grant>(got[3]).credits == 5);
  CHECK(std::get<credit_grant>(got[3]).channel == 3);
  CHECK(std::get<data_batch>(got[4]).records->empty());
  auto& done = std::get<task_done>(got[5]);
  CHECK(done.task == 3);
  CHECK(done.metrics.name == "generator -> map");
  CHECK(done.metrics.is_source);
  CHECK(done.metrics.records_in == 12345);
  CHECK(done.metrics.barriers == metrics.barriers);
  CHECK(std::get<watermark_status_event>(got[6]).channel == 7);
  CHECK(std::get<watermark_status_event>(got[6]).idle);
  CHECK(std::get<end_of_stream>(got[7]).channel == 7);
  b.middleman().unpublish(receiver, *port);
  caf::anon_send_exit(receiver, caf::exit_reason::user_shutdown);
}
