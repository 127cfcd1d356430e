#!/bin/sh
# A real single-node Slurm cluster on this machine, for `engram study --slurm` and its tests:
# munged, slurmctld and slurmd started by hand (no systemd), everything under one private folder,
# each daemon stopped by its recorded pid. Facts behind the configuration: docs/studies.md.
#
#   scripts/slurm-cluster.sh start [DIR]   installs slurm-wlm and munge from Debian if missing,
#                                          starts the daemons, waits until the node is idle, and
#                                          prints the line that points clients at it:
#                                          export SLURM_CONF=DIR/slurm.conf
#   scripts/slurm-cluster.sh stop [DIR]    stops the daemons by pid and removes DIR
#
# DIR defaults to $ENGRAM_SLURM_DIR or /tmp/engram-slurm; the daemons listen on $ENGRAM_SLURM_PORT
# and the next port (default 16817). Needs root (munged runs as user munge).
set -eu

cmd=${1:-}
dir=${2:-${ENGRAM_SLURM_DIR:-/tmp/engram-slurm}}

die() { echo "slurm-cluster: $*" >&2; exit 1; }

stop_pid() { # name: kills the daemon whose pid file is DIR/name.pid, waits for it to go
  f="$dir/$1.pid"
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

case "$cmd" in
start)
  [ "$(id -u)" = 0 ] || die "needs root (munged runs as user munge, slurmd as root)"
  if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
    echo "slurm-cluster: installing slurm-wlm and munge (apt-get)" >&2
    # A fresh machine's package lists may be empty or stale: update once and retry.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >&2 ||
      { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge >&2; } ||
      die "apt-get install slurm-wlm munge failed"
  fi
  [ ! -f "$dir/slurmctld.pid" ] || die "a cluster seems to run in $dir already (stop it first)"
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
  chmod 755 "$dir"
  # munge: a 1024-byte key owned by munge, mode 400; its socket folder must be 755.
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 2>/dev/null
  chown -R munge:munge "$dir/munge"
  chmod 755 "$dir/munge"
  chmod 400 "$dir/munge/munge.key"
  runuser -u munge -- test -r "$dir/munge/munge.key" || die "user munge cannot reach $dir/munge: every folder above it must be searchable (mode 755)"
  runuser -u munge -- munged --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
  i=0
  while [ ! -s "$dir/munge/munged.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  cp "$dir/munge/munged.pid" "$dir/munged.pid" || die "munged did not start (see $dir/munge/munged.log)"
  port=${ENGRAM_SLURM_PORT:-16817}
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(free -m | awk '/^Mem:/ { print int($2 * 0.8) }')
  # One key=value per line: several on one line is a parse error in slurm 22.05.
  cat > "$dir/slurm.conf" <<EOF
ClusterName=engram
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SchedulerType=sched/backfill
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.daemon.pid
SlurmdPidFile=$dir/slurmd.daemon.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=$port
SlurmdPort=$((port + 1))
MinJobAge=30
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF="$dir/slurm.conf"
  slurmctld -D -i -f "$SLURM_CONF" >"$dir/log/slurmctld.out" 2>&1 &
  echo $! > "$dir/slurmctld.pid"
  slurmd -D -f "$SLURM_CONF" >"$dir/log/slurmd.out" 2>&1 &
  echo $! > "$dir/slurmd.pid"
  # The node reports idle a few seconds after start.
  i=0
  until sinfo -h -o %t 2>/dev/null | grep -q idle; do
    i=$((i + 1))
    if [ $i -gt 60 ]; then
      stop_pid slurmd; stop_pid slurmctld; stop_pid munged
      die "the node did not come up within 30 s (logs in $dir/log)"
    fi
    sleep 0.5
  done
  echo "export SLURM_CONF=$dir/slurm.conf"
  ;;
stop)
  stop_pid slurmd
  stop_pid slurmctld
  stop_pid munged
  case "$dir" in /tmp/*) rm -rf "$dir" ;; *) echo "slurm-cluster: left $dir in place (not under /tmp)" >&2 ;; esac
  ;;
*)
  die "usage: scripts/slurm-cluster.sh start|stop [DIR]"
  ;;
esac
