#!/usr/bin/env bash
# The one test command: Python training tests, then every .NET test project in the solution.
#
# The .NET integration tests need PostgreSQL and RabbitMQ. They take them from SPEECHEMOTION_TEST_POSTGRES and
# SPEECHEMOTION_TEST_RABBITMQ when set, else start containers when Docker is reachable. On a machine with neither
# (no Docker, no systemd) this script starts the Debian-packaged servers with deploy/local-servers.sh (as root, or
# through sudo) and stops again, at the end, those it started; servers that were already running stay running.
set -euo pipefail

cd "$(dirname "$0")"
repo_root=$(pwd)

say() { echo "test.sh: $*"; }

docker_is_reachable() {
  command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1
}

debian_servers_are_installed() {
  [ -x /usr/lib/postgresql/15/bin/pg_ctl ] && command -v rabbitmq-server >/dev/null 2>&1
}

# The servers this run started itself: stopped again on exit. Servers that were already up are left running
# (other shells and agents on the machine may be using them).
started_servers=()

stop_started_servers() {
  local server
  for server in "${started_servers[@]}"; do
    say "stopping the $server server this run started"
    "$repo_root/deploy/local-servers.sh" stop "$server" || say "WARNING: could not stop $server"
  done
}

provide_test_servers() {
  if [ -n "${SPEECHEMOTION_TEST_POSTGRES:-}" ] && [ -n "${SPEECHEMOTION_TEST_RABBITMQ:-}" ]; then
    say "using PostgreSQL and RabbitMQ from SPEECHEMOTION_TEST_POSTGRES / SPEECHEMOTION_TEST_RABBITMQ"
    return
  fi
  if docker_is_reachable; then
    say "Docker is reachable: the integration tests start their own containers (Testcontainers)"
    return
  fi
  if ! debian_servers_are_installed; then
    say "WARNING: no test servers: set SPEECHEMOTION_TEST_POSTGRES/RABBITMQ, start Docker, or run deploy/install-debian-deps.sh (integration tests will fail)"
    return
  fi
  local server
  for server in postgres rabbitmq; do
    if "$repo_root/deploy/local-servers.sh" status "$server" >/dev/null; then
      say "$server is already running: using it and leaving it running"
      continue
    fi
    say "no Docker: starting the Debian $server with deploy/local-servers.sh (stopped again when the tests end)"
    started_servers+=("$server")
    "$repo_root/deploy/local-servers.sh" start "$server"
  done
  eval "$("$repo_root/deploy/local-servers.sh" env)"
  export SPEECHEMOTION_TEST_POSTGRES SPEECHEMOTION_TEST_RABBITMQ
}

python_result="skipped"
dotnet_result="not run"

run_python_tests() {
  if [ ! -d training/tests ]; then
    say "training/tests does not exist: skipping the Python tests"
    return
  fi
  # Debian's interpreter: the training stack (torch, onnx, ...) is installed from Debian packages for it,
  # not for whatever python3 comes first on PATH.
  say "running /usr/bin/python3 -m pytest -q training/tests"
  if /usr/bin/python3 -m pytest -q training/tests; then
    python_result="passed"
  else
    python_result="FAILED"
  fi
}

run_dotnet_tests() {
  say "running dotnet test SpeechEmotion.slnx"
  # tests/test.runsettings (named by tests/Directory.Build.props) sets the test hosts' environment.
  if dotnet test SpeechEmotion.slnx; then
    dotnet_result="passed"
  else
    dotnet_result="FAILED"
  fi
}

trap stop_started_servers EXIT
provide_test_servers
run_python_tests
run_dotnet_tests

echo
say "summary: python tests: $python_result; dotnet tests: $dotnet_result"
if [ "$python_result" = "FAILED" ] || [ "$dotnet_result" = "FAILED" ]; then
  exit 1
fi
