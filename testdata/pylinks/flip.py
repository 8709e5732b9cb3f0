#!/usr/bin/env python3
"""A JSON store in versioned directories behind a symlink: DIR/current -> vN, DIR/vN/store.json.
  flip.py migrate DIR [nodirsync]  set "migrated" in a new version vN+1 (written and
                                   fsynced), then flip current to it: symlink current.tmp,
                                   rename it over current, fsync DIR. nodirsync (broken):
                                   the flip is never made durable
  flip.py dump DIR                 print the store current points to"""
import json, os, shutil, sys

def fsync_dir(d):
    fd = os.open(d, os.O_RDONLY); os.fsync(fd); os.close(fd)

def migrate(d, dirsync):
    cur = os.readlink(os.path.join(d, "current"))
    with open(os.path.join(d, cur, "store.json")) as f:
        st = json.load(f)
    new = "v%d" % (int(cur[1:]) + 1)
    for leftover in (os.path.join(d, "current.tmp"), os.path.join(d, new)):  # a crashed run's
        if os.path.islink(leftover): os.unlink(leftover)
        elif os.path.isdir(leftover): shutil.rmtree(leftover)
    if st.get("migrated"): return
    st["migrated"] = True
    os.mkdir(os.path.join(d, new), 0o700)
    fd = os.open(os.path.join(d, new, "store.json"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, json.dumps(st).encode()); os.fsync(fd); os.close(fd)
    fsync_dir(os.path.join(d, new)); fsync_dir(d)
    os.symlink(new, os.path.join(d, "current.tmp"))
    os.replace(os.path.join(d, "current.tmp"), os.path.join(d, "current"))
    if dirsync: fsync_dir(d)

if __name__ == "__main__":
    cmd, d = sys.argv[1], sys.argv[2]
    if cmd == "dump":
        with open(os.path.join(d, "current", "store.json")) as f: print(f.read()); sys.exit(0)
    migrate(d, "nodirsync" not in sys.argv[3:])
