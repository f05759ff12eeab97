#include <cstdint>
#include <string>
#include <vector>

#include "dataflow/actors/local_environment.hpp"

struct view {
  std::string content;
  std::string user;
  std::int64_t bytes = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(content, user, bytes);
  }
};

int main() {
  using namespace dataflow;
  const duration_ms s = 1000, min = 60 * s;

  local_environment env;
  env.options().channels.batch_size = 1;  // a tiny input: let watermarks interleave with it

  std::vector<record<view>> views = {
      {{"intro", "ann", 100}, 10 * s},  {{"intro", "bob", 200}, 50 * s},
      {{"intro", "ann", 300}, 70 * s},  {{"news", "cat", 400}, 75 * s},
      {{"intro", "dan", 500}, 130 * s},  // watermark 124.999 s: windows ending at 60 s, 120 s fire
      {{"intro", "eve", 600}, 100 * s},  // late, within the lateness: [0 s, 120 s) fires again
      {{"intro", "fay", 700}, 190 * s},  // watermark 184.999 s: [60 s, 180 s) fires
      {{"intro", "gus", 800}, 20 * s},   // too late for all its windows: side output
  };
  output_tag<view> late{"late"};

  auto windows =
      env.from_collection(views, watermark_strategy::bounded_out_of_orderness(5 * s))
          .key_by([](const view& v) { return v.content; })
          .window(sliding_windows(2 * min, 1 * min))
          .allowed_lateness(30 * s)
          .side_output_late_data(late)
          .aggregate(agg::several(agg::count<view>(), agg::count_distinct(&view::user),
                                  agg::sum(&view::bytes)),
                     [](const std::string& content, const time_window& w, const auto& r) {
                       auto [n, users, bytes] = r;
                       return content + " [" + std::to_string(w.start / 1000) + "s, " +
                              std::to_string(w.end / 1000) + "s) views " + std::to_string(n) +
                              " users " + std::to_string(users) + " bytes " + std::to_string(bytes);
                     });
  windows.print("windows");
  windows.side_output(late)
      .map([](const view& v) { return "late: " + v.content + " " + v.user; })
      .print("late");

  return env.execute() ? 0 : 1;
}
