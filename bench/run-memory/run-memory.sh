#!/usr/bin/env bash
# Peak memory and throughput of `funcexec run` on the embedded local cluster, for task files of
# no-op tasks (System.Math.Abs of -1, the cheapest task a task file can hold).
#
#   bench/run-memory/run-memory.sh [--tasks 200000,1000000] [--workers 2] [--baseline OTHER/funcexec.dll] [FUNCEXEC.dll]
#
# FUNCEXEC.dll defaults to the Release build of src/FuncExec.Cli (build it first with
# `dotnet build src/FuncExec.Cli -c Release`). With --baseline, that build runs each file too, right
# after this one, and the ratios are printed: the machine may be shared, so compare ratios.
# The task files go in a temporary folder that is removed at the end. Needs GNU time (/usr/bin/time,
# Debian: apt-get install time) for the peak resident set size of the funcexec process.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
tasks="200000,1000000"
workers=2
baseline=""
funcexec="$root/src/FuncExec.Cli/bin/Release/net10.0/funcexec.dll"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tasks) tasks="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --baseline) baseline="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) funcexec="$1"; shift ;;
  esac
done

for program in "$funcexec" ${baseline:+"$baseline"}; do
  if [[ ! -f "$program" ]]; then
    echo "run-memory: $program does not exist; build it with: dotnet build src/FuncExec.Cli -c Release" >&2
    exit 2
  fi
done

if [[ ! -x /usr/bin/time ]]; then
  echo "run-memory: /usr/bin/time (GNU time) is missing; on Debian: apt-get install time" >&2
  exit 2
fi

folder="$(mktemp -d -t funcexec-run-memory.XXXXXX)"
trap 'rm -rf "$folder"' EXIT

# Prints "peak_kb seconds lines" for one run of $1 (a funcexec.dll) on $2 (a task file).
measure() {
  local program="$1" file="$2"
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$folder/time.txt" dotnet exec "$program" run "$file" --workers "$workers" --output "$folder/out.jsonl" 2> "$folder/err.txt" || {
    echo "run-memory: funcexec run failed:" >&2
    cat "$folder/err.txt" >&2
    exit 1
  }
  end=$(date +%s.%N)
  local peak lines
  peak=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$folder/time.txt")
  lines=$(wc -l < "$folder/out.jsonl")
  echo "$peak $(echo "$end - $start" | bc) $lines"
}

printf '%-10s %-9s %14s %10s %12s\n' tasks build "peak RSS (MB)" "wall (s)" "tasks/s"
IFS=',' read -r -a counts <<< "$tasks"
for count in "${counts[@]}"; do
  file="$folder/noop-$count.yaml"
  awk -v n="$count" 'BEGIN { print "tasks:"; for (i = 0; i < n; i++) { print "  - function: System.Math.Abs"; print "    params: [-1]" } }' > "$file"

  read -r peak seconds lines < <(measure "$funcexec" "$file")
  if [[ "$lines" -ne "$count" ]]; then
    echo "run-memory: $count tasks gave $lines result lines" >&2
    exit 1
  fi
  rate=$(echo "$count / $seconds" | bc)
  printf '%-10s %-9s %14d %10.1f %12d\n' "$count" this $((peak / 1024)) "$seconds" "$rate"

  if [[ -n "$baseline" ]]; then
    read -r basePeak baseSeconds baseLines < <(measure "$baseline" "$file")
    baseRate=$(echo "$count / $baseSeconds" | bc)
    printf '%-10s %-9s %14d %10.1f %12d\n' "$count" baseline $((basePeak / 1024)) "$baseSeconds" "$baseRate"
    printf '%-10s %-9s %13.2fx %10s %11.2fx\n' "$count" ratio "$(echo "$peak / $basePeak" | bc -l)" "" "$(echo "$rate / $baseRate" | bc -l)"
  fi

  rm -f "$file"
done
