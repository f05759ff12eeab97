#include "dataflow/actors/channel_protocol.hpp"

#include <algorithm>
#include <thread>

#include <caf/io/middleman.hpp>

#include "dataflow/actors/actor_system_setup.hpp"

namespace dataflow::actors {

caf::error encode_batch(const batch_ptr& b, std::string& type_name, std::string& bytes) {
  if (!b) return caf::make_error(caf::sec::invalid_argument, "data_batch without records");
  type_name = b->type().name();
  if (auto s = b->type().encode(*b, bytes); !s)
    return caf::make_error(caf::sec::invalid_argument, s.to_string());
  return caf::none;
}

caf::error decode_batch(const std::string& type_name, const std::string& bytes, batch_ptr& out) {
  auto* t = find_record_type(type_name);
  if (!t)
    return caf::make_error(caf::sec::invalid_argument,
                           "data_batch of record type '" + type_name +
                               "', which this process never registered (does it run the same "
                               "job code?)");
  auto decoded = t->decode(bytes);
  if (!decoded) return caf::make_error(caf::sec::invalid_argument, decoded.error().to_string());
  out = std::move(*decoded);
  return caf::none;
}

void configure(caf::actor_system_config& cfg, int threads, bool network, scheduler_policy policy) {
  cfg.add_message_types<caf::id_block::dataflow_actors>();
  cfg.add_message_type<task_actor>("dataflow::actors::task_actor");
  auto n = threads > 0 ? static_cast<std::size_t>(threads)
                       : std::max<std::size_t>(1, std::thread::hardware_concurrency());
  cfg.set("scheduler.max-threads", n);
  cfg.set("logger.console", caf::atom("none"));
  cfg.set("scheduler.policy",
          policy == scheduler_policy::work_sharing ? caf::atom("sharing") : caf::atom("stealing"));
  // An actor yields its thread after this many messages (CAF's default: never while it has
  // mail). A window task serving a burst in steps sends itself a message per step, so without
  // a bound it kept both threads of a p = 2 job and the enrichment tasks waited 100-400 ms.
  cfg.set("scheduler.max-throughput", max_messages_per_run);
  if (network) cfg.load<caf::io::middleman>();
}

}  // namespace dataflow::actors
