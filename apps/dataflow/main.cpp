// The dataflow command line: `dataflow --help`, `dataflow version`, `dataflow demo`.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "dataflow/version.hpp"
#include "demo_job.hpp"

int main(int argc, char** argv) {
  CLI::App app{"dataflow: event-time stream processing on actors"};
  app.require_subcommand(1);

  auto* version = app.add_subcommand("version", "Print the version");
  version->callback([] { std::printf("dataflow %s\n", dataflow::version()); });

  dataflow::apps::demo_options demo;
  auto* d = app.add_subcommand(
      "demo",
      "Run the demo job embedded: generated content-delivery events, requests per "
      "content item per minute of event time");
  d->add_option("--events", demo.events, "Events to generate")->capture_default_str();
  d->add_option("--parallelism,-p", demo.parallelism, "Instances per operator")
      ->capture_default_str()
      ->check(CLI::Range(1, 128));
  d->add_option("--rate", demo.rate, "Events per second, 0 for as fast as possible")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  d->add_option("--contents", demo.contents, "Distinct content items")
      ->capture_default_str()
      ->check(CLI::Range(1, 100'000'000));
  d->add_option("--top", demo.top, "Content items to list")->capture_default_str();
  d->add_flag("--graph", demo.print_graph, "Print the job graph first");
  d->add_flag("--work-sharing", demo.work_sharing,
              "Schedule actors from one shared queue instead of work stealing");
  int rc = 0;
  d->callback([&] { rc = dataflow::apps::run_demo(demo); });

  CLI11_PARSE(app, argc, argv);
  return rc;
}
