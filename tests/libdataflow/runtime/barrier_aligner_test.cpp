#include "dataflow/runtime/barrier_aligner.hpp"

#include <doctest/doctest.h>

using namespace dataflow;

TEST_CASE("a barrier aligns when every channel delivered it, early channels block") {
  barrier_aligner a(3);
  CHECK(a.state() == barrier_aligner::state_kind::waiting_for_first_barrier);
  CHECK_FALSE(a.on_barrier(1, 7));
  CHECK(a.state() == barrier_aligner::state_kind::collecting_barriers);
  CHECK(a.is_blocked(1));
  CHECK_FALSE(a.is_blocked(0));
  CHECK_FALSE(a.on_barrier(0, 7));
  auto done = a.on_barrier(2, 7);
  REQUIRE(done);
  CHECK(*done == 7);
  CHECK_FALSE(a.is_blocked(0));
  CHECK_FALSE(a.is_blocked(1));
  CHECK(a.state() == barrier_aligner::state_kind::waiting_for_first_barrier);
}

TEST_CASE("a newer barrier aborts the older alignment, stale ones are ignored") {
  barrier_aligner a(2);
  a.on_barrier(0, 1);
  CHECK_FALSE(a.on_barrier(0, 2));  // checkpoint 1 aborted, 2 collecting
  CHECK(a.aborted() == 1);
  CHECK(*a.pending() == 2);
  CHECK_FALSE(a.on_barrier(1, 1));  // stale
  CHECK(*a.on_barrier(1, 2) == 2);
  CHECK_FALSE(a.on_barrier(0, 2));  // already completed: stale
  CHECK_FALSE(a.pending());
}

TEST_CASE("an ended channel counts as aligned") {
  barrier_aligner a(2);
  a.on_barrier(0, 3);
  auto done = a.on_end(1);
  REQUIRE(done);
  CHECK(*done == 3);
  CHECK(*a.on_barrier(0, 4) == 4);  // channel 1 stays ended
}

TEST_CASE("one channel aligns at once") {
  barrier_aligner a(1);
  CHECK(*a.on_barrier(0, 1) == 1);
}
