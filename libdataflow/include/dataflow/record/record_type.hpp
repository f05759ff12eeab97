// Include through dataflow/record/batch.hpp. A record type's runtime identity and codec.
// Batches that cross nodes are encoded as one buffer (cereal binary) and decoded through the
// registry by the type's name.
// Thread-safety: registration happens once per type (function-local static); lookups are safe
// from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <typeinfo>

#include <cereal/archives/binary.hpp>
#include <cereal/details/traits.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

#include "dataflow/core/status.hpp"

namespace dataflow {

class batch_base;
template <class T>
class batch;

/// Describes a record type: its name and how batches of it become bytes and back.
class record_type {
 public:
  using encode_fn = status (*)(const batch_base&, std::string& out);
  using decode_fn = expected<std::shared_ptr<batch_base>> (*)(std::string_view bytes);
  using make_fn = std::unique_ptr<batch_base> (*)();

  record_type(std::string name, encode_fn enc, decode_fn dec, make_fn mk)
      : name_(std::move(name)), encode_(enc), decode_(dec), make_(mk) {}

  /// Stable across processes built by the same compiler (the mangled type name).
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] status encode(const batch_base& b, std::string& out) const {
    return encode_(b, out);
  }
  [[nodiscard]] expected<std::shared_ptr<batch_base>> decode(std::string_view bytes) const {
    return decode_(bytes);
  }
  [[nodiscard]] std::unique_ptr<batch_base> make_batch() const { return make_(); }

 private:
  std::string name_;
  encode_fn encode_;
  decode_fn decode_;
  make_fn make_;
};

/// Looks up a registered record type by name; nullptr when this process never used it.
const record_type* find_record_type(std::string_view name);

namespace detail {

void register_record_type(const record_type* t);

template <class T>
inline constexpr bool is_cereal_serializable_v =
    cereal::traits::is_output_serializable<T, cereal::BinaryOutputArchive>::value&&
        cereal::traits::is_input_serializable<T, cereal::BinaryInputArchive>::value;

template <class T>
status encode_batch(const batch_base& b, std::string& out);
template <class T>
expected<std::shared_ptr<batch_base>> decode_batch(std::string_view bytes);

}  // namespace detail

/// The record type of `T`, registered on first use.
template <class T>
const record_type& record_type_of() {
  static const record_type* instance = [] {
    auto* t = new record_type(
        typeid(T).name(), &detail::encode_batch<T>, &detail::decode_batch<T>,
        +[]() -> std::unique_ptr<batch_base> { return std::make_unique<batch<T>>(); });
    detail::register_record_type(t);
    return t;
  }();
  return *instance;
}

}  // namespace dataflow

#include <sstream>

template <class T>
dataflow::status dataflow::detail::encode_batch(const batch_base& b, std::string& out) {
  if constexpr (is_cereal_serializable_v<T>) {
    std::ostringstream os(std::ios::binary);
    {
      cereal::BinaryOutputArchive ar(os);
      ar(static_cast<const batch<T>&>(b).records);
    }
    out = std::move(os).str();
    return status::ok();
  } else {
    return {errc::not_serializable,
            std::string("record type ") + typeid(T).name() +
                " has no cereal serialize() function, so it cannot cross nodes"};
  }
}

template <class T>
dataflow::expected<std::shared_ptr<dataflow::batch_base>> dataflow::detail::decode_batch(
    std::string_view bytes) {
  if constexpr (is_cereal_serializable_v<T>) {
    try {
      std::istringstream is(std::string(bytes), std::ios::binary);
      cereal::BinaryInputArchive ar(is);
      auto result = std::make_shared<batch<T>>();
      ar(result->records);
      return std::shared_ptr<batch_base>(std::move(result));
    } catch (const std::exception& e) {
      return status{errc::decode_failed,
                    std::string("cannot decode a batch of ") + typeid(T).name() + ": " + e.what()};
    }
  } else {
    return status{errc::not_serializable,
                  std::string("record type ") + typeid(T).name() + " is not serializable"};
  }
}
