// Aggregates over named fields of dynamic rows, chosen at run time: what pipeline files use.
// Each spec reads one input field and writes one output field of the result row:
//
//   count                 rows (or, with a field, rows where it is present and not null)
//   sum                   an int while every value is an int, else a double
//   min, max              by the total order of values
//   avg                   a double
//   count_distinct        exact, kept as a multiplicity map
//   collect               the list of values, in order
//
// Missing and null fields are skipped (as SQL does); sum and avg also skip values that are not
// numbers. The set is invertible (sliding windows subtract expired slices) unless it holds min,
// max or collect.
//
//   row_aggregates aggs({{row_aggregate_kind::count, {}, field_id::of("requests")},
//                        {row_aggregate_kind::sum, field_id::of("bytes"), field_id::of("bytes")}});
//
// Thread-safety: const after construction; shareable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <cereal/types/optional.hpp>
#include <cereal/types/variant.hpp>
#include <cereal/types/vector.hpp>

#include "dataflow/aggregate/aggregate_function.hpp"
#include "dataflow/aggregate/distinct_counts.hpp"
#include "dataflow/core/status.hpp"
#include "dataflow/row/row.hpp"

namespace dataflow {

enum class row_aggregate_kind : std::uint8_t { count, sum, min, max, avg, count_distinct, collect };

/// The kind named `name` ("count", "sum", ...), or an error listing the names.
expected<row_aggregate_kind> parse_row_aggregate_kind(std::string_view name);
std::string_view to_string(row_aggregate_kind k) noexcept;

struct row_aggregate_spec {
  row_aggregate_kind kind = row_aggregate_kind::count;
  field_id input;   // invalid for count over rows
  field_id output;  // the result field
};

/// One accumulator per spec.
struct row_accumulator {
  struct sum_acc {
    std::int64_t ints = 0;
    double doubles = 0;
    std::int64_t doubles_seen = 0;  // > 0 makes the sum a double
    template <class Archive>
    void serialize(Archive& ar) {
      ar(ints, doubles, doubles_seen);
    }
  };
  struct avg_acc {
    double sum = 0;
    std::int64_t count = 0;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(sum, count);
    }
  };
  using slot = std::variant<std::int64_t, sum_acc, std::optional<value>, avg_acc,
                            distinct_counts<value>, value::list>;
  std::vector<slot> slots;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(slots);
  }
};

class row_aggregates final : public aggregate_function<row, row_accumulator, row> {
 public:
  explicit row_aggregates(std::vector<row_aggregate_spec> specs);

  row_accumulator create() const override;
  void add(row_accumulator& acc, const row& r) const override;
  void merge(row_accumulator& into, const row_accumulator& other) const override;
  row result(const row_accumulator& acc) const override;
  bool invertible() const override { return invertible_; }
  void retract(row_accumulator& from, const row_accumulator& other) const override;

  [[nodiscard]] const std::vector<row_aggregate_spec>& specs() const noexcept { return specs_; }

 private:
  std::vector<row_aggregate_spec> specs_;
  bool invertible_ = true;
};

}  // namespace dataflow
