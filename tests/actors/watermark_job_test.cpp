// Whole jobs with idleness: one of two unioned sources goes silent, and the watermark after the
// union still advances because the silent one declares itself idle; when it speaks again its
// record arrives (late) and the watermark does not go back. Real actors and clocks, bounded
// waits only.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "dataflow/actors/local_environment.hpp"
#include "dataflow/time/split_watermarks.hpp"

using namespace dataflow;
using namespace std::chrono_literals;

namespace {

/// Reads five records (timestamps 0..4) at once, then nothing, never ending, except one record
/// at timestamp `*speak` when a test sets it. Idleness by split_watermarks (one split).
class quiet_reader final : public source_reader {
 public:
  quiet_reader(watermark_strategy ws, std::shared_ptr<std::atomic<timestamp>> speak)
      : watermarks_(std::move(ws)), speak_(std::move(speak)) {
    watermarks_.add_split();
  }

  poll_result poll(operator_output& out, std::size_t, timestamp now) override {
    auto& rs = out.records<int>();
    if (!started_) {
      started_ = true;
      for (int i = 0; i < 5; ++i) rs.push_back({-1 - i, i});
    }
    if (auto ts = speak_->exchange(0); ts != 0) rs.push_back({-100, ts});
    for (auto& r : rs) watermarks_.on_record(0, r.value, r.ts);
    read_ += rs.size();
    watermarks_.emit(out, now);
    timestamp wake = now + 5;  // to notice `speak`
    if (auto t = watermarks_.next_idle_check()) wake = std::min(wake, *t);
    return {poll_result::kind::wait, std::max(wake, now + 1)};
  }
  std::uint64_t position() const noexcept override { return read_; }

 private:
  split_watermarks watermarks_;
  std::shared_ptr<std::atomic<timestamp>> speak_;
  bool started_ = false;
  std::uint64_t read_ = 0;
};

std::vector<timestamp> watermarks_of(const collected<int>& c) {
  std::vector<timestamp> wms;
  for (auto& ev : c.events())
    if (auto* w = std::get_if<collected<int>::watermark_mark>(&ev)) wms.push_back(w->wm);
  return wms;
}

/// Waits (bounded) until `pred(collected)` holds.
template <class Pred>
bool eventually(const collected<int>& c, Pred pred) {
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!pred(c)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);  // polling with a deadline, not guessing
  }
  return true;
}

/// Idleness either in the quiet source itself or in an assigner right after it.
void run_with_a_silent_source(bool idleness_in_assigner) {
  local_environment env;
  env.options().threads = 2;
  env.options().channels.batch_size = 16;
  auto speak = std::make_shared<std::atomic<timestamp>>(0);
  auto idle_50ms = watermark_strategy::monotonous().with_idleness(50);
  auto source_strategy = idleness_in_assigner ? watermark_strategy::none() : idle_50ms;
  auto quiet = env.from_source<int>(
      [source_strategy, speak] { return std::make_unique<quiet_reader>(source_strategy, speak); },
      "quiet");
  if (idleness_in_assigner) quiet = quiet.assign_timestamps_and_watermarks(idle_50ms);
  generator_options go;
  go.rate = 4000;
  go.watermarks = watermark_strategy::monotonous();
  auto busy = env.from_generator<int>(
      [](std::uint64_t i) {
        return record<int>{static_cast<int>(i), static_cast<timestamp>(i)};
      },
      go, "busy");
  auto out = busy.union_with(quiet).collect();
  auto job = env.execute_async();
  REQUIRE(job);

  // The quiet source's own watermark stays at 3; the union's passes it only through idleness.
  bool advanced = eventually(*out, [](const collected<int>& c) {
    auto wms = watermarks_of(c);
    return !wms.empty() && wms.back() >= 1000;
  });
  CHECK(advanced);

  // It speaks again, far behind: the record arrives, late, and the watermark holds.
  speak->store(2);
  bool arrived = eventually(*out, [](const collected<int>& c) {
    for (auto& r : c.records())
      if (r.value == -100) return true;
    return false;
  });
  CHECK(arrived);
  // Then the watermark moves on again (the quiet source goes idle once more).
  auto before = watermarks_of(*out).back();
  CHECK(eventually(
      *out, [before](const collected<int>& c) { return watermarks_of(c).back() >= before + 200; }));

  (*job)->cancel();
  REQUIRE((*job)->wait_for(30s));
  auto r = (*job)->wait();
  REQUIRE(r);
  auto wms = watermarks_of(*out);
  for (std::size_t i = 1; i < wms.size(); ++i) CHECK(wms[i] > wms[i - 1]);  // never back
  std::size_t quiet_records = 0;
  for (auto& rec : out->records()) quiet_records += rec.value < 0;
  CHECK(quiet_records == 6);
}

}  // namespace

TEST_CASE("a silent source goes idle, so the union's watermark advances without it") {
  run_with_a_silent_source(false);
}

TEST_CASE("an assigner with idleness after a silent source does the same") {
  run_with_a_silent_source(true);
}

TEST_CASE("a split source reports watermarks merged over its splits in a job") {
  // Two splits on one instance: split 0 runs ahead in event time, split 1 lags. With per-split
  // watermarks no record reaches the sink behind a watermark it already saw.
  std::vector<std::vector<record<int>>> splits(2);
  for (int i = 0; i < 400; ++i) {
    splits[0].push_back({i, i * 100});
    splits[1].push_back({-i, i});
  }
  local_environment env;
  env.options().threads = 2;
  env.options().channels.batch_size = 8;
  env.set_parallelism(1);
  auto out = env.from_splits(splits, watermark_strategy::monotonous()).collect();
  auto r = env.execute();
  REQUIRE(r);
  timestamp wm = min_timestamp;
  std::size_t records = 0, late = 0;
  for (auto& ev : out->events()) {
    if (auto* w = std::get_if<collected<int>::watermark_mark>(&ev)) wm = w->wm;
    if (auto* rec = std::get_if<record<int>>(&ev)) {
      ++records;
      late += rec->ts <= wm;
    }
  }
  CHECK(records == 800);
  CHECK(late == 0);
  CHECK(wm == max_timestamp);
}
