#!/usr/bin/env bash
# Runs the whole FuncExec test suite: unit tests, integration tests with real worker processes,
# and multi-host tests in network namespaces (these need root, for `ip netns`).
# Installs the Debian packages the tests use when they are missing; NuGet packages come by restore.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v ssh >/dev/null 2>&1 || need+=(openssh-client)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
# The broker tests start rabbitmq-server as a child process of their own; the system service is left alone.
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
# The journal and standby tests start a PostgreSQL server of their own (initdb into a temporary folder), from
# /usr/lib/postgresql/VERSION/bin, whatever VERSION the distribution ships; the system's cluster is left alone.
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || need+=(postgresql)
# The metrics test starts a prometheus server of its own, scraping a scheduler; the package's service is left alone.
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
# The Slurm tests start a munged, a slurmctld and slurmds of their own, with a configuration in a temporary folder;
# the packages' services are left alone.
[ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/slurmd ] && command -v sbatch >/dev/null 2>&1 || need+=(slurm-wlm)
[ -x /usr/sbin/munged ] || need+=(munge)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} for the tests" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # The tests start their own sshd, rabbitmq-server, postgres, prometheus, munged and Slurm daemons; the packages' system services need not
  # start (and cannot, where there is no init system): while installing, a policy says so.
  policy=/usr/sbin/policy-rc.d
  placed=""
  if [ ! -e "$policy" ]; then
    placed=1
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
    trap '$sudo rm -f "$policy"' EXIT
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  if [ -n "$placed" ]; then
    $sudo rm -f "$policy"
    trap - EXIT
  fi
fi

# Each test project ends with its own block ("Total tests: N", "Passed: N", ["Failed: N"], ["Skipped: N"],
# "Total time: ..."); the suite ends with one line for all of them. The output goes through a temporary copy
# to be summed; the exit code stays dotnet test's.
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
dotnet test FuncExec.slnx -c Release --logger "console;verbosity=normal" "$@" | tee "$log"
rc=${PIPESTATUS[0]}
set -e
awk '
  /^Total tests:/ { block = 1; next }
  block && /^[[:space:]]*Passed:[[:space:]]*[0-9]+/ { gsub(/[^0-9]/, ""); p += $0; next }
  block && /^[[:space:]]*Failed:[[:space:]]*[0-9]+/ { gsub(/[^0-9]/, ""); f += $0; next }
  block && /^[[:space:]]*Skipped:[[:space:]]*[0-9]+/ { gsub(/[^0-9]/, ""); s += $0; next }
  /Total time:/ { block = 0 }
  END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$rc"
