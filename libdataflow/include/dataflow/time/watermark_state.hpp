// The watermark state of a source as one part of a snapshot. split_watermarks and
// watermark_generator save and load their state with save_state(archive) / load_state(archive)
// (cereal); watermark_state(w) wraps either so it can be passed to write_versioned_snapshot and
// read_versioned_snapshot like any other part:
//
//   out = write_versioned_snapshot(1, next_, watermark_state(wms_));        // in snapshot()
//   auto wm = watermark_state(wms_);                                        // in restore()
//   return read_versioned_snapshot(bytes, 1, "generator source", next_, wm);
//
// Thread-safety: a reference; use it while the object it wraps is alive and owned by the caller.
#pragma once

namespace dataflow {

/// A cereal part that saves or loads the state of `W` (split_watermarks or
/// watermark_generator) through its save_state / load_state.
template <class W>
class watermark_state_ref {
 public:
  explicit watermark_state_ref(W& w) noexcept : w_(&w) {}

  template <class Archive>
  void save(Archive& ar) const {
    w_->save_state(ar);
  }

  template <class Archive>
  void load(Archive& ar) {
    w_->load_state(ar);
  }

 private:
  W* w_;
};

/// Wraps `w` (const for saving) as a snapshot part.
template <class W>
[[nodiscard]] watermark_state_ref<W> watermark_state(W& w) noexcept {
  return watermark_state_ref<W>(w);
}

}  // namespace dataflow
