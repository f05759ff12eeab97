// The control port of `dataflow run --control-port N`: a small HTTP API on 127.0.0.1 over the
// running job's job_handle, so that scripts and `dataflow savepoint trigger` / `dataflow stop`
// can take savepoints and stop the job. Only the loopback address is served, and requests
// that carry an Origin header (a web page in a browser) are refused.
//
//   GET  /job        {"job": "clicks", "state": "running", "checkpoints": 4, ...}
//   POST /savepoint  body {} or {"target": "/dir"}  ->  {"savepoint": "/dir"}
//   POST /stop       body {} or {"target": "/dir"}  ->  {"savepoint": ..., "state": "stopped"}
//
// Errors answer {"error": "...", "code": "<errc>"} with 400 (a bad request or a target that
// cannot be used), 409 (the job is not running) or 500 (the savepoint failed). POST /stop
// answers once the job has ended.
//
// Thread-safety: requests are served on the server's own threads, which call the handle's
// thread-safe functions; the handle must outlive the server.
#pragma once

#include <memory>
#include <string>

#include "dataflow/api/executor.hpp"

namespace dataflow::apps {

class control_server {
 public:
  /// Binds 127.0.0.1:`port` (0 picks a free port, see port()), before the job starts, so
  /// that a port in use stops `run` before it has done anything.
  static expected<std::unique_ptr<control_server>> bind(int port);
  /// Serves `job` from now on, says where on stderr ("control port: 127.0.0.1:<port>") and,
  /// unless `port_file` is empty, writes the port and a newline to it (atomically: a script
  /// that finds the file finds the whole number).
  status serve(job_handle& job, const std::string& port_file);
  /// Stops serving; requests in progress finish first.
  ~control_server();
  control_server(const control_server&) = delete;
  control_server& operator=(const control_server&) = delete;

  /// The port it listens on.
  [[nodiscard]] int port() const noexcept;

 private:
  struct impl;
  explicit control_server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace dataflow::apps
