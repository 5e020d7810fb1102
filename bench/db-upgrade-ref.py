#!/usr/bin/env python3
# What a deployment repo would otherwise run in CI for db-upgrade: read the chart's dependency
# version and the values files at two commits with `git show`, merge them as helm -f does
# (PyYAML), and compare hub.db.type and the jupyterhub chart version.
# Usage: db-upgrade-ref.py OLD NEW STAGE
import subprocess, sys, yaml

old, new, stage = sys.argv[1:4]
files = ["hub/values.yaml", "deployments/datahub/config/common.yaml",
         f"deployments/datahub/config/{stage}.yaml"]

def show(rev, path):
    r = subprocess.run(["git", "show", f"{rev}:{path}"], capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else None

def merge(a, b):
    out = dict(a)
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out

def state(rev):
    vals = {}
    for f in files:
        t = show(rev, f)
        if t is not None:
            vals = merge(vals, yaml.safe_load(t) or {})
    req = yaml.safe_load(show(rev, "hub/requirements.yaml") or "{}") or {}
    ver = next((d["version"] for d in req.get("dependencies", []) if d["name"] == "jupyterhub"), None)
    db = ((vals.get("jupyterhub") or {}).get("hub") or {}).get("db") or {}
    return ver, db.get("type", "sqlite-pvc"), db.get("upgrade")

def base(v):
    return tuple(int(x) for x in v.lstrip("v").split("-")[0].split("+")[0].split("."))

(v0, t0, _), (v1, t1, up) = state(old), state(new)
if base(v0)[:2] != base(v1)[:2] and t1 in ("mysql", "postgres", "other") and not up:
    print("db-upgrade-required"); sys.exit(1)
if t0 != t1:
    print("db-type-change"); sys.exit(1)
