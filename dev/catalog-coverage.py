#!/usr/bin/env python3
"""Coverage of the catalog over a corpus of public Kubernetes manifests (docs/catalog.md).

usage: dev/catalog-coverage.py CORPUS_DIR [--jar target/quarkus-app/quarkus-run.jar] [--exclude SUBSTRING ...] [--json]

Runs the packaged CLI twice over every *.yaml/*.yml/*.json file under CORPUS_DIR:
  audit -o json --mode audit --no-mutation   the rule as written: which containers violate it
  audit -o json --mode audit                 counting on the mutating webhook (the catalog)
and sorts each violating container (source, object line, container kind and name) into:
  compliant  the catalog's mutation makes it pass (emptyDirs/seeds and the flag)
  refused    the catalog knows the image and leaves it alone: data with nothing mounted, a required env, a path on a
             read-only mount (the finding carries the planner's reason "... so it is not made read-only ...")
  kept-false the catalog knows the image but the manifest sets the flag to false (or a non-boolean): the mutation keeps
             the user's explicit choice
  unknown    no catalog entry matches the image
Build the jar first: ./mvnw -B -o -q package -DskipTests
"""
import argparse
import collections
import json
import os
import subprocess
import sys


def files(root, excludes):
    out = []
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            if n.endswith((".yaml", ".yml", ".json")) and not any(x in p for x in excludes):
                out.append(p)
    return sorted(out)


def audit(jar, paths, mutation):
    cmd = ["java", "-jar", jar, "audit", "-o", "json", "--mode", "audit"] + ([] if mutation else ["--no-mutation"]) + paths
    run = subprocess.run(cmd, capture_output=True, text=True)
    # Exit 2 also means "some inputs could not be read" (templates in the corpus): the report still says it all.
    try:
        return json.loads(run.stdout)
    except json.JSONDecodeError:
        sys.exit(f"audit failed ({run.returncode}): {run.stderr[:2000]}")


def key(f):
    return (f["source"], f["line"], f["containerKind"], f["container"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--jar", default="target/quarkus-app/quarkus-run.jar")
    ap.add_argument("--exclude", action="append", default=[], help="skip files whose path contains this")
    ap.add_argument("--json", action="store_true", help="print the counts as JSON")
    a = ap.parse_args()
    paths = files(a.corpus, a.exclude)
    written = audit(a.jar, paths, mutation=False)
    mutated = audit(a.jar, paths, mutation=True)
    violating = {key(f): f for f in written["findings"]}
    remaining = {key(f): f for f in mutated["findings"]}
    counts = collections.Counter()
    by_entry = collections.defaultdict(collections.Counter)
    unknown_images = collections.Counter()
    for k, f in violating.items():
        r = remaining.get(k)
        entry = f.get("catalogEntry") or (r or {}).get("catalogEntry")
        if r is None:
            cls = "compliant"
        elif "is not made read-only" in r["problem"]:
            cls = "refused"
        elif r.get("catalogEntry"):
            cls = "kept-false"
        else:
            cls = "unknown"
        counts[cls] += 1
        if cls == "unknown":
            unknown_images[f["image"].split("@")[0].rsplit(":", 1)[0] if "/" in f["image"] or ":" in f["image"] else f["image"]] += 1
        else:
            # A refused finding names no entry (nothing was planned): label it by its image.
            by_entry[entry or "refused: " + f["image"]][cls] += 1
    total = len(violating)
    result = {
        "files": len(paths), "inputErrors": len(written["errors"]), "objects": written["summary"]["objects"],
        "violatingContainers": total, "compliant": counts["compliant"], "refused": counts["refused"],
        "keptFalse": counts["kept-false"], "unknown": counts["unknown"],
        "byEntry": {e: dict(c) for e, c in sorted(by_entry.items())},
        "topUnknown": dict(unknown_images.most_common(15)),
    }
    if a.json:
        print(json.dumps(result, indent=2))
        return
    pct = lambda n: f"{n} ({100.0 * n / total:.1f}%)" if total else str(n)
    print(f"{len(paths)} files, {result['objects']} workloads, {result['inputErrors']} unreadable inputs")
    print(f"containers violating the rule as written: {total}")
    print(f"  made compliant by the catalog:          {pct(counts['compliant'])}")
    print(f"  refused by the catalog (data, env):     {pct(counts['refused'])}")
    print(f"  known, flag explicitly false (kept):    {pct(counts['kept-false'])}")
    print(f"  not known to the catalog:               {pct(counts['unknown'])}")
    print("by entry:")
    for e, c in sorted(by_entry.items()):
        print(f"  {e:28} " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    print("most frequent unknown images:")
    for i, n in unknown_images.most_common(15):
        print(f"  {n:3} {i}")


if __name__ == "__main__":
    main()
