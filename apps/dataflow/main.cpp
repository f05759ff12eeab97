// The dataflow command line: `dataflow --help`, `version`, `demo`, for pipeline files `run`,
// `validate`, `graph` and `savepoint check`, and for a job running with a control port
// `savepoint trigger` and `stop`. Usage errors exit 2.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "control_commands.hpp"
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
  d->add_flag("--work-stealing", demo.work_stealing,
              "Schedule actors by work stealing instead of from one shared queue");
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
  r->add_option("--checkpoint-timeout", run.checkpoint_timeout,
                "Give up a checkpoint or savepoint not complete after this long (default 10m; "
                "0: never)");
  r->add_flag("--snapshot-on-task", run.snapshot_on_task,
              "Write each operator's snapshot on its task, which stops for that long, instead of "
              "on the state writer's thread (less CPU and memory in all)");
  r->add_option("--retained", run.retained, "Complete checkpoints to keep (default 3)")
      ->check(CLI::Range(1, 1 << 20));
  r->add_option("--buffer-timeout", run.buffer_timeout,
                "How long a partly filled batch waits, and how often a waiting source polls: a "
                "duration such as 20ms (default: the file's channels.buffer_timeout, or 1ms)");
  r->add_option("--from", run.from,
                "Restore from a checkpoint or savepoint directory, or the latest complete "
                "checkpoint in a checkpoints directory");
  r->add_flag("--allow-dropped-state", run.allow_dropped_state,
              "Restore even if operators with state are gone from the pipeline (their state is "
              "dropped)");
  auto* cp = r->add_option("--control-port", run.control_port,
                           "Serve the control API (savepoints, stop, status) over HTTP on "
                           "127.0.0.1 at this port; 0 picks a free one, printed on stderr")
                 ->check(CLI::Range(0, 65535));
  r->add_option("--control-port-file", run.control_port_file,
                "Also write the control port to this file")
      ->needs(cp);
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

  dataflow::apps::control_client_options control;
  auto add_port = [&](CLI::App* cmd) {
    cmd->add_option("--port", control.port,
                    "The control port of the running job (dataflow run --control-port)")
        ->required()
        ->check(CLI::Range(1, 65535));
    cmd->add_option("--timeout", control.timeout, "How long to wait for the answer")
        ->capture_default_str();
  };
  auto* st = sp->add_subcommand(
      "trigger",
      "Take a savepoint of a running job through its control port and print its directory; "
      "exits 0 when taken, 1 when the job refused or the savepoint failed, 3 when the port "
      "cannot be reached");
  add_port(st);
  st->add_option("--target", control.target,
                 "A new or empty directory for the savepoint (default: <checkpoint "
                 "dir>/savepoint-<id>)");
  st->callback([&] { rc = dataflow::apps::trigger_savepoint_command(control); });

  auto* stop = app.add_subcommand(
      "stop",
      "Stop a running job with a savepoint through its control port (no final watermark: open "
      "windows stay in the savepoint) and print the savepoint's directory once the job has "
      "ended; exits 0 when stopped, 1 when the savepoint failed (the job keeps running), 3 "
      "when the port cannot be reached");
  add_port(stop);
  stop->add_option("--savepoint", control.target,
                   "A new or empty directory for the savepoint (default: <checkpoint "
                   "dir>/savepoint-<id>)");
  stop->callback([&] { rc = dataflow::apps::stop_command(control); });

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
