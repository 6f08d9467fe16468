#!/usr/bin/env bash
# Throughput benchmark: `makepay-migrate scan` against `rg -c -i -F -f <the prefilter's literals>`
# on the same synthetic tree, side by side in one hyperfine run. See bench/README.md.
#
# Environment:
#   BENCH_DIR      where the tree lives (default /tmp/makepay-bench; never inside the repo)
#   BENCH_SIZE_MB  searchable size of the tree in MiB (default 200)
#   BENCH_RUNS     timed runs per command (default 5, after 1 warm-up run)
#   BENCH_STRICT   if 1, exit 1 when a target is missed (default: report only)
#   BENCH_BIN      time this makepay-migrate binary instead of building target/release's
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
tree=${BENCH_DIR:-/tmp/makepay-bench}
size_mb=${BENCH_SIZE_MB:-200}
runs=${BENCH_RUNS:-5}
strict=${BENCH_STRICT:-0}
bin=${BENCH_BIN:-$root/target/release/makepay-migrate}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench/run.sh: %s\n' "$*" >&2; exit 2; }

case "$tree" in
    /) die "BENCH_DIR=/ is not a tree directory" ;;
    "$root" | "$root"/*) die "BENCH_DIR must be outside the repository (got $tree)" ;;
esac

# --- tools -------------------------------------------------------------------------------------
need=()
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
command -v hyperfine >/dev/null 2>&1 || need+=(hyperfine)
[ -x /usr/bin/time ] || need+=(time)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ "${#need[@]}" -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    export DEBIAN_FRONTEND=noninteractive
    log "installing ${need[*]}"
    # Refresh the package lists only if the install cannot go ahead with the ones we have.
    if ! $sudo apt-get install -y -q "${need[@]}" >&2; then
        log "apt-get install failed; running apt-get update and retrying"
        $sudo apt-get update -q >&2
        $sudo apt-get install -y -q "${need[@]}" >&2
    fi
fi

# --- build -------------------------------------------------------------------------------------
if [ -z "${BENCH_BIN:-}" ]; then
    log "cargo build --release"
    (cd "$root" && cargo build --release >&2)
fi
[ -x "$bin" ] || die "no executable makepay-migrate at $bin"

# --- tree --------------------------------------------------------------------------------------
if python3 "$here/gen_tree.py" --out "$tree" --size-mb "$size_mb" --check; then
    log "reusing the ${size_mb} MiB tree in $tree"
else
    log "generating a ${size_mb} MiB tree in $tree"
    python3 "$here/gen_tree.py" --out "$tree" --size-mb "$size_mb" >&2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/makepay-bench-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- literal set -------------------------------------------------------------------------------
"$bin" rules literals >"$tmp/literals.raw" || die "\`makepay-migrate rules literals\` failed"
# A blank line in an -f file matches every line; the prefilter has no such literal, so drop them.
grep -v '^[[:space:]]*$' "$tmp/literals.raw" >"$tmp/literals.txt" || true
[ -s "$tmp/literals.txt" ] || die "\`makepay-migrate rules literals\` printed no literals"
n_literals=$(wc -l <"$tmp/literals.txt")
log "$n_literals literals"

# --- commands ----------------------------------------------------------------------------------
# Exit codes 0 (no match / no finding) and 1 (match / finding) are both success for both tools;
# anything else (2: error) fails the benchmark rather than timing an early exit.
printf -v rg_cmd 'rg -c -i -F -f %q %q' "$tmp/literals.txt" "$tree"
printf -v scan_cmd '%q scan %q --format json -q' "$bin" "$tree"
ok='>/dev/null 2>&1; test $? -le 1'

log "warming the page cache"
find "$tree" -type f -not -path '*/.git/*' -print0 | xargs -0 cat >/dev/null
rg -c -i -F -f "$tmp/literals.txt" "$tree" >/dev/null 2>&1 || true

log "hyperfine: $runs runs each after 1 warm-up"
hyperfine --warmup 1 --runs "$runs" --export-json "$tmp/hyperfine.json" \
    --command-name rg "$rg_cmd $ok" \
    --command-name scan "$scan_cmd $ok" >&2

# --- peak memory and CPU of one run each -------------------------------------------------------
timed() { # timed NAME CMD...: /usr/bin/time -v into $tmp/NAME.time, stdout into $tmp/NAME.out
    local name=$1 rc=0
    shift
    /usr/bin/time -v -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
    if [ "$rc" -gt 1 ]; then
        cat "$tmp/$name.err" >&2
        die "$name exited with $rc"
    fi
}
log "/usr/bin/time -v: one run each"
timed scan_q "$bin" scan "$tree" --format json -q
timed rg rg -c -i -F -f "$tmp/literals.txt" "$tree"
# One more scan without -q to count findings (a sanity check, not timed).
timed scan_json "$bin" scan "$tree" --format json

n_rg_files=$(rg --files "$tree" | wc -l)

# --- report ------------------------------------------------------------------------------------
python3 - "$tmp" "$tree" "$root/bench/results.md" "$rg_cmd" "$scan_cmd" "$runs" "$n_literals" \
    "$n_rg_files" "$strict" "$bin" <<'PY'
import datetime, json, os, re, subprocess, sys

tmp, tree, out_md, rg_cmd, scan_cmd, runs, n_lit, n_rg_files, strict, binary = sys.argv[1:]
tmp_lit = os.path.join(tmp, "literals.txt")

def timev(name):
    text = open(os.path.join(tmp, name + ".time")).read()
    def field(label):
        m = re.search(re.escape(label) + r".*?:\s*(\S+)\s*$", text, re.M)
        return m.group(1) if m else None
    wall = 0.0
    for part in field("Elapsed (wall clock) time").split(":"):
        wall = wall * 60 + float(part)
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    return {"rss_mb": int(field("Maximum resident set size (kbytes)")) / 1024.0,
            "wall": wall, "cpu": cpu, "cpu_pct": 100.0 * cpu / wall if wall > 0 else 0.0}

def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0].strip()
    except Exception:
        return "?"

hf = {r["command"]: r for r in json.load(open(os.path.join(tmp, "hyperfine.json")))["results"]}
rg, scan = hf["rg"], hf["scan"]
ratio = scan["mean"] / rg["mean"]
st, rt = timev("scan_q"), timev("rg")
manifest = json.load(open(os.path.join(tree, ".bench-manifest.json")))
size_mb = manifest["searchable_bytes"] / 2**20
nproc = os.cpu_count() or 1

findings, finding_files, scanned, prefiltered = "?", "?", "?", "?"
try:
    doc = json.load(open(os.path.join(tmp, "scan_json.out")))
    findings = len(doc["findings"])
    finding_files = len({f["path"] for f in doc["findings"]})
    scanned = doc["summary"].get("files_scanned", "?")
    prefiltered = doc["summary"].get("files_matched", "?")
except Exception:
    pass
rg_hit_files = sum(1 for line in open(os.path.join(tmp, "rg.out")) if line.strip())

cpu_target = 75.0 * nproc
targets = [
    ("scan/rg time ratio", f"{ratio:.2f}x", "<= 1.5x", ratio <= 1.5),
    ("scan peak RSS", f"{st['rss_mb']:.1f} MB", "< 100 MB", st["rss_mb"] < 100),
    ("scan CPU (user+sys)/wall", f"{st['cpu_pct']:.0f}%", f">= {cpu_target:.0f}% ({nproc} cores busy)",
     st["cpu_pct"] >= cpu_target),
]

table = [
    ("rg mean", f"{rg['mean']:.3f} s ± {rg['stddev']:.3f}"),
    ("scan mean", f"{scan['mean']:.3f} s ± {scan['stddev']:.3f}"),
    ("ratio scan/rg", f"{ratio:.2f}x"),
    ("scan peak RSS", f"{st['rss_mb']:.1f} MB"),
    ("scan CPU", f"{st['cpu_pct']:.0f}%"),
    ("tree size", f"{size_mb:.1f} MiB"),
    ("files", f"{manifest['searchable_files']}"),
]
w = max(len(k) for k, _ in table)
print()
for k, val in table:
    print(f"  {k:<{w}}  {val}")
print(f"  (rg: {rt['rss_mb']:.1f} MB peak RSS, {rt['cpu_pct']:.0f}% CPU; nproc {nproc})")
print()
for name, got, want, ok in targets:
    print(f"  {'PASS' if ok else 'MISS'}  {name}: {got} (target {want})")
print()

now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
cpu_model = "?"
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
except OSError:
    pass
def short(cmd):
    return cmd.replace(tmp_lit, "literals.txt")
md = f"""# Benchmark results

Written by `bench/run.sh` on {now}. nproc: {nproc} ({cpu_model}).
Tools: {version(['rg', '--version'])}; {version(['hyperfine', '--version'])};
{version([binary, '--version'])}.

Tree: `{tree}`, generated by `bench/gen_tree.py --size-mb {manifest['size_mb']} --seed {manifest['seed']}`:
{size_mb:.1f} MiB in {manifest['searchable_files']} searchable files ({n_rg_files} walked by rg, which
skips hidden `.env` files), node_modules/ git-ignored, {len(manifest['provider_files'])} files
with provider usage. Literal set: {n_lit} literals from `makepay-migrate rules literals`.

| measure | value |
| --- | --- |
""" + "".join(f"| {k} | {val} |\n" for k, val in table) + f"""| rg peak RSS | {rt['rss_mb']:.1f} MB |
| rg CPU | {rt['cpu_pct']:.0f}% |
| rg files with a literal hit | {rg_hit_files} |
| scan files scanned / prefilter hits | {scanned} / {prefiltered} |
| scan findings (files) | {findings} ({finding_files}) |

| target | measured | wanted | |
| --- | --- | --- | --- |
""" + "".join(f"| {n} | {g} | {wt} | {'pass' if ok else 'MISS'} |\n" for n, g, wt, ok in targets) + f"""
Means and standard deviations are hyperfine's over {runs} runs after one warm-up run, page cache
warm; peak RSS and CPU (user+sys over wall time) are from one `/usr/bin/time -v` run each.

Commands (`literals.txt` = output of `makepay-migrate rules literals`; exit codes 0 and 1 both
count as success):

```sh
hyperfine --warmup 1 --runs {runs} --export-json hyperfine.json \\
  -n rg   '{short(rg_cmd)} >/dev/null 2>&1; test $? -le 1' \\
  -n scan '{scan_cmd} >/dev/null 2>&1; test $? -le 1'
/usr/bin/time -v {scan_cmd}
/usr/bin/time -v {short(rg_cmd)}
```
"""
with open(out_md, "w") as fh:
    fh.write(md)
print(f"  results written to {out_md}")
if strict == "1" and not all(ok for *_, ok in targets):
    sys.exit(1)
PY
