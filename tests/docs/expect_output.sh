#!/bin/sh
# Runs a docs example and compares its output lines (sorted: sinks print concurrently) with
# the expected file. Usage: expect_output.sh EXPECTED_FILE COMMAND...
set -e
expected=$1
shift
"$@" | LC_ALL=C sort | diff -u "$expected" -
