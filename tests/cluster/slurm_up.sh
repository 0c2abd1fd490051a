#!/usr/bin/env bash
# Bring up a single-node SLURM (munged + slurmctld + slurmd from Debian's packages) for the
# cluster test, started by hand (no systemd), everything under one state folder:
#
#   tests/cluster/slurm_up.sh [STATE_DIR]      (default: /tmp/tinyids-slurm)
#   export SLURM_CONF=STATE_DIR/slurm.conf PATH=STATE_DIR/bin:$PATH   (printed on success)
#   tests/cluster/slurm_down.sh [STATE_DIR]    (stops exactly the daemons started here)
#
# Daemons listen on 127.0.0.1 only (free ports picked at start-up); PID files live in the state
# folder and slurm_down.sh stops only those PIDs. The node gets the machine's CPU count and
# memory (minus 512 MB). Needs root and the packages slurmctld slurmd slurm-client munge;
# otherwise it exits 2 with the exact command that fixes it.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
state="${1:-${TINYIDS_SLURM_DIR:-/tmp/tinyids-slurm}}"
node=tinyids-node
partition=${TINYIDS_SLURM_PARTITION:-debug}

die() { echo "slurm_up: $*" >&2; exit 2; }

if [ "$(id -u)" -ne 0 ]; then
  die "needs root (slurmd starts jobs as their owner and munged needs its key owned by root); run: sudo $0 $state"
fi
missing=()
for bin in munged slurmctld slurmd sbatch squeue scontrol sinfo srun; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
done
if [ ${#missing[@]} -gt 0 ]; then
  die "missing ${missing[*]}; install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge   (or: sudo tools/setup.sh)"
fi

if [ -f "$state/slurmctld/slurmctld.pid" ] && kill -0 "$(cat "$state/slurmctld/slurmctld.pid")" 2>/dev/null; then
  die "a cluster is already running from $state (stop it with: $here/slurm_down.sh $state)"
fi

mkdir -p "$state"/{munge,slurmctld/state,slurmd/spool}
chmod 0700 "$state/munge"

# ---- munge: our own key and socket, so a system munged (if any) is left alone ----
if [ ! -s "$state/munge/munge.key" ]; then
  dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 status=none
fi
chmod 0400 "$state/munge/munge.key"
munged --force \
  --socket="$state/munge/munge.socket.2" \
  --key-file="$state/munge/munge.key" \
  --pid-file="$state/munge/munged.pid" \
  --log-file="$state/munge/munged.log" \
  --seed-file="$state/munge/munged.seed" \
  || die "munged did not start; see $state/munge/munged.log"
for _ in $(seq 50); do [ -S "$state/munge/munge.socket.2" ] && break; sleep 0.1; done
[ -S "$state/munge/munge.socket.2" ] || die "munged socket did not appear; see $state/munge/munged.log"

# ---- slurm.conf from the template: free loopback ports, this machine's CPUs and memory ----
read -r ctld_port slurmd_port srun_lo <<<"$(python3 - <<'PY'
import socket
def free():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
ports = [free(), free()]
# a block of 20 ports for srun's I/O listeners, clear of the two above
import random
for _ in range(200):
    lo = random.randint(40000, 59000)
    ok = True
    for p in range(lo, lo + 20):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            ok = False
        finally:
            s.close()
    if ok and not any(lo <= p < lo + 20 for p in ports):
        break
print(ports[0], ports[1], lo)
PY
)"
cpus=$(nproc)
mem_mb=$(awk '/MemTotal/ {printf "%d", $2/1024 - 512}' /proc/meminfo)
host=$(hostname -s)
sed -e "s|@STATE@|$state|g" -e "s|@CTLD_HOST@|$host|g" -e "s|@CTLD_PORT@|$ctld_port|g" \
    -e "s|@SLURMD_PORT@|$slurmd_port|g" -e "s|@SRUN_PORTS@|$srun_lo-$((srun_lo + 19))|g" \
    -e "s|@NODE@|$node|g" -e "s|@PARTITION@|$partition|g" -e "s|@CPUS@|$cpus|g" \
    -e "s|@MEM_MB@|$mem_mb|g" "$here/slurm.conf.in" > "$state/slurm.conf"
export SLURM_CONF="$state/slurm.conf"

# Client wrappers that carry SLURM_CONF: the executor plugin's job step strips every SLURM_*
# variable before it calls `srun` inside the job, so a test cluster whose slurm.conf is not at
# /etc/slurm/slurm.conf needs `srun` (and friends) found first on PATH to know the config.
mkdir -p "$state/bin"
for cmd in srun sbatch squeue scontrol scancel sinfo sacct; do
  real=$(command -v "$cmd" || true)
  [ -n "$real" ] || continue
  printf '#!/bin/sh\nSLURM_CONF=%s exec %s "$@"\n' "$SLURM_CONF" "$real" > "$state/bin/$cmd"
  chmod 0755 "$state/bin/$cmd"
done

# ---- slurmctld, then slurmd (both daemonise and write their PID files) ----
slurmctld -f "$SLURM_CONF" -c || die "slurmctld did not start; see $state/slurmctld/slurmctld.log"
slurmd -f "$SLURM_CONF" -N "$node" || die "slurmd did not start; see $state/slurmd/slurmd.log"

# Wait until the node is idle and takes jobs.
for _ in $(seq 60); do
  st=$(sinfo -h -n "$node" -o %t 2>/dev/null || true)
  case "$st" in idle*|mix*|alloc*) break ;; esac
  sleep 1
done
st=$(sinfo -h -n "$node" -o %t 2>/dev/null || true)
case "$st" in
  idle*|mix*|alloc*) ;;
  *) scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true
     sleep 2
     st=$(sinfo -h -n "$node" -o %t 2>/dev/null || true)
     case "$st" in idle*|mix*|alloc*) ;; *)
       tail -n 20 "$state/slurmctld/slurmctld.log" "$state/slurmd/slurmd.log" >&2 || true
       die "node $node is '$st', not idle; logs above" ;;
     esac ;;
esac
echo "slurm_up: node $node idle ($cpus CPUs, $mem_mb MB) on 127.0.0.1, controller port $ctld_port"
echo "export SLURM_CONF=$SLURM_CONF PATH=$state/bin:\$PATH"
