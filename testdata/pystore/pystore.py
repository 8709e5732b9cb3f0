#!/usr/bin/env python3
"""A secrets store in one JSON file, with scopemig's migration (policy keep).
  pystore.py migrate DIR [broken]     migrate DIR/store.json (broken: in place, no fsync)
  pystore.py migrate DIR nofsync      temp file, rename, fsync dir, but no fsync of the temp file:
                                      fails on strict POSIX, survives ext4 data=ordered
  pystore.py dump DIR                 print the store as {"secrets":{...},"migrated":bool}"""
import json, os, sys
LEGACY = [("BEARER_TOKEN_", "workloads"), ("OAUTH_CLIENT_SECRET_", "workloads"),
          ("OAUTH_REFRESH_TOKEN_", "workloads"), ("registry-user-", "workloads"),
          ("registry-default-", "workloads"), ("BUILD_AUTH_FILE_", "workloads"),
          ("REGISTRY_OAUTH_", "registry")]
def load(d):
    with open(os.path.join(d, "store.json")) as f:
        return json.load(f)
def save(d, st):  # atomic and durable: temp file, fsync, rename, fsync dir
    tmp = os.path.join(d, ".store.json.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(st, f); f.flush(); os.fsync(f.fileno())
    os.replace(tmp, os.path.join(d, "store.json"))
    dfd = os.open(d, os.O_RDONLY); os.fsync(dfd); os.close(dfd)
def save_nofsync(d, st):  # the classic: the new file's data is not synced before the rename
    tmp = os.path.join(d, ".store.json.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(st, f)
    os.replace(tmp, os.path.join(d, "store.json"))
    dfd = os.open(d, os.O_RDONLY); os.fsync(dfd); os.close(dfd)
def save_broken(d, st):  # rewrites in place, never syncs: caught by the explorer
    with open(os.path.join(d, "store.json"), "w") as f:
        f.write(json.dumps(st))
def migrate(st):
    s = st["secrets"]
    for k in sorted(s):
        scope = next((sc for p, sc in LEGACY if k.startswith(p) and not k.startswith("__thv_")), None)
        if scope is None: continue
        v, t = s.pop(k), "__thv_%s_%s" % (scope, k)
        if t not in s: s[t] = v
        elif s[t] != v:
            n = 1
            while s.get("__thv_legacy_" + k + ("#%d" % n if n > 1 else ""), v) != v: n += 1
            s["__thv_legacy_" + k + ("#%d" % n if n > 1 else "")] = v
    st["migrated"] = True
if __name__ == "__main__":
    cmd, d = sys.argv[1], sys.argv[2]
    st = load(d)
    if cmd == "dump": print(json.dumps(st)); sys.exit(0)
    if st.get("migrated"): sys.exit(0)
    migrate(st)
    variant = sys.argv[3] if len(sys.argv) > 3 else ""
    {"broken": save_broken, "nofsync": save_nofsync}.get(variant, save)(d, st)
