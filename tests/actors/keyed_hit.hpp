// The record of the whole-job checkpoint, savepoint and state-backend tests: a key and a value
// (keyed_value). Each test has its own generator of hits.
#pragma once

#include "../keyed_value.hpp"

namespace dataflow::testing {

using hit = keyed_value;

}  // namespace dataflow::testing
