#!/usr/bin/env bash
# Whole-process cost of `medzk prove` and `medzk verify`, two builds against each other in
# one run: each binary makes its own development keys, registry, credential and
# presentation in a temporary directory, then the two are run in turn (A, B, A, B, …)
# and the script prints the median CPU time (user + system, from the kernel's rusage) and
# wall time of each command.
#
#   scripts/compare-processes.sh OLD_MEDZK NEW_MEDZK [RUNS]
#
# Build the older binary from a worktree with its own target directory, e.g.
#   git worktree add /tmp/old a1b8c7a && (cd /tmp/old && CARGO_TARGET_DIR=/tmp/old/target \
#     cargo build --release --locked -p medzk-cli)
# (sharing one target directory between two checkouts can mix their workspace crates).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OLD_MEDZK NEW_MEDZK [RUNS]" >&2; exit 2; }
old=$(realpath "$1"); new=$(realpath "$2"); runs=${3:-15}
policy=$(realpath "$(dirname "$0")/../examples/policies/border-vaccination.json")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
today=$(date -u +%F)

fixture() { # BIN DIR
  local bin=$1 d=$2; mkdir -p "$d"; cd "$d"
  "$bin" setup --statement vaccination --seed dev --pk v.pk --vk v.vk 2>/dev/null > setup.out
  grep -oE '[0-9a-f]{64}' setup.out | head -1 > vk_hash
  "$bin" registry init --registry reg.redb >/dev/null
  local holder; holder=$("$bin" holder keygen --out holder.key | grep -oE '0x[0-9a-f]+' | head -1)
  "$bin" issue immunization --registry reg.redb --holder-id "$holder" --vaccine 'cvx|208' \
    --date 2026-10-01 --dose 2 --series 2 --lot EW0182 --issuer clinic:oslo-1 --out cred.json >/dev/null
  "$bin" registry path --registry reg.redb --index 0 --out path.json >/dev/null
  "$bin" nonce | grep -oE '[0-9a-fx]{32,}' | head -1 > nonce
  "$bin" prove --pk v.pk --vk-hash "$(cat vk_hash)" --credential cred.json --holder-key holder.key \
    --path path.json --policy "$policy" --verifier-id border:NO --nonce "$(cat nonce)" --today "$today" \
    --out p.bin >/dev/null
  cd - >/dev/null
}
fixture "$old" "$work/old"
fixture "$new" "$work/new"

python3 - "$work" "$old" "$new" "$runs" "$policy" "$today" <<'PY'
import os, statistics, subprocess, sys, time
work, old, new, runs, policy, today = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
def args(bin, d, what):
    vk_hash = open(f"{d}/vk_hash").read().strip(); nonce = open(f"{d}/nonce").read().strip()
    common = ["--policy", policy, "--verifier-id", "border:NO", "--nonce", nonce, "--today", today]
    if what == "prove":
        return [bin, "prove", "--pk", "v.pk", "--vk-hash", vk_hash, "--credential", "cred.json", "--holder-key",
                "holder.key", "--path", "path.json", "--out", "again.bin"] + common
    return [bin, "verify", "--vk", "v.vk", "--registry", "reg.redb", "--presentation", "p.bin"] + common
def run(argv, d):
    try: os.remove(f"{d}/again.bin")
    except FileNotFoundError: pass
    t = time.perf_counter()
    p = subprocess.Popen(argv, cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    if status != 0: sys.exit(f"{' '.join(argv[:2])} failed in {d}")
    return (ru.ru_utime + ru.ru_stime) * 1e3, wall * 1e3
res = {}
for _ in range(runs):
    for what in ("prove", "verify"):
        for name, bin in (("old", old), ("new", new)):
            res.setdefault((what, name), []).append(run(args(bin, f"{work}/{name}", what), f"{work}/{name}"))
print(f"{'command':8} {'build':5} {'CPU ms (median)':>16} {'wall ms (median)':>17}   ({runs} runs each, interleaved)")
for what in ("prove", "verify"):
    for name in ("old", "new"):
        r = res[(what, name)]
        print(f"{what:8} {name:5} {statistics.median(c for c, _ in r):16.1f} {statistics.median(w for _, w in r):17.1f}")
    o = statistics.median(c for c, _ in res[(what, "old")]); n = statistics.median(c for c, _ in res[(what, "new")])
    print(f"{what:8} ratio {o / n:15.2f}x")
PY
