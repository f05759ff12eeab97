#include "control_commands.hpp"

#include <httplib.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "dataflow/core/parse_duration.hpp"

namespace dataflow::apps {

namespace {

using json = nlohmann::json;

constexpr int exit_refused = 1, exit_usage = 2, exit_unreachable = 3;

/// Sends `body` to POST `path` and prints the savepoint's directory from the answer.
int post(const control_client_options& opts, const std::string& path, const char* what) {
  auto timeout = parse_duration(opts.timeout);
  if (!timeout || *timeout <= 0) {
    std::fprintf(stderr,
                 "dataflow: --timeout: expected a duration such as 30s or 10m, got \"%s\"\n",
                 opts.timeout.c_str());
    return exit_usage;
  }
  json body = json::object();
  if (!opts.target.empty()) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(opts.target, ec);
    body["target"] = ec ? opts.target : abs.lexically_normal().string();
  }
  const std::string where = "127.0.0.1:" + std::to_string(opts.port);
  httplib::Client client("127.0.0.1", opts.port);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::milliseconds(*timeout));
  auto res = client.Post(path, body.dump(), "application/json");
  if (!res) {
    const auto err = res.error();
    if (err == httplib::Error::Connection || err == httplib::Error::ConnectionTimeout)
      std::fprintf(stderr,
                   "dataflow: cannot connect to the control port at %s (is `dataflow run "
                   "--control-port` running there?)\n",
                   where.c_str());
    else if (err == httplib::Error::Read)
      std::fprintf(stderr, "dataflow: no answer from %s within %s (%s)\n", where.c_str(),
                   opts.timeout.c_str(), what);
    else
      std::fprintf(stderr, "dataflow: %s: %s\n", where.c_str(), httplib::to_string(err).c_str());
    return exit_unreachable;
  }
  auto answer = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (res->status == 200 && answer.is_object() && answer.contains("savepoint") &&
      answer["savepoint"].is_string()) {
    std::printf("%s\n", answer["savepoint"].get<std::string>().c_str());
    return 0;
  }
  if (answer.is_object() && answer.contains("error") && answer["error"].is_string()) {
    std::fprintf(stderr, "dataflow: %s failed: %s\n", what,
                 answer["error"].get<std::string>().c_str());
    return exit_refused;
  }
  std::fprintf(stderr, "dataflow: %s answered %d, not a control API answer: %s\n", where.c_str(),
               res->status, res->body.substr(0, 200).c_str());
  return exit_unreachable;
}

}  // namespace

int trigger_savepoint_command(const control_client_options& opts) {
  return post(opts, "/savepoint", "savepoint");
}

int stop_command(const control_client_options& opts) {
  return post(opts, "/stop", "stop with savepoint");
}

}  // namespace dataflow::apps
