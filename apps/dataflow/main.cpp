// The dataflow command line: `dataflow --help`, `version`, `demo`, and for pipeline files
// `run`, `validate` and `graph`.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "dataflow/version.hpp"
#include "demo_job.hpp"
#include "pipeline_commands.hpp"

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

  dataflow::apps::run_options run;
  auto* r = app.add_subcommand("run", "Run a pipeline file embedded until its inputs are done");
  r->add_option("pipeline", run.pipeline, "The pipeline file (YAML)")->required();
  r->add_option("--progress", run.progress,
                "Progress line on stderr (records, MB, percent of input, records/s): auto shows "
                "it when stderr is a terminal")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "always", "never"}));
  r->add_flag_callback(
      "--no-progress", [&] { run.progress = "never"; }, "Same as --progress never");
  r->callback([&] { rc = dataflow::apps::run_pipeline(run); });

  std::string validate_path;
  auto* v = app.add_subcommand("validate", "Check a pipeline file and print its graph");
  v->add_option("pipeline", validate_path, "The pipeline file (YAML)")->required();
  v->callback([&] { rc = dataflow::apps::validate_pipeline(validate_path); });

  std::string graph_path;
  bool graph_json = false;
  auto* g = app.add_subcommand("graph", "Print a pipeline file's logical graph");
  g->add_option("pipeline", graph_path, "The pipeline file (YAML)")->required();
  g->add_flag("--json", graph_json, "As JSON");
  g->callback([&] { rc = dataflow::apps::print_pipeline_graph(graph_path, graph_json); });

  CLI11_PARSE(app, argc, argv);
  return rc;
}
