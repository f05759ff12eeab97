// The demo job: generated content-delivery events, counted per content item in 1-minute
// event-time windows (a keyed process function with state and timers).
#pragma once

#include <cstdint>
#include <string>

#include "dataflow/actors/local_environment.hpp"

namespace dataflow::apps {

struct demo_options {
  std::uint64_t events = 2'000'000;
  int parallelism = 2;
  double rate = 0;  // events/s; 0 = as fast as possible
  std::uint64_t contents = 1000;
  int top = 5;
  bool print_graph = false;
  bool work_stealing = false;
};

/// Runs the demo and prints its results and a one-line summary; returns the exit code.
int run_demo(const demo_options& opts);

}  // namespace dataflow::apps
