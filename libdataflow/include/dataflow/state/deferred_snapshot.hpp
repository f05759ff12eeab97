// A snapshot taken now and written later. At a barrier the operator's task only freezes its state
// (heap states share their values copy-on-write, detail/heap_state.hpp) and hands over a
// function that writes the bytes; the node's state writer runs it on its own thread while the
// operator goes on. The bytes are those snapshot() would have written at the barrier.
//
//   auto frozen = op.snapshot_deferred();      // on the task, at the barrier
//   if (!frozen) return frozen.error();
//   op.on_batch(0, more, out);                 // the state goes on changing
//   std::string bytes;
//   if (auto s = (*frozen)(bytes); !s) ...     // later, on any thread: the state at the barrier
//
// The function owns what it reads (it may outlive the operator) and is called at most once.
// Thread-safety: the function may run on another thread than the one that made it.
#pragma once

#include <string>
#include <utility>

#include <absl/functional/any_invocable.h>

#include "dataflow/core/status.hpp"

namespace dataflow {

/// Appends the snapshot's bytes to `out`.
using deferred_snapshot = absl::AnyInvocable<status(std::string& out)>;

/// A deferred snapshot of bytes written already (what operators without frozen state hand over).
inline deferred_snapshot deferred_bytes(std::string bytes) {
  return deferred_snapshot([bytes = std::move(bytes)](std::string& out) mutable {
    if (out.empty())
      out.swap(bytes);
    else
      out.append(bytes);
    return status::ok();
  });
}

}  // namespace dataflow
