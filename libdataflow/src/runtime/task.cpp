#include "dataflow/runtime/task.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <utility>

namespace dataflow {

task::task(task_spec spec, task_io& io)
    : spec_(std::move(spec)),
      io_(io),
      valve_(spec_.inputs.size()),
      aligner_(spec_.inputs.size()),
      gate_(spec_.channels, std::move(spec_.outputs)) {
  metrics_.name = spec_.name;
  metrics_.subtask = spec_.subtask;
  metrics_.is_source = spec_.source != nullptr;
  if (!spec_.inputs.empty()) {
    std::uint32_t lo = UINT32_MAX, hi = 0;
    for (auto& in : spec_.inputs) {
      lo = std::min(lo, in.channel);
      hi = std::max(hi, in.channel);
    }
    min_channel_ = lo;
    input_by_channel_.assign(hi - lo + 1, SIZE_MAX);
    for (std::size_t i = 0; i < spec_.inputs.size(); ++i)
      input_by_channel_[spec_.inputs[i].channel - lo] = i;
  }
}

template <class F>
void task::guarded(F&& f) {
  if (state_ == run_state::failed || state_ == run_state::cancelled ||
      state_ == run_state::finished)
    return;
  try {
    f();
  } catch (const std::exception& e) {
    fail(e.what());
  } catch (...) {
    fail("unknown exception");
  }
}

void task::fail(const std::string& what) {
  std::string op = spec_.name;
  if (in_source_)
    op = spec_.source_context.info.name;
  else if (spec_.chain && spec_.chain->active() < spec_.operator_names.size())
    op = spec_.operator_names[spec_.chain->active()];
  state_ = run_state::failed;
  io_.failed("operator '" + op + "' (instance " + std::to_string(spec_.subtask + 1) + "/" +
             std::to_string(spec_.parallelism) + " of task '" + spec_.name + "') failed: " + what);
}

void task::restore() {
  if (spec_.source && !spec_.restore_source.empty()) {
    in_source_ = true;
    status s;
    if (spec_.restore_source_rescaled) {
      std::vector<std::string_view> pieces(spec_.restore_source.begin(),
                                           spec_.restore_source.end());
      s = spec_.source->restore_rescaled(pieces);
    } else if (spec_.restore_source.size() == 1) {
      s = spec_.source->restore(spec_.restore_source.front());
    } else {
      s = {errc::invalid_configuration, "several snapshots for one source instance"};
    }
    if (!s) throw std::runtime_error("restore: " + s.to_string());
    in_source_ = false;
  }
  for (std::size_t i = 0; i < spec_.restore_operators.size() && spec_.chain; ++i)
    for (auto& piece : spec_.restore_operators[i])
      if (auto s = spec_.chain->at(i).restore(piece); !s)
        throw std::runtime_error("operator '" + spec_.operator_names[i] +
                                 "': restore: " + s.to_string());
  spec_.restore_source.clear();
  spec_.restore_operators.clear();
}

void task::start() {
  guarded([&] {
    if (spec_.chain) spec_.chain->open(spec_.contexts);
    restore();
    started_ = true;
    if (spec_.source) {
      spec_.source->open(spec_.source_context);
      source_out_ = std::make_unique<operator_output>(spec_.source_type);
      io_.schedule_poll();
    } else if (spec_.inputs.empty()) {
      end_input();  // nothing will ever arrive
    } else {
      process_queue();  // events that came before the start message
    }
  });
}

// -- input side ---------------------------------------------------------------------------

void task::enqueue(std::uint32_t channel, channel_event ev) {
  auto idx = channel - min_channel_;
  if (channel < min_channel_ || idx >= input_by_channel_.size() ||
      input_by_channel_[idx] == SIZE_MAX) {
    guarded([&] { fail("event on unknown channel " + std::to_string(channel)); });
    return;
  }
  queue_.push_back(queued{std::move(ev), input_by_channel_[idx]});
  std::size_t batches = 0;
  for (auto& q : queue_) batches += q.ev.what == channel_event::kind::batch;
  metrics_.max_queued = std::max(metrics_.max_queued, batches);
  guarded([&] { process_queue(); });
}

void task::on_batch(std::uint32_t channel, batch_ptr records) {
  enqueue(channel, channel_event{channel_event::kind::batch, std::move(records), 0});
}
void task::on_watermark(std::uint32_t channel, timestamp t) {
  enqueue(channel, channel_event{channel_event::kind::watermark, nullptr, t});
}
void task::on_watermark_status(std::uint32_t channel, watermark_status s) {
  enqueue(channel,
          channel_event{channel_event::kind::status, nullptr, static_cast<std::int64_t>(s)});
}
void task::on_barrier(std::uint32_t channel, std::int64_t checkpoint) {
  enqueue(channel, channel_event{channel_event::kind::barrier, nullptr, checkpoint});
}
void task::on_end(std::uint32_t channel) {
  enqueue(channel, channel_event{channel_event::kind::end, nullptr, 0});
}

void task::process_queue() {
  // Take events in arrival order, skipping channels blocked by barrier alignment (their events
  // keep their order), and stop while the output is backlogged (backpressure). Before start()
  // they wait: an upstream task may send before this task's start message arrives, since CAF
  // orders messages per sender only.
  if (!started_) return;
  // Send what credit allows first and after each event: backlogged() is true only when a
  // batch waits with no credit left, so a batch still in the outbox while credit remains
  // would let this loop take any number of events (an unbounded outbox).
  send_ready();
  while (state_ == run_state::running && !gate_.backlogged()) {
    if (holding()) {  // an operator's held-back output goes first, one step per message
      request_resume();
      break;
    }
    auto it = std::find_if(queue_.begin(), queue_.end(),
                           [&](const queued& q) { return !aligner_.is_blocked(q.input); });
    if (it == queue_.end()) break;
    queued q = std::move(*it);
    queue_.erase(it);
    handle(q);
    send_ready();
  }
  after_step();
}

void task::handle(const queued& q) {
  auto& in = spec_.inputs[q.input];
  switch (q.ev.what) {
    case channel_event::kind::batch: {
      metrics_.records_in += q.ev.records->size();
      ++metrics_.batches_in;
      emit(spec_.chain->on_batch(in.logical_input, *q.ev.records));
      io_.return_credit(in.sender, in.channel, 1);
      break;
    }
    case channel_event::kind::watermark: {
      auto before = valve_.status();
      after_valve(before, valve_.on_watermark(q.input, q.ev.value));
      break;
    }
    case channel_event::kind::status: {
      auto before = valve_.status();
      after_valve(before, valve_.on_status(q.input, static_cast<watermark_status>(q.ev.value)));
      break;
    }
    case channel_event::kind::barrier:
      if (!aligner_.pending()) {
        alignment_started_ns_ = io_.monotonic_ns();
        barrier_at_ms_ = io_.now();
      }
      if (auto id = aligner_.on_barrier(q.input, q.ev.value)) forward_barrier(*id);
      break;
    case channel_event::kind::end:
      ++inputs_ended_;
      {
        auto before = valve_.status();
        auto wm = valve_.on_end(q.input);
        // With every input ended the valve says max_timestamp: the final watermark.
        if (!spec_.drain && wm == max_timestamp) wm.reset();
        after_valve(before, wm);
      }
      if (auto id = aligner_.on_end(q.input)) forward_barrier(*id);
      if (inputs_ended_ == spec_.inputs.size()) end_input();
      break;
  }
}

void task::forward_barrier(std::int64_t id) {
  if (spec_.chain && spec_.chain->size() > 0) emit(spec_.chain->on_barrier(id));
  gate_.push_barrier(id);
  take_snapshot(id);
}

void task::take_snapshot(std::int64_t id) {
  std::int64_t aligned_ms = 0;
  if (alignment_started_ns_ >= 0) {
    aligned_ms = (io_.monotonic_ns() - alignment_started_ns_) / 1'000'000;
    alignment_started_ns_ = -1;
  }
  // A source injects the barrier now.
  const timestamp barrier_at = barrier_at_ms_ >= 0 ? barrier_at_ms_ : io_.now();
  barrier_at_ms_ = -1;
  std::vector<instance_snapshot> parts;
  auto failed = [&](const std::string& op, const status& s) {
    return std::runtime_error("checkpoint " + std::to_string(id) + ": operator '" + op +
                              "' could not snapshot its state: " + s.to_string());
  };
  auto stamp = [&](instance_snapshot& p) {
    p.subtask = spec_.subtask;
    p.barrier_at_ms = barrier_at;
  };
  if (spec_.source) {
    instance_snapshot p;
    stamp(p);
    p.uid = spec_.source_context.info.uid;
    p.source_position = spec_.source->position();
    const auto t0 = io_.monotonic_ns();
    if (auto s = spec_.source->snapshot(p.bytes); !s)
      throw failed(spec_.source_context.info.name, s);
    p.sync_ms = (io_.monotonic_ns() - t0) / 1'000'000;
    parts.push_back(std::move(p));
  }
  // Operators freeze their state and the state writer writes the bytes on its own thread, or
  // they write them here.
  if (spec_.chain)
    for (std::size_t i = 0; i < spec_.chain->size(); ++i) {
      instance_snapshot p;
      stamp(p);
      p.uid = spec_.contexts[i].info.uid;
      p.alignment_ms = aligned_ms;
      const auto t0 = io_.monotonic_ns();
      auto& op = spec_.chain->at(i);
      if (spec_.snapshot_on_task) {
        if (on_task_bytes_.size() < spec_.chain->size()) on_task_bytes_.resize(spec_.chain->size());
        auto& last = on_task_bytes_[i];
        p.bytes.reserve(last + last / 8);  // state grows between checkpoints
        if (auto s = op.snapshot(p.bytes); !s) throw failed(spec_.operator_names[i], s);
        last = p.bytes.size();
      } else {
        auto frozen = op.snapshot_deferred();
        if (!frozen) throw failed(spec_.operator_names[i], frozen.error());
        p.deferred = std::make_shared<deferred_snapshot>(std::move(*frozen));
      }
      p.sync_ms = (io_.monotonic_ns() - t0) / 1'000'000;
      parts.push_back(std::move(p));
    }
  const timestamp synced_at = io_.now();
  for (auto& p : parts) p.synced_at_ms = synced_at;
  io_.snapshot_taken(id, std::move(parts));
}

void task::on_checkpoint_complete(std::int64_t id) {
  guarded([&] {
    if (!spec_.chain || state_ == run_state::cancelled) return;
    for (std::size_t i = 0; i < spec_.chain->size(); ++i)
      spec_.chain->at(i).notify_checkpoint_complete(id);
  });
}

void task::after_valve(watermark_status before, std::optional<timestamp> wm) {
  // Becoming active goes before the watermark, becoming idle after it.
  auto now = valve_.status();
  if (now != before && now == watermark_status::active) emit(spec_.chain->on_watermark_status(now));
  if (wm) emit(spec_.chain->on_watermark(*wm));
  if (now != before && now == watermark_status::idle) emit(spec_.chain->on_watermark_status(now));
}

// -- output side --------------------------------------------------------------------------

void task::emit(operator_output& out) {
  auto st = out.status_change();
  if (st == watermark_status::active) set_output_status(*st);
  gate_.push(out);
  if (out.watermark()) {
    gate_.push_watermark(*out.watermark());
    output_status_ = watermark_status::active;  // a watermark makes a channel active downstream
  }
  if (st == watermark_status::idle) set_output_status(*st);
  out.clear();
}

void task::set_output_status(watermark_status s) {
  if (s == output_status_) return;
  output_status_ = s;
  gate_.push_status(s);
}

void task::end_input() {
  if (spec_.chain && spec_.chain->size() > 0) {
    if (spec_.drain && (valve_.current() != max_timestamp || spec_.source))
      emit(spec_.chain->on_watermark(max_timestamp));
    input_ended_ = true;
    if (holding()) {
      request_resume();  // on_end waits for the final watermark's output
      return;
    }
    finish_input();
  } else {
    if (spec_.drain) gate_.push_watermark(max_timestamp);
    gate_.push_end();
    state_ = run_state::ending;
  }
}

void task::finish_input() {
  emit(spec_.chain->on_end());
  gate_.push_end();
  state_ = run_state::ending;
}

void task::request_resume() {
  if (resume_scheduled_) return;
  resume_scheduled_ = true;
  io_.schedule_resume();
}

void task::on_resume() {
  resume_scheduled_ = false;
  guarded([&] {
    if (state_ != run_state::running || !holding()) return;
    if (gate_.backlogged()) {
      after_step();  // credit asks again
      return;
    }
    emit(spec_.chain->resume());
    if (holding())
      request_resume();
    else
      after_hold();
    after_step();
  });
}

void task::after_hold() {
  for (auto id : std::exchange(deferred_barriers_, {})) {
    metrics_.barriers.emplace_back(id, spec_.source->position());
    forward_barrier(id);
  }
  if (input_ended_) {
    finish_input();
  } else if (spec_.source) {
    if (source_parked_ || waiting_for_credit_) {
      source_parked_ = waiting_for_credit_ = false;
      io_.schedule_poll();
    }
  } else {
    process_queue();
  }
}

void task::send_ready() {
  gate_.drain([&](const output_gate::channel& ch, channel_event&& ev) {
    io_.send(ch.target_task, ch.id, std::move(ev));
  });
}

void task::after_step() {
  send_ready();
  bool backlogged = gate_.backlogged();
  if (backlogged && backlogged_since_ < 0) backlogged_since_ = io_.monotonic_ns();
  if (!backlogged && backlogged_since_ >= 0) {
    metrics_.backpressured_ms += static_cast<double>(io_.monotonic_ns() - backlogged_since_) / 1e6;
    backlogged_since_ = -1;
  }
  if (state_ == run_state::ending) {
    if (gate_.drained()) {
      state_ = run_state::finished;
      io_.finished(metrics());
    }
    return;
  }
  if (state_ != run_state::running) return;
  if (gate_.has_partial() && !flush_scheduled_) {
    flush_scheduled_ = true;
    io_.schedule_flush(spec_.channels.buffer_timeout);
  }
  if (spec_.chain && !holding()) {  // timers wait for held-back output (after_hold)
    if (auto t = spec_.chain->next_processing_timer(); t && *t < timer_at_) {
      timer_at_ = *t;
      io_.schedule_timer_at(*t);
    }
  }
}

void task::on_credit(std::uint32_t channel, int n) {
  guarded([&] {
    gate_.add_credit(channel, n);
    if (!started_) return;
    if (holding()) {
      after_step();  // sends what the credit allows
      if (!gate_.backlogged()) request_resume();
    } else if (spec_.source) {
      after_step();
      if (waiting_for_credit_ && !gate_.backlogged() && state_ == run_state::running) {
        waiting_for_credit_ = false;
        on_poll();
      }
    } else {
      process_queue();
    }
  });
}

void task::on_poll() {
  guarded([&] {
    if (state_ != run_state::running || !spec_.source || !started_) return;
    if (holding()) {  // the chain's held-back output first; after_hold polls again
      source_parked_ = true;
      request_resume();
      return;
    }
    if (gate_.backlogged()) {
      waiting_for_credit_ = true;  // credit will poll again
      return;
    }
    auto& out = *source_out_;
    auto before = spec_.source->position();
    in_source_ = true;
    last_poll_at_ = io_.now();
    auto res = spec_.source->poll(out, spec_.channels.batch_size, last_poll_at_);
    in_source_ = false;
    metrics_.records_in += spec_.source->position() - before;
    emit(spec_.chain && spec_.chain->size() > 0 ? spec_.chain->on_source_output(out) : out);
    out.clear();
    switch (res.what) {
      case source_reader::poll_result::kind::end:
        end_input();
        break;
      case source_reader::poll_result::kind::more:
        io_.schedule_poll();
        break;
      case source_reader::poll_result::kind::wait:
        io_.schedule_poll_at(next_poll_after_wait(res.wake_at));
        break;
    }
    if (holding()) request_resume();
    after_step();
  });
}

timestamp task::next_poll_after_wait(timestamp wake_at) const {
  // A source waiting for records polls no sooner than the buffer timeout: what it gathers in
  // between waits no longer than a partly filled batch would, and each poll's batch and
  // watermark cost every task downstream a wake-up, whatever the batch holds.
  const auto timeout_ms = (spec_.channels.buffer_timeout.count() + 999) / 1000;
  return std::max(wake_at, last_poll_at_ + static_cast<timestamp>(timeout_ms));
}

void task::on_flush() {
  flush_scheduled_ = false;
  guarded([&] {
    gate_.flush();
    after_step();
  });
}

void task::on_timer() {
  timer_at_ = max_timestamp;
  guarded([&] {
    if (state_ != run_state::running || !spec_.chain || spec_.chain->size() == 0) return;
    if (holding()) return;  // after_hold schedules it again
    emit(spec_.chain->on_processing_time(io_.now()));
    after_step();
  });
}

void task::trigger_barrier(std::int64_t checkpoint) {
  guarded([&] {
    if (state_ != run_state::running || !spec_.source) return;
    if (holding()) {  // after the held-back output, which the barrier must follow
      deferred_barriers_.push_back(checkpoint);
      return;
    }
    metrics_.barriers.emplace_back(checkpoint, spec_.source->position());
    forward_barrier(checkpoint);
    after_step();
  });
}

task_metrics task::cancel() {
  if (state_ == run_state::running || state_ == run_state::ending) state_ = run_state::cancelled;
  return metrics();
}

task_metrics task::metrics() const {
  auto m = metrics_;
  for (auto& ch : gate_.channels()) {
    m.records_out += ch.records_sent;
    m.batches_out += ch.batches_sent;
    m.max_in_flight = std::max(m.max_in_flight, ch.max_in_flight);
  }
  m.watermark = valve_.current();
  return m;
}

}  // namespace dataflow
