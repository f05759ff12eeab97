#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dataflow/actors/local_environment.hpp"

using word_count = std::pair<std::string, long>;

// Emits each word's total once: every element sets the same timer at the end of time, and the
// final watermark (max_timestamp) of a bounded input fires it.
struct total_count final : dataflow::keyed_process_function<std::string, std::string, word_count> {
  void process_element(const std::string&, context& ctx) override {
    auto& count = ctx.state().value<long>("count");  // the current key's value
    count.update(count.value_or(0) + 1);
    ctx.register_event_time_timer(dataflow::max_timestamp);  // one timer per (key, time)
  }
  void on_timer(dataflow::timestamp, dataflow::time_domain, context& ctx) override {
    ctx.output({ctx.current_key(), ctx.state().value<long>("count").value_or(0)});
  }
};

int main() {
  dataflow::local_environment env;
  env.set_parallelism(2);

  std::vector<std::string> lines{"to be or not to be", "that is the question"};
  auto totals = env.from_collection(lines)  // value i gets timestamp i
                    .flat_map<std::string>(
                        [](const std::string& line, dataflow::collector<std::string>& out) {
                          std::istringstream is(line);
                          for (std::string w; is >> w;) out.collect(w);
                        })
                    .key_by([](const std::string& w) { return w; })
                    .process<word_count>(total_count{})
                    .collect();

  auto result = env.execute();  // returns when the bounded source is done
  if (!result) {
    std::cerr << result.error().to_string() << "\n";  // e.g. "operator_failed: operator 'x' ..."
    return 1;
  }
  for (auto& [word, n] : totals->values()) std::cout << word << " " << n << "\n";
  std::cout << result->source_records() << " lines in " << result->seconds() << " s\n";
}
