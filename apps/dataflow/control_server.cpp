#include "control_server.hpp"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

namespace dataflow::apps {

namespace {

using json = nlohmann::json;

void reply(httplib::Response& res, int code, const json& body) {
  res.status = code;
  res.set_content(body.dump() + "\n", "application/json");
}

void reply_error(httplib::Response& res, const status& s) {
  int code = 500;
  if (s.code() == errc::invalid_configuration) code = 400;
  if (s.code() == errc::not_running) code = 409;
  reply(res, code, {{"error", s.message()}, {"code", std::string(to_string(s.code()))}});
}

/// The target directory of a POST body: empty, {} or {"target": "/dir"}.
expected<std::string> target_of(const httplib::Request& req) {
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) return std::string();
  auto body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object())
    return status{errc::invalid_configuration,
                  "the body must be a JSON object such as {\"target\": \"/dir\"}"};
  auto it = body.find("target");
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string())
    return status{errc::invalid_configuration, "\"target\" must be a directory path (a string)"};
  return it->get<std::string>();
}

json to_json(const job_status& s) {
  auto or_null = [](const std::string& v) { return v.empty() ? json(nullptr) : json(v); };
  return {{"job", s.job},
          {"state", std::string(to_string(s.state))},
          {"checkpoints", s.checkpoints_completed},
          {"savepoints", s.savepoints_completed},
          {"checkpoints_aborted", s.checkpoints_aborted},
          {"latest_checkpoint", or_null(s.latest_checkpoint)},
          {"latest_savepoint", or_null(s.latest_savepoint)},
          {"pending_checkpoint", s.pending_checkpoint ? json(s.pending_checkpoint) : json(nullptr)},
          {"checkpoint_directory", or_null(s.checkpoint_directory)},
          {"restored_from", or_null(s.restored_from)},
          {"tasks", s.tasks},
          {"tasks_ended", s.tasks_ended}};
}

}  // namespace

struct control_server::impl {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::atomic<bool> listening_ended{false};
};

control_server::control_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

control_server::~control_server() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int control_server::port() const noexcept {
  return impl_->port;
}

expected<std::unique_ptr<control_server>> control_server::start(job_handle& job, int port) {
  auto p = std::make_unique<impl>();
  auto& svr = p->server;
  // Few threads, and one request per connection, so that stopping never waits for an idle
  // keep-alive connection.
  svr.new_task_queue = [] { return new httplib::ThreadPool(4); };
  svr.set_keep_alive_max_count(1);
  svr.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_header("Origin")) return httplib::Server::HandlerResponse::Unhandled;
    reply(res, 403, {{"error", "requests from web pages (with an Origin header) are refused"}});
    return httplib::Server::HandlerResponse::Handled;
  });
  svr.Get("/job", [&job](const httplib::Request&, httplib::Response& res) {
    auto s = job.current_status();
    if (!s) return reply_error(res, s.error());
    reply(res, 200, to_json(*s));
  });
  auto savepoint = [&job](bool stop) {
    return [&job, stop](const httplib::Request& req, httplib::Response& res) {
      auto target = target_of(req);
      if (!target) return reply_error(res, target.error());
      auto path = stop ? job.stop_with_savepoint(*target) : job.trigger_savepoint(*target);
      if (!path) return reply_error(res, path.error());
      json body{{"savepoint", *path}};
      if (stop) body["state"] = "stopped";
      reply(res, 200, body);
    };
  };
  svr.Post("/savepoint", savepoint(false));
  svr.Post("/stop", savepoint(true));
  svr.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status != 404) return;
    reply(res, 404,
          {{"error",
            "no such endpoint: the control API has GET /job, POST /savepoint and "
            "POST /stop"}});
  });

  const std::string host = "127.0.0.1";
  if (port == 0) {
    p->port = svr.bind_to_any_port(host);
    if (p->port < 0)
      return status{errc::io_error, "cannot listen on " + host + ": no free port to bind"};
  } else {
    if (!svr.bind_to_port(host, port))
      return status{errc::io_error, "cannot listen on " + host + ":" + std::to_string(port) +
                                        " (in use, or not permitted)"};
    p->port = port;
  }
  auto* srv = p.get();
  p->thread = std::thread([srv] {
    srv->server.listen_after_bind();
    srv->listening_ended = true;
  });
  // stop() does nothing before the server runs, so the destructor must not come earlier.
  while (!svr.is_running() && !p->listening_ended)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (p->listening_ended) {
    p->thread.join();
    return status{errc::io_error, "cannot serve on " + host + ":" + std::to_string(p->port)};
  }
  return std::unique_ptr<control_server>(new control_server(std::move(p)));
}

expected<std::unique_ptr<control_server>> control_server::start_announced(
    job_handle& job, int port, const std::string& port_file) {
  auto server = start(job, port);
  if (!server) return server;
  std::fprintf(stderr, "control port: 127.0.0.1:%d\n", (*server)->port());
  if (!port_file.empty()) {
    const std::string tmp = port_file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << (*server)->port() << "\n";
      if (!out.flush()) return status{errc::io_error, "cannot write the control port to " + tmp};
    }
    std::error_code ec;
    std::filesystem::rename(tmp, port_file, ec);
    if (ec)
      return status{errc::io_error,
                    "cannot write the control port to " + port_file + ": " + ec.message()};
  }
  return server;
}

}  // namespace dataflow::apps
