#!/usr/bin/env bash
# Stop the single-node SLURM started by slurm_up.sh: exactly the PIDs in its PID files
# (slurmd, slurmctld, munged), nothing found by name. Idempotent.
#   tests/cluster/slurm_down.sh [STATE_DIR]    (default: /tmp/tinyids-slurm)
set -uo pipefail

state="${1:-${TINYIDS_SLURM_DIR:-/tmp/tinyids-slurm}}"

stop() {  # stop NAME PIDFILE EXPECTED_COMM
  local name=$1 pidfile=$2 comm=$3 pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    # Guard against a recycled PID: only signal the daemon we started.
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ]; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      if kill -0 "$pid" 2>/dev/null; then
        echo "slurm_down: $name ($pid) ignored SIGTERM; sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
      fi
      echo "slurm_down: stopped $name ($pid)"
    else
      echo "slurm_down: PID $pid in $pidfile is not $comm any more; left alone" >&2
    fi
  fi
  rm -f "$pidfile"
}

if [ -f "$state/slurm.conf" ] && command -v scancel >/dev/null 2>&1; then
  # Jobs still queued or running on this test cluster (it serves nobody else).
  SLURM_CONF="$state/slurm.conf" timeout 10 scancel --quiet --partition="${TINYIDS_SLURM_PARTITION:-debug}" 2>/dev/null || true
fi
stop slurmd "$state/slurmd/slurmd.pid" slurmd
stop slurmctld "$state/slurmctld/slurmctld.pid" slurmctld
stop munged "$state/munge/munged.pid" munged
exit 0
