// Per-split watermarks inside one source: the minimum over active splits, idle splits left
// out, finished splits gone, and the reader's watermark never going back.
#include "dataflow/time/split_watermarks.hpp"

#include <doctest/doctest.h>

#include <utility>

#include "dataflow/state/versioned_snapshot.hpp"
#include "dataflow/time/watermark_state.hpp"

using namespace dataflow;

namespace {

/// What one emit() wrote.
struct emitted {
  std::optional<timestamp> wm;
  std::optional<watermark_status> status;
};

emitted emit(split_watermarks& w, timestamp now) {
  operator_output out(&record_type_of<int>());
  w.emit(out, now);
  return {out.watermark(), out.status_change()};
}

}  // namespace

TEST_CASE("split watermarks: the reader's watermark is the minimum over its splits") {
  split_watermarks w(watermark_strategy::monotonous());
  auto a = w.add_split(0), b = w.add_split(0);
  w.on_record(a, 0, 1000);
  CHECK_FALSE(emit(w, 1).wm);  // b has said nothing: it holds the minimum
  w.on_record(b, 0, 10);
  CHECK(emit(w, 2).wm == 9);
  w.on_record(b, 0, 500);
  CHECK(emit(w, 3).wm == 499);
  CHECK(w.split_watermark(a) == 999);
  CHECK(w.current() == 499);
  w.on_record(b, 0, 2000);
  CHECK(emit(w, 4).wm == 999);
}

TEST_CASE("split watermarks: a finished split leaves the minimum") {
  split_watermarks w(watermark_strategy::monotonous());
  auto a = w.add_split(0), b = w.add_split(0);
  w.on_record(a, 0, 100);
  w.on_record(b, 0, 5000);
  CHECK(emit(w, 0).wm == 99);
  w.finish_split(a);
  CHECK(emit(w, 0).wm == 4999);
}

TEST_CASE("split watermarks: an idle split is excluded, rejoins, and nothing regresses") {
  split_watermarks w(watermark_strategy::monotonous().with_idleness(100));
  auto a = w.add_split(0), b = w.add_split(0);
  w.on_record(a, 0, 10);
  w.on_record(b, 0, 20);
  CHECK(emit(w, 0).wm == 9);
  CHECK(w.next_idle_check() == 100);
  // a keeps reading, b goes silent.
  w.on_record(a, 0, 50);
  auto e = emit(w, 60);
  CHECK(e.wm == 19);                  // b still active: it holds the minimum
  CHECK(w.next_idle_check() == 100);  // b's deadline comes first
  w.on_record(a, 0, 80);
  e = emit(w, 100);
  CHECK(w.split_idle(b));
  CHECK(e.wm == 79);      // b left the minimum
  CHECK_FALSE(e.status);  // a is active, so the reader is
  // b speaks again, behind the reader's watermark: it holds it back, never moves it back.
  w.on_record(b, 0, 30);
  w.on_record(a, 0, 200);
  e = emit(w, 120);
  CHECK_FALSE(w.split_idle(b));
  CHECK_FALSE(e.wm);
  CHECK(w.current() == 79);
  w.on_record(b, 0, 150);
  w.on_record(a, 0, 210);
  CHECK(emit(w, 130).wm == 149);  // b caught up: the minimum is b's again
}

TEST_CASE("split watermarks: the reader is idle when every split is, active with any record") {
  split_watermarks w(watermark_strategy::bounded_out_of_orderness(0).with_idleness(50));
  auto a = w.add_split(), b = w.add_split();  // clocks start at the first emit
  CHECK(w.status() == watermark_status::active);
  w.on_record(a, 0, 100);
  w.on_record(b, 0, 100);
  CHECK(emit(w, 1000).wm == 99);
  CHECK_FALSE(emit(w, 1049).status);
  auto e = emit(w, 1050);
  CHECK(e.status == watermark_status::idle);
  CHECK(w.status() == watermark_status::idle);
  CHECK_FALSE(w.next_idle_check());
  CHECK_FALSE(emit(w, 2000).status);  // said once
  w.on_record(b, 0, 300);
  e = emit(w, 2001);
  CHECK(e.status == watermark_status::active);
  CHECK(e.wm == 299);  // a is still idle: only b counts
  CHECK(w.next_idle_check() == 2051);
}

TEST_CASE("split watermarks: saved state restored into a new object goes on the same way") {
  // Two splits, one finished and one behind; the copy must emit what the original emits.
  auto strategy = watermark_strategy::bounded_out_of_orderness(10).with_idleness(100);
  split_watermarks w(strategy);
  auto a = w.add_split(0), b = w.add_split(0), c = w.add_split(0);
  w.on_record(a, 0, 1000);
  w.on_record(b, 0, 500);
  w.on_record(c, 0, 2000);
  CHECK(emit(w, 1).wm == 489);
  w.finish_split(b);
  w.on_record(a, 0, 1200);
  CHECK(emit(w, 2).wm == 1189);
  w.on_record(a, 0, 1300);  // read, not yet emitted: the state holds the maximum

  std::string bytes = write_versioned_snapshot(1, watermark_state(std::as_const(w)));
  split_watermarks copy(strategy);
  auto part = watermark_state(copy);
  REQUIRE(read_versioned_snapshot(bytes, 1, "test", part));
  REQUIRE(copy.size() == 3);
  CHECK(copy.current() == 1189);
  CHECK(copy.split_finished(b));
  CHECK_FALSE(copy.split_finished(a));
  CHECK(copy.split_watermark(c) == 1989);
  for (auto* x : {&w, &copy}) {
    CHECK(emit(*x, 3).wm == 1289);
    x->on_record(c, 0, 2500);
    CHECK_FALSE(emit(*x, 4).wm);  // a holds the minimum back
    x->finish_split(a);
    CHECK(emit(*x, 5).wm == 2489);
  }
}

TEST_CASE("split watermarks: the idleness clock restarts after a restore") {
  auto strategy = watermark_strategy::monotonous().with_idleness(100);
  split_watermarks w(strategy);
  auto a = w.add_split(0);
  w.on_record(a, 0, 50);
  CHECK(emit(w, 0).wm == 49);
  CHECK(emit(w, 150).status == watermark_status::idle);  // silent for the timeout
  std::string bytes = write_versioned_snapshot(1, watermark_state(std::as_const(w)));

  split_watermarks copy(strategy);
  auto part = watermark_state(copy);
  REQUIRE(read_versioned_snapshot(bytes, 1, "test", part));
  CHECK(copy.status() == watermark_status::active);
  CHECK_FALSE(copy.split_idle(a));
  CHECK(copy.next_idle_check() == std::nullopt);  // the clock starts at the next emit
  auto first = emit(copy, 1000);
  CHECK_FALSE(first.wm);  // 49 was emitted before the checkpoint
  CHECK_FALSE(first.status);
  CHECK(copy.next_idle_check() == 1100);
  CHECK(emit(copy, 1100).status == watermark_status::idle);
}

TEST_CASE("watermark generator: saved state keeps the maximum, the punctuation and the emitted") {
  auto strategy = watermark_strategy::bounded_out_of_orderness(5);
  watermark_generator g(strategy);
  g.on_event(100);
  CHECK(g.poll() == 94);
  g.on_event(200);
  std::string bytes = write_versioned_snapshot(1, watermark_state(std::as_const(g)));
  watermark_generator copy(strategy);
  auto part = watermark_state(copy);
  REQUIRE(read_versioned_snapshot(bytes, 1, "test", part));
  CHECK(copy.current() == 94);
  CHECK(copy.poll() == 194);
  CHECK_FALSE(copy.poll());
}
