// The output side of an operator instance: routes produced records into per-channel batches,
// seals a batch when it is full (or on flush), and queues batches and control events
// (watermark, status, barrier, end) per channel in stream order. Batches leave only with credit;
// control events leave when they reach the head of their channel's queue. The actor that owns the
// gate only sends what drain() hands it. Thread-safety: owned by one operator instance.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "dataflow/operator/operator_output.hpp"
#include "dataflow/runtime/channel_options.hpp"
#include "dataflow/runtime/router.hpp"

namespace dataflow {

/// One item on a channel, in order.
struct channel_event {
  enum class kind : std::uint8_t { batch, watermark, barrier, end, status };
  kind what = kind::batch;
  batch_ptr records;       // for batch
  std::int64_t value = 0;  // watermark timestamp, checkpoint id, or a watermark_status
};

class output_gate {
 public:
  /// One receiving instance of one edge.
  struct channel {
    std::uint32_t id = 0;
    int target_task = 0;
    int credit = 0;
    std::unique_ptr<batch_base> building;
    std::deque<channel_event> outbox;
    // Metrics.
    std::uint64_t batches_sent = 0;
    std::uint64_t records_sent = 0;
    int in_flight = 0;
    int max_in_flight = 0;
  };

  /// An edge leaving this instance; `side_tag` empty means the main output.
  struct edge_spec {
    std::string side_tag;
    std::unique_ptr<router> route;
    const record_type* type = nullptr;
    std::vector<std::pair<std::uint32_t, int>> channels;  // (channel id, target task)
  };

  output_gate(const channel_options& opts, std::vector<edge_spec> edges);

  /// Routes everything in `out` (main and side outputs) and seals full batches. Leaves `out`'s
  /// records moved-from; the caller clears it. Does not look at out.watermark().
  void push(operator_output& out);

  /// Seals every partly filled batch (buffer timeout).
  void flush();

  /// Flushes, then queues the event on every channel.
  void push_watermark(timestamp t);
  void push_barrier(std::int64_t checkpoint);
  void push_status(watermark_status s);
  void push_end();

  /// Credit came back for channel `id`.
  void add_credit(std::uint32_t id, int n);

  /// Hands every event that may leave now to `send(const channel&, channel_event&&)`.
  template <class Send>
  void drain(Send&& send) {
    for (auto& ch : channels_) {
      while (!ch.outbox.empty()) {
        auto& ev = ch.outbox.front();
        if (ev.what == channel_event::kind::batch) {
          if (ch.credit <= 0) break;
          --ch.credit;
          ++ch.batches_sent;
          ch.records_sent += ev.records->size();
          if (++ch.in_flight > ch.max_in_flight) ch.max_in_flight = ch.in_flight;
        }
        send(static_cast<const channel&>(ch), std::move(ev));
        ch.outbox.pop_front();
      }
    }
  }

  /// True when some channel holds a sealed batch it has no credit for: stop consuming input.
  [[nodiscard]] bool backlogged() const noexcept;
  /// True when nothing waits to be sent (partial batches aside).
  [[nodiscard]] bool drained() const noexcept;
  /// True when some batch is partly filled (the buffer timeout matters).
  [[nodiscard]] bool has_partial() const noexcept;

  [[nodiscard]] const std::vector<channel>& channels() const noexcept { return channels_; }

 private:
  struct edge {
    std::string side_tag;
    std::unique_ptr<router> route;
    std::vector<std::size_t> channel_index;
    std::vector<batch_base*> targets;
  };
  void seal(channel& ch);
  void route_into(edge& e, batch_base& produced, bool move);
  void push_control(channel_event::kind what, std::int64_t value);

  channel_options opts_;
  std::vector<edge> edges_;
  std::vector<channel> channels_;
  std::vector<std::size_t> channel_by_id_;  // id - min_id -> index
  std::uint32_t min_id_ = 0;
};

}  // namespace dataflow
