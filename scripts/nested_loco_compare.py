#!/usr/bin/env python3
"""Compare two recipes on nested leave-one-corpus-out (scripts/nested_loco.sh), over one or more
seeds each, by the rule the shipped recipe was chosen by: the candidate wins when its mean over
the seeds of the nested plain figure (the mean, over the corpora set aside, of the inner (d) mean
UAR for single recordings) is higher than the baseline's, and it is higher in at least --need of
the outer folds. Prints the per-fold table and the verdict; with --metadata, also writes the
comparison into that model metadata as `evaluation.d_nested` (how session 34's was built), the
candidate under `shipped` and `seeds`, the baseline under `previous` and `previous_recipe_seeds`.

    python3 scripts/nested_loco_compare.py --candidate target/nested-a target/nested-a-11 \\
        --baseline target/nested-b target/nested-b-11 [--need 4] \\
        [--metadata models/emotion-cnn.json --decided "why it shipped"]

Each directory is one seed's OUT of scripts/nested_loco.sh, holding
<corpus>/emotion-cnn-without-<corpus>-figures.json for every corpus set aside. The seed is read
from the networks' own records."""

import argparse
import json
import sys
from pathlib import Path

# In scripts/nested_loco.sh's order, which the means are summed in.
NAMES = {"ravdess": "RAVDESS", "tess": "TESS", "savee": "SAVEE", "nemo": "nEMO", "ased": "ASED",
         "crema-d": "CREMA-D"}
PROTOCOL = ("nested leave one corpus out: for each corpus set aside, protocol (d) over the other "
            "four (each held out in turn, networks trained on the other three), the corpus set "
            "aside never read")
FIGURE = ("mean over the corpora set aside of the inner (d) mean UAR for single recordings "
          "(plain): a validation figure for choices about unheard corpora")


def summary(figures: dict) -> dict:
    """One outer fold's figures, as the metadata keeps them."""
    d = figures["evaluation"]["d"]
    s = d["set_normalised"]["mean_and_std"]
    pick = lambda f: {k: f[k] for k in ("mean_uar", "min_uar", "max_spread_ratio")}
    return {"plain": pick(d), "mean_and_std": pick(s), "inner_valid_uar": d["mean_valid_uar"],
            "inner_uar": {c: f["report"]["uar"] for c, f in d["folds"].items()},
            "seconds": d["seconds"]}


def seed_of(figures: dict) -> int:
    seeds = {n["seed"] for f in figures["evaluation"]["d"]["folds"].values() for n in f["networks"]}
    return min(seeds)


def run(directory: Path) -> tuple[str, dict]:
    """One seed's nested run: its seed and every outer fold's summary, with the means."""
    order = list(NAMES)
    paths = sorted(directory.glob("*/emotion-cnn-without-*-figures.json"),
                   key=lambda p: (order.index(p.parent.name) if p.parent.name in order else len(order),
                                  p.parent.name))
    if not paths:
        sys.exit(f"{directory}: no <corpus>/emotion-cnn-without-<corpus>-figures.json "
                 "(is it an OUT of scripts/nested_loco.sh?)")
    folds, seeds = {}, set()
    for path in paths:
        key = path.parent.name
        figures = json.loads(path.read_text())
        seeds.add(seed_of(figures))
        folds[NAMES.get(key, key)] = summary(figures)
    if len(seeds) != 1:
        sys.exit(f"{directory}: outer folds trained with different seeds {sorted(seeds)}")
    mean = lambda way: sum(f[way]["mean_uar"] for f in folds.values()) / len(folds)
    result = {"outer_folds": folds,
              "mean_uar": {"plain": mean("plain"), "mean_and_std": mean("mean_and_std")},
              "mean_inner_valid_uar": sum(f["inner_valid_uar"] for f in folds.values()) / len(folds)}
    return str(seeds.pop()), result


def runs(directories: list[Path]) -> dict:
    out = {}
    for directory in directories:
        seed, result = run(directory)
        if seed in out:
            sys.exit(f"{directory}: seed {seed} given twice for one recipe")
        out[seed] = result
    return out


def per_fold(recipe: dict) -> dict:
    """The plain inner mean UAR of each outer fold, averaged over the recipe's seeds."""
    folds = next(iter(recipe.values()))["outer_folds"]
    for seed, result in recipe.items():
        if result["outer_folds"].keys() != folds.keys():
            sys.exit(f"seed {seed} sets aside {sorted(result['outer_folds'])}, not {sorted(folds)}")
    return {c: sum(r["outer_folds"][c]["plain"]["mean_uar"] for r in recipe.values()) / len(recipe)
            for c in folds}


def seeds_key(candidate: dict, baseline: dict) -> str:
    """The comparison's key in the metadata: `two_seed` as session 34 wrote it, when both
    recipes have two seeds."""
    return "two_seed" if len(candidate) == len(baseline) == 2 else "over_seeds"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidate", nargs="+", type=Path, required=True)
    parser.add_argument("--baseline", nargs="+", type=Path, required=True)
    parser.add_argument("--need", type=int, default=4,
                        help="outer folds the candidate must be above in (default 4)")
    parser.add_argument("--metadata", type=Path, help="model metadata to write d_nested into")
    parser.add_argument("--decided", help="what the comparison decided, for the metadata")
    parser.add_argument("--command", default="OUT=DIR scripts/nested_loco.sh [--seed 11]",
                        help="how the nested runs were made, for the metadata")
    args = parser.parse_args()
    if args.metadata and not args.decided:
        parser.error("--metadata needs --decided (what the comparison decided, in words)")

    candidate, baseline = runs(args.candidate), runs(args.baseline)
    a, b = per_fold(candidate), per_fold(baseline)
    if a.keys() != b.keys():
        sys.exit(f"the recipes set aside different corpora: {sorted(a)} against {sorted(b)}")
    rows = {c: {"shipped": a[c], "previous": b[c]} for c in a}
    mean = lambda who: sum(r[who] for r in rows.values()) / len(rows)
    above = sum(r["shipped"] > r["previous"] for r in rows.values())
    wins = mean("shipped") > mean("previous") and above >= args.need

    seeds = lambda recipe: ", ".join(recipe)
    print(f"nested plain mean UAR, candidate (seeds {seeds(candidate)}) against baseline "
          f"(seeds {seeds(baseline)})")
    for corpus, r in rows.items():
        mark = "above" if r["shipped"] > r["previous"] else ""
        print(f"  {corpus:<8} {r['shipped']:.4f}  {r['previous']:.4f}  {mark}")
    print(f"  {'mean':<8} {mean('shipped'):.4f}  {mean('previous'):.4f}")
    for name, recipe in (("candidate", candidate), ("baseline", baseline)):
        for seed, result in recipe.items():
            print(f"  {name} seed {seed}: plain {result['mean_uar']['plain']:.4f}, set mean+std "
                  f"{result['mean_uar']['mean_and_std']:.4f}, inner validation "
                  f"{result['mean_inner_valid_uar']:.4f}")
    print(f"above in {above} of {len(rows)} outer folds (needs {args.need}): "
          f"{'the candidate wins' if wins else 'the candidate does not win'}")

    if args.metadata:
        metadata = json.loads(args.metadata.read_text())
        metadata["evaluation"]["d_nested"] = {
            "protocol": PROTOCOL, "command": args.command, "figure": FIGURE,
            "decided": args.decided,
            seeds_key(candidate, baseline): {"mean_uar_plain": {"shipped": mean("shipped"), "previous": mean("previous")},
                         "outer_folds_above": above, "per_fold_plain": rows},
            "seeds": candidate, "previous_recipe_seeds": baseline}
        args.metadata.write_text(json.dumps(metadata, indent=2, ensure_ascii=False))
        print(f"wrote evaluation.d_nested into {args.metadata}")


if __name__ == "__main__":
    main()
