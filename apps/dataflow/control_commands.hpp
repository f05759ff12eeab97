// The dataflow CLI's clients of a job's control port (control_server.hpp): take a savepoint of
// a running job, and stop it with one. Both print the savepoint's directory on stdout.
// Exit codes: 0 done; 1 the job refused or the savepoint failed (the job's reason on stderr);
// 2 a usage error; 3 the control port could not be reached or gave no answer in time.
#pragma once

#include <string>

namespace dataflow::apps {

struct control_client_options {
  /// The control port on 127.0.0.1 (as `dataflow run --control-port` printed it).
  int port = 0;
  /// The savepoint's directory (made absolute here); empty: <checkpoint dir>/savepoint-<id>.
  std::string target;
  /// How long to wait for the answer, a duration such as 30s or 10m.
  std::string timeout = "10m";
};

/// `dataflow savepoint trigger --port N [--target DIR]`: POST /savepoint.
int trigger_savepoint_command(const control_client_options& opts);
/// `dataflow stop --port N [--savepoint DIR]`: POST /stop; returns once the job has ended.
int stop_command(const control_client_options& opts);

}  // namespace dataflow::apps
