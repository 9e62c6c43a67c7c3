#!/usr/bin/env bash
# Coverage-guided fuzzing of MailHost's parsers and sessions with afl-fuzz and SharpFuzz. See fuzz/README.md.
#
#   fuzz/run.sh list               the targets
#   fuzz/run.sh TARGET SECONDS     fuzz one target for SECONDS; exit 1 and print the inputs when afl-fuzz found a
#                                  crash or a hang
#   fuzz/run.sh all SECONDS        each target in turn, SECONDS each
#
# MAILHOST_FUZZ_RESUME=1 continues a target's earlier campaign from afl-fuzz's queue in the work directory instead of
# starting again from the seed corpus, so that a long campaign can be run in several sittings; afl-fuzz then counts
# run time and executions over all of them.
#
# Work (the instrumented build, afl-fuzz's findings) goes to $MAILHOST_FUZZ_WORK, default $TMPDIR/mailhost-fuzz, never
# into the repository. The build and its instrumentation are made once and reused until a source file changes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${MAILHOST_FUZZ_WORK:-${TMPDIR:-/tmp}/mailhost-fuzz}"
build="$work/build"
plain="$work/plain"
stamp="$build/.instrumented"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

usage() {
  echo "usage: fuzz/run.sh list | TARGET SECONDS | all SECONDS" >&2
  exit 2
}

# afl++ from Debian and the SharpFuzz instrumenting tool, installed when missing.
ensure_tools() {
  if ! command -v afl-fuzz >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
      echo "Installing afl++" >&2
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
    else
      echo "afl-fuzz is missing: install afl++ (Debian: apt-get install afl++)" >&2
      exit 3
    fi
  fi
}

ensure_sharpfuzz() {
  export PATH="$PATH:$HOME/.dotnet/tools"
  if ! command -v sharpfuzz >/dev/null 2>&1; then
    echo "Installing the sharpfuzz tool" >&2
    dotnet tool install -g SharpFuzz.CommandLine --version 2.3.0 >/dev/null
  fi
}

# Builds the harness in Release and instruments the MailHost assemblies, unless the instrumented build is newer than
# every source file it is made from. A lock keeps concurrent runs from building over each other.
ensure_build() {
  mkdir -p "$work"
  exec 9>"$work/.lock"
  flock 9
  if [ -f "$stamp" ] && [ -z "$(find "$root/src/MailHost" "$root/src/MailHost.Protocols" "$root/fuzz/MailHost.Fuzz" \
      "$root/Directory.Build.props" "$root/Directory.Packages.props" \
      -newer "$stamp" \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -not -path '*/obj/*' -not -path '*/bin/*' -print -quit)" ]; then
    flock -u 9
    return
  fi
  ensure_sharpfuzz
  echo "Building the harness (Release)" >&2
  rm -rf "$build" "$plain"
  dotnet build "$root/fuzz/MailHost.Fuzz/MailHost.Fuzz.csproj" -c Release -nologo -v q -clp:ErrorsOnly -o "$build" >/dev/null
  # Instrumented code needs afl-fuzz's coverage map: replays outside afl-fuzz run an uninstrumented copy.
  cp -r "$build" "$plain"
  for assembly in MailHost.Protocols.dll MailHost.Core.dll; do
    echo "Instrumenting $assembly" >&2
    sharpfuzz "$build/$assembly" >&2
  done
  touch "$stamp"
  flock -u 9
}

targets() {
  dotnet "$plain/MailHost.Fuzz.dll" list | awk '{print $1}'
}

# Sessions run a whole connection per input; parsers take microseconds.
timeout_ms() {
  case "$1" in
    *-session|imap-search|mime-index) echo 10000 ;;
    *) echo 2000 ;;
  esac
}

fuzz_one() {
  local target="$1" seconds="$2"
  local corpus="$root/fuzz/corpus/$target"
  local out="$work/findings/$target"
  if [ ! -d "$corpus" ]; then
    echo "No corpus for '$target' ($corpus); fuzz/run.sh list shows the targets" >&2
    return 2
  fi
  local input="$corpus"
  if [ "${MAILHOST_FUZZ_RESUME:-0}" = 1 ] && [ -f "$out/default/fuzzer_stats" ]; then
    # afl-fuzz's own resume: "-i -" takes the queue and the totals from the earlier run in the output directory.
    input=-
    echo "Resuming $target for ${seconds}s (findings in $out)"
  else
    rm -rf "$out"
    mkdir -p "$out"
    echo "Fuzzing $target for ${seconds}s (findings in $out)"
  fi
  local status=0
  # AFL_SKIP_BIN_CHECK: the target is the dotnet host, which carries no afl instrumentation of its own.
  # AFL_NO_AFFINITY: the machine may be shared; do not insist on a free core.
  # AFL_FORKSRV_INIT_TMOUT: the runtime starts and loads the harness before the fork server answers.
  AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 \
  AFL_NO_UI=1 AFL_FORKSRV_INIT_TMOUT=60000 AFL_QUIET=1 \
    afl-fuzz -V "$seconds" -t "$(timeout_ms "$target")" -m none -i "$input" -o "$out" \
      -- dotnet "$build/MailHost.Fuzz.dll" "$target" >>"$out/afl.log" 2>&1 || status=$?
  local stats="$out/default/fuzzer_stats"
  if [ $status -ne 0 ] || [ ! -f "$stats" ]; then
    echo "afl-fuzz failed for $target (exit $status):" >&2
    tail -n 30 "$out/afl.log" >&2
    return 1
  fi
  awk -F' *: *' '$1 ~ /^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg)$/ {printf "  %s: %s\n", $1, $2}' "$stats"
  local found=0
  for kind in crashes hangs; do
    for input in "$out/default/$kind"/id:*; do
      [ -e "$input" ] || continue
      found=1
      echo "== $kind: $input"
      od -A d -c "$input" | head -n 20
      if [ "$kind" = crashes ]; then
        dotnet "$plain/MailHost.Fuzz.dll" "$target" "$input" | grep -v "^ok " | head -n 12 || true
      fi
    done
  done
  return $found
}

[ $# -ge 1 ] || usage
ensure_build
case "$1" in
  list)
    dotnet "$plain/MailHost.Fuzz.dll" list
    ;;
  all)
    [ $# -eq 2 ] || usage
    ensure_tools
    failed=0
    for target in $(targets); do
      fuzz_one "$target" "$2" || failed=1
    done
    exit $failed
    ;;
  *)
    [ $# -eq 2 ] || usage
    ensure_tools
    fuzz_one "$1" "$2"
    ;;
esac
