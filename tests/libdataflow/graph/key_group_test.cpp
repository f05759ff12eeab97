#include "dataflow/graph/key_group.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace dataflow;

TEST_CASE("key groups partition 0 to max among instances without gaps") {
  for (int max : {1, 7, 128, 1000})
    for (int p = 1; p <= std::min(max, 9); ++p) {
      int next = 0;
      for (int i = 0; i < p; ++i) {
        auto r = key_group_range_of(i, p, max);
        CHECK(r.first == next);
        for (int g = r.first; g <= r.last; ++g) CHECK(instance_of_key_group(g, max, p) == i);
        next = r.last + 1;
      }
      CHECK(next == max);
    }
}

TEST_CASE("a key's group is stable and spreads integer keys") {
  CHECK(key_group_of(std::string("user-1"), 128) == key_group_of(std::string("user-1"), 128));
  int counts[4] = {};
  for (int k = 0; k < 4000; ++k) ++counts[instance_of_key_group(key_group_of(k, 128), 128, 4)];
  for (int c : counts) CHECK(c > 800);  // std::hash is the identity on ints; mix_hash spreads
}
