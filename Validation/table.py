#!/usr/bin/env python3
"""Print the VALIDATION.md results tables from Validation/results/*/summary.json.

    python3 Validation/table.py            # the full per-run table, then the per-arm table of seed groups
    python3 Validation/table.py --arms     # only the per-arm table
"""
import glob, json, os, re, statistics, sys
ROOT = os.path.dirname(os.path.abspath(__file__))
f = lambda x: "—" if x is None else (f"{x:.4g}" if isinstance(x, float) else str(x))
summaries = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(ROOT, "results", "*", "summary.json")))]

def full_table():
    print("| experiment | metric | ours (final / best) | threshold | passed | first step below threshold | steps | wall s | explosion events (skipped updates) | clipped | ‖g‖ median / p99 / max |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for s in summaries:
        print(f"| {s['experiment']} | {s['metric']} | {f(s['final_validation_metric'])} / {f(s['best_validation_metric'])} | < {f(s['threshold'])} | "
              f"{'yes' if s['passed'] else 'no'} | {f(s['first_step_below_threshold'])} | {s['steps']} | {s['wall_seconds']} | "
              f"{s['explosion_events']} ({s['skipped_updates']}) | {f(s['clipped_fraction'])} | "
              f"{f(s['grad_norm_median'])} / {f(s['grad_norm_p99'])} / {f(s['grad_norm_max'])} |")

def arm_table():
    """One row per arm: the runs named ARM-s<seed>, seeds side by side."""
    arms = {}
    for s in summaries:
        m = re.fullmatch(r"(.*)-s(\d+)", s["experiment"])
        if m: arms.setdefault(m.group(1), []).append((int(m.group(2)), s))
    print("| arm | metric | solved (passed) | first step below threshold, per seed | final value, per seed | steps run, per seed | explosion events (all seeds) | clipped fraction, median | steps with ‖g‖ > 1 / > 10 (all seeds) | ‖g‖ median of medians / max | wall s / CPU s (all seeds) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for arm, runs in sorted(arms.items()):
        runs.sort(key=lambda r: r[0]); ss = [s for _, s in runs]
        seeds = " / ".join(f"s{seed}" for seed, _ in runs)
        per = lambda key: " / ".join(f(s.get(key)) for s in ss)
        clip = [s["clipped_fraction"] for s in ss if s.get("clipped_fraction") is not None]
        gmax = [s["grad_norm_max"] for s in ss if s.get("grad_norm_max") is not None]
        med = [s["grad_norm_median"] for s in ss if s.get("grad_norm_median") is not None]
        # A sum over the seeds, or — when a summary predates the field.
        total = lambda key: "—" if any(s.get(key) is None for s in ss) else f(round(sum(s[key] for s in ss), 1))
        print(f"| {arm} ({seeds}) | {ss[0]['metric']} < {f(ss[0]['threshold'])} | **{sum(bool(s['passed']) for s in ss)}/{len(ss)}** | "
              f"{per('first_step_below_threshold')} | {per('final_validation_metric')} | {per('steps')} | "
              f"{sum(s['explosion_events'] for s in ss)} | {f(statistics.median(clip)) if clip else '—'} | "
              f"{total('steps_grad_norm_above_1')} / {total('steps_grad_norm_above_10')} | "
              f"{f(statistics.median(med)) if med else '—'} / {f(max(gmax)) if gmax else '—'} | "
              f"{round(sum(s['wall_seconds'] for s in ss), 1)} / {total('cpu_seconds')} |")

if __name__ == "__main__":
    if "--arms" not in sys.argv:
        full_table(); print()
    arm_table()
