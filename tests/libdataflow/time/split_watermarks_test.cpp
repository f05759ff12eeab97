// Per-split watermarks inside one source: the minimum over active splits, idle splits left
// out, finished splits gone, and the reader's watermark never going back.
#include "dataflow/time/split_watermarks.hpp"

#include <doctest/doctest.h>

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
