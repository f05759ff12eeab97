// The dataflow command line: `dataflow --help`, `version`, `demo`, and for pipeline files
// `run`, `validate`, `graph` and `savepoint check`. Usage errors exit 2.
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
  r->add_option("--state-backend", run.state_backend,
                "Where keyed state lives: memory or rocksdb (see docs/state-backends.md)");
  r->add_option("--state-dir", run.state_dir,
                "RocksDB: make the working directory under this one (default: the temp directory)");
  r->add_option("--checkpoint-dir", run.checkpoint_dir,
                "Take checkpoints into this directory (chk-<id>/; see docs/checkpoints.md)");
  r->add_option("--checkpoint-interval", run.checkpoint_interval,
                "How often to checkpoint, a duration such as 10s or 1m");
  r->add_option("--retained", run.retained, "Complete checkpoints to keep (default 3)")
      ->check(CLI::Range(1, 1 << 20));
  r->add_option("--from", run.from,
                "Restore from a checkpoint or savepoint directory, or the latest complete "
                "checkpoint in a checkpoints directory");
  r->add_flag("--allow-dropped-state", run.allow_dropped_state,
              "Restore even if operators with state are gone from the pipeline (their state is "
              "dropped)");
  r->callback([&] { rc = dataflow::apps::run_pipeline(run); });

  dataflow::apps::savepoint_check_options check;
  auto* sp = app.add_subcommand("savepoint", "Savepoint tools");
  sp->require_subcommand(1);
  auto* sc = sp->add_subcommand(
      "check",
      "Check that a pipeline file can restore from a checkpoint or savepoint, without running "
      "it: prints a report; exits 0 when compatible, 1 when not, 2 when something cannot be "
      "read");
  sc->add_option("pipeline", check.pipeline, "The pipeline file (YAML)")->required();
  sc->add_option("--from", check.from,
                 "A checkpoint or savepoint directory, or a checkpoints directory (its latest)")
      ->required();
  sc->add_flag("--allow-dropped-state", check.allow_dropped_state,
               "Accept that operators with state are gone from the pipeline");
  sc->callback([&] { rc = dataflow::apps::check_savepoint(check); });

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help is fine; a usage error exits 2
  }
  return rc;
}
