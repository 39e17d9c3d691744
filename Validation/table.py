#!/usr/bin/env python3
"""Print the VALIDATION.md results table from Validation/results/*/summary.json."""
import glob, json, os
ROOT = os.path.dirname(os.path.abspath(__file__))
print("| experiment | metric | ours (final / best) | threshold | passed | first step below threshold | steps | wall s | explosion events (skipped updates) | clipped | ‖g‖ median / p99 / max |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
f = lambda x: "—" if x is None else (f"{x:.4g}" if isinstance(x, float) else str(x))
for p in sorted(glob.glob(os.path.join(ROOT, "results", "*", "summary.json"))):
    s = json.load(open(p))
    print(f"| {s['experiment']} | {s['metric']} | {f(s['final_validation_metric'])} / {f(s['best_validation_metric'])} | < {f(s['threshold'])} | "
          f"{'yes' if s['passed'] else 'no'} | {f(s['first_step_below_threshold'])} | {s['steps']} | {s['wall_seconds']} | "
          f"{s['explosion_events']} ({s['skipped_updates']}) | {f(s['clipped_fraction'])} | "
          f"{f(s['grad_norm_median'])} / {f(s['grad_norm_p99'])} / {f(s['grad_norm_max'])} |")
