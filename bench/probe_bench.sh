#!/usr/bin/env bash
# probe_bench.sh - how fast `darkwatch probe` probes, and at what CPU cost,
# against the loopback test world, with a bare raw-socket loop as reference.
#
# The issue's goal: one core sustains the rate 4.2 million /24s per 10-min
# round need (at least 20,000 probes/s) at under 50% CPU.  The world: 60,000
# /24s of 127.1.0.0-127.235.x (16 always-answering addresses each) in a
# network namespace this script creates, whose kernel answers the probes.
#
# NETWORK RULE: everything runs under `ip netns exec` in that fresh
# namespace (only lo), the prober with --allow-loopback (its sender refuses
# any address outside 127.0.0.0/8), the reference builds 127.x addresses
# only.  Nothing can leave the machine.
#
# Runs: (1) probe_ceiling, 1 M probes as fast as one process can sendto();
# (2) the prober at --rate RATE (default 21,000: 5% over the goal) for
# ROUNDS rounds of 3 s: every round must probe all 60,000 blocks (60,000 /
# 21,000 = 2.86 s, so the rate is sustained or blocks go unprobed);
# (3) the prober at --rate 60000, 1 s of sending per round, the same check.
# CPU: utime+stime of the prober and of its sender from /proc (sampled
# every 0.1 s; the last sample before the exit), per million probes and as
# % of one core at 20,000 probes/s.  The kernel's work of answering a ping
# on lo runs in the sender's sendto(), so it is counted, as in the
# reference.
#
# usage: bench/probe_bench.sh [BUILD_DIR]   (root; default build)
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
bin=$build/darkwatch ceil=$build/bench/probe_ceiling
rounds=${ROUNDS:-4} rate=${RATE:-21000} blocks=60000
[[ $(id -u) -eq 0 ]] || { echo "probe_bench: needs root (raw sockets, netns)" >&2; exit 1; }
[[ -x $bin && -x $ceil ]] || { echo "probe_bench: build $build first" >&2; exit 1; }
T=$(mktemp -d)
NS="dwbench$$"
cleanup() { ip netns del "$NS" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv4.icmp_ratelimit=0
hz=$(getconf CLK_TCK)

python3 - "$T/hitlist.csv" "$blocks" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("address,rate,asn\n")
    for i in range(int(sys.argv[2])):
        b, c = 1 + i // 256, i % 256
        for h in range(1, 17):
            f.write(f"127.{b}.{c}.{h},1,{64500 + b}\n")
PY

ticks() { # pid -> utime+stime ticks, or empty
	awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null
}

# run RATE ROUNDS -> "sent cpu_prober cpu_sender all_probed" on stdout
run() {
	local r=$1 n=$2 db="$T/b$1.db" p s tp=0 ts=0 x
	rm -f "$db"*
	ip netns exec "$NS" "$bin" probe --db "$db" --targets "$T/hitlist.csv" \
		--rate "$r" --round 3 --rounds "$n" --timeout 0.1 --allow-loopback \
		2> "$T/probe$r.err" &
	p=$!
	s=
	while kill -0 "$p" 2>/dev/null; do
		[[ -z $s ]] && s=$(cat "/proc/$p/task/$p/children" 2>/dev/null | awk '{print $1}')
		x=$(ticks "$p") && [[ -n $x ]] && tp=$x
		[[ -n $s ]] && x=$(ticks "$s") && [[ -n $x ]] && ts=$x
		sleep 0.1
	done
	wait "$p" || { cat "$T/probe$r.err" >&2; return 1; }
	local sent=$(awk '/sender: sent/ {sub(",", "", $5); print $5}' "$T/probe$r.err")
	local full=$(grep -c " 0 down, 0 uncertain of $blocks blocks" "$T/probe$r.err")
	local ups=$(grep -c ": $blocks up," "$T/probe$r.err")
	echo "$sent $tp $ts $((ups == n ? 1 : 0))"
}

echo "=== reference: probe_ceiling, 1,000,000 probes from one process"
c=$(ip netns exec "$NS" "$ceil" 1000000 "$blocks") || exit 1
echo "  $c"
cpps=$(awk '{print $4}' <<<"$c")
ccpu=$(awk '{print $7}' <<<"$c")

report() { # rate
	local out
	out=$(run "$1" "$rounds") || { echo "  prober failed"; return 1; }
	read -r sent tp ts ok <<<"$out"
	awk -v sent="$sent" -v tp="$tp" -v ts="$ts" -v hz="$hz" -v ok="$ok" \
	    -v rate="$1" -v ccpu="$ccpu" -v rounds="$rounds" -v blocks="$blocks" 'BEGIN {
		cp = tp / hz; cs = ts / hz; m = sent / 1e6
		printf "  --rate %d: %d probes in %d rounds of 3 s, every block probed each round: %s\n",
			rate, sent, rounds, ok ? "yes (rate sustained)" : "NO"
		printf "  CPU per million probes: prober %.3f s + sender %.3f s = %.3f s (reference %.3f s, x%.2f)\n",
			cp / m, cs / m, (cp + cs) / m, ccpu, (cp + cs) / m / ccpu
		printf "  at 20,000 probes/s: %.1f%% of one core (prober %.1f%%, sender %.1f%%)\n",
			(cp + cs) / m * 2, cp / m * 2, cs / m * 2
		printf "  CPU-bound ceiling of the busier process: %.0f probes/s\n",
			sent / (cp > cs ? cp : cs)
	}'
}
echo "=== darkwatch probe at --rate $rate ($blocks blocks, $rounds rounds of 3 s)"
report "$rate"
echo "=== darkwatch probe at --rate 60000"
report 60000
echo "(reference: $cpps probes/s from one process with one sendto() per probe)"
