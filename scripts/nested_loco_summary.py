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

def lean(ratio):
    """The worst top answer over its true share; the metadata has none when the answer most
    given is a class the corpus never has (no true share to divide by)."""
    return "   -- " if ratio is None else f"{ratio:>4.1f}x"


print("inner (d) without each corpus: mean UAR / lowest / worst top answer over its share")
print(f"{'set aside':<10}" + "".join(f"{label:>26}" for label, _ in ways))
for row in rows:
    cells = "".join(f"{row[l][0]:>12.3f} {row[l][1]:.3f} {lean(row[l][2])}" for l, _ in ways)
    print(f"{row['corpus']:<10}{cells}")
means = [sum(r[l][0] for r in rows) / len(rows) for l, _ in ways]
print(f"{'mean':<10}" + "".join(f"{m:>26.3f}" for m in means))
for label, _ in ways[1:]:
    wins = sum(r[label][0] > r["plain"][0] for r in rows)
    print(f"{label}: above plain in {wins} of {len(rows)} outer folds")

# Sets smaller than a corpus (runs from session 28's last code on): the mean and deviation of
# random sets of each size, the mean over the inner corpora, then over the outer folds, and in
# how many outer folds it is above plain; then sets of one emotion (session 29's code on).
sized, one_emotion = {}, []
for row, corpus in zip(rows, corpora):
    path = out / corpus / f"emotion-cnn-without-{corpus}-figures.json"
    d = json.loads(path.read_text())["evaluation"]["d"]
    measured = d["set_normalised"]["mean_and_std"]
    for s in measured.get("by_set_size", []):
        sized.setdefault(s["clips"], []).append((corpus, s["mean_uar"], row["plain"][0]))
    if measured.get("one_emotion"):
        one = measured["one_emotion"]
        one_emotion.append((corpus, one["mean_uar"], one["max_spread_ratio"], row["plain"][0]))
for clips, uars in sorted(sized.items()):
    mean = sum(u for _, u, _ in uars) / len(uars)
    wins = sum(u > p for _, u, p in uars)
    folds = ", ".join(f"{c} {u:.3f}" for c, u, _ in uars)
    print(f"sets of {clips} clips: nested mean UAR {mean:.3f} over {len(uars)} outer folds, "
          f"above plain in {wins} ({folds})")
if one_emotion:
    mean = sum(u for _, u, _, _ in one_emotion) / len(one_emotion)
    wins = sum(u > p for _, u, _, p in one_emotion)
    folds = ", ".join(f"{c} {u:.3f} ({lean(r).strip()})" for c, u, r, _ in one_emotion)
    print(f"sets of one emotion: nested mean UAR {mean:.3f} over {len(one_emotion)} outer folds, "
          f"above plain in {wins} ({folds})")
