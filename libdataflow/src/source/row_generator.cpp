#include "dataflow/source/row_generator.hpp"

#include <cmath>
#include <optional>
#include <stdexcept>

#include "dataflow/graph/key_group.hpp"

namespace dataflow {

generated_field generated_field::sequence(std::string name) {
  generated_field f;
  f.name = std::move(name);
  f.what = kind::sequence;
  return f;
}
generated_field generated_field::uniform_int(std::string name, std::int64_t min, std::int64_t max) {
  generated_field f;
  f.name = std::move(name);
  f.what = kind::uniform_int;
  f.min = min;
  f.max = max;
  return f;
}
generated_field generated_field::uniform_double(std::string name, double min, double max) {
  generated_field f;
  f.name = std::move(name);
  f.what = kind::uniform_double;
  f.dmin = min;
  f.dmax = max;
  return f;
}
generated_field generated_field::zipf(std::string name, std::uint64_t n, double exponent,
                                      std::int64_t first) {
  generated_field f;
  f.name = std::move(name);
  f.what = kind::zipf;
  f.n = n;
  f.exponent = exponent;
  f.min = first;
  return f;
}
generated_field generated_field::choice(std::string name, std::vector<value> choices,
                                        std::vector<double> weights) {
  generated_field f;
  f.name = std::move(name);
  f.what = kind::choice;
  f.choices = std::move(choices);
  f.weights = std::move(weights);
  return f;
}
generated_field generated_field::boolean(std::string name, double probability) {
  generated_field f;
  f.name = std::move(name);
  f.what = kind::boolean;
  f.probability = probability;
  return f;
}
generated_field generated_field::constant(std::string name, value v) {
  generated_field f;
  f.name = std::move(name);
  f.what = kind::constant;
  f.choices = {std::move(v)};
  return f;
}
generated_field generated_field::pattern(std::string name, std::string text) {
  generated_field f;
  f.name = std::move(name);
  f.what = kind::pattern;
  f.text = std::move(text);
  return f;
}

namespace {

constexpr int index_ref = -1;
constexpr int no_ref = -2;

struct pattern_piece {
  std::string literal;  // appended before the reference
  int ref = no_ref;     // an earlier field's position, index_ref, or no_ref
};

struct compiled_field {
  field_id id;
  const generated_field* spec = nullptr;
  std::optional<zipf_sampler> zipf;
  std::vector<double> cumulative;  // choice: running sums of the weights
  std::vector<pattern_piece> pieces;
};

[[noreturn]] void bad(const generated_field& f, const std::string& what) {
  throw std::invalid_argument("generated field \"" + f.name + "\": " + what);
}

/// Uniform in [0, range) without modulo bias worth speaking of (Lemire's multiply-shift).
std::uint64_t below(splitmix64& rng, std::uint64_t range) noexcept {
  return static_cast<std::uint64_t>((static_cast<unsigned __int128>(rng()) * range) >> 64);
}

void append_text(std::string& out, const value& v) {
  if (v.is_string())
    out += v.as_string();
  else if (v.is_int())
    out += std::to_string(v.as_int());
  else
    append_json(out, v);
}

}  // namespace

struct row_generator::compiled {
  row_generator_spec spec;
  std::vector<compiled_field> fields;
  field_id time_field;
  double ms_per_record = 1;
};

row_generator::row_generator(row_generator_spec spec) {
  auto c = std::make_shared<compiled>();
  c->spec = std::move(spec);
  const auto& s = c->spec;
  if (!(s.time.per_second > 0) || !std::isfinite(s.time.per_second))
    throw std::invalid_argument("generated event time: per_second must be above 0");
  if (s.time.max_disorder < 0)
    throw std::invalid_argument("generated event time: max_disorder must not be negative");
  c->ms_per_record = 1000.0 / s.time.per_second;
  if (!s.time.field.empty()) c->time_field = field_id::of(s.time.field);
  if (s.fields.empty()) throw std::invalid_argument("a generator needs at least one field");
  for (std::size_t i = 0; i < s.fields.size(); ++i) {
    const auto& f = s.fields[i];
    if (f.name.empty()) throw std::invalid_argument("a generated field has no name");
    for (std::size_t j = 0; j < i; ++j)
      if (s.fields[j].name == f.name) bad(f, "named twice");
    if (f.name == s.time.field) bad(f, "is the event-time field, which the generator fills");
    compiled_field cf;
    cf.id = field_id::of(f.name);
    cf.spec = &f;
    switch (f.what) {
      case generated_field::kind::sequence:
        break;
      case generated_field::kind::uniform_int:
        if (f.min > f.max) bad(f, "min is above max");
        break;
      case generated_field::kind::uniform_double:
        if (!(f.dmin < f.dmax) || !std::isfinite(f.dmin) || !std::isfinite(f.dmax))
          bad(f, "expected finite min < max");
        break;
      case generated_field::kind::zipf:
        try {
          cf.zipf.emplace(f.n, f.exponent);
        } catch (const std::invalid_argument& e) {
          bad(f, e.what());
        }
        break;
      case generated_field::kind::choice: {
        if (f.choices.empty()) bad(f, "no choices");
        if (!f.weights.empty() && f.weights.size() != f.choices.size())
          bad(f, std::to_string(f.choices.size()) + " choices but " +
                     std::to_string(f.weights.size()) + " weights");
        double sum = 0;
        for (std::size_t k = 0; k < f.choices.size(); ++k) {
          double w = f.weights.empty() ? 1.0 : f.weights[k];
          if (!(w >= 0) || !std::isfinite(w)) bad(f, "weights must be finite and not negative");
          sum += w;
          cf.cumulative.push_back(sum);
        }
        if (!(sum > 0)) bad(f, "the weights add up to 0");
        break;
      }
      case generated_field::kind::boolean:
        if (!(f.probability >= 0 && f.probability <= 1)) bad(f, "probability must be in [0, 1]");
        break;
      case generated_field::kind::constant:
        if (f.choices.size() != 1) bad(f, "a constant has one value");
        break;
      case generated_field::kind::pattern: {
        std::string lit;
        for (std::size_t p = 0; p < f.text.size(); ++p) {
          if (f.text[p] != '{') {
            lit += f.text[p];
            continue;
          }
          auto close = f.text.find('}', p);
          if (close == std::string::npos) bad(f, "a '{' without '}' in \"" + f.text + "\"");
          auto ref = f.text.substr(p + 1, close - p - 1);
          pattern_piece piece{std::move(lit), no_ref};
          lit.clear();
          if (ref == "index") {
            piece.ref = index_ref;
          } else {
            for (std::size_t j = 0; j < i; ++j)
              if (s.fields[j].name == ref) piece.ref = static_cast<int>(j);
            if (piece.ref == no_ref)
              bad(f, "{" + ref + "} names no earlier field (fields are made in order)");
          }
          cf.pieces.push_back(std::move(piece));
          p = close;
        }
        if (!lit.empty()) cf.pieces.push_back({std::move(lit), no_ref});
        break;
      }
    }
    c->fields.push_back(std::move(cf));
  }
  impl_ = std::move(c);
}

const row_generator_spec& row_generator::spec() const noexcept {
  return impl_->spec;
}

record<row> row_generator::operator()(std::uint64_t index) const {
  const auto& c = *impl_;
  // Every record has its own stream, seeded by (seed, index): no state between records.
  splitmix64 rng(mix_hash(c.spec.seed ^ mix_hash(index + 0x632be59bd9b4e019ULL)));
  timestamp ts = c.spec.time.start +
                 static_cast<timestamp>(std::floor(static_cast<double>(index) * c.ms_per_record));
  if (c.spec.time.max_disorder > 0)
    ts -= static_cast<timestamp>(
        below(rng, static_cast<std::uint64_t>(c.spec.time.max_disorder) + 1));
  record<row> out{row{}, ts};
  row& r = out.value;
  r.reserve(c.fields.size() + 1);
  for (const auto& cf : c.fields) {
    const auto& f = *cf.spec;
    switch (f.what) {
      case generated_field::kind::sequence:
        r.append(cf.id, static_cast<std::int64_t>(index));
        break;
      case generated_field::kind::uniform_int: {
        auto range = static_cast<std::uint64_t>(f.max) - static_cast<std::uint64_t>(f.min) + 1;
        auto off = range == 0 ? rng() : below(rng, range);  // range 0: the whole int64 span
        r.append(cf.id, static_cast<std::int64_t>(static_cast<std::uint64_t>(f.min) + off));
        break;
      }
      case generated_field::kind::uniform_double:
        r.append(cf.id, f.dmin + rng.next_double() * (f.dmax - f.dmin));
        break;
      case generated_field::kind::zipf:
        r.append(cf.id, f.min + static_cast<std::int64_t>((*cf.zipf)(rng)) - 1);
        break;
      case generated_field::kind::choice: {
        double u = rng.next_double() * cf.cumulative.back();
        std::size_t k = 0;
        while (k + 1 < cf.cumulative.size() && u >= cf.cumulative[k]) ++k;
        r.append(cf.id, f.choices[k]);
        break;
      }
      case generated_field::kind::boolean:
        r.append(cf.id, rng.next_double() < f.probability);
        break;
      case generated_field::kind::constant:
        r.append(cf.id, f.choices[0]);
        break;
      case generated_field::kind::pattern: {
        std::string text;
        for (const auto& piece : cf.pieces) {
          text += piece.literal;
          if (piece.ref == index_ref)
            text += std::to_string(index);
          else if (piece.ref >= 0)
            append_text(text, r.fields()[static_cast<std::size_t>(piece.ref)].value);
        }
        r.append(cf.id, std::move(text));
        break;
      }
    }
  }
  if (c.time_field.valid()) r.append(c.time_field, ts);
  return out;
}

}  // namespace dataflow
