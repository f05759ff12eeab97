// The process-wide table of field names. Names live in fixed-size chunks that never move, so
// name() reads them without a lock: an id is only ever handed out (under the lock) after its
// name was stored, and a chunk pointer is published with release/acquire.
#include "dataflow/row/field_id.hpp"

#include <absl/container/flat_hash_map.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace dataflow {
namespace {

constexpr std::size_t chunk_size = 4096;
constexpr std::size_t max_chunks = 4096;  // 16M names

struct name_table {
  std::mutex mu;
  absl::flat_hash_map<std::string, std::uint32_t> ids;
  std::array<std::atomic<std::string*>, max_chunks> chunks{};
  std::atomic<std::uint32_t> count{0};

  ~name_table() {
    for (auto& c : chunks) delete[] c.load();
  }
};

name_table& table() {
  static name_table t;
  return t;
}

}  // namespace

field_id field_id::of(std::string_view name) {
  auto& t = table();
  std::lock_guard<std::mutex> g(t.mu);
  if (auto it = t.ids.find(absl::string_view(name.data(), name.size())); it != t.ids.end())
    return field_id(it->second);
  auto index = t.count.load(std::memory_order_relaxed);
  auto chunk = index / chunk_size;
  if (chunk >= max_chunks) throw std::length_error("too many distinct field names");
  auto* c = t.chunks[chunk].load(std::memory_order_relaxed);
  if (!c) {
    c = new std::string[chunk_size];
    t.chunks[chunk].store(c, std::memory_order_release);
  }
  c[index % chunk_size] = std::string(name);
  t.ids.emplace(std::string(name), index);
  t.count.store(index + 1, std::memory_order_release);
  return field_id(index);
}

std::string_view field_id::name() const noexcept {
  if (!valid()) return {};
  auto* c = table().chunks[index_ / chunk_size].load(std::memory_order_acquire);
  return c ? std::string_view(c[index_ % chunk_size]) : std::string_view();
}

std::size_t interned_field_count() {
  return table().count.load(std::memory_order_acquire);
}

}  // namespace dataflow
