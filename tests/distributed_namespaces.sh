#!/usr/bin/env bash
# Data-parallel training across two "hosts": two network namespaces joined by a veth pair, Open MPI
# over TCP only, started through an agent script in place of ssh. With
# train.deterministic_reduction, `mpirun -np 2` (one rank per namespace) must write the same
# weights, byte for byte, as one process. Skipped (exit 77) without Open MPI's mpirun, without
# root, where network namespaces are refused, or with a descent built without MPI.
# Usage: distributed_namespaces.sh DESCENT
set -euo pipefail
descent=$(realpath "$1")
config=$(cd "$(dirname "$0")/.." && pwd)/examples/classification.toml
skip() { echo "skipped: $*"; exit 77; }
command -v mpirun >/dev/null || skip "mpirun (Open MPI) is not installed"
command -v ip >/dev/null || skip "ip (iproute2) is not installed"
[ "$(id -u)" = 0 ] || skip "creating network namespaces needs root"

# Unique names ($$), so concurrent runs don't clash; a veth name has at most 15 characters.
ns1=dn1-$$ ns2=dn2-$$ veth1=dnva-$$ veth2=dnvb-$$
ip1=10.77.0.1 ip2=10.77.0.2
dir=$(mktemp -d)
cleanup() {
  for ns in "$ns1" "$ns2"; do
    # A daemon left by a failed run would keep the namespace alive after its name is gone.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true  # deleting a namespace also deletes its veth end
  done
  rm -rf "$dir"
}
trap cleanup EXIT

ip netns add "$ns1" 2>"$dir/err" || skip "ip netns add refused: $(head -1 "$dir/err")"
ip netns add "$ns2" 2>"$dir/err" || skip "ip netns add refused: $(head -1 "$dir/err")"
ip netns exec "$ns1" true 2>"$dir/err" || skip "ip netns exec refused: $(head -1 "$dir/err")"
ip link add "$veth1" netns "$ns1" type veth peer name "$veth2" netns "$ns2" 2>"$dir/err" ||
  skip "cannot create a veth pair: $(head -1 "$dir/err")"
ip -n "$ns1" addr add "$ip1/24" dev "$veth1"
ip -n "$ns2" addr add "$ip2/24" dev "$veth2"
for ns in "$ns1" "$ns2"; do ip -n "$ns" link set lo up; done
ip -n "$ns1" link set "$veth1" up
ip -n "$ns2" link set "$veth2" up

# The agent stands in for ssh: `agent HOST command...` runs the command in HOST's namespace, with
# a fresh environment as a login would give (so nothing reaches the remote side by inheritance).
cat >"$dir/agent" <<EOF
#!/bin/sh
host=\$1; shift
case \$host in
  $ip1) ns=$ns1 ;;
  $ip2) ns=$ns2 ;;
  *) echo "agent: unknown host \$host" >&2; exit 1 ;;
esac
echo "\$host" >>"$dir/agent.log"
exec ip netns exec "\$ns" env -i PATH="\$PATH" HOME="\$HOME" \${LD_LIBRARY_PATH:+LD_LIBRARY_PATH="\$LD_LIBRARY_PATH"} sh -c "\$*"
EOF
chmod +x "$dir/agent"
# IPs, not names: both namespaces share this machine's hostname.
printf '%s slots=1\n%s slots=1\n' "$ip1" "$ip2" >"$dir/hosts"

train=(train --config "$config" --set train.epochs=3 --set train.deterministic_reduction=true
       --threads 1 -q --no-report)
"$descent" "${train[@]}" --out "$dir/one" >"$dir/one.txt" 2>&1 ||
  { cat "$dir/one.txt"; echo "the one-process run failed"; exit 1; }

# mpirun runs in the first namespace, so $ip1 is its own node and $ip2 is reached by the agent.
# TCP only, on the veth subnet; the session directories go in $dir, not the shared /tmp.
# Each rank first records the 10.77 address it sees, to show the two ranks ran on the two hosts.
cd "$dir"
rc=0
timeout 45 ip netns exec "$ns1" mpirun --allow-run-as-root -np 2 --hostfile "$dir/hosts" \
    --mca plm_rsh_agent "$dir/agent" --mca plm_rsh_no_tree_spawn 1 \
    --mca pml ob1 --mca btl self,tcp \
    --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 \
    --mca orte_tmpdir_base "$dir" \
    sh -c 'ip -o -4 addr show | grep -o "10\.77\.0\.[0-9]*" >"where.$OMPI_COMM_WORLD_RANK"
           echo "$OMPI_COMM_WORLD_SIZE" >>"where.$OMPI_COMM_WORLD_RANK"; exec "$@"' \
    sh "$descent" "${train[@]}" --out "$dir/two_hosts" >"$dir/two.txt" 2>&1 || rc=$?
if [ "$rc" != 0 ]; then
  grep -q "built without MPI" "$dir/two.txt" && skip "$descent was built without MPI"
  cat "$dir/two.txt"
  if [ "$rc" = 124 ]; then echo "mpirun across the two namespaces timed out after 45 s"
  else echo "mpirun across the two namespaces failed (exit $rc)"; fi
  exit 1
fi
for rank in 0 1; do
  ip=$ip1; [ "$rank" = 1 ] && ip=$ip2
  printf '%s\n2\n' "$ip" | cmp -s - "where.$rank" ||
    { cat "$dir/two.txt"; echo "rank $rank: expected $ip of 2 ranks, saw: $(tr "\n" " " <"where.$rank" 2>/dev/null)"; exit 1; }
done
grep -qx "$ip2" agent.log || { echo "the agent never launched on $ip2"; exit 1; }
cmp "$dir/one/model.safetensors" "$dir/two_hosts/model.safetensors" ||
  { cat "$dir/two.txt"; echo "2 ranks on 2 hosts trained different weights than one process"; exit 1; }
echo "ok: 2 ranks on 2 namespaces over TCP trained the same weights as one process"
