// The channel protocol between operator actors, in one place: the messages, their CAF type
// ids and inspect overloads (every message can cross nodes), and the typed actor handle of a
// task. Batches cross nodes as one cereal buffer, decoded by record type name on arrival.
//
//   data_batch(channel, records)      sender -> receiver, needs one credit
//   watermark_event(channel, t)       sender -> receiver, in order with the batches
//   watermark_status_event(ch, idle)  sender -> receiver, in order: the sender went idle or
//                                     active again (idle senders leave the watermark minimum)
//   barrier_event(channel, id)        sender -> receiver, aligned at multi-input tasks
//   end_of_stream(channel)            sender -> receiver, the channel is done
//   credit_grant(channel, n)          receiver -> sender, n batches were consumed
//
// Channel ids are job-wide. Every channel starts with job_options.channels.credits credits on
// the sender's side, so no initial grant is needed.
//
// Control of the job master (job_handle -> master, request and response):
//   (savepoint_atom, target, stop)  -> the savepoint's directory, or a dataflow error
//   job_status_atom                 -> job_status
#pragma once

#include <cstdint>
#include <string>

#include <caf/all.hpp>

#include "dataflow/api/job_result.hpp"
#include "dataflow/api/job_status.hpp"
#include "dataflow/checkpoint/instance_snapshot.hpp"
#include "dataflow/record/batch.hpp"

namespace dataflow::actors {

struct data_batch {
  std::uint32_t channel = 0;
  batch_ptr records;
};

struct watermark_event {
  std::uint32_t channel = 0;
  timestamp ts = 0;
};

struct watermark_status_event {
  std::uint32_t channel = 0;
  bool idle = false;
};

struct barrier_event {
  std::uint32_t channel = 0;
  std::int64_t checkpoint = 0;
};

struct credit_grant {
  std::uint32_t channel = 0;
  std::int32_t credits = 0;
};

struct end_of_stream {
  std::uint32_t channel = 0;
};

// -- control: job master <-> tasks ------------------------------------------------------------

/// Master -> source task: inject barrier `checkpoint` into the stream now.
struct trigger_barrier {
  std::int64_t checkpoint = 0;
};

/// Task -> master: the task finished (or was cancelled) with these metrics.
struct task_done {
  std::int32_t task = 0;
  task_metrics metrics;
};

/// Task -> master: the task failed; `reason` names the operator.
struct task_failed {
  std::int32_t task = 0;
  std::string reason;
};

// -- checkpoints: master (coordinator) -> state writer <- tasks ---------------------------------

/// Master -> state writer: checkpoint `checkpoint` writes its files into `directory`.
struct checkpoint_begin {
  std::int64_t checkpoint = 0;
  std::string directory;
};

/// Master -> state writer: checkpoint `checkpoint` was given up; the writer deletes
/// `directory` after the writes it is doing and writes nothing more into it. (The master
/// deleting it itself could race a write and leave the directory with one file.)
struct checkpoint_abandoned {
  std::int64_t checkpoint = 0;
  std::string directory;
};

/// Task -> state writer: the task's parts of a checkpoint, to be written off its thread.
struct snapshot_report {
  std::int32_t task = 0;
  std::int64_t checkpoint = 0;
  std::vector<instance_snapshot> parts;
};

/// One part as written: what the coordinator acknowledges.
struct stored_part {
  std::string uid;
  subtask_state written;
};

/// State writer -> master: the parts were written (or `error` says why not).
struct snapshot_stored {
  std::int32_t task = 0;
  std::int64_t checkpoint = 0;
  std::vector<stored_part> parts;
  std::string error;
};

/// Master -> tasks: checkpoint `checkpoint` is complete (two-phase-commit sinks commit).
struct checkpoint_complete {
  std::int64_t checkpoint = 0;
};

}  // namespace dataflow::actors

CAF_BEGIN_TYPE_ID_BLOCK(dataflow_actors, caf::first_custom_type_id)
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::actors::data_batch))
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::actors::watermark_event))
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::actors::barrier_event))
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::actors::credit_grant))
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::actors::end_of_stream))
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::actors::trigger_barrier))
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::actors::task_done))
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::actors::task_failed))
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::task_metrics))
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::actors::watermark_status_event))
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::actors::checkpoint_begin))
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::actors::snapshot_report))
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::actors::snapshot_stored))
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::actors::checkpoint_complete))
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::job_status))
CAF_ADD_TYPE_ID(dataflow_actors, (dataflow::actors::checkpoint_abandoned))
CAF_END_TYPE_ID_BLOCK(dataflow_actors)

namespace dataflow::actors {

// Atoms for the task's own clock and for control.
using start_atom = caf::atom_constant<caf::atom("df_start")>;
using poll_atom = caf::atom_constant<caf::atom("df_poll")>;
using resume_atom = caf::atom_constant<caf::atom("df_resume")>;
using flush_atom = caf::atom_constant<caf::atom("df_flush")>;
using timer_atom = caf::atom_constant<caf::atom("df_timer")>;
using cancel_atom = caf::atom_constant<caf::atom("df_cancel")>;
using checkpoint_tick_atom = caf::atom_constant<caf::atom("df_ckpt")>;
/// Master -> itself, with a checkpoint id: that checkpoint's timeout is up.
using checkpoint_expire_atom = caf::atom_constant<caf::atom("df_ckexp")>;
/// To the master: take a savepoint (target directory, and whether to stop the job after it).
using savepoint_atom = caf::atom_constant<caf::atom("df_svpt")>;
/// To the master: answer with the job's job_status.
using job_status_atom = caf::atom_constant<caf::atom("df_status")>;

/// The handle of every task actor (source or operator), named once.
using task_actor =
    caf::typed_actor<caf::reacts_to<data_batch>, caf::reacts_to<watermark_event>,
                     caf::reacts_to<watermark_status_event>, caf::reacts_to<barrier_event>,
                     caf::reacts_to<credit_grant>, caf::reacts_to<end_of_stream>,
                     caf::reacts_to<trigger_barrier>, caf::reacts_to<start_atom>,
                     caf::reacts_to<poll_atom>, caf::reacts_to<resume_atom>,
                     caf::reacts_to<flush_atom>, caf::reacts_to<timer_atom>,
                     caf::reacts_to<cancel_atom>, caf::reacts_to<checkpoint_complete>>;

/// Encodes a batch for the wire (its record type name and cereal bytes).
caf::error encode_batch(const batch_ptr& b, std::string& type_name, std::string& bytes);
/// Decodes what encode_batch wrote.
caf::error decode_batch(const std::string& type_name, const std::string& bytes, batch_ptr& out);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, data_batch& x) {
  std::string type_name;
  std::string bytes;
  auto save = caf::meta::save_callback(
      [&]() -> caf::error { return encode_batch(x.records, type_name, bytes); });
  auto load = caf::meta::load_callback(
      [&]() -> caf::error { return decode_batch(type_name, bytes, x.records); });
  return f(caf::meta::type_name("data_batch"), x.channel, save, type_name, bytes, load);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, watermark_event& x) {
  return f(caf::meta::type_name("watermark_event"), x.channel, x.ts);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, watermark_status_event& x) {
  return f(caf::meta::type_name("watermark_status_event"), x.channel, x.idle);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, barrier_event& x) {
  return f(caf::meta::type_name("barrier_event"), x.channel, x.checkpoint);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, credit_grant& x) {
  return f(caf::meta::type_name("credit_grant"), x.channel, x.credits);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, end_of_stream& x) {
  return f(caf::meta::type_name("end_of_stream"), x.channel);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, trigger_barrier& x) {
  return f(caf::meta::type_name("trigger_barrier"), x.checkpoint);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_done& x) {
  return f(caf::meta::type_name("task_done"), x.task, x.metrics);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_failed& x) {
  return f(caf::meta::type_name("task_failed"), x.task, x.reason);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_begin& x) {
  return f(caf::meta::type_name("checkpoint_begin"), x.checkpoint, x.directory);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_abandoned& x) {
  return f(caf::meta::type_name("checkpoint_abandoned"), x.checkpoint, x.directory);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, snapshot_report& x) {
  return f(caf::meta::type_name("snapshot_report"), x.task, x.checkpoint, x.parts);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stored_part& x) {
  return f(caf::meta::type_name("stored_part"), x.uid, x.written);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, snapshot_stored& x) {
  return f(caf::meta::type_name("snapshot_stored"), x.task, x.checkpoint, x.parts, x.error);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_complete& x) {
  return f(caf::meta::type_name("checkpoint_complete"), x.checkpoint);
}

}  // namespace dataflow::actors

namespace dataflow {

// std::optional travels as a flag and a value.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, instance_snapshot& x) {
  bool has = x.source_position.has_value();
  std::uint64_t pos = x.source_position.value_or(0);
  auto load = caf::meta::load_callback([&]() -> caf::error {
    x.source_position = has ? std::optional<std::uint64_t>(pos) : std::nullopt;
    return caf::none;
  });
  return f(caf::meta::type_name("instance_snapshot"), x.uid, x.subtask, x.bytes, x.states, has, pos,
           x.alignment_ms, x.barrier_at_ms, x.sync_ms, x.synced_at_ms, load);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subtask_state& x) {
  bool has = x.source_position.has_value();
  std::uint64_t pos = x.source_position.value_or(0);
  auto load = caf::meta::load_callback([&]() -> caf::error {
    x.source_position = has ? std::optional<std::uint64_t>(pos) : std::nullopt;
    return caf::none;
  });
  return f(caf::meta::type_name("subtask_state"), x.subtask, x.file, x.size, x.crc32, x.states, has,
           pos, x.alignment_ms, x.barrier_at_ms, x.sync_ms, x.async_ms, x.acknowledged_at_ms, load);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_status& x) {
  return f(caf::meta::type_name("job_status"), x.job, x.state, x.checkpoints_completed,
           x.savepoints_completed, x.checkpoints_aborted, x.latest_checkpoint, x.latest_savepoint,
           x.pending_checkpoint, x.checkpoint_directory, x.restored_from, x.tasks, x.tasks_ended);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_metrics& x) {
  return f(caf::meta::type_name("task_metrics"), x.name, x.subtask, x.is_source, x.records_in,
           x.batches_in, x.records_out, x.batches_out, x.max_in_flight, x.max_queued,
           x.backpressured_ms, x.watermark, x.barriers);
}

}  // namespace dataflow
