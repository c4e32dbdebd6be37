#!/usr/bin/env bash
# Runs the whole FuncExec test suite: unit tests and integration tests with real worker
# processes. NuGet packages come by restore; nothing else is needed yet.
set -euo pipefail
cd "$(dirname "$0")"
dotnet test FuncExec.slnx -c Release --logger "console;verbosity=normal" "$@"
