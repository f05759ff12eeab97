// The hybrid source's rules, on scripted phase readers: history watermarks clamped below the
// switch time S, S - 1 (not the final watermark) at the end of the history, no regression at
// the switch, drops counted on both sides, no idleness during the history, side outputs passed
// through.
#include "dataflow/source/hybrid_source.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dataflow/api/environment.hpp"
#include "dataflow/source/generator_source.hpp"

using namespace dataflow;

namespace {

using kind = source_reader::poll_result::kind;

/// What a scripted reader writes in one poll.
struct step {
  step(std::vector<timestamp> r = {}, std::optional<timestamp> w = {},
       std::optional<watermark_status> st = {}, kind k = kind::more, int dead = 0)
      : records(std::move(r)), wm(w), status(st), what(k), dead_letters(dead) {}
  std::vector<timestamp> records;  // record i has value i and these timestamps
  std::optional<timestamp> wm;
  std::optional<watermark_status> status;
  kind what;
  int dead_letters;  // side-output records with tag "dead"
};

class scripted_reader final : public source_reader {
 public:
  scripted_reader(std::vector<step> steps, int* opened)
      : steps_(std::move(steps)), opened_(opened) {}
  void open(const operator_context&) override { ++*opened_; }
  poll_result poll(operator_output& out, std::size_t, timestamp) override {
    REQUIRE(next_ < steps_.size());  // the hybrid polled a phase after its end
    auto& s = steps_[next_++];
    for (auto ts : s.records) out.records<int>().push_back({static_cast<int>(read_++), ts});
    for (int i = 0; i < s.dead_letters; ++i) out.side<std::string>("dead").push_back({"bad", 0});
    if (s.wm) out.emit_watermark(*s.wm);
    if (s.status) out.emit_watermark_status(*s.status);
    return {s.what, 0};
  }
  std::uint64_t position() const noexcept override { return read_; }

 private:
  std::vector<step> steps_;
  std::size_t next_ = 0;
  std::uint64_t read_ = 0;
  int* opened_;
};

struct fixture {
  int history_opened = 0, live_opened = 0;
  std::shared_ptr<hybrid_source_progress> progress = std::make_shared<hybrid_source_progress>();

  hybrid_source_reader<int> make(std::vector<step> history, std::vector<step> live,
                                 timestamp switch_at) {
    hybrid_source_options o;
    o.history = [this, history] {
      return std::make_unique<scripted_reader>(history, &history_opened);
    };
    o.live = [this, live] { return std::make_unique<scripted_reader>(live, &live_opened); };
    o.switch_at = switch_at;
    o.progress = progress;
    hybrid_source_reader<int> r(o);
    r.open(operator_context{});
    return r;
  }
};

/// One poll's output.
struct polled {
  std::vector<timestamp> ts;
  std::optional<timestamp> wm;
  std::optional<watermark_status> status;
  std::size_t dead = 0;
  kind what = kind::more;
};

polled poll(hybrid_source_reader<int>& r) {
  operator_output out(&record_type_of<int>());
  polled p;
  p.what = r.poll(out, 100, 0).what;
  for (auto& rec : out.records<int>()) p.ts.push_back(rec.ts);
  p.wm = out.watermark();
  p.status = out.status_change();
  for (auto& [tag, b] : out.sides())
    if (tag == "dead") p.dead = b->size();
  return p;
}

/// Record i at ts i * 10, out of order by up to 25 ms; a generator history of records 0..69 and
/// a live generator starting over at record 50, switching at S = 550.
hybrid_source_options generator_phases() {
  auto fn = [](std::uint64_t i) {
    auto t = static_cast<timestamp>(i) * 10 - static_cast<timestamp>((i * 7) % 26);
    return record<int>{static_cast<int>(i), t};
  };
  generator_options h;
  h.count = 70;
  h.watermarks = watermark_strategy::bounded_out_of_orderness(30);
  generator_options l;
  l.count = 50;
  l.watermarks = watermark_strategy::bounded_out_of_orderness(30);
  hybrid_source_options o;
  o.history = [fn, h] { return std::make_unique<generator_source_reader<int>>(fn, h); };
  o.live = [fn, l] {
    return std::make_unique<generator_source_reader<int>>(
        [fn](std::uint64_t i) { return fn(i + 50); }, l);
  };
  o.switch_at = 550;
  return o;
}

}  // namespace

TEST_CASE("hybrid source: history watermarks are clamped below the switch time") {
  fixture f;
  auto r = f.make({{{10, 20}, 15}, {{30, 24, 26}, 28}, {{40}, 39}, {{}, {}, {}, kind::end}},
                  {{{}, {}, {}, kind::wait}}, 25);
  auto p = poll(r);
  CHECK(p.ts == std::vector<timestamp>{10, 20});
  CHECK(p.wm == 15);  // below S - 1: unchanged
  p = poll(r);
  CHECK(p.ts == std::vector<timestamp>{24});  // 30 and 26 are at or after S = 25: dropped
  CHECK(p.wm == 24);                          // 28 clamped to S - 1
  p = poll(r);
  CHECK(p.ts.empty());
  CHECK(!p.wm);  // 39 clamps to 24 again: nothing new
  CHECK(r.watermark() == 24);
  CHECK(r.history_dropped() == 3);
  CHECK(f.progress->history_dropped == 3);
  CHECK(!r.live());
  CHECK(f.live_opened == 0);  // the live reader is made at the switch, not before
}

TEST_CASE("hybrid source: the end of the history emits S - 1, not the final watermark") {
  fixture f;
  // The history's own strategy emits nothing (like watermark_strategy::none()).
  auto r = f.make({{{1, 2, 3}}, {{4}, {}, {}, kind::end}}, {{{}, {}, {}, kind::wait}}, 1000);
  CHECK(!poll(r).wm);
  auto p = poll(r);
  CHECK(p.ts == std::vector<timestamp>{4});
  CHECK(p.wm == 999);
  CHECK(p.what == kind::more);  // not the end: the live phase follows
  CHECK(r.live());
  CHECK(f.live_opened == 1);
  CHECK(f.progress->switched == 1);
  CHECK(poll(r).what == kind::wait);  // now the live reader answers
}

TEST_CASE("hybrid source: the live watermark never regresses below the history's") {
  fixture f;
  auto r =
      f.make({{{100}, 99, {}, kind::end}},
             {{{120, 130}, 119}, {{200}, 150}, {{210}, 160}, {{300}, 299, {}, kind::end}}, 120);
  auto p = poll(r);
  CHECK(p.wm == 119);  // the history's 99, then S - 1 at its end
  p = poll(r);
  CHECK(p.ts == std::vector<timestamp>{120, 130});
  CHECK(!p.wm);  // live 119 is not above 119
  p = poll(r);
  CHECK(p.wm == 150);
  p = poll(r);
  CHECK(p.wm == 160);
  p = poll(r);
  CHECK(p.wm == 299);
  CHECK(p.what == kind::end);  // a bounded live source ends the hybrid
}

TEST_CASE("hybrid source: live records before the switch are dropped and counted") {
  fixture f;
  auto r = f.make({{{5, 50, 60}, {}, {}, kind::end}}, {{{40, 49, 50, 51, 45}, 44}}, 50);
  auto p = poll(r);
  CHECK(p.ts == std::vector<timestamp>{5});
  CHECK(p.wm == 49);
  p = poll(r);
  CHECK(p.ts == std::vector<timestamp>{50, 51});
  CHECK(!p.wm);
  CHECK(r.history_dropped() == 2);
  CHECK(r.live_dropped() == 3);
  CHECK(f.progress->history_dropped == 2);
  CHECK(f.progress->live_dropped == 3);
  CHECK(r.position() == 8);  // records read from both phases, the dropped ones included
}

TEST_CASE("hybrid source: an instance in its history is never idle, in the live phase it may be") {
  fixture f;
  auto r = f.make(
      {{{1}, 0, watermark_status::idle},
       {{2}, 1, watermark_status::active},
       {{}, {}, {}, kind::end}},
      {{{}, {}, watermark_status::idle, kind::wait}, {{20, 21}, 20, watermark_status::active}}, 10);
  auto p = poll(r);
  CHECK(p.wm == 0);
  CHECK(!p.status);  // the history's idleness is not passed on
  CHECK(!poll(r).status);
  CHECK(poll(r).wm == 9);
  p = poll(r);
  CHECK(p.status == watermark_status::idle);
  CHECK(p.what == kind::wait);
  p = poll(r);
  CHECK(p.status == watermark_status::active);
  CHECK(p.wm == 20);
}

TEST_CASE("hybrid source: side outputs of both phases pass through") {
  fixture f;
  auto r = f.make({{{1}, {}, {}, kind::more, 2}, {{}, {}, {}, kind::end, 1}},
                  {{{5}, {}, {}, kind::more, 4}}, 5);
  CHECK(poll(r).dead == 2);
  CHECK(poll(r).dead == 1);
  auto p = poll(r);
  CHECK(p.dead == 4);
  CHECK(p.ts == std::vector<timestamp>{5});
}

TEST_CASE("hybrid source: a generator history and a generator live phase split by event time") {
  // Record i at ts i * 10, out of order by up to 25 ms; the history has records 0..69, the live
  // phase starts over at record 50: those of 50..69 on each side of S = 550 appear once. The
  // history's own watermark passes S (up to about 690 - 31), so without the clamp live records
  // would be late.
  const hybrid_source_options o = generator_phases();
  hybrid_source_reader<int> r(o);
  operator_context ctx;
  r.open(ctx);
  operator_output out(&record_type_of<int>());
  std::vector<int> seen;
  timestamp wm = min_timestamp;
  std::size_t late = 0;
  for (int polls = 0; polls < 1000; ++polls) {
    auto res = r.poll(out, 7, 0);
    for (auto& rec : out.records<int>()) {
      seen.push_back(rec.value);
      if (rec.ts <= wm) ++late;
    }
    if (out.watermark()) {
      CHECK(*out.watermark() > wm);
      wm = *out.watermark();
    }
    out.clear();
    if (res.what == kind::end) break;
  }
  std::sort(seen.begin(), seen.end());
  std::vector<int> all(100);
  for (int i = 0; i < 100; ++i) all[static_cast<std::size_t>(i)] = i;
  CHECK(seen == all);  // every record exactly once
  CHECK(late == 0);
  CHECK(r.history_dropped() + r.live_dropped() == 20);
}

TEST_CASE("hybrid source: restored at any poll, in either phase, it goes on as if never stopped") {
  // The generator history and live phases above; the reference is one uninterrupted read, in
  // polls of 7. Then for every k: read k polls, snapshot, restore into a fresh reader, read on.
  // Records, watermarks and drop counts must equal the reference's, poll for poll.
  const hybrid_source_options o = generator_phases();
  struct polled {
    std::vector<std::pair<int, timestamp>> records;
    std::optional<timestamp> wm;
    bool operator==(const polled&) const = default;
  };
  operator_context ctx;
  auto read = [&](hybrid_source_reader<int>& r, std::vector<polled>& polls, int max_polls) {
    operator_output out(&record_type_of<int>());
    for (int i = 0; i < max_polls; ++i) {
      auto res = r.poll(out, 7, 0);
      polled p;
      for (auto& rec : out.records<int>()) p.records.emplace_back(rec.value, rec.ts);
      p.wm = out.watermark();
      polls.push_back(std::move(p));
      out.clear();
      if (res.what == kind::end) return true;
    }
    return false;
  };
  std::vector<polled> reference;
  hybrid_source_reader<int> whole(o);
  whole.open(ctx);
  REQUIRE(read(whole, reference, 1000));
  REQUIRE(reference.size() > 15);
  for (int k = 0; k + 1 < static_cast<int>(reference.size()); ++k) {
    CAPTURE(k);
    std::vector<polled> polls;
    hybrid_source_reader<int> first(o);
    first.open(ctx);
    REQUIRE_FALSE(read(first, polls, k));
    std::string bytes;
    REQUIRE(first.snapshot(bytes));
    hybrid_source_reader<int> second(o);
    REQUIRE(second.restore(bytes));
    second.open(ctx);
    CHECK(second.live() == first.live());
    CHECK(second.watermark() == first.watermark());
    REQUIRE(read(second, polls, 1000));
    CHECK(polls == reference);
    CHECK(second.history_dropped() + second.live_dropped() == 20);
  }
  std::string garbage = "not a snapshot";
  hybrid_source_reader<int> bad(o);
  auto s = bad.restore(garbage);
  CHECK_FALSE(s);
  CHECK(s.to_string().find("hybrid source") != std::string::npos);
}

TEST_CASE("hybrid source: from_hybrid checks its options") {
  environment env;
  hybrid_source_options o;
  CHECK_THROWS_AS(env.from_hybrid<int>(o), std::invalid_argument);
  o.history = [] { return std::unique_ptr<source_reader>(); };
  o.live = o.history;
  CHECK_THROWS_AS(env.from_hybrid<int>(o), std::invalid_argument);  // no switch_at
  o.switch_at = 0;
  CHECK(env.from_hybrid<int>(o, "h").node_id() >= 0);
}
