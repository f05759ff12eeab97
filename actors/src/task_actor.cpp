#include "task_actor.hpp"

#include <chrono>

namespace dataflow::actors {
namespace {

/// task_io over CAF messages.
class actor_io final : public task_io {
 public:
  actor_io(task_actor::pointer self, task_directory peers, caf::actor master, caf::actor writer,
           int index)
      : self_(self),
        peers_(std::move(peers)),
        master_(std::move(master)),
        writer_(std::move(writer)),
        index_(index) {}

  void send(int target, std::uint32_t channel, channel_event&& ev) override {
    auto& dst = (*peers_)[static_cast<std::size_t>(target)];
    switch (ev.what) {
      case channel_event::kind::batch:
        self_->send(dst, data_batch{channel, std::move(ev.records)});
        break;
      case channel_event::kind::watermark:
        self_->send(dst, watermark_event{channel, ev.value});
        break;
      case channel_event::kind::status:
        self_->send(dst, watermark_status_event{channel, ev.value == static_cast<std::int64_t>(
                                                                         watermark_status::idle)});
        break;
      case channel_event::kind::barrier:
        self_->send(dst, barrier_event{channel, ev.value});
        break;
      case channel_event::kind::end:
        self_->send(dst, end_of_stream{channel});
        break;
    }
  }
  void return_credit(int sender, std::uint32_t channel, int n) override {
    self_->send((*peers_)[static_cast<std::size_t>(sender)], credit_grant{channel, n});
  }
  void schedule_poll() override { self_->send(self_, poll_atom::value); }
  void schedule_resume() override { self_->send(self_, resume_atom::value); }
  void schedule_poll_at(timestamp t) override {
    self_->delayed_send(self_, until(t), poll_atom::value);
  }
  void schedule_flush(std::chrono::microseconds delay) override {
    self_->delayed_send(self_, delay, flush_atom::value);
  }
  void schedule_timer_at(timestamp t) override {
    self_->delayed_send(self_, until(t), timer_atom::value);
  }
  timestamp now() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::int64_t monotonic_ns() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  void snapshot_taken(std::int64_t id, std::vector<instance_snapshot> parts) override {
    // Without a writer (no checkpoint storage) barriers still flow, and snapshots are dropped.
    if (!writer_) return;
    // A deferred snapshot is written on the writer's thread, which must be on this node: for a
    // writer elsewhere the bytes are written here, now.
    if (writer_.node() != self_->node())
      for (auto& p : parts)
        if (auto s = write_deferred_bytes(p); !s) {
          failed("checkpoint " + std::to_string(id) + ": operator '" + p.uid +
                 "' could not snapshot its state: " + s.to_string());
          return;
        }
    caf::anon_send(writer_, snapshot_report{index_, id, std::move(parts)});
  }
  void finished(task_metrics m) override {
    caf::anon_send(master_, task_done{index_, std::move(m)});
    self_->quit();
  }
  void failed(std::string reason) override {
    caf::anon_send(master_, task_failed{index_, std::move(reason)});
    self_->quit(caf::exit_reason::user_shutdown);
  }

 private:
  std::chrono::milliseconds until(timestamp t) const {
    return std::chrono::milliseconds(std::max<timestamp>(0, t - now()));
  }
  task_actor::pointer self_;
  task_directory peers_;
  caf::actor master_;
  caf::actor writer_;
  std::int32_t index_;
};

struct task_actor_state {
  std::unique_ptr<actor_io> io;
  std::unique_ptr<task> core;
};

using self_ptr = task_actor::stateful_pointer<task_actor_state>;

task_actor::behavior_type task_behavior(self_ptr self, std::shared_ptr<task_spec> spec,
                                        task_directory peers, caf::actor master,
                                        caf::actor writer) {
  auto index = spec->index;
  self->state.io =
      std::make_unique<actor_io>(self, std::move(peers), master, std::move(writer), index);
  self->state.core = std::make_unique<task>(std::move(*spec), *self->state.io);
  // A last resort: task already turns exceptions from operators into failures.
  self->set_exception_handler([master, index](caf::scheduled_actor*, std::exception_ptr& e) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    } catch (...) {
    }
    caf::anon_send(master, task_failed{index, what});
    return caf::error(caf::exit_reason::unhandled_exception);
  });
  auto* t = self->state.core.get();
  return {
      [=](start_atom) { t->start(); },
      [=](data_batch& m) { t->on_batch(m.channel, std::move(m.records)); },
      [=](const watermark_event& m) { t->on_watermark(m.channel, m.ts); },
      [=](const watermark_status_event& m) {
        t->on_watermark_status(m.channel,
                               m.idle ? watermark_status::idle : watermark_status::active);
      },
      [=](const barrier_event& m) { t->on_barrier(m.channel, m.checkpoint); },
      [=](const end_of_stream& m) { t->on_end(m.channel); },
      [=](const credit_grant& m) { t->on_credit(m.channel, m.credits); },
      [=](const trigger_barrier& m) { t->trigger_barrier(m.checkpoint); },
      [=](poll_atom) { t->on_poll(); },
      [=](resume_atom) { t->on_resume(); },
      [=](flush_atom) { t->on_flush(); },
      [=](timer_atom) { t->on_timer(); },
      [=](const checkpoint_complete& m) { t->on_checkpoint_complete(m.checkpoint); },
      [=](cancel_atom) {
        if (t->reported()) return;
        caf::anon_send(master, task_done{index, t->cancel()});
        self->quit();
      },
  };
}

}  // namespace

task_actor spawn_task(caf::local_actor* parent, std::shared_ptr<task_spec> spec,
                      task_directory peers, caf::actor master, caf::actor writer) {
  return parent->spawn(task_behavior, std::move(spec), std::move(peers), std::move(master),
                       std::move(writer));
}

}  // namespace dataflow::actors
