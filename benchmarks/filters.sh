#!/usr/bin/env bash
# The SMTP workload of compare.sh against MailHost twice on this machine: once without inbound filters and once with
# rspamd and clamd in the path (both from Debian's packages, each started here with a throwaway configuration on
# loopback ports), alternating in every round, and the same kind of message sent straight to rspamd and clamd with no
# MailHost in front (their own ceiling). Prints the medians, and from the second server's own metrics how long rspamd
# and clamd took per message, so what MailHost adds around them can be told apart from their own cost.
#
# Needs rspamd, clamav-daemon, curl, python3 and the .NET SDK; as root, rspamd's workers run as _rspamd.
#
#   benchmarks/filters.sh [--rounds 3] [--seconds 10] [--warmup 10] [--clients 20] [--users 20] [--filters "rspamd clamav"] [--keep]
set -euo pipefail

ROUNDS=3
SECONDS_PER_RUN=10
CLIENTS=20
USERS=20
KEEP=0
WARMUP_SECONDS=10
FILTERS="rspamd clamav"
PASSWORD=password
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --users) USERS=$2; shift 2 ;;
    --filters) FILTERS=$2; shift 2 ;;
    --warmup) WARMUP_SECONDS=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "filters.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

# Plain MailHost on 22025, MailHost with filters on 22125 (its metrics on 22480); rspamd 22333/22334, clamd 22310.
PLAIN_SMTP=22025; FILTERED_SMTP=22125; FILTERED_ADMIN=22480; RSPAMD=22333; RSPAMD_CONTROLLER=22334; CLAMD=22310
REPO=$(cd "$(dirname "$0")/.." && pwd)
for tool in python3 dotnet curl rspamd; do
  command -v "$tool" >/dev/null || { echo "filters.sh: $tool is required (apt-get install rspamd clamav-daemon curl)" >&2; exit 2; }
done
CLAMD_BIN=$(command -v clamd || echo /usr/sbin/clamd)
[[ -x $CLAMD_BIN ]] || { echo "filters.sh: clamd is required (apt-get install clamav-daemon)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/mailhost-filters.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
  set +e
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  if [[ $KEEP -eq 0 ]]; then rm -rf "$WORK"; else echo "kept: $WORK"; fi
}
trap cleanup EXIT

wait_port() { # port seconds
  local deadline=$(( $(date +%s) + $2 ))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    [[ $(date +%s) -ge $deadline ]] && { echo "filters.sh: nothing listens on 127.0.0.1:$1" >&2; return 1; }
    sleep 0.2
  done
}

echo "== building MailHost and the load tool (Release)"
dotnet build "$REPO/src/MailHost.Server" -c Release -v q -nologo >/dev/null
dotnet build "$REPO/benchmarks/MailHost.LoadTest" -c Release -v q -nologo >/dev/null
MAILHOST="$REPO/src/MailHost.Server/bin/Release/net10.0/mailhost.dll"
LOADTEST="$REPO/benchmarks/MailHost.LoadTest/bin/Release/net10.0/mailhost-load.dll"

# --- rspamd: the stock rules and scores, no module that asks DNS or fetches maps (a machine without network would
# only wait on them), statistics in SQLite: the set-up of the test fixture, with two normal workers.
R="$WORK/rspamd"
mkdir -p "$R/db" "$R/run"
printf 'com\nnet\norg\nexample\n' > "$R/tld.dat"
cat > "$R/rspamd.conf" <<RSPAMD_CONF
.include "\$CONFDIR/metrics.conf"
.include "\$CONFDIR/actions.conf"
.include "\$CONFDIR/groups.conf"
.include "\$CONFDIR/composites.conf"
lua = "\$RULESDIR/rspamd.lua";
modules { path = "\${PLUGINSDIR}"; }
options {
  pidfile = "\$RUNDIR/rspamd.pid"; filters = "regexp"; dynamic_conf = "\$DBDIR/rspamd_dynamic";
  history_file = "\$DBDIR/rspamd.history"; cache_file = "\$DBDIR/symbols.cache"; hs_cache_dir = "\$DBDIR";
  stats_file = "\$DBDIR/stats.ucl"; tempdir = "\$DBDIR"; url_tld = "$R/tld.dat";
  control_socket = "\$DBDIR/rspamd.sock mode=0600";
  dns { nameserver = ["127.0.0.1:22353"]; timeout = 1s; retransmits = 1; }
}
logging { type = "file"; filename = "$R/rspamd.log"; level = "warning"; }
worker "normal" { bind_socket = "127.0.0.1:$RSPAMD"; count = 2; }
worker "controller" { bind_socket = "127.0.0.1:$RSPAMD_CONTROLLER"; count = 1; password = "bench"; enable_password = "bench"; }
classifier "bayes" {
  tokenizer { name = "osb"; } backend = "sqlite3"; min_tokens = 11; min_learns = 200;
  cache { type = "sqlite3"; path = "\$DBDIR/learn_cache.sqlite"; }
  statfile { symbol = "BAYES_HAM"; spam = false; path = "\$DBDIR/bayes.ham.sqlite"; }
  statfile { symbol = "BAYES_SPAM"; spam = true; path = "\$DBDIR/bayes.spam.sqlite"; }
}
milter_headers { use = ["x-spamd-bar", "x-rspamd-queue-id", "x-spamd-result", "remove-spam-flag"]; skip_local = false; }
RSPAMD_CONF
RSPAMD_USER=()
if [[ $(id -u) -eq 0 ]]; then
  if getent passwd _rspamd >/dev/null; then chmod 777 "$R" "$R/db" "$R/run"; RSPAMD_USER=(-u _rspamd -g _rspamd); else RSPAMD_USER=(--insecure); fi
fi
(cd "$R" && exec rspamd -f -c "$R/rspamd.conf" "${RSPAMD_USER[@]}" --var "DBDIR=$R/db" --var "RUNDIR=$R/run" --var "LOGDIR=$R/run" --var "LOCAL_CONFDIR=$R" > "$R/stdout.log" 2>&1) &
RSPAMD_PID=$!
PIDS+=($!)

# --- clamd with one signature (the EICAR test file's SHA-256): nothing can be downloaded here, and the cost of a
# scan is parsing the mail, hardly the number of signatures.
C="$WORK/clamd"
mkdir -p "$C/db"
python3 - "$C/db/test.hdb" <<'EICAR'
import hashlib, sys
eicar = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
open(sys.argv[1], "w").write(f"{hashlib.sha256(eicar).hexdigest()}:{len(eicar)}:MailHost-Bench-EICAR:73\n")
EICAR
cat > "$C/clamd.conf" <<CLAMD_CONF
Foreground yes
DatabaseDirectory $C/db
TCPSocket $CLAMD
TCPAddr 127.0.0.1
PidFile $C/clamd.pid
LogFile $C/clamd.log
LogSyslog no
ScanMail yes
StreamMaxLength 25M
MaxThreads 8
CLAMD_CONF
chmod -R a+rwX "$C"
(exec "$CLAMD_BIN" -c "$C/clamd.conf" > "$C/stdout.log" 2>&1) &
CLAMD_PID=$!
PIDS+=($!)

# --- two MailHost servers, each in its own directory with its own data directory ---------------------------------
start_mailhost() { # name smtp-port extra settings (NAME=value)...
  local name=$1 port=$2; shift 2
  mkdir -p "$WORK/$name"
  (
    cd "$WORK/$name"
    export MailHost__DataDirectory="$WORK/$name/data" MailHost__Hostname=localhost MailHost__Auth__PasswordIterations=10000
    export MailHost__Endpoints__Smtp__Url="smtp://127.0.0.1:$port" MailHost__Endpoints__Smtp__Tls=None
    export MailHost__Endpoints__Smtp__MaxConnectionsPerAddress=1000 MailHost__Outbound__Enabled=false
    export MailHost__MailAuthentication__Enabled=false Logging__LogLevel__Default=Warning MailHost__Admin__Url=
    for setting in "$@"; do export "${setting?}"; done
    dotnet "$MAILHOST" domains add example.com >/dev/null
    for ((i = 0; i < USERS; i++)); do
      echo "$PASSWORD" | dotnet "$MAILHOST" users add "user$i" --address "user$i@example.com" --password-stdin >/dev/null
    done
    exec dotnet "$MAILHOST" > "$WORK/$name/server.log" 2>&1
  ) &
  PIDS+=($!)
}

echo "== starting rspamd, clamd and two MailHost servers"
start_mailhost plain $PLAIN_SMTP
PLAIN_PID=$!
FILTER_SETTINGS=()
[[ " $FILTERS " == *" rspamd "* ]] && FILTER_SETTINGS+=("MailHost__Filtering__Rspamd__Url=http://127.0.0.1:$RSPAMD")
[[ " $FILTERS " == *" clamav "* ]] && FILTER_SETTINGS+=("MailHost__Filtering__ClamAv__Address=tcp://127.0.0.1:$CLAMD")
start_mailhost filtered $FILTERED_SMTP "MailHost__Admin__Url=http://127.0.0.1:$FILTERED_ADMIN" "${FILTER_SETTINGS[@]}"
FILTERED_PID=$!
for port in $RSPAMD $CLAMD; do wait_port "$port" 90; done
for port in $PLAIN_SMTP $FILTERED_SMTP; do wait_port "$port" 180; done

rate() { # json: messages answered 250 per second
  python3 -c 'import json,sys; rows={r["Operation"]: r for r in json.load(open(sys.argv[1]))["Results"]}; print(round(rows.get("message",{"PerSecond":0})["PerSecond"],1))' "$1"
}

# The daemons alone: the load tool's kind of 4 KiB message, each sent to rspamd's /checkv2 and then to clamd's
# INSTREAM by --clients threads at once for the same time, as MailHost does for each message: their own ceiling.
daemons_alone() { # prints messages per second and the client's own CPU ms per message
  python3 - "$CLIENTS" "$SECONDS_PER_RUN" "$RSPAMD" "$CLAMD" <<'ALONE'
import http.client, resource, socket, struct, sys, threading, time, uuid
clients, seconds, rspamd, clamd = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def message(serial):
    text = f"From: load@example.com\r\nTo: user{serial % 20}@example.com\r\nSubject: load {serial}\r\n"
    text += f"Message-ID: <{uuid.uuid4().hex}@load.test>\r\nDate: Mon, 07 Dec 2026 06:00:00 GMT\r\n\r\n"
    line = "x" * 76 + "\r\n"
    while len(text) + len(line) <= 4096:
        text += line
    return text.encode()
done, stop, lock = [0], time.monotonic() + seconds, threading.Lock()
def work(index):
    serial = index * 1000000
    connection = http.client.HTTPConnection("127.0.0.1", rspamd, timeout=30)
    while time.monotonic() < stop:
        body = message(serial); serial += 1
        connection.request("POST", "/checkv2", body, {"From": "load@example.com", "Rcpt": "user0@example.com", "IP": "127.0.0.1"})
        connection.getresponse().read()
        with socket.create_connection(("127.0.0.1", clamd), timeout=30) as clam:
            clam.sendall(b"zINSTREAM\0" + struct.pack(">I", len(body)) + body + struct.pack(">I", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = clam.recv(4096)
                if not part:
                    break
                reply += part
        with lock:
            done[0] += 1
threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
started = time.monotonic()
for thread in threads: thread.start()
for thread in threads: thread.join()
elapsed = time.monotonic() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
print(round(done[0] / elapsed, 1), round((usage.ru_utime + usage.ru_stime) * 1000 / max(1, done[0]), 2))
ALONE
}

# CPU time (user + system, ms) of a process and its descendants: what each server spent on a run.
cpu_ms() {
  local pids=("$1") total=0 p
  local tick; tick=$(getconf CLK_TCK)
  while [[ ${#pids[@]} -gt 0 ]]; do
    p=${pids[0]}; pids=("${pids[@]:1}")
    total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0) ))
    for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do pids+=("$c"); done
  done
  echo $(( total * 1000 / tick ))
}

# Warm-up, not counted: the first thousands of messages of a fresh process are spent compiling (tiered JIT) and
# filling pools. Counted, that fixed cost would be spread over fewer messages on the slower filtered server and show
# as a per-message cost of the filters.
echo "== warming up both servers (${WARMUP_SECONDS} s each, not measured)"
for port in $PLAIN_SMTP $FILTERED_SMTP; do
  dotnet "$LOADTEST" smtp --port "$port" --clients "$CLIENTS" --users "$USERS" --messages 20 --size 4096 --seconds "$WARMUP_SECONDS" \
    > /dev/null 2>&1 || true
done

PLAIN=(); FILTERED=(); ALONE=(); CPU=(); CLIENT_CPU=()
for ((round = 1; round <= ROUNDS; round++)); do
  read -r value client_cpu < <(daemons_alone)
  ALONE+=("$value"); CLIENT_CPU+=("$client_cpu")
  echo "   round $round rspamd and clamd alone: $value msg/s (the client spent $client_cpu ms of CPU per message)"
  # "paced" is the server without filters held to the rate the filtered one just reached: a server's CPU per message
  # depends on its load (commits and wake-ups are shared by fewer messages at a lower rate), so the filters' own cost
  # is the filtered server's CPU per message less the paced one's, not less the unfiltered server's at full speed.
  for name in plain filtered paced; do
    port=$PLAIN_SMTP; [[ $name == filtered ]] && port=$FILTERED_SMTP
    mh_pid=$PLAIN_PID; [[ $name == filtered ]] && mh_pid=$FILTERED_PID
    pace=(); [[ $name == paced ]] && pace=(--rate "${FILTERED[-1]}")
    before=("$(cpu_ms "$mh_pid")" "$(cpu_ms "$RSPAMD_PID")" "$(cpu_ms "$CLAMD_PID")")
    dotnet "$LOADTEST" smtp --port "$port" --clients "$CLIENTS" --users "$USERS" --messages 20 --size 4096 --seconds "$SECONDS_PER_RUN" \
      "${pace[@]}" --json "$WORK/j.json" > "$WORK/$name-$round.txt" 2>&1 || true
    count=$(python3 -c 'import json,sys; rows={r["Operation"]: r for r in json.load(open(sys.argv[1]))["Results"]}; print(rows.get("message",{"Count":0})["Count"])' "$WORK/j.json")
    CPU+=("$name $count $(( $(cpu_ms "$mh_pid") - before[0] )) $(( $(cpu_ms "$RSPAMD_PID") - before[1] )) $(( $(cpu_ms "$CLAMD_PID") - before[2] ))")
    value=$(rate "$WORK/j.json")
    if [[ $name == plain ]]; then PLAIN+=("$value"); elif [[ $name == filtered ]]; then FILTERED+=("$value"); fi
    echo "   round $round $name: $value msg/s"
  done
done

# The filtered server's own account of its filters: messages checked and the seconds spent inside rspamd and clamd.
curl -s "http://127.0.0.1:$FILTERED_ADMIN/metrics" > "$WORK/metrics.txt"
printf '%s\n' "${CPU[@]}" > "$WORK/cpu.txt"
python3 - "$WORK/metrics.txt" "${PLAIN[*]}" "${FILTERED[*]}" "${ALONE[*]}" "$WORK/cpu.txt" "${CLIENT_CPU[*]}" <<'SUMMARY'
import re, statistics, sys
text = open(sys.argv[1]).read()
plain = statistics.median(float(v) for v in sys.argv[2].split())
filtered = statistics.median(float(v) for v in sys.argv[3].split())
alone = statistics.median(float(v) for v in sys.argv[4].split())
def total(name, filt):
    pattern = r"^" + name + r"\{([^}]*)\} (\S+)$"
    return sum(float(v) for labels, v in re.findall(pattern, text, re.M) if f'filter="{filt}"' in labels and 'stage="message"' in labels)
count = max(total("mailhost_filter_duration_seconds_count", "rspamd"), total("mailhost_filter_duration_seconds_count", "clamav"))
print(f"\nSMTP, 4 KiB messages, medians of {len(sys.argv[2].split())} rounds")
print(f"  without filters:        {plain:8.1f} msg/s")
print(f"  with rspamd and clamd:  {filtered:8.1f} msg/s ({filtered / plain:.2f}x)")
print(f"  rspamd and clamd alone: {alone:8.1f} msg/s (MailHost with them reaches {filtered / alone:.2f}x of their own rate)")
if count:
    rspamd = total("mailhost_filter_duration_seconds_sum", "rspamd") / count * 1000
    clamav = total("mailhost_filter_duration_seconds_sum", "clamav") / count * 1000
    print(f"  per message, waiting on rspamd {rspamd:.1f} ms and on clamd {clamav:.1f} ms (mean of {int(count)} messages)")
runs = [line.split() for line in open(sys.argv[5]) if line.strip()]
def per_message(name, column):
    rows = [r for r in runs if r[0] == name and int(r[1]) > 0]
    return sum(int(r[column]) for r in rows) / max(1, sum(int(r[1]) for r in rows))
print(f"  CPU per message: MailHost {per_message('plain', 2):.2f} ms without filters, {per_message('paced', 2):.2f} ms without filters"
      f" at the filtered rate, {per_message('filtered', 2):.2f} ms with them; rspamd {per_message('filtered', 3):.2f} ms, clamd {per_message('filtered', 4):.2f} ms")
print(f"  MailHost's own cost of the filters: {per_message('filtered', 2) - per_message('paced', 2):.2f} ms per message")
print(f"  CPU per message of a Python client making the same two exchanges (no SMTP, no store): {statistics.median(float(v) for v in sys.argv[6].split()):.2f} ms")
SUMMARY
