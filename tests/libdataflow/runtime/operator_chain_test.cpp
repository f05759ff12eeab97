#include "dataflow/runtime/operator_chain.hpp"

#include <doctest/doctest.h>

using namespace dataflow;

namespace {

/// Emits a watermark from on_processing_time and on_end, as a watermark assigner with an
/// idleness timeout will (#3).
class watermark_on_timer final : public operator_base {
 public:
  void on_batch(int, const batch_base& in, operator_output& out) override {
    out.records<int>() = records_of<int>(in);
  }
  std::optional<timestamp> next_processing_timer() const override { return 0; }
  void on_processing_time(timestamp now, operator_output& out) override { out.emit_watermark(now); }
  void on_end(operator_output& out) override { out.emit_watermark(777); }
};

/// Records what reaches it.
class recorder final : public operator_base {
 public:
  std::vector<timestamp>* seen;
  explicit recorder(std::vector<timestamp>* s) : seen(s) {}
  void on_batch(int, const batch_base&, operator_output&) override {}
  void on_watermark(timestamp wm, operator_output& out) override {
    seen->push_back(wm);
    out.emit_watermark(wm);
  }
};

}  // namespace

TEST_CASE("a middle operator's watermark flows on from every kind of call") {
  std::vector<timestamp> seen;
  std::vector<std::unique_ptr<operator_base>> ops;
  ops.push_back(std::make_unique<watermark_on_timer>());
  ops.push_back(std::make_unique<recorder>(&seen));
  operator_chain chain(std::move(ops), {&record_type_of<int>(), &record_type_of<int>()});
  chain.open({operator_context{}, operator_context{}});
  auto& out = chain.on_processing_time(42);
  CHECK(seen == std::vector<timestamp>{42});
  REQUIRE(out.watermark());
  CHECK(*out.watermark() == 42);
  chain.on_end();
  CHECK(seen == std::vector<timestamp>{42, 777});
}
