#!/usr/bin/env bash
# Runs PostgreSQL 15 and RabbitMQ 3.10 from the Debian packages on a machine without Docker and without systemd,
# so the integration tests and the distributed mode have real servers to talk to.
#
#   deploy/local-servers.sh start [postgres|rabbitmq]   start both, or one (a no-op for a server that is already up)
#   deploy/local-servers.sh stop [postgres|rabbitmq]    stop both, or one
#   deploy/local-servers.sh status [postgres|rabbitmq]  print which are up; exit 0 only if all those named are up
#   deploy/local-servers.sh env                         print the export lines the tests read
#
# start and stop need root (PostgreSQL runs as the postgres user, RabbitMQ as rabbitmq). Run as root, or as a
# user with sudo: the script then re-runs itself through sudo, keeping the SPEECHEMOTION_* settings below.
#
# Both servers listen on 127.0.0.1 only, and keep their data and logs in one folder, SPEECHEMOTION_SERVERS_DIR
# (default /var/lib/speechemotion). PostgreSQL runs in a data directory of its own on its own port, so it never
# collides with a cluster the distribution may have set up; local TCP connections are trusted. RabbitMQ runs with
# the management plugin, whose HTTP API the integration tests use to create a fresh virtual host per run.
#
# Settings (environment): SPEECHEMOTION_SERVERS_DIR, SPEECHEMOTION_PG_DATA, SPEECHEMOTION_PG_PORT (55432),
# SPEECHEMOTION_RABBITMQ_PORT (5672), SPEECHEMOTION_RABBITMQ_MANAGEMENT_PORT (15672),
# SPEECHEMOTION_RABBITMQ_NODENAME (RabbitMQ's default), SPEECHEMOTION_EPMD_PORT (4369). A second, private pair of servers
# (for a test that must stop them) takes its own folder and ports through these.
set -euo pipefail

SERVERS_DIR=${SPEECHEMOTION_SERVERS_DIR:-/var/lib/speechemotion}

PG_BIN=/usr/lib/postgresql/15/bin
PG_DATA=${SPEECHEMOTION_PG_DATA:-$SERVERS_DIR/postgres}
PG_PORT=${SPEECHEMOTION_PG_PORT:-55432}
PG_LOG=$SERVERS_DIR/postgres.log
PG_DATABASE=speechemotion

RABBITMQ_DIR=$SERVERS_DIR/rabbitmq
RABBITMQ_PORT=${SPEECHEMOTION_RABBITMQ_PORT:-5672}
RABBITMQ_MANAGEMENT_PORT=${SPEECHEMOTION_RABBITMQ_MANAGEMENT_PORT:-15672}
# RabbitMQ's own convention: the inter-node (and CLI) port is the AMQP port + 20000.
RABBITMQ_DIST_PORT=$((RABBITMQ_PORT + 20000))
# Unset: RabbitMQ's default node name (rabbit@<host>); a second broker on this machine needs a name of its own.
RABBITMQ_NODE=${SPEECHEMOTION_RABBITMQ_NODENAME:-}
EPMD_PORT=${SPEECHEMOTION_EPMD_PORT:-4369}
RABBITMQ_LOG=$SERVERS_DIR/rabbitmq.log
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

become_root() {
  if [ "$(id -u)" -eq 0 ]; then
    return
  fi
  command -v sudo >/dev/null 2>&1 \
    || fail "run as root (PostgreSQL is started as the postgres user, RabbitMQ as rabbitmq); sudo is not installed"
  exec sudo --preserve-env=SPEECHEMOTION_SERVERS_DIR,SPEECHEMOTION_PG_DATA,SPEECHEMOTION_PG_PORT,SPEECHEMOTION_RABBITMQ_PORT,SPEECHEMOTION_RABBITMQ_MANAGEMENT_PORT,SPEECHEMOTION_RABBITMQ_NODENAME,SPEECHEMOTION_EPMD_PORT \
    "$0" "$@"
}

prepare_servers_dir() {
  mkdir -p "$SERVERS_DIR"
  # The postgres and rabbitmq users must be able to reach their folders inside it.
  chmod 755 "$SERVERS_DIR"
}

postgres_is_running() {
  [ -f "$PG_DATA/PG_VERSION" ] && as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

start_postgres() {
  [ -x "$PG_BIN/initdb" ] || fail "PostgreSQL 15 is not installed ($PG_BIN/initdb missing); run deploy/install-debian-deps.sh"

  if ! postgres_is_running && port_is_open "$PG_PORT"; then
    # Another PostgreSQL (say, one started before the data folder moved) already serves this port: use it as is.
    log "port $PG_PORT is already served by a PostgreSQL outside $PG_DATA; using it"
  else
    init_postgres
    if postgres_is_running; then
      log "PostgreSQL already running on port $PG_PORT"
    else
      log "starting PostgreSQL on 127.0.0.1:$PG_PORT (data: $PG_DATA, log: $PG_LOG)"
      touch "$PG_LOG"
      chown postgres:postgres "$PG_LOG"
      as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null \
        || fail "PostgreSQL did not start; see $PG_LOG"
    fi
  fi

  local exists
  exists=$(as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")
  if [ "$exists" != "1" ]; then
    log "creating database $PG_DATABASE"
    as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_DATABASE"
  fi
}

init_postgres() {
  if [ -f "$PG_DATA/PG_VERSION" ]; then
    return
  fi
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
}

stop_postgres() {
  if postgres_is_running; then
    log "stopping PostgreSQL"
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  else
    log "PostgreSQL ($PG_DATA) is not running"
  fi
}

# What both the broker and rabbitmqctl need to find this node: its name, its epmd, where its files are.
export_rabbitmq_environment() {
  if [ -n "$RABBITMQ_NODE" ]; then
    export RABBITMQ_NODENAME="$RABBITMQ_NODE@localhost"
  fi
  export ERL_EPMD_PORT="$EPMD_PORT"
  # epmd, when this node is the one that starts it, listens on loopback only.
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_CONFIG_FILE="$RABBITMQ_DIR/rabbitmq.conf"
  export RABBITMQ_MNESIA_BASE="$RABBITMQ_DIR/mnesia"
  export RABBITMQ_LOG_BASE="$RABBITMQ_DIR/log"
  export RABBITMQ_DIST_PORT
  # The inter-node listener takes its address from the Erlang kernel, not from rabbitmq.conf.
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

write_rabbitmq_config() {
  mkdir -p "$RABBITMQ_DIR/mnesia" "$RABBITMQ_DIR/log"
  cat > "$RABBITMQ_DIR/rabbitmq.conf" <<CONF
# Written by deploy/local-servers.sh: loopback only.
listeners.tcp.1 = 127.0.0.1:$RABBITMQ_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBITMQ_MANAGEMENT_PORT
CONF
  chown -R rabbitmq:rabbitmq "$RABBITMQ_DIR"
}

start_rabbitmq() {
  command -v rabbitmq-server >/dev/null || fail "rabbitmq-server is not installed; run deploy/install-debian-deps.sh"

  if port_is_open "$RABBITMQ_PORT"; then
    log "RabbitMQ already listening on port $RABBITMQ_PORT"
    return
  fi

  write_rabbitmq_config
  # --offline edits the enabled-plugins file without needing a running node.
  rabbitmq-plugins enable --offline rabbitmq_management >/dev/null

  log "starting RabbitMQ on 127.0.0.1:$RABBITMQ_PORT (data: $RABBITMQ_DIR, log: $RABBITMQ_LOG)"
  touch "$RABBITMQ_LOG"
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
    # The broker started epmd and leaves it behind; epmd refuses to quit while another Erlang node still uses it.
    epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true
  else
    log "RabbitMQ is not running"
  fi
}

status() {
  local all_up=0
  if port_is_open "$PG_PORT"; then log "postgres: up on 127.0.0.1:$PG_PORT"; else log "postgres: down"; [ "$1" = rabbitmq ] || all_up=1; fi
  if port_is_open "$RABBITMQ_PORT"; then log "rabbitmq: up on 127.0.0.1:$RABBITMQ_PORT"; else log "rabbitmq: down"; [ "$1" = postgres ] || all_up=1; fi
  return "$all_up"
}

print_env() {
  echo "export SPEECHEMOTION_TEST_POSTGRES='Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=postgres;Database=$PG_DATABASE'"
  echo "export SPEECHEMOTION_TEST_RABBITMQ='amqp://guest:guest@127.0.0.1:$RABBITMQ_PORT/'"
}

command=${1:-}
which=${2:-both}
case "$which" in
  both|postgres|rabbitmq) ;;
  *) echo "usage: $0 start|stop|status [postgres|rabbitmq] | env" >&2; exit 2 ;;
esac
export_rabbitmq_environment
case "$command" in
  start)
    become_root "$@"
    prepare_servers_dir
    if [ "$which" != rabbitmq ]; then start_postgres; fi
    if [ "$which" != postgres ]; then start_rabbitmq; fi
    ;;
  stop)
    become_root "$@"
    if [ "$which" != postgres ]; then stop_rabbitmq; fi
    if [ "$which" != rabbitmq ]; then stop_postgres; fi
    ;;
  status) status "$which" ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|status [postgres|rabbitmq] | env" >&2; exit 2 ;;
esac
