// Zipf-distributed ranks 1..n with P(k) proportional to 1 / k^exponent, for any exponent > 0,
// in O(1) time and memory per draw (rejection-inversion, Hörmann and Derflinger 1996, as in
// Apache Commons RNG's RejectionInversionZipfSampler). absl::zipf_distribution needs an exponent
// above 1; content popularity is usually modelled with exponents around 0.8 to 1.2, so this
// follows Commons instead.
//
//   zipf_sampler popularity(100'000, 1.0);
//   splitmix64 rng(seed);
//   std::uint64_t rank = popularity(rng);   // 1 is the most popular
//
// Thread-safety: a sampler is immutable after construction; the generator is the caller's.
#pragma once

#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace dataflow {

/// A small, fast, seedable generator (SplitMix64): each call returns the next 64 random bits.
/// Seeded from (seed, index) it gives every record its own reproducible stream.
class splitmix64 {
 public:
  using result_type = std::uint64_t;
  explicit constexpr splitmix64(std::uint64_t seed) noexcept : state_(seed) {}
  constexpr std::uint64_t operator()() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1).
  double next_double() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  static constexpr std::uint64_t min() noexcept { return 0; }
  static constexpr std::uint64_t max() noexcept { return ~std::uint64_t{0}; }

 private:
  std::uint64_t state_;
};

class zipf_sampler {
 public:
  /// Ranks 1..n; throws std::invalid_argument unless n >= 1 and exponent > 0.
  zipf_sampler(std::uint64_t n, double exponent) : n_(n), exponent_(exponent) {
    if (n < 1) throw std::invalid_argument("zipf: n must be at least 1");
    if (!(exponent > 0) || !std::isfinite(exponent))
      throw std::invalid_argument("zipf: the exponent must be above 0");
    h_integral_x1_ = h_integral(1.5) - 1.0;
    h_integral_n_ = h_integral(static_cast<double>(n) + 0.5);
    s_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
  }

  [[nodiscard]] std::uint64_t n() const noexcept { return n_; }
  [[nodiscard]] double exponent() const noexcept { return exponent_; }

  /// A rank in [1, n].
  std::uint64_t operator()(splitmix64& rng) const noexcept {
    for (;;) {
      const double u = h_integral_n_ + rng.next_double() * (h_integral_x1_ - h_integral_n_);
      const double x = h_integral_inverse(u);
      double k = std::floor(x + 0.5);
      if (k < 1) k = 1;
      if (k > static_cast<double>(n_)) k = static_cast<double>(n_);
      if (k - x <= s_ || u >= h_integral(k + 0.5) - h(k)) return static_cast<std::uint64_t>(k);
    }
  }

 private:
  // H(x) = ((x^(1-e)) - 1) / (1 - e), continuous in e at 1 (log x), and its inverse.
  [[nodiscard]] double h_integral(double x) const noexcept {
    const double log_x = std::log(x);
    return helper2((1.0 - exponent_) * log_x) * log_x;
  }
  [[nodiscard]] double h(double x) const noexcept { return std::exp(-exponent_ * std::log(x)); }
  [[nodiscard]] double h_integral_inverse(double x) const noexcept {
    double t = x * (1.0 - exponent_);
    if (t < -1.0) t = -1.0;  // numerical safety: the argument of log1p stays >= 0
    return std::exp(helper1(t) * x);
  }
  static double helper1(double x) noexcept {  // log1p(x) / x
    return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
  }
  static double helper2(double x) noexcept {  // expm1(x) / x
    return std::abs(x) > 1e-8 ? std::expm1(x) / x
                              : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
  }

  std::uint64_t n_;
  double exponent_;
  double h_integral_x1_ = 0, h_integral_n_ = 0, s_ = 0;
};

}  // namespace dataflow
