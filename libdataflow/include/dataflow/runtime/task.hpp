// A task: one instance of a chain of operators, optionally headed by a source, with its input
// side (queue, watermark valve, barrier aligner) and output side (output gate). It holds all
// of the runtime's per-instance logic and none of the messaging: its host (an actor, or a test)
// delivers events and carries out what it asks through task_io. Never called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dataflow/api/job_result.hpp"
#include "dataflow/checkpoint/instance_snapshot.hpp"
#include "dataflow/runtime/barrier_aligner.hpp"
#include "dataflow/runtime/operator_chain.hpp"
#include "dataflow/runtime/output_gate.hpp"
#include "dataflow/runtime/watermark_valve.hpp"
#include "dataflow/source/source_reader.hpp"

namespace dataflow {

/// What a task asks of its host.
class task_io {
 public:
  virtual ~task_io() = default;
  /// Sends `ev` on `channel` to task `target`.
  virtual void send(int target, std::uint32_t channel, channel_event&& ev) = 0;
  /// Tells task `sender` that `n` batches of `channel` were consumed.
  virtual void return_credit(int sender, std::uint32_t channel, int n) = 0;
  /// Calls task::on_poll soon, after other pending events (sources yield between batches).
  virtual void schedule_poll() = 0;
  /// Calls task::on_resume soon, after other pending events (held-back output, one step each).
  virtual void schedule_resume() = 0;
  /// Calls task::on_poll at processing time `t`.
  virtual void schedule_poll_at(timestamp t) = 0;
  /// Calls task::on_flush after `delay`.
  virtual void schedule_flush(std::chrono::microseconds delay) = 0;
  /// Calls task::on_timer at processing time `t`.
  virtual void schedule_timer_at(timestamp t) = 0;
  /// Processing time in ms (what operators see) and a monotonic clock in ns (for metrics).
  [[nodiscard]] virtual timestamp now() const = 0;
  [[nodiscard]] virtual std::int64_t monotonic_ns() const = 0;
  /// The task took its part of checkpoint `id`: one entry for its source and one per chained
  /// operator. The host stores them off this thread and acknowledges to the coordinator.
  virtual void snapshot_taken(std::int64_t id, std::vector<instance_snapshot> parts) = 0;
  /// The task finished: all inputs ended and all output was sent.
  virtual void finished(task_metrics metrics) = 0;
  /// The task failed; `reason` names the operator and instance.
  virtual void failed(std::string reason) = 0;
};

/// Everything a task is made of.
struct task_spec {
  int index = 0;
  std::string name;  // the chain's name
  int subtask = 0;
  int parallelism = 1;
  std::unique_ptr<source_reader> source;  // null for operator tasks
  const record_type* source_type = nullptr;
  operator_context source_context;
  std::unique_ptr<operator_chain> chain;
  std::vector<operator_context> contexts;   // one per chained operator
  std::vector<std::string> operator_names;  // one per chained operator
  /// Input channels: (channel id, logical input, sending task).
  struct input {
    std::uint32_t channel;
    int logical_input;
    int sender;
  };
  std::vector<input> inputs;
  std::vector<output_gate::edge_spec> outputs;
  channel_options channels;
  /// Send the final watermark when the input ends (job_options::drain_on_end).
  bool drain = true;
  /// Write snapshots on the task instead of freezing the state for the state writer
  /// (job_options::checkpoint_options::snapshot_on_task).
  bool snapshot_on_task = false;
  /// Restored at start(): the source's snapshots before it opens, and for each chained
  /// operator the pieces to pass to restore() after it opens (several when rescaled). The
  /// source gets its own snapshot (restore()), or, restored at another parallelism,
  /// every old instance's (restore_rescaled(), when restore_source_rescaled).
  std::vector<std::string> restore_source;
  bool restore_source_rescaled = false;
  std::vector<std::vector<std::string>> restore_operators;
};

class task {
 public:
  task(task_spec spec, task_io& io);

  /// Opens the operators (and source); sources start polling.
  void start();

  void on_batch(std::uint32_t channel, batch_ptr records);
  void on_watermark(std::uint32_t channel, timestamp t);
  /// The sender on `channel` became idle or active (see watermark_status.hpp).
  void on_watermark_status(std::uint32_t channel, watermark_status s);
  void on_barrier(std::uint32_t channel, std::int64_t checkpoint);
  void on_end(std::uint32_t channel);
  void on_credit(std::uint32_t channel, int n);
  void on_poll();
  /// Emits the next step of output an operator holds back (see operator.hpp).
  void on_resume();
  void on_flush();
  void on_timer();
  /// Sources: inject barrier `checkpoint` now, after the records read so far.
  void trigger_barrier(std::int64_t checkpoint);
  /// Checkpoint `id` is complete: two-phase-commit sinks make their output visible.
  void on_checkpoint_complete(std::int64_t id);
  /// Stops; returns the metrics so far. The task does nothing afterwards.
  task_metrics cancel();

  [[nodiscard]] bool is_source() const noexcept { return spec_.source != nullptr; }
  [[nodiscard]] bool done() const noexcept { return state_ != run_state::running; }
  /// True once finished() or failed() went to the host.
  [[nodiscard]] bool reported() const noexcept {
    return state_ == run_state::finished || state_ == run_state::failed;
  }
  [[nodiscard]] task_metrics metrics() const;

 private:
  enum class run_state { running, ending, finished, failed, cancelled };
  struct queued {
    channel_event ev;
    std::size_t input;  // index into spec_.inputs
  };

  template <class F>
  void guarded(F&& f);
  void enqueue(std::uint32_t channel, channel_event ev);
  void process_queue();
  void handle(const queued& q);
  void emit(operator_output& out);
  /// Feeds what the valve reported (a new watermark, a change of its status) to the chain.
  void after_valve(watermark_status before, std::optional<timestamp> wm);
  void set_output_status(watermark_status s);
  void forward_barrier(std::int64_t id);
  /// Snapshots the source and every chained operator for checkpoint `id` and hands the parts
  /// to the host.
  void take_snapshot(std::int64_t id);
  void restore();
  void end_input();
  /// The end of input once no operator holds back output: on_end, then end of stream.
  void finish_input();
  /// Whether an operator of the chain holds back output: input waits until it is out.
  [[nodiscard]] bool holding() const { return spec_.chain && spec_.chain->has_pending_output(); }
  /// Asks the host for on_resume unless it was asked already.
  void request_resume();
  /// Held-back output is all out: take up what waited for it.
  void after_hold();
  /// Sends what the gate's credit allows.
  void send_ready();
  /// When a source that returned `wait` until `wake_at` polls next: not before the buffer
  /// timeout has passed since its last poll.
  [[nodiscard]] timestamp next_poll_after_wait(timestamp wake_at) const;
  void after_step();
  void fail(const std::string& what);

  task_spec spec_;
  task_io& io_;
  run_state state_ = run_state::running;
  std::unique_ptr<operator_output> source_out_;
  std::vector<std::size_t> input_by_channel_;  // channel id - min -> index in spec_.inputs
  std::uint32_t min_channel_ = 0;
  std::deque<queued> queue_;
  watermark_valve valve_;
  barrier_aligner aligner_;
  output_gate gate_;
  std::size_t inputs_ended_ = 0;
  bool started_ = false;  // start() ran: the chain is open; events before it wait in queue_
  bool flush_scheduled_ = false;
  bool in_source_ = false;  // a throw now comes from the source reader
  bool waiting_for_credit_ = false;
  bool resume_scheduled_ = false;
  bool source_parked_ = false;  // a poll came while output was held; after_hold polls again
  bool input_ended_ = false;    // end_input ran; finish_input waits for held-back output
  std::vector<std::int64_t> deferred_barriers_;  // sources: triggered while output was held
  // With snapshot_on_task, each operator's last snapshot size: the next is allocated once at
  // about that size instead of growing by doubling (the state writer does this for frozen
  // state).
  std::vector<std::size_t> on_task_bytes_;
  watermark_status output_status_ = watermark_status::active;  // what downstream was told
  timestamp timer_at_ = max_timestamp;
  timestamp last_poll_at_ = 0;  // sources: processing time of the last poll
  std::int64_t backlogged_since_ = -1;
  std::int64_t alignment_started_ns_ = -1;  // first barrier of the checkpoint being aligned
  timestamp barrier_at_ms_ = -1;            // the same, in wall-clock time (start delay)
  task_metrics metrics_;
};

}  // namespace dataflow
