#!/usr/bin/env bash
# A MailHost cluster on this machine's loopback: one throwaway PostgreSQL, two equal mailhost hosts sharing it, and
# HAProxy in front balancing IMAP, POP3, SMTP and submission over both with the PROXY protocol, so each host sees the
# real client's address. Everything lives in one temporary directory that is removed on exit.
#
#   samples/Cluster/run.sh [--base-port N] [--demo-account alice@example.com:password] [--stop-after SECONDS]
#                          [--ready-file PATH] [--mailhost-dll PATH]
#
# Ports (N defaults to $MAILHOST_CLUSTER_BASE_PORT, else 24000), all on 127.0.0.1:
#   HAProxy  N IMAP, N+1 POP3, N+2 SMTP, N+3 submission   (what clients use)
#   host a   N+10 .. N+13, host b  N+20 .. N+23           (same order; only HAProxy may connect)
set -euo pipefail

usage() {
  sed -n '6,11p' "$0" | sed 's/^# \{0,1\}//'
}

die() {
  echo "run.sh: $*" >&2
  exit 1
}

log_of() {
  if [ "$1" = haproxy ]; then echo "$work/haproxy.log"; else echo "$work/$1/mailhost.log"; fi
}

repo=$(cd "$(dirname "$0")/../.." && pwd)
base_port=${MAILHOST_CLUSTER_BASE_PORT:-24000}
demo_account=""
stop_after=0
ready_file=""
mailhost_dll=""
while [ $# -gt 0 ]; do
  case "$1" in
    --base-port) base_port=${2:?--base-port needs a number}; shift 2 ;;
    --demo-account) demo_account=${2:?--demo-account needs name@domain:password}; shift 2 ;;
    --stop-after) stop_after=${2:?--stop-after needs a number of seconds}; shift 2 ;;
    --ready-file) ready_file=${2:?--ready-file needs a path}; shift 2 ;;
    --mailhost-dll) mailhost_dll=${2:?--mailhost-dll needs the path of a built mailhost.dll}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
[[ $base_port =~ ^[0-9]+$ ]] && [ "$base_port" -ge 1024 ] && [ "$base_port" -le 65500 ] \
  || die "--base-port must be a number from 1024 to 65500"
[[ $stop_after =~ ^[0-9]+$ ]] || die "--stop-after must be a number of seconds"
if [ -n "$demo_account" ] && [[ ! $demo_account =~ ^[^@:]+@[^@:]+:.+$ ]]; then
  die "--demo-account must look like alice@example.com:password"
fi

# Prerequisites first, so a missing piece is named before anything starts.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] \
  || die "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb). On Debian: apt-get install postgresql postgresql-contrib"
# Debian puts haproxy in /usr/sbin, which is not on every user's PATH.
haproxy=$(command -v haproxy || command -v /usr/sbin/haproxy || true)
[ -n "$haproxy" ] || die "HAProxy is not installed. On Debian: apt-get install haproxy"
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH"

protocols=(imap pop3 smtp submission)
# The greeting each protocol's server sends first; the readiness check reads it through HAProxy.
declare -A greeting=([imap]='* OK' [pop3]='+OK' [smtp]='220' [submission]='220')
# Plain-port TLS modes as in the default configuration: Auto takes a client's TLS at once or offers STARTTLS.
declare -A tls=([imap]=Auto [pop3]=Auto [smtp]=StartTls [submission]=Auto)
declare -A offset=([imap]=0 [pop3]=1 [smtp]=2 [submission]=3)
hosts=(a b)
declare -A host_base=([a]=$((base_port + 10)) [b]=$((base_port + 20)))

work=$(mktemp -d "${TMPDIR:-/tmp}/mailhost-cluster.XXXXXX")
declare -A pids=()
as_pg=()

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  echo "Stopping the cluster"
  # HAProxy first, so no new connection reaches a host that is stopping.
  for name in haproxy b a; do
    if [ -n "${pids[$name]:-}" ] && kill -0 "${pids[$name]}" 2>/dev/null; then
      kill -TERM "${pids[$name]}" 2>/dev/null || true
    fi
  done
  for name in haproxy b a; do
    [ -n "${pids[$name]:-}" ] || continue
    # A host drains its sessions on TERM; one that has not ended after 15 s is killed.
    for _ in $(seq 150); do kill -0 "${pids[$name]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${pids[$name]}" 2>/dev/null || true
  done
  if [ -f "$work/pg/data/postmaster.pid" ]; then
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
# Background jobs of a script ignore Ctrl-C, so the EXIT trap stops them.
trap 'exit 130' INT
trap 'exit 143' TERM

# A given mailhost.dll (the tests pass the one they were built with) is used as it is; otherwise build once.
if [ -z "$mailhost_dll" ]; then
  echo "Building the server (Release)"
  dotnet build "$repo/src/MailHost.Server" -c Release -nologo -clp:ErrorsOnly -v quiet >"$work/build.log" 2>&1 \
    || { cat "$work/build.log" >&2; die "the build failed"; }
  mailhost_dll="$repo/src/MailHost.Server/bin/Release/net10.0/mailhost.dll"
fi
[ -f "$mailhost_dll" ] || die "$mailhost_dll does not exist"
mailhost_dll=$(cd "$(dirname "$mailhost_dll")" && pwd)/$(basename "$mailhost_dll")

# PostgreSQL: a cluster of its own in the temporary directory, reachable only over the unix socket there.
mkdir "$work/pg"
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root. Its user needs to pass through the temporary directory (not list it).
  chmod 711 "$work"
  chown postgres "$work/pg"
  as_pg=(runuser -u postgres --)
fi
echo "Starting PostgreSQL ($("$pg_bin/postgres" --version | awk '{print $3}'))"
"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg/data" -A trust -U mailhost -E UTF8 --locale=C.UTF-8 >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; die "initdb failed"; }
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w \
  -o "-k $work/pg -c listen_addresses='' -c commit_delay=1000" start >/dev/null \
  || { cat "$work/pg/server.log" >&2; die "PostgreSQL did not start"; }
"$pg_bin/createdb" -h "$work/pg" -U mailhost mailhost || die "could not create the database"

# What the hosts and the admin commands share: the store. Environment variables, because the admin commands take
# only --MailHost:... arguments and the connection string is not one.
export MailHost__Store__Provider=Postgres
export ConnectionStrings__MailHost="Host=$work/pg;Database=mailhost;Username=mailhost"
# The sample stays on this machine: no mail to other domains leaves it.
export MailHost__Outbound__Enabled=false
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# One certificate for both hosts: behind one address, a client must see the same certificate whichever host answers.
if command -v openssl >/dev/null 2>&1; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1 || die "openssl could not make a certificate"
  certificate=("--MailHost:Certificate:Path=$work/cert.pem" "--MailHost:Certificate:KeyPath=$work/key.pem")
else
  echo "openssl is missing: each host generates its own self-signed certificate"
  certificate=()
fi

start_host() {
  local name=$1 port=${host_base[$1]} args=() protocol
  mkdir -p "$work/$name"
  args+=("--MailHost:Hostname=localhost" "--MailHost:DataDirectory=$work/$name/data" "--MailHost:Store:InstanceId=$name")
  args+=("--Logging:LogLevel:Default=Information" "--Logging:LogLevel:Microsoft.AspNetCore=Warning")
  for protocol in "${protocols[@]}"; do
    local key="--MailHost:Endpoints:$protocol"
    args+=("$key:Url=$protocol://127.0.0.1:$((port + offset[$protocol]))" "$key:Tls=${tls[$protocol]}")
    # Only HAProxy's address may send a PROXY header; every connection must carry one.
    args+=("$key:ProxyProtocol=true" "$key:TrustedProxies:0=127.0.0.1/32")
  done
  # The working directory holds no appsettings.json, so the endpoints are exactly the ones above.
  (cd "$work/$name" && exec dotnet "$mailhost_dll" serve "${args[@]}" "${certificate[@]}" >"$work/$name/mailhost.log" 2>&1) &
  pids[$name]=$!
}

wait_for_host() {
  local name=$1
  for _ in $(seq 600); do
    kill -0 "${pids[$name]}" 2>/dev/null || { cat "$work/$name/mailhost.log" >&2; die "host $name stopped while starting"; }
    # The host logs one "Listening:" line per endpoint once all of them accept connections.
    [ "$(grep -c 'Listening:' "$work/$name/mailhost.log" || true)" -ge ${#protocols[@]} ] && return 0
    sleep 0.1
  done
  cat "$work/$name/mailhost.log" >&2
  die "host $name did not listen within 60 s"
}

# Both at once: the schema migrations run under an advisory lock, so hosts starting together do not race.
echo "Starting hosts a and b"
for name in "${hosts[@]}"; do start_host "$name"; done
for name in "${hosts[@]}"; do wait_for_host "$name"; done

{
  echo "global"
  echo "  log stdout format raw local0 info"
  echo "defaults"
  echo "  mode tcp"
  echo "  log global"
  echo "  option tcplog"
  echo "  balance roundrobin"
  echo "  timeout connect 5s"
  # IMAP IDLE keeps a quiet connection open for up to 29 minutes (RFC 9051).
  echo "  timeout client 30m"
  echo "  timeout server 30m"
  # send-proxy-v2 tells the host who the client is; health checks send a PROXY LOCAL header, which the hosts accept.
  echo "  default-server send-proxy-v2 check check-send-proxy inter 5s"
  for protocol in "${protocols[@]}"; do
    echo "listen $protocol"
    echo "  bind 127.0.0.1:$((base_port + offset[$protocol]))"
    for name in "${hosts[@]}"; do
      echo "  server $name 127.0.0.1:$((host_base[$name] + offset[$protocol]))"
    done
  done
} >"$work/haproxy.cfg"
"$haproxy" -c -q -f "$work/haproxy.cfg" || die "HAProxy rejected $work/haproxy.cfg"
echo "Starting HAProxy"
"$haproxy" -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids[haproxy]=$!

# Ready means a greeting arrives through HAProxy on every port, twice, so from each host once.
probe() {
  local port=$1 expected=$2 line fd
  # The braces keep the silenced stderr temporary; exec's own redirections would last.
  { exec {fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
  IFS= read -r -t 10 line <&"$fd" || line=""
  exec {fd}>&-
  [[ $line == "$expected"* ]]
}
wait_for_greeting() {
  local protocol=$1 port=$((base_port + offset[$1]))
  for _ in $(seq 100); do
    kill -0 "${pids[haproxy]}" 2>/dev/null || { cat "$work/haproxy.log" >&2; echo "run.sh: HAProxy stopped" >&2; return 1; }
    probe "$port" "${greeting[$protocol]}" && return 0
    sleep 0.2
  done
  echo "run.sh: no $protocol greeting through HAProxy on port $port" >&2
  return 1
}
# All at once: an Auto port holds its greeting for a second, waiting for a TLS hello that a probe never sends.
probes=()
for protocol in "${protocols[@]}"; do
  for _ in 1 2; do
    wait_for_greeting "$protocol" &
    probes+=($!)
  done
done
for probe_pid in "${probes[@]}"; do
  wait "$probe_pid" || { kill "${probes[@]}" 2>/dev/null; die "the cluster did not become ready"; }
done

if [ -n "$demo_account" ]; then
  address=${demo_account%%:*}
  password=${demo_account#*:}
  account=${address%%@*}
  domain=${address#*@}
  mailhost_admin() { (cd "$work" && dotnet "$mailhost_dll" "$@"); }
  mailhost_admin domains add "$domain" >/dev/null || die "could not add the domain $domain"
  # On standard input, so the password is in no process list.
  printf '%s\n' "$password" | mailhost_admin users add "$account" --address "$address" --password-stdin >/dev/null \
    || die "could not add the account $account"
  echo "Account: $account (log in as $account or $address)"
fi

cat <<EOF
PostgreSQL: $ConnectionStrings__MailHost
Certificate: ${certificate:+$work/cert.pem}
Host a: 127.0.0.1:${host_base[a]}-$((host_base[a] + 3)), log $work/a/mailhost.log
Host b: 127.0.0.1:${host_base[b]}-$((host_base[b] + 3)), log $work/b/mailhost.log
HAProxy: log $work/haproxy.log
IMAP: 127.0.0.1:$base_port
POP3: 127.0.0.1:$((base_port + 1))
SMTP: 127.0.0.1:$((base_port + 2))
Submission: 127.0.0.1:$((base_port + 3))
EOF
[ -z "$ready_file" ] || : >"$ready_file"
echo "Cluster ready (Ctrl-C stops it)"

started=$SECONDS
while :; do
  for name in haproxy a b; do
    if ! kill -0 "${pids[$name]}" 2>/dev/null; then
      # The log goes with the temporary directory, so its end is shown here.
      tail -n 40 "$(log_of "$name")" >&2
      die "$name stopped unexpectedly"
    fi
  done
  if [ "$stop_after" -gt 0 ] && [ $((SECONDS - started)) -ge "$stop_after" ]; then
    echo "Stopping after $stop_after s as asked"
    exit 0
  fi
  # Waiting on a background sleep lets a signal end the wait at once.
  sleep 1 &
  wait $! || true
done
