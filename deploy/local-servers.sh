#!/usr/bin/env bash
# Runs PostgreSQL 15 and RabbitMQ 3.10 from the Debian packages on a machine without Docker and without systemd,
# so the integration tests and the distributed mode have real servers to talk to.
#
#   deploy/local-servers.sh start   start both (a no-op for a server that is already up)
#   deploy/local-servers.sh stop    stop both
#   deploy/local-servers.sh env     print the export lines the tests read
#
# PostgreSQL runs as the postgres user in a data directory of our own on its own port, so it never collides with a
# cluster the distribution may have set up. Local TCP connections are trusted: it listens on 127.0.0.1 only.
# RabbitMQ runs as the Debian package runs it (the wrapper switches to the rabbitmq user) with the management plugin,
# whose HTTP API the integration tests use to create a fresh virtual host per run.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
PG_DATA=${SPEECHEMOTION_PG_DATA:-/tmp/speechemotion-pg}
PG_PORT=${SPEECHEMOTION_PG_PORT:-55432}
PG_LOG=$PG_DATA.log
PG_DATABASE=speechemotion

RABBITMQ_PORT=5672
RABBITMQ_MANAGEMENT_PORT=15672
RABBITMQ_LOG=/tmp/speechemotion-rabbitmq.log
RABBITMQ_START_TIMEOUT_SECONDS=120

log() { echo "local-servers: $*"; }
fail() { echo "local-servers: ERROR: $*" >&2; exit 1; }

port_is_open() {
  # bash's /dev/tcp opens a TCP connection; success means something listens there.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

as_postgres() {
  # runuser needs no password and no PAM session, unlike su on some images.
  runuser -u postgres -- "$@"
}

require_root() {
  [ "$(id -u)" -eq 0 ] || fail "run as root (PostgreSQL is started as the postgres user, RabbitMQ as rabbitmq)"
}

start_postgres() {
  [ -x "$PG_BIN/initdb" ] || fail "PostgreSQL 15 is not installed ($PG_BIN/initdb missing); run deploy/install-debian-deps.sh"

  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "initialising PostgreSQL data directory $PG_DATA"
    mkdir -p "$PG_DATA"
    chown postgres:postgres "$PG_DATA"
    chmod 700 "$PG_DATA"
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$PG_DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DATA'
max_connections = 300
fsync = off
CONF
  fi

  if as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    log "PostgreSQL already running on port $PG_PORT"
  else
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
    touch "$PG_LOG"
    chown postgres:postgres "$PG_LOG"
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null \
      || fail "PostgreSQL did not start; see $PG_LOG"
  fi

  local exists
  exists=$(as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")
  if [ "$exists" != "1" ]; then
    log "creating database $PG_DATABASE"
    as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_DATABASE"
  fi
}

stop_postgres() {
  if [ -f "$PG_DATA/PG_VERSION" ] && as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    log "stopping PostgreSQL"
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  else
    log "PostgreSQL is not running"
  fi
}

start_rabbitmq() {
  command -v rabbitmq-server >/dev/null || fail "rabbitmq-server is not installed; run deploy/install-debian-deps.sh"

  if port_is_open "$RABBITMQ_PORT"; then
    log "RabbitMQ already listening on port $RABBITMQ_PORT"
    return
  fi

  # --offline edits the enabled-plugins file without needing a running node.
  rabbitmq-plugins enable --offline rabbitmq_management >/dev/null

  log "starting RabbitMQ (log: $RABBITMQ_LOG)"
  # setsid + nohup: the broker must outlive this script and the shell (or CI step) that ran it.
  setsid nohup rabbitmq-server >"$RABBITMQ_LOG" 2>&1 < /dev/null &

  local waited=0
  until port_is_open "$RABBITMQ_PORT" && port_is_open "$RABBITMQ_MANAGEMENT_PORT"; do
    if [ "$waited" -ge "$RABBITMQ_START_TIMEOUT_SECONDS" ]; then
      tail -20 "$RABBITMQ_LOG" >&2 || true
      fail "RabbitMQ did not open ports $RABBITMQ_PORT and $RABBITMQ_MANAGEMENT_PORT within ${RABBITMQ_START_TIMEOUT_SECONDS}s; see $RABBITMQ_LOG"
    fi
    sleep 2
    waited=$((waited + 2))
  done
  rabbitmqctl await_startup >/dev/null || fail "rabbitmqctl await_startup failed; see $RABBITMQ_LOG"
  log "RabbitMQ is up after ~${waited}s"
}

stop_rabbitmq() {
  if port_is_open "$RABBITMQ_PORT"; then
    log "stopping RabbitMQ"
    # shutdown (unlike stop) waits until the Erlang VM has exited, so a start right after is safe.
    rabbitmqctl shutdown >/dev/null
  else
    log "RabbitMQ is not running"
  fi
}

print_env() {
  echo "export SPEECHEMOTION_TEST_POSTGRES='Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=postgres;Database=$PG_DATABASE'"
  echo "export SPEECHEMOTION_TEST_RABBITMQ='amqp://guest:guest@localhost:$RABBITMQ_PORT/'"
}

case "${1:-}" in
  start) require_root; start_postgres; start_rabbitmq ;;
  stop) require_root; stop_rabbitmq; stop_postgres ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
