"""Summary of scripts/nested_loco.sh: for each corpus set aside, the mean inner (d) UAR of the
networks trained without it, plain and with each held-out corpus standardised by its own
statistics, and the worst top answer over its true share; then the mean over the outer folds.
Usage: python3 scripts/nested_loco_summary.py OUT CORPUS..."""
import json
import sys
from pathlib import Path

out, corpora = Path(sys.argv[1]), sys.argv[2:]
ways = [("plain", None), ("set mean", "mean"), ("set mean+std", "mean_and_std")]
rows = []
for corpus in corpora:
    path = out / corpus / f"emotion-cnn-without-{corpus}-figures.json"
    d = json.loads(path.read_text())["evaluation"]["d"]
    row = {"corpus": corpus, "inner": sorted(d["folds"])}
    row["plain"] = (d["mean_uar"], d["min_uar"], d["max_spread_ratio"])
    for label, key in ways[1:]:
        s = d["set_normalised"][key]
        row[label] = (s["mean_uar"], s["min_uar"], s["max_spread_ratio"])
    rows.append(row)

print("inner (d) without each corpus: mean UAR / lowest / worst top answer over its share")
print(f"{'set aside':<10}" + "".join(f"{label:>26}" for label, _ in ways))
for row in rows:
    cells = "".join(f"{row[l][0]:>12.3f} {row[l][1]:.3f} {row[l][2]:>4.1f}x" for l, _ in ways)
    print(f"{row['corpus']:<10}{cells}")
means = [sum(r[l][0] for r in rows) / len(rows) for l, _ in ways]
print(f"{'mean':<10}" + "".join(f"{m:>26.3f}" for m in means))
for label, _ in ways[1:]:
    wins = sum(r[label][0] > r["plain"][0] for r in rows)
    print(f"{label}: above plain in {wins} of {len(rows)} outer folds")

# Sets smaller than a corpus (runs from session 28's last code on): the mean and deviation of
# random sets of each size, the mean over the inner corpora, then over the outer folds.
sized = {}
for corpus in corpora:
    path = out / corpus / f"emotion-cnn-without-{corpus}-figures.json"
    d = json.loads(path.read_text())["evaluation"]["d"]
    for s in d["set_normalised"]["mean_and_std"].get("by_set_size", []):
        sized.setdefault(s["clips"], []).append(s["mean_uar"])
for clips, uars in sorted(sized.items()):
    print(f"sets of {clips} clips: nested mean UAR {sum(uars) / len(uars):.3f} over {len(uars)} outer folds")
