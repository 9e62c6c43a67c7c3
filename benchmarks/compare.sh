#!/usr/bin/env bash
# MailHost side by side with Dovecot (IMAP, POP3) and Postfix (SMTP) on this machine.
#
# Installs Dovecot and Postfix from apt when they are missing, starts throwaway instances of all three servers on
# loopback ports (configuration, mail and queues in one temporary directory), gives them the same users with the
# same password hash cost, drives each workload against each server in turn with benchmarks/MailHost.LoadTest for
# several rounds, and prints the medians and the MailHost/peer ratio. It stops only the processes it started and
# removes its directory unless --keep is given.
#
# The IMAP workloads run on their own users (box0, box1, ...), whose INBOXes are filled over SMTP with the same
# number of messages on both sides before the first round, so that both servers answer on equal mailboxes (the SMTP
# workload's users receive as many messages as each server accepts in its runs). The imap-write workload runs on the
# users wbox0.. (--write-users), filled the same way with --write-messages each; the search workload on search0, whose
# INBOX the load tool fills over IMAP with the same --search-messages messages, flags and dates on both sides.
#
# Needs root (Dovecot and Postfix drop privileges to their own users), python3, openssl and the .NET SDK.
#
#   benchmarks/compare.sh [--rounds 3] [--seconds 10] [--warmup 5] [--clients 20] [--users 20] [--iterations 10000]
#                         [--idle-clients 1000] [--big-mib 100] [--mailbox-messages 1000]
#                         [--search-messages 5000] [--search-repeat 10] [--search-warmup 30]
#                         [--write-users 100] [--write-messages 300]
#                         [--workloads "smtp imap imap-login pop3 big idle"]   (also: search imap-write)
#                         [--store sqlite|postgres] [--keep] [--no-install]
#
# Before the first round, each throughput workload (smtp, imap, imap-login, pop3, imap-write) runs once for --warmup
# seconds on each server, not counted: a mail server runs for weeks, and MailHost's first minutes include compiling
# its hot code (.NET's tiered JIT), which a short measured run would otherwise count. The search workload's warm-up
# searches for --search-warmup seconds instead. --warmup 0 leaves both out.
#
# SMTP is given twice: the rate of 250 replies during the run, and smtp-settled, the same messages over the run and
# the work each server defers after it (MailHost's text index of the new mail, Postfix's delivery from its queue).
#
# --store postgres runs MailHost on a throwaway PostgreSQL cluster started here (Debian's postgresql package, on a
# unix socket in the work directory, sharing the machine's cores with everything else) instead of SQLite.
set -euo pipefail

ROUNDS=3
SECONDS_PER_RUN=10
WARMUP=5
CLIENTS=20
USERS=20
ITERATIONS=10000
IDLE_CLIENTS=1000
BIG_MIB=100
MAILBOX_MESSAGES=1000
SEARCH_MESSAGES=5000
SEARCH_REPEAT=10
SEARCH_WARMUP=30
WRITE_USERS=100
WRITE_MESSAGES=300
WORKLOADS="smtp imap imap-login pop3 big idle"
KEEP=0
INSTALL=1
STORE=sqlite
PASSWORD=password

while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --users) USERS=$2; shift 2 ;;
    --iterations) ITERATIONS=$2; shift 2 ;;
    --idle-clients) IDLE_CLIENTS=$2; shift 2 ;;
    --big-mib) BIG_MIB=$2; shift 2 ;;
    --mailbox-messages) MAILBOX_MESSAGES=$2; shift 2 ;;
    --search-messages) SEARCH_MESSAGES=$2; shift 2 ;;
    --search-repeat) SEARCH_REPEAT=$2; shift 2 ;;
    --search-warmup) SEARCH_WARMUP=$2; shift 2 ;;
    --write-users) WRITE_USERS=$2; shift 2 ;;
    --write-messages) WRITE_MESSAGES=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    --store) STORE=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-install) INSTALL=0; shift ;;
    -h|--help) sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

has_workload() { [[ " $WORKLOADS " == *" $1 "* ]]; }

# Ports: MailHost 21xxx, Dovecot and Postfix 31xxx. Only loopback is ever used.
MH_IMAP=21143; MH_POP3=21110; MH_SMTP=21025
DV_IMAP=31143; DV_POP3=31110; PF_SMTP=31025

REPO=$(cd "$(dirname "$0")/.." && pwd)
if [[ $(id -u) -ne 0 ]]; then
  echo "compare.sh: run as root: Dovecot and Postfix start as root and switch to their own users" >&2
  exit 2
fi
for tool in python3 openssl dotnet; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool is required" >&2; exit 2; }
done

if [[ $INSTALL -eq 1 ]] && ! { command -v dovecot && command -v postfix; } >/dev/null; then
  echo "== installing dovecot-imapd dovecot-pop3d postfix from apt (their system services are not started)"
  # Debian does not start services on install when policy-rc.d says no; add one only if there is none.
  OWN_POLICY=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && OWN_POLICY=1
  fi
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q dovecot-imapd dovecot-pop3d postfix >/dev/null
  [[ $OWN_POLICY -eq 1 ]] && rm -f /usr/sbin/policy-rc.d
fi
command -v dovecot >/dev/null && command -v postfix >/dev/null || { echo "compare.sh: dovecot and postfix are required" >&2; exit 2; }

WORK=$(mktemp -d /tmp/mailhost-compare.XXXXXX)
chmod 755 "$WORK"
MH_PID=""
STARTED_DOVECOT=0
STARTED_POSTFIX=0
PG_CTL=""
AS_PG=()

cleanup() {
  set +e
  [[ -n $MH_PID ]] && kill "$MH_PID" 2>/dev/null && wait "$MH_PID" 2>/dev/null
  [[ -n $MH_PID ]] && tail -3 "$WORK/mailhost/server.log" 2>/dev/null | grep -i error
  [[ $STARTED_DOVECOT -eq 1 ]] && doveadm -c "$WORK/dovecot/dovecot.conf" stop 2>/dev/null
  [[ $STARTED_POSTFIX -eq 1 ]] && postfix -c "$WORK/postfix/conf" stop 2>/dev/null
  [[ -n $PG_CTL ]] && "${AS_PG[@]}" "$PG_CTL" -D "$WORK/pg/data" -m fast stop >/dev/null 2>&1
  if [[ $KEEP -eq 0 ]]; then rm -rf "$WORK"; else echo "kept: $WORK"; fi
}
trap cleanup EXIT

# Many idle connections need many descriptors in the servers (inherited from here) and in the load tool.
ulimit -n $(( IDLE_CLIENTS * 2 + 4096 )) 2>/dev/null || ulimit -n "$(ulimit -Hn)"

wait_port() { # port seconds
  local deadline=$(( $(date +%s) + $2 ))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    [[ $(date +%s) -ge $deadline ]] && { echo "compare.sh: nothing listens on 127.0.0.1:$1" >&2; return 1; }
    sleep 0.2
  done
}

echo "== building MailHost and the load tool (Release)"
dotnet build "$REPO/src/MailHost.Server" -c Release -v q -nologo >/dev/null
dotnet build "$REPO/benchmarks/MailHost.LoadTest" -c Release -v q -nologo >/dev/null
MAILHOST="$REPO/src/MailHost.Server/bin/Release/net10.0/mailhost.dll"
LOADTEST="$REPO/benchmarks/MailHost.LoadTest/bin/Release/net10.0/mailhost-load.dll"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 2 -subj /CN=localhost 2>/dev/null
chmod 644 "$WORK/key.pem"

# --- MailHost -----------------------------------------------------------------------------------------------
mkdir -p "$WORK/mailhost"
export MailHost__DataDirectory="$WORK/mailhost/data"
if [[ $STORE == postgres ]]; then
  echo "== starting a throwaway PostgreSQL for MailHost"
  # commit_delay: the group commit README.md recommends for a MailHost database (commits stay durable).
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [[ -x $PG_BIN/initdb ]] || { echo "compare.sh: --store postgres needs Debian's postgresql package" >&2; exit 2; }
  mkdir -p "$WORK/pg"
  if [[ $(id -u) -eq 0 ]]; then chown postgres "$WORK/pg"; AS_PG=(runuser -u postgres --); fi
  "${AS_PG[@]}" "$PG_BIN/initdb" -D "$WORK/pg/data" -A trust -U mailhost -E UTF8 --locale=C.UTF-8 >/dev/null
  PG_CTL=$PG_BIN/pg_ctl
  "${AS_PG[@]}" "$PG_CTL" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -o "-k $WORK/pg -c listen_addresses='' -c max_connections=300 -c commit_delay=1000" start >/dev/null
  "${AS_PG[@]}" "$PG_BIN/createdb" -h "$WORK/pg" -U mailhost mailhost
  export MailHost__Store__Provider=Postgres
  export ConnectionStrings__MailHost="Host=$WORK/pg;Username=mailhost;Database=mailhost;Maximum Pool Size=200"
elif [[ $STORE != sqlite ]]; then
  echo "compare.sh: --store is sqlite or postgres, not $STORE" >&2; exit 2
fi
export MailHost__Hostname=localhost
export MailHost__Auth__PasswordIterations=$ITERATIONS
export MailHost__Certificate__Path="$WORK/cert.pem" MailHost__Certificate__KeyPath="$WORK/key.pem"
# The server runs in its own directory, so only these three endpoints exist (no appsettings.json is read there).
export MailHost__Endpoints__Imap__Url="imap://127.0.0.1:$MH_IMAP" MailHost__Endpoints__Imap__Tls=StartTls
export MailHost__Endpoints__Pop3__Url="pop3://127.0.0.1:$MH_POP3" MailHost__Endpoints__Pop3__Tls=StartTls
export MailHost__Endpoints__Smtp__Url="smtp://127.0.0.1:$MH_SMTP" MailHost__Endpoints__Smtp__Tls=None
for ep in Imap Pop3 Smtp; do
  export "MailHost__Endpoints__${ep}__MaxConnections=$(( IDLE_CLIENTS + 1000 ))" "MailHost__Endpoints__${ep}__MaxConnectionsPerAddress=$(( IDLE_CLIENTS + 1000 ))"
  export "MailHost__Endpoints__${ep}__MaxPendingTlsHandshakes=$(( IDLE_CLIENTS + 1000 ))" "MailHost__Endpoints__${ep}__MaxPendingTlsHandshakesPerAddress=0"
done
export MailHost__Outbound__Enabled=false
# Postfix as configured here checks no SPF, DKIM or DMARC, so neither does MailHost (and the checks would wait on
# DNS, which a loopback-only machine may not answer).
export MailHost__MailAuthentication__Enabled=false
# The big-message workload appends a --big-mib message over IMAP (APPENDLIMIT is 50 MiB by default).
export MailHost__Imap__MaxAppendSize=$(( BIG_MIB * 1048576 + 1048576 ))
export Logging__LogLevel__Default=Warning

NAMES=()
for ((i = 0; i < USERS; i++)); do NAMES+=("user$i" "box$i"); done
if has_workload imap-write; then for ((i = 0; i < WRITE_USERS; i++)); do NAMES+=("wbox$i"); done; fi
if has_workload search; then NAMES+=(search0); fi
echo "== creating ${#NAMES[@]} users on each server (PBKDF2-SHA-256, $ITERATIONS iterations)"
(cd "$WORK/mailhost" && dotnet "$MAILHOST" domains add example.com >/dev/null)
for name in "${NAMES[@]}"; do
  echo "$PASSWORD" | (cd "$WORK/mailhost" && dotnet "$MAILHOST" users add "$name" --address "$name@example.com" --password-stdin >/dev/null)
done

# --- Dovecot (maildir; the SCRAM-SHA-256 record is PBKDF2-SHA-256 with the same iteration count) -------------
DV="$WORK/dovecot"
mkdir -p "$DV/run" "$DV/mail"
chown mail:mail "$DV/mail"
python3 - "$PASSWORD" "$ITERATIONS" "${NAMES[@]}" > "$DV/passwd" <<'EOF'
import base64, hashlib, hmac, os, sys
password, iterations, names = sys.argv[1].encode(), int(sys.argv[2]), sys.argv[3:]
for name in names:
    salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac('sha256', password, salt, iterations)
    stored = hashlib.sha256(hmac.new(salted, b'Client Key', 'sha256').digest()).digest()
    server = hmac.new(salted, b'Server Key', 'sha256').digest()
    b64 = lambda b: base64.b64encode(b).decode()
    print(f'{name}:{{SCRAM-SHA-256}}{iterations},{b64(salt)},{b64(stored)},{b64(server)}')
EOF
chmod 644 "$DV/passwd"
cat > "$DV/dovecot.conf" <<EOF
base_dir = $DV/run
state_dir = $DV/run
instance_name = mailhost-compare
listen = 127.0.0.1
protocols = imap pop3
log_path = $DV/dovecot.log
ssl = yes
ssl_cert = <$WORK/cert.pem
ssl_key = <$WORK/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=SCRAM-SHA-256 $DV/passwd
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$DV/mail/%u
}
mail_location = maildir:~/Maildir
first_valid_uid = 8
first_valid_gid = 8
default_process_limit = $(( IDLE_CLIENTS + 200 ))
default_client_limit = $(( IDLE_CLIENTS * 2 + 1000 ))
default_vsz_limit = 1G
# Every load client comes from 127.0.0.1 with one of a few users: lift the per-user-and-address cap (10 by default).
mail_max_userip_connections = $(( IDLE_CLIENTS + 1000 ))
# Login processes in Dovecot's documented high-performance mode (one process serves many connections).
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $DV_IMAP
  }
  inet_listener imaps {
    port = 0
  }
  service_count = 0
  process_min_avail = 2
  client_limit = $(( IDLE_CLIENTS + 1000 ))
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $DV_POP3
  }
  inet_listener pop3s {
    port = 0
  }
  service_count = 0
  process_min_avail = 2
}
service imap {
  process_limit = $(( IDLE_CLIENTS + 200 ))
}
service anvil {
  client_limit = $(( IDLE_CLIENTS * 3 + 1000 ))
}
EOF

# --- Postfix (delivers into the Dovecot maildirs, as the two are usually run together) -----------------------
PF="$WORK/postfix"
mkdir -p "$PF/conf" "$PF/queue" "$PF/data"
chown postfix "$PF/data"
: > "$PF/conf/vmailbox"
for name in "${NAMES[@]}"; do echo "$name@example.com $name/Maildir/" >> "$PF/conf/vmailbox"; done
# The packaged master.cf without chroot (the queue lives here) and with smtpd on our loopback port.
grep -v '^#' /etc/postfix/master.cf \
  | awk '/^[a-z]/ { skip = ($1 ~ /^(maildrop|uucp|ifmail|bsmtp|scalemail-backend|mailman)$/) } !skip' \
  | awk -v port="$PF_SMTP" '$1 == "smtp" && $2 == "inet" { print "127.0.0.1:" port " inet n - n - - smtpd"; next }
                            /^[a-z]/ && NF >= 8 { $5 = "n" } { print }' > "$PF/conf/master.cf"
cat > "$PF/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = compare.localhost
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_recipient_restrictions = permit_mynetworks, reject
virtual_mailbox_domains = example.com
virtual_mailbox_base = $DV/mail
virtual_mailbox_maps = texthash:$PF/conf/vmailbox
virtual_minimum_uid = 8
virtual_uid_maps = static:8
virtual_gid_maps = static:8
maillog_file_prefixes = $PF
maillog_file = $PF/postfix.log
alias_maps =
alias_database =
local_recipient_maps =
biff = no
EOF

echo "== starting the servers"
(cd "$WORK/mailhost" && exec dotnet "$MAILHOST" > "$WORK/mailhost/server.log" 2>&1) &
MH_PID=$!
dovecot -c "$DV/dovecot.conf" && STARTED_DOVECOT=1
postfix -c "$PF/conf" start >/dev/null 2>&1 && STARTED_POSTFIX=1 || { echo "compare.sh: postfix did not start" >&2; tail -5 "$PF/postfix.log" 2>/dev/null; exit 1; }
for port in $MH_IMAP $MH_POP3 $MH_SMTP $DV_IMAP $DV_POP3 $PF_SMTP; do wait_port "$port" 60; done
# dotnet runs mailhost.dll in-process: $MH_PID is the server.
DV_PID=$(cat "$DV/run/master.pid")
PF_PID=$(sed -n 1p "$PF/queue/pid/master.pid" | tr -d ' ')

# Sum of proportional set sizes (kB) of a process and its descendants: shared pages counted once across them.
tree_pss_kb() {
  local pids=("$1") all=() p
  while [[ ${#pids[@]} -gt 0 ]]; do
    p=${pids[0]}; pids=("${pids[@]:1}"); all+=("$p")
    for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do pids+=("$c"); done
  done
  local total=0
  for p in "${all[@]}"; do
    total=$(( total + $(awk '/^Pss:/ { print $2 }' /proc/"$p"/smaps_rollup 2>/dev/null || echo 0) ))
  done
  echo $total
}

load() { # name json args...
  local name=$1 json=$2; shift 2
  dotnet "$LOADTEST" "$@" --json "$json" > "$WORK/$name.txt" 2>&1 || true
}

metric() { # json operation|total|commands|errors|count
  python3 - "$1" "$2" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))
rows = {r['Operation']: r for r in data['Results']}
what = sys.argv[2]
if what == 'total':
    print(round(sum(r['PerSecond'] for name, r in rows.items() if name not in ('login', 'SELECT')), 1))
elif what == 'commands':
    print(round(sum(r['PerSecond'] for name, r in rows.items() if name not in ('login', 'setup', 'session')), 1))
elif what == 'errors':
    print(sum(r['Errors'] for r in rows.values()))
elif what == 'count':
    print(rows.get('message', {'Count': 0})['Count'])
else:
    print(round(rows.get(what, {'PerSecond': 0})['PerSecond'], 1))
EOF
}

# Both wait functions leave the seconds the deferred work took in DEFERRED_S (0 when there was none).
DEFERRED_S=0
since() { python3 -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$1"; }

wait_postfix_queue() { # delivery is asynchronous: wait (bounded) until Postfix's queue is empty
  local start; start=$(date +%s.%N)
  local deadline=$(( ${start%.*} + 120 ))
  DEFERRED_S=0
  while [[ -n $(find "$PF/queue/incoming" "$PF/queue/active" "$PF/queue/deferred" -type f 2>/dev/null | head -1) ]]; do
    [[ $(date +%s) -ge $deadline ]] && { echo "   (Postfix queue not empty after 120 s)"; DEFERRED_S=$(since "$start"); return; }
    sleep 0.2
  done
  DEFERRED_S=$(since "$start")
  echo "   deferred work: Postfix queue delivered in $DEFERRED_S s"
}

wait_mailhost_index() { # MailHost indexes new mail's text in the background: wait (bounded) until it has caught up
  DEFERRED_S=0
  # On PostgreSQL the trigram indexes are kept in the storing transaction: nothing is deferred.
  [[ $STORE == postgres ]] && return
  local start; start=$(date +%s.%N)
  local deadline=$(( ${start%.*} + 300 ))
  while true; do
    local pending
    pending=$(python3 -c "import sqlite3,sys; c=sqlite3.connect('file:'+sys.argv[1]+'?mode=ro', uri=True); print(c.execute('SELECT COUNT(*) FROM text_pending').fetchone()[0])" "$MailHost__DataDirectory/mail.db" 2>/dev/null || echo 0)
    [[ $pending -eq 0 ]] && break
    [[ $(date +%s) -ge $deadline ]] && { echo "   (MailHost text index still $pending behind after 300 s)"; DEFERRED_S=$(since "$start"); return; }
    sleep 0.2
  done
  DEFERRED_S=$(since "$start")
  echo "   deferred work: MailHost text index caught up in $DEFERRED_S s"
}

RESULTS="$WORK/results.tsv"
: > "$RESULTS"
record() { (( round > 0 )) || return 0; printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$RESULTS"; }   # workload server round value (round 0, the warm-up, is not kept)

search_rows() { # json -> "kind hits hash median p90" per SEARCH kind
  python3 -c "import json,sys; [print(d['Kind'], d['Hits'], d['UidHash'], d['MedianMs'], d['P90Ms']) for d in (json.load(open(sys.argv[1])).get('Details') or [])]" "$1"
}

BIG_BYTES=$(( BIG_MIB * 1048576 ))
if { has_workload imap || has_workload imap-login; } && [[ $MAILBOX_MESSAGES -gt 0 ]]; then
  echo "== filling the IMAP users' INBOXes: $MAILBOX_MESSAGES messages of 4 KiB each, on both sides"
  for s in mailhost:$MH_SMTP postfix:$PF_SMTP; do
    load "seed-${s%%:*}" "$WORK/j.json" smtp --port "${s##*:}" --clients "$CLIENTS" --users "$USERS" --rcpt 'box{0}@example.com' \
      --messages 50 --size 4096 --count $(( USERS * MAILBOX_MESSAGES )) --seconds 600
    echo "   ${s%%:*}: $(metric "$WORK/j.json" count) messages accepted"
    if [[ ${s%%:*} == mailhost ]]; then wait_mailhost_index; else wait_postfix_queue; fi
  done
fi
if has_workload imap-write && [[ $WRITE_MESSAGES -gt 0 ]]; then
  echo "== filling the imap-write users' INBOXes: $WRITE_USERS users, $WRITE_MESSAGES messages of 4 KiB each, on both sides"
  for s in mailhost:$MH_SMTP postfix:$PF_SMTP; do
    load "seed-write-${s%%:*}" "$WORK/j.json" smtp --port "${s##*:}" --clients "$CLIENTS" --users "$WRITE_USERS" --rcpt 'wbox{0}@example.com' \
      --messages 50 --size 4096 --count $(( WRITE_USERS * WRITE_MESSAGES )) --seconds 600
    echo "   ${s%%:*}: $(metric "$WORK/j.json" count) messages accepted"
    if [[ ${s%%:*} == mailhost ]]; then wait_mailhost_index; else wait_postfix_queue; fi
  done
fi
if has_workload search; then
  # Over IMAP (MULTIAPPEND), not SMTP: the SEARCH kinds need set flags, keywords and internal dates, and one ordered
  # stream on one connection gives both servers the same UIDs, so their answers can be compared UID for UID.
  echo "== filling search0's INBOX over IMAP: $SEARCH_MESSAGES messages, the same on both sides"
  for s in mailhost:$MH_IMAP dovecot:$DV_IMAP; do
    load "seed-search-${s%%:*}" "$WORK/j.json" search --port "${s##*:}" --tls starttls --user search0 --users 1 \
      --mailbox-messages "$SEARCH_MESSAGES" --repeat 0 --seconds 3600
    grep -E '^(filled|error)' "$WORK/seed-search-${s%%:*}.txt" | sed "s/^/   ${s%%:*}: /" || true
    if [[ ${s%%:*} == mailhost ]]; then wait_mailhost_index; fi
  done
fi
SEARCH_DIFFS="$WORK/search-diffs.txt"
: > "$SEARCH_DIFFS"
for ((round = WARMUP > 0 ? 0 : 1; round <= ROUNDS; round++)); do
  if (( round == 0 )); then
    echo "== warm-up: each throughput workload for $WARMUP s on each server, not counted"
    run_seconds=$WARMUP
  else
    echo "== round $round of $ROUNDS"
    run_seconds=$SECONDS_PER_RUN
  fi
  for w in $WORKLOADS; do
    if (( round == 0 )) && [[ " smtp imap imap-login pop3 imap-write search " != *" $w "* ]]; then continue; fi
    case $w in
      smtp)
        # 20 sessions of 4 KiB messages, no TLS, to local maildrops; only 250s count.
        # Each server finishes its deferred work (Postfix: delivery from its queue; MailHost: text indexing) before
        # the next run starts, so neither runs beside the other's measurement.
        for s in mailhost:$MH_SMTP postfix:$PF_SMTP; do
          load "smtp-${s%%:*}-$round" "$WORK/j.json" smtp --port "${s##*:}" --clients "$CLIENTS" --users "$USERS" --messages 20 --size 4096 --seconds "$run_seconds"
          rate=$(metric "$WORK/j.json" message)
          record smtp "${s%%:*}" "$round" "$rate"
          if [[ ${s%%:*} == mailhost ]]; then wait_mailhost_index; else wait_postfix_queue; fi
          # The same messages over the run and the deferred work after it (MailHost's text index, Postfix's delivery
          # from its queue): the rate a server keeps up for hours.
          record smtp-settled "${s%%:*}" "$round" "$(python3 -c "import sys; r, s, d = map(float, sys.argv[1:]); print(round(r * s / (s + d), 1))" "$rate" "$run_seconds" "$DEFERRED_S")"
        done ;;
      imap|imap-login)
        extra=(); [[ $w == imap-login ]] && extra=(--login-every 5)
        for s in mailhost:$MH_IMAP dovecot:$DV_IMAP; do
          load "$w-${s%%:*}-$round" "$WORK/j.json" imap --port "${s##*:}" --tls starttls --clients "$CLIENTS" --users "$USERS" --user 'box{0}' \
            --seconds "$run_seconds" "${extra[@]}"
          if [[ $w == imap ]]; then record imap "${s%%:*}" "$round" "$(metric "$WORK/j.json" total)"
          else record imap-login "${s%%:*}" "$round" "$(metric "$WORK/j.json" login)"; fi
        done ;;
      pop3)
        for s in mailhost:$MH_POP3 dovecot:$DV_POP3; do
          load "pop3-${s%%:*}-$round" "$WORK/j.json" pop3 --port "${s##*:}" --tls starttls --clients "$CLIENTS" --users "$USERS" --seconds "$run_seconds"
          record pop3 "${s%%:*}" "$round" "$(metric "$WORK/j.json" QUIT)"
        done ;;
      idle)
        for s in mailhost:$MH_IMAP:$MH_PID dovecot:$DV_IMAP:$DV_PID; do
          IFS=: read -r name port pid <<< "$s"
          before=$(tree_pss_kb "$pid")
          # Logins are bound by the password hash and, for Dovecot, a process per connection: the load tool lets 50
          # log in at a time and ends 10 s after the last one idles, so this is only the ceiling (20 logins a second).
          hold=$(( run_seconds + IDLE_CLIENTS / 20 + 10 ))
          load "idle-$name-$round" "$WORK/j.json" idle --port "$port" --tls starttls --clients "$IDLE_CLIENTS" --users "$USERS" --seconds "$hold" &
          loader=$!
          peak=$before
          while kill -0 "$loader" 2>/dev/null; do
            now=$(tree_pss_kb "$pid"); (( now > peak )) && peak=$now
            sleep 1
          done
          wait "$loader" || true
          idled=$(python3 -c "import json,sys; r={x['Operation']: x for x in json.load(open(sys.argv[1]))['Results']}; print(r.get('IDLE', {'Count': 0})['Count'])" "$WORK/j.json")
          if (( idled > 0 )); then
            record idle-kb "$name" "$round" "$(python3 -c "print(round(($peak - $before) / $idled, 1))")"
          fi
          record idle-held "$name" "$round" "$idled"
        done ;;
      big)
        # MailHost only: growth of the server's memory while a large message is appended, fetched and retrieved, measured
        # after the same steps with a 1 MiB message (the load tool's warm-up), so first-use costs are not counted.
        load "big-mailhost-$round" "$WORK/j.json" big --port "$MH_IMAP" --pop3-port "$MH_POP3" --tls starttls --size "$BIG_BYTES" --clients 1 --seconds 600 --pid "$MH_PID"
        grep -E 'growth|before' "$WORK/big-mailhost-$round.txt" | sed 's/^/   /' ;;
      imap-write)
        # --clients sessions stay logged in to wbox accounts and repeat the write-heavy cycle; the rate counts every
        # command of the cycle. Any NO, BAD or BYE is a protocol error, listed after the run.
        for s in mailhost:$MH_IMAP dovecot:$DV_IMAP; do
          load "imap-write-${s%%:*}-$round" "$WORK/j.json" imap-write --port "${s##*:}" --tls starttls --clients "$CLIENTS" \
            --users "$WRITE_USERS" --user 'wbox{0}' --seconds "$run_seconds"
          record imap-write "${s%%:*}" "$round" "$(metric "$WORK/j.json" commands)"
          errors=$(metric "$WORK/j.json" errors)
          record imap-write-errors "${s%%:*}" "$round" "$errors"
          if [[ $errors -gt 0 ]]; then
            echo "   !! ${s%%:*}: $errors errors in imap-write (first ones below; all in $WORK/imap-write-${s%%:*}-$round.txt)"
            sed -n '/^protocol errors/,$p' "$WORK/imap-write-${s%%:*}-$round.txt" | head -11 | sed 's/^/   /'
          fi
          if [[ ${s%%:*} == mailhost ]]; then wait_mailhost_index; fi
        done ;;
      search)
        if (( round == 0 )); then
          # The warm-up searches for --search-warmup seconds on each server: after 20 uncounted rounds MailHost still
          # answered two to four times slower than after 200 (tiered JIT still compiling its hot code again).
          for s in mailhost:$MH_IMAP dovecot:$DV_IMAP; do
            load "search-warmup-${s%%:*}" "$WORK/j.json" search --port "${s##*:}" --tls starttls --user search0 --users 1 \
              --mailbox-messages "$SEARCH_MESSAGES" --repeat 1000000 --seconds "$SEARCH_WARMUP"
          done
          continue
        fi
        # One connection, each SEARCH kind --search-repeat times after an uncounted round; the hits must agree.
        for s in mailhost:$MH_IMAP dovecot:$DV_IMAP; do
          load "search-${s%%:*}-$round" "$WORK/j.json" search --port "${s##*:}" --tls starttls --user search0 --users 1 \
            --mailbox-messages "$SEARCH_MESSAGES" --repeat "$SEARCH_REPEAT" --seconds 3600
          grep '^error' "$WORK/search-${s%%:*}-$round.txt" | sed "s/^/   !! ${s%%:*}: /" || true
          search_rows "$WORK/j.json" > "$WORK/search-hits-${s%%:*}-$round.txt"
          while read -r kind hits hash median p90; do
            record "search-$kind" "${s%%:*}" "$round" "$median"
          done < "$WORK/search-hits-${s%%:*}-$round.txt"
        done
        # Same query, same mailbox: both servers must find the same UIDs.
        join <(awk '{ print $1, $2, $3 }' "$WORK/search-hits-mailhost-$round.txt" | sort) \
             <(awk '{ print $1, $2, $3 }' "$WORK/search-hits-dovecot-$round.txt" | sort) -a1 -a2 -e missing -o 0,1.2,1.3,2.2,2.3 \
          | awk -v r="$round" '$2 != $4 || $3 != $5 { printf "round %s: SEARCH %s: MailHost %s hits (%s), Dovecot %s hits (%s)\n", r, $1, $2, $3, $4, $5 }' \
          | tee -a "$SEARCH_DIFFS" | sed 's/^/   !! HITS DIFFER: /'
        printf '   %-14s%8s%10s%12s%12s\n' kind hits uid-hash "MH med ms" "DV med ms"
        join <(sort "$WORK/search-hits-mailhost-$round.txt") <(sort "$WORK/search-hits-dovecot-$round.txt") \
          | awk '{ printf "   %-14s%8s%10s%12.2f%12.2f\n", $1, $2, substr($3, 1, 8), $4, $8 }' ;;
      *) echo "compare.sh: unknown workload $w" >&2; exit 2 ;;
    esac
  done
done

echo
echo "== medians over $ROUNDS rounds (MailHost on $STORE, $CLIENTS clients, $USERS users, ${SECONDS_PER_RUN} s per run, hash cost $ITERATIONS iterations)"
python3 - "$RESULTS" <<'EOF'
import statistics, sys
from collections import defaultdict
values = defaultdict(list)
for line in open(sys.argv[1]):
    workload, server, _, value = line.rstrip('\n').split('\t')
    values[(workload, server)].append(float(value))
units = {'smtp': 'messages/s (250s)', 'smtp-settled': 'messages/s, deferred work in', 'imap': 'operations/s', 'imap-login': 'logins/s', 'pop3': 'sessions/s',
         'idle-kb': 'kB per IDLE connection (PSS)', 'idle-held': 'connections held',
         'imap-write': 'commands/s', 'imap-write-errors': 'protocol errors'}
searches = sorted({w for w, _ in values if w.startswith('search-')}, key=lambda w: min(i for i, l in enumerate(open(sys.argv[1])) if l.startswith(w + '\t')))
for w in searches:
    units[w] = 'ms median latency'
# Lower is better for these: the ratio is peer/MailHost, so that above 1 still means MailHost is ahead.
lower_better = {'idle-kb', *searches}
print(f"{'workload':<20}{'unit':<30}{'MailHost':>12}{'peer':>10}{'peer value':>12}{'ratio':>8}")
for workload in ['smtp', 'smtp-settled', 'imap', 'imap-login', 'imap-write', 'imap-write-errors', 'pop3', 'idle-kb', 'idle-held', *searches]:
    mine = values.get((workload, 'mailhost'))
    if not mine:
        continue
    peer_name = 'postfix' if workload.startswith('smtp') else 'dovecot'
    peer = values.get((workload, peer_name))
    m = statistics.median(mine)
    p = statistics.median(peer) if peer else float('nan')
    ratio = (m / p if workload not in lower_better else p / m) if peer and p and m and workload != 'imap-write-errors' else float('nan')
    print(f"{workload:<20}{units[workload]:<30}{m:>12.1f}{peer_name:>10}{p:>12.1f}{ratio:>8.2f}")
print("ratio: MailHost/peer for rates; peer/MailHost for memory and latency (above 1 means MailHost is ahead)")
EOF
if [[ -s $SEARCH_DIFFS ]]; then
  echo
  echo "!! THE SEARCH HITS DIFFER BETWEEN THE SERVERS: their latencies above do not compare like with like"
  sed 's/^/!!   /' "$SEARCH_DIFFS"
fi
echo "per-run outputs: $WORK/*.txt"
