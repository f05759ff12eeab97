#include "dataflow/record/batch.hpp"

#include <mutex>
#include <unordered_map>

namespace dataflow {
namespace {

struct registry {
  std::mutex mu;
  std::unordered_map<std::string, const record_type*> by_name;
};

registry& the_registry() {
  static registry r;
  return r;
}

}  // namespace

const record_type* find_record_type(std::string_view name) {
  auto& r = the_registry();
  std::lock_guard<std::mutex> g(r.mu);
  auto it = r.by_name.find(std::string(name));
  return it == r.by_name.end() ? nullptr : it->second;
}

void detail::register_record_type(const record_type* t) {
  auto& r = the_registry();
  std::lock_guard<std::mutex> g(r.mu);
  r.by_name.emplace(t->name(), t);
}

}  // namespace dataflow
