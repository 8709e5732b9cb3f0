#!/usr/bin/env python3
"""A one-file JSON store that keeps its previous version as a hard link.
  backup.py migrate DIR [inplace]  set "migrated" in DIR/store.json: link store.json.bak to
                                   the current version, write the new one (temp, fsync,
                                   rename, fsync dir), drop the backup. inplace (broken):
                                   rewrite store.json in place: the backup is the same
                                   inode, so it is torn with it
  backup.py dump DIR               print the store (from the backup if store.json is torn)"""
import json, os, sys

def fsync_dir(d):
    fd = os.open(d, os.O_RDONLY); os.fsync(fd); os.close(fd)

def load(d):
    for name in ("store.json", "store.json.bak"):
        try:
            with open(os.path.join(d, name)) as f:
                return json.load(f)
        except (OSError, ValueError):
            pass
    sys.exit("store.json and its backup are unreadable")

def write(path, data, flags):
    fd = os.open(path, os.O_WRONLY | flags, 0o600)
    os.write(fd, data); os.fsync(fd); os.close(fd)

def migrate(d, inplace):
    store, bak = os.path.join(d, "store.json"), os.path.join(d, "store.json.bak")
    st = load(d)
    if os.path.exists(bak):  # a crashed run: store.json is the old or the new version
        try:
            with open(store) as f: json.load(f)
        except (OSError, ValueError):
            os.replace(bak, store)  # torn: restore the backup
        else:
            os.unlink(bak)
        fsync_dir(d)
    if st.get("migrated"): return
    st["migrated"] = True
    data = json.dumps(st).encode()
    os.link(store, bak); fsync_dir(d)
    if inplace:
        write(store, data, os.O_TRUNC)
    else:
        tmp = os.path.join(d, ".store.json.tmp")
        write(tmp, data, os.O_CREAT | os.O_TRUNC)
        os.replace(tmp, store); fsync_dir(d)
    os.unlink(bak); fsync_dir(d)

if __name__ == "__main__":
    cmd, d = sys.argv[1], sys.argv[2]
    if cmd == "dump": print(json.dumps(load(d))); sys.exit(0)
    migrate(d, "inplace" in sys.argv[3:])
