#include "dataflow/aggregate/row_aggregates.hpp"

#include <array>

namespace dataflow {
namespace {

constexpr std::array<std::string_view, 7> kind_names = {
    "count", "sum", "min", "max", "avg", "count_distinct", "collect"};

using acc = row_accumulator;

bool present(const value* v) {
  return v != nullptr && !v->is_null();
}

}  // namespace

std::string_view to_string(row_aggregate_kind k) noexcept {
  return kind_names[static_cast<std::size_t>(k)];
}

expected<row_aggregate_kind> parse_row_aggregate_kind(std::string_view name) {
  for (std::size_t i = 0; i < kind_names.size(); ++i)
    if (kind_names[i] == name) return static_cast<row_aggregate_kind>(i);
  return status{errc::invalid_configuration,
                "unknown aggregate '" + std::string(name) +
                    "', expected one of count, sum, min, max, avg, count_distinct, collect"};
}

row_aggregates::row_aggregates(std::vector<row_aggregate_spec> specs) : specs_(std::move(specs)) {
  for (auto& s : specs_)
    if (s.kind == row_aggregate_kind::min || s.kind == row_aggregate_kind::max ||
        s.kind == row_aggregate_kind::collect)
      invertible_ = false;
}

row_accumulator row_aggregates::create() const {
  row_accumulator a;
  a.slots.reserve(specs_.size());
  for (auto& s : specs_) {
    switch (s.kind) {
      case row_aggregate_kind::count:
        a.slots.emplace_back(std::int64_t{0});
        break;
      case row_aggregate_kind::sum:
        a.slots.emplace_back(acc::sum_acc{});
        break;
      case row_aggregate_kind::min:
      case row_aggregate_kind::max:
        a.slots.emplace_back(std::optional<value>{});
        break;
      case row_aggregate_kind::avg:
        a.slots.emplace_back(acc::avg_acc{});
        break;
      case row_aggregate_kind::count_distinct:
        a.slots.emplace_back(distinct_counts<value>{});
        break;
      case row_aggregate_kind::collect:
        a.slots.emplace_back(value::list{});
        break;
    }
  }
  return a;
}

void row_aggregates::add(row_accumulator& a, const row& r) const {
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    const auto& s = specs_[i];
    auto& slot = a.slots[i];
    const value* v = s.input.valid() ? r.find(s.input) : nullptr;
    switch (s.kind) {
      case row_aggregate_kind::count:
        if (!s.input.valid() || present(v)) ++std::get<std::int64_t>(slot);
        break;
      case row_aggregate_kind::sum:
        if (v && v->is_int()) {
          std::get<acc::sum_acc>(slot).ints += v->as_int();
        } else if (v && v->is_double()) {
          auto& x = std::get<acc::sum_acc>(slot);
          x.doubles += v->as_double();
          ++x.doubles_seen;
        }
        break;
      case row_aggregate_kind::min:
      case row_aggregate_kind::max: {
        if (!present(v)) break;
        auto& m = std::get<std::optional<value>>(slot);
        const bool is_min = s.kind == row_aggregate_kind::min;
        if (!m || (is_min ? *v < *m : *m < *v)) m = *v;
        break;
      }
      case row_aggregate_kind::avg:
        if (v && v->is_number()) {
          auto& x = std::get<acc::avg_acc>(slot);
          x.sum += v->to_double();
          ++x.count;
        }
        break;
      case row_aggregate_kind::count_distinct:
        if (present(v)) std::get<distinct_counts<value>>(slot).add(*v);
        break;
      case row_aggregate_kind::collect:
        if (present(v)) std::get<value::list>(slot).push_back(*v);
        break;
    }
  }
}

void row_aggregates::merge(row_accumulator& into, const row_accumulator& other) const {
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    auto& a = into.slots[i];
    auto& b = other.slots[i];
    switch (specs_[i].kind) {
      case row_aggregate_kind::count:
        std::get<std::int64_t>(a) += std::get<std::int64_t>(b);
        break;
      case row_aggregate_kind::sum: {
        auto& x = std::get<acc::sum_acc>(a);
        auto& y = std::get<acc::sum_acc>(b);
        x.ints += y.ints;
        x.doubles += y.doubles;
        x.doubles_seen += y.doubles_seen;
        break;
      }
      case row_aggregate_kind::min:
      case row_aggregate_kind::max: {
        auto& m = std::get<std::optional<value>>(a);
        auto& o = std::get<std::optional<value>>(b);
        const bool is_min = specs_[i].kind == row_aggregate_kind::min;
        if (o && (!m || (is_min ? *o < *m : *m < *o))) m = o;
        break;
      }
      case row_aggregate_kind::avg: {
        auto& x = std::get<acc::avg_acc>(a);
        auto& y = std::get<acc::avg_acc>(b);
        x.sum += y.sum;
        x.count += y.count;
        break;
      }
      case row_aggregate_kind::count_distinct:
        std::get<distinct_counts<value>>(a).merge(std::get<distinct_counts<value>>(b));
        break;
      case row_aggregate_kind::collect: {
        auto& l = std::get<value::list>(a);
        auto& o = std::get<value::list>(b);
        l.insert(l.end(), o.begin(), o.end());
        break;
      }
    }
  }
}

void row_aggregates::retract(row_accumulator& from, const row_accumulator& other) const {
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    auto& a = from.slots[i];
    auto& b = other.slots[i];
    switch (specs_[i].kind) {
      case row_aggregate_kind::count:
        std::get<std::int64_t>(a) -= std::get<std::int64_t>(b);
        break;
      case row_aggregate_kind::sum: {
        auto& x = std::get<acc::sum_acc>(a);
        auto& y = std::get<acc::sum_acc>(b);
        x.ints -= y.ints;
        x.doubles -= y.doubles;
        x.doubles_seen -= y.doubles_seen;
        if (x.doubles_seen == 0) x.doubles = 0;  // no floating-point residue
        break;
      }
      case row_aggregate_kind::avg: {
        auto& x = std::get<acc::avg_acc>(a);
        auto& y = std::get<acc::avg_acc>(b);
        x.sum -= y.sum;
        x.count -= y.count;
        if (x.count == 0) x.sum = 0;
        break;
      }
      case row_aggregate_kind::count_distinct:
        std::get<distinct_counts<value>>(a).retract(std::get<distinct_counts<value>>(b));
        break;
      case row_aggregate_kind::min:
      case row_aggregate_kind::max:
      case row_aggregate_kind::collect:
        break;  // not invertible: never called
    }
  }
}

row row_aggregates::result(const row_accumulator& a) const {
  row out;
  out.reserve(specs_.size());
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    auto& slot = a.slots[i];
    value v;
    switch (specs_[i].kind) {
      case row_aggregate_kind::count:
        v = std::get<std::int64_t>(slot);
        break;
      case row_aggregate_kind::sum: {
        auto& x = std::get<acc::sum_acc>(slot);
        if (x.doubles_seen > 0)
          v = static_cast<double>(x.ints) + x.doubles;
        else
          v = x.ints;
        break;
      }
      case row_aggregate_kind::min:
      case row_aggregate_kind::max:
        if (auto& m = std::get<std::optional<value>>(slot)) v = *m;
        break;
      case row_aggregate_kind::avg: {
        auto& x = std::get<acc::avg_acc>(slot);
        if (x.count > 0) v = x.sum / static_cast<double>(x.count);
        break;
      }
      case row_aggregate_kind::count_distinct:
        v = static_cast<std::int64_t>(std::get<distinct_counts<value>>(slot).distinct());
        break;
      case row_aggregate_kind::collect:
        v = std::get<value::list>(slot);
        break;
    }
    out.append(specs_[i].output, std::move(v));
  }
  return out;
}

}  // namespace dataflow
