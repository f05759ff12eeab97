#include "state_writer.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <vector>

#include "dataflow/actors/channel_protocol.hpp"
#include "dataflow/checkpoint/instance_snapshot.hpp"

namespace dataflow::actors {
namespace {

struct state_writer_state {
  // Each instance's last snapshot size, by (uid, subtask): the next one's bytes are allocated
  // once at about that size instead of growing by doubling, which copied hundreds of MB.
  std::map<std::pair<std::string, int>, std::size_t> last_size;
  std::map<std::int64_t, std::string> directories;
  std::map<std::int64_t, std::vector<snapshot_report>> waiting;
  std::int64_t abandoned_up_to = 0;
};

using writer_ptr = caf::stateful_actor<state_writer_state>*;

snapshot_stored write(state_writer_state& st, const std::string& dir, snapshot_report& r) {
  snapshot_stored out{r.task, r.checkpoint, {}, {}};
  for (auto& part : r.parts) {
    auto written = [&]() -> expected<subtask_state> {
      if (part.deferred) {
        auto& last = st.last_size[{part.uid, part.subtask}];
        part.bytes.reserve(last + last / 8);  // state grows between checkpoints
        if (auto s = write_deferred_bytes(part); !s) return s;
        last = part.bytes.size();
      }
      return write_instance_snapshot(dir, part);
    }();
    std::string().swap(part.bytes);  // a large state's bytes need not wait for the others
    if (!written) {
      out.error = "writing the state of '" + part.uid + "' (instance " +
                  std::to_string(part.subtask + 1) + "): " + written.error().to_string();
      out.parts.clear();
      return out;
    }
    out.parts.push_back({part.uid, std::move(*written)});
  }
  return out;
}

caf::behavior state_writer(writer_ptr self, caf::actor master) {
  return {
      [=](checkpoint_begin& m) {
        auto& st = self->state;
        st.directories[m.checkpoint] = m.directory;
        // Older checkpoints are done or given up.
        st.directories.erase(st.directories.begin(), st.directories.find(m.checkpoint));
        st.waiting.erase(st.waiting.begin(), st.waiting.lower_bound(m.checkpoint));
        auto it = st.waiting.find(m.checkpoint);
        if (it == st.waiting.end()) return;
        for (auto& r : it->second) self->send(master, write(st, m.directory, r));
        st.waiting.erase(it);
      },
      [=](checkpoint_abandoned& m) {
        auto& st = self->state;
        st.directories.erase(m.checkpoint);
        st.waiting.erase(m.checkpoint);
        st.abandoned_up_to = std::max(st.abandoned_up_to, m.checkpoint);
        // Writes are done in order on this actor, so nothing is being written into it now;
        // best effort, as a leftover has no _metadata and is never restored.
        std::error_code ec;
        std::filesystem::remove_all(m.directory, ec);
      },
      [=](snapshot_report& r) {
        auto& st = self->state;
        auto it = st.directories.find(r.checkpoint);
        if (it == st.directories.end()) {
          if (r.checkpoint <= st.abandoned_up_to) return;  // given up
          if (st.directories.empty() || r.checkpoint > st.directories.rbegin()->first)
            st.waiting[r.checkpoint].push_back(std::move(r));
          return;  // else: a checkpoint already given up
        }
        self->send(master, write(st, it->second, r));
      },
  };
}

}  // namespace

caf::actor spawn_state_writer(caf::local_actor* parent, caf::actor master) {
  return parent->spawn<caf::detached>(state_writer, std::move(master));
}

}  // namespace dataflow::actors
