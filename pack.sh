#!/usr/bin/env bash
# Packs every FuncExec package (the FuncExec tool and the libraries) into artifacts/packages/.
# Extra arguments go to both steps, e.g. ./pack.sh -p:Version=0.2.1
set -euo pipefail
cd "$(dirname "$0")"
# The CLI references every packable project, so this one build builds them all.
dotnet build src/FuncExec.Cli -c Release "$@"
dotnet pack FuncExec.slnx -c Release --no-build "$@"
