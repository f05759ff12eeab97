#include "control_server.hpp"

#include <httplib.h>
#include <sys/socket.h>

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
  job_handle* job = nullptr;
  std::thread thread;
  int port = 0;
  std::atomic<bool> listening_ended{false};
};

control_server::control_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

control_server::~control_server() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}  // a server bound but never served closes its socket at exit

int control_server::port() const noexcept {
  return impl_->port;
}

expected<std::unique_ptr<control_server>> control_server::bind(int port) {
  auto p = std::make_unique<impl>();
  auto* self = p.get();
  auto& svr = p->server;
  // Few threads, and one request per connection, so that stopping never waits for an idle
  // keep-alive connection.
  svr.new_task_queue = [] { return new httplib::ThreadPool(4); };
  svr.set_keep_alive_max_count(1);
  // httplib's default sets SO_REUSEPORT, with which a second `run` could listen on the same
  // port and the kernel would share the requests between the two jobs. SO_REUSEADDR only
  // lets a restarted run take a port whose old connections are in TIME_WAIT.
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  svr.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_header("Origin")) return httplib::Server::HandlerResponse::Unhandled;
    reply(res, 403, {{"error", "requests from web pages (with an Origin header) are refused"}});
    return httplib::Server::HandlerResponse::Handled;
  });
  // Requests are handled only once serve() has set the job (the accept loop starts there).
  svr.Get("/job", [self](const httplib::Request&, httplib::Response& res) {
    auto s = self->job->current_status();
    if (!s) return reply_error(res, s.error());
    reply(res, 200, to_json(*s));
  });
  auto savepoint = [self](bool stop) {
    return [self, stop](const httplib::Request& req, httplib::Response& res) {
      auto target = target_of(req);
      if (!target) return reply_error(res, target.error());
      auto& job = *self->job;
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
  return std::unique_ptr<control_server>(new control_server(std::move(p)));
}

status control_server::serve(job_handle& job, const std::string& port_file) {
  auto* self = impl_.get();
  self->job = &job;
  self->thread = std::thread([self] {
    self->server.listen_after_bind();
    self->listening_ended = true;
  });
  // stop() does nothing before the server runs, so the destructor must not come earlier.
  while (!self->server.is_running() && !self->listening_ended)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (self->listening_ended)
    return status{errc::io_error, "cannot serve on 127.0.0.1:" + std::to_string(self->port)};
  std::fprintf(stderr, "control port: 127.0.0.1:%d\n", self->port);
  if (port_file.empty()) return status::ok();
  const std::string tmp = port_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << self->port << "\n";
    if (!out.flush()) return status{errc::io_error, "cannot write the control port to " + tmp};
  }
  std::error_code ec;
  std::filesystem::rename(tmp, port_file, ec);
  if (ec)
    return status{errc::io_error,
                  "cannot write the control port to " + port_file + ": " + ec.message()};
  return status::ok();
}

}  // namespace dataflow::apps
