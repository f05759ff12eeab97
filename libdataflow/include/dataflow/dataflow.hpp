// The libdataflow core in one include: the fluent API, operators, state and the test harness.
// The runtime that executes jobs is <dataflow/actors/local_environment.hpp>.
#pragma once

#include "dataflow/api/data_stream.hpp"
#include "dataflow/api/environment.hpp"
#include "dataflow/api/keyed_stream.hpp"
#include "dataflow/core/status.hpp"
#include "dataflow/graph/execution_plan.hpp"
#include "dataflow/operator/keyed_process_function.hpp"
#include "dataflow/version.hpp"
