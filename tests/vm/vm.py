#!/usr/bin/env python3
"""Real-kernel VM test tier: boots Debian's kernel under QEMU with a scsi_debug /
LIO / iSCSI SAN and runs scenarios with the reference C multipath-tools
("theirs", from a Debian sid root filesystem) and with ours (binaries from the
repo's target/ dir, shared in over 9p).  See tests/vm/README.md.

Everything that can hang has a timeout; every failure names the step that failed.
"""

import argparse
import contextlib
import datetime
import difflib
import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent          # tests/vm
REPO = HERE.parent.parent
CACHE = Path(os.environ.get("MPATH_VM_CACHE", "/var/cache/mpath-vm"))
RESULTS = Path(os.environ.get("MPATH_VM_RESULTS", str(REPO / "target" / "vm-results")))
MIRROR = os.environ.get("MPATH_VM_MIRROR", "http://deb.debian.org/debian")
ACCEL = os.environ.get("MPATH_VM_ACCEL", "tcg")
MEM = os.environ.get("MPATH_VM_MEM", "1024")
SMP = os.environ.get("MPATH_VM_SMP", "1")
BOOT_TIMEOUT = int(os.environ.get("MPATH_VM_BOOT_TIMEOUT", "90"))

# The root filesystem recipe.  Changing it changes the cache key (a new rootfs is built).
SUITE = "sid"
VARIANT = "minbase"
INCLUDE = ("multipath-tools,udev,sg3-utils,dmsetup,fio,open-iscsi,nftables,python3,"
           "kmod,iproute2,procps")
ROOTFS_KEY = hashlib.sha256(f"{SUITE}|{VARIANT}|{INCLUDE}".encode()).hexdigest()[:10]
ROOTFS_ESSENTIAL = [
    "usr/sbin/multipath", "usr/sbin/multipathd", "usr/sbin/multipathc", "usr/sbin/dmsetup",
    "usr/sbin/kpartx", "usr/bin/fio", "usr/sbin/iscsiadm", "usr/sbin/iscsid", "usr/sbin/nft",
    "usr/bin/python3", "usr/lib/systemd/systemd-udevd", "usr/bin/udevadm", "usr/bin/bash",
    "usr/sbin/modprobe", "usr/bin/sg_inq", "usr/sbin/ip", "usr/bin/pgrep",
    "usr/lib/udev/rules.d/55-dm.rules", "usr/lib/udev/rules.d/56-dm-mpath.rules",
    "var/lib/dpkg/status",
]
STAMP_PACKAGES = ["multipath-tools", "kpartx", "libdevmapper1.02.1", "dmsetup", "udev", "fio",
                  "open-iscsi", "nftables", "sg3-utils", "libc6"]

# Modules the initramfs loads (plus their dependencies) to mount the 9p/overlay root.
INITRAMFS_MODULES = ["virtio_pci", "9pnet_virtio", "9p", "overlay", "configfs"]
# Modules every scenario may need inside the guest; `setup` checks that they exist.
GUEST_MODULES = ["dm-mod", "dm-multipath", "dm-round-robin", "dm-service-time",
                 "dm-queue-length", "scsi_debug", "sd_mod", "sg", "scsi_dh_alua",
                 "scsi_dh_emc", "scsi_dh_rdac", "target_core_mod", "target_core_iblock",
                 "tcm_loop", "iscsi_target_mod", "iscsi_tcp", "dummy", "nf_tables",
                 "configfs", "veth", "fcoe", "tcm_fc"]

HOST_PACKAGES = {  # command -> Debian package
    "qemu-system-x86_64": "qemu-system-x86", "debootstrap": "debootstrap", "cpio": "cpio",
    "depmod": "kmod", "gzip": "gzip", "apt-get": "apt", "dpkg-deb": "dpkg",
}
OURS_BINARIES = ["multipath", "multipathd", "multipathc", "mpathconf"]

PRINT_LOCK = threading.Lock()


class StepFailed(Exception):
    """A harness step failed; str() names the step."""

    def __init__(self, step, msg):
        super().__init__(f"FAILED step '{step}': {msg}")
        self.step = step


def say(*a, **kw):
    with PRINT_LOCK:
        print(*a, **kw, flush=True)


def run(cmd, step, **kw):
    """Run a host command; raise StepFailed naming `step` on failure."""
    try:
        return subprocess.run(cmd, check=True, **kw)
    except subprocess.CalledProcessError as e:
        tail = ""
        if e.stderr:
            tail = ": " + (e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes)
                           else e.stderr).strip()[-800:]
        raise StepFailed(step, f"`{' '.join(map(str, cmd))}` exited {e.returncode}{tail}")
    except FileNotFoundError as e:
        raise StepFailed(step, f"command not found: {e.filename}")


def sha256_file(p):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@contextlib.contextmanager
def cache_lock():
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


# ---------------------------------------------------------------------------------------
# setup: host packages, kernel, busybox, initramfs, root filesystem

def ensure_host_packages():
    missing = sorted({pkg for cmd, pkg in HOST_PACKAGES.items() if not shutil.which(cmd)
                      and not Path("/usr/sbin", cmd).exists() and not Path("/sbin", cmd).exists()})
    if not missing:
        return
    say(f"setup: installing host packages {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-q"], "setup: apt-get update", env=env)
    run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
        "setup: install host packages", env=env)


_apt_updated = False


def apt_candidate(pkg):
    """Version apt would install for pkg (runs apt-get update once if unknown)."""
    global _apt_updated
    for _ in range(2):
        out = subprocess.run(["apt-cache", "show", "--no-all-versions", pkg],
                             capture_output=True, text=True)
        m = re.search(r"^Version: (\S+)", out.stdout, re.M)
        if out.returncode == 0 and m:
            return m.group(1), out.stdout
        if _apt_updated:
            break
        run(["apt-get", "update", "-q"], "setup: apt-get update", capture_output=True)
        _apt_updated = True
    raise StepFailed("setup: resolve package", f"apt knows no package {pkg}")


def apt_download(pkg, ver, dest, step):
    dest.mkdir(parents=True, exist_ok=True)
    os.chmod(dest, 0o777)   # apt downloads as _apt when it can
    run(["apt-get", "download", "-q", f"{pkg}={ver}"], step, cwd=dest, capture_output=True)
    debs = list(dest.glob("*.deb"))
    if len(debs) != 1:
        raise StepFailed(step, f"expected one .deb in {dest}, found {len(debs)}")
    return debs[0]


def kernel_package():
    _, info = apt_candidate("linux-image-amd64")
    m = re.search(r"^Depends: .*?(linux-image-[0-9][^ ,]*-amd64)", info, re.M)
    if not m:
        raise StepFailed("setup: resolve kernel", "linux-image-amd64 has no linux-image-*-amd64 dependency")
    pkg = m.group(1)
    ver, _ = apt_candidate(pkg)
    return pkg, ver


def kernel_valid(kdir):
    try:
        st = json.loads((kdir / "stamp.json").read_text())
        kver = st["kver"]
        if sha256_file(kdir / "vmlinuz") != st["vmlinuz_sha256"]:
            return None
        mdir = kdir / "modules" / kver
        if not (mdir / "modules.dep").is_file():
            return None
        dep = (mdir / "modules.dep").read_text()
        for m in st["modules"]:
            if not (mdir / m).is_file() or m not in dep:
                return None
        return st
    except (OSError, ValueError, KeyError):
        return None


def modname(path):
    return Path(path).name.split(".ko")[0].replace("-", "_")


def module_closure(mdir, names):
    """Module file paths (relative) for names + dependencies, in load order."""
    deps, byname = {}, {}
    for line in (mdir / "modules.dep").read_text().splitlines():
        mod, _, rest = line.partition(":")
        deps[mod] = rest.split()
        byname[modname(mod)] = mod
    order, seen = [], set()

    def visit(mod):
        if mod in seen:
            return
        seen.add(mod)
        for d in deps[mod]:
            visit(d)
        order.append(mod)
    for n in names:
        key = n.replace("-", "_")
        if key not in byname:
            builtin = (mdir / "modules.builtin").read_text()
            if re.search(rf"/{re.escape(n)}\.ko$|/{re.escape(key)}\.ko$", builtin, re.M):
                continue
            raise StepFailed("setup: kernel modules", f"kernel module {n} not found in {mdir}")
        visit(byname[key])
    return order


def ensure_kernel():
    pkg, ver = kernel_package()
    kdir = CACHE / f"kernel-{pkg}_{ver}"
    st = kernel_valid(kdir)
    if st:
        return kdir, st
    if kdir.exists():
        say(f"setup: kernel cache {kdir} is incomplete or damaged, rebuilding it")
        shutil.rmtree(kdir)
    say(f"setup: downloading kernel {pkg} {ver}")
    tmp = Path(str(kdir) + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    deb = apt_download(pkg, ver, tmp / "deb", "setup: download kernel package")
    x = tmp / "x"
    run(["dpkg-deb", "-x", str(deb), str(x)], "setup: unpack kernel package")
    vml = sorted((x / "boot").glob("vmlinuz-*"))
    mods = sorted((x / "lib" / "modules").glob("*"))
    if len(vml) != 1 or len(mods) != 1:
        raise StepFailed("setup: unpack kernel package", "no vmlinuz or no modules in the package")
    kver = mods[0].name
    (tmp / "modules").mkdir()
    shutil.move(str(vml[0]), tmp / "vmlinuz")
    shutil.move(str(mods[0]), tmp / "modules" / kver)
    # depmod wants <base>/lib/modules/<kver>; point a throw-away tree at our layout.
    base = tmp / "depmod-base"
    (base / "lib").mkdir(parents=True)
    os.symlink(tmp / "modules", base / "lib" / "modules")
    run(["depmod", "-b", str(base), kver], "setup: depmod", capture_output=True)
    shutil.rmtree(base)
    shutil.rmtree(tmp / "deb")
    shutil.rmtree(x)
    mdir = tmp / "modules" / kver
    needed = module_closure(mdir, INITRAMFS_MODULES + GUEST_MODULES)
    st = {"package": pkg, "version": ver, "kver": kver,
          "vmlinuz_sha256": sha256_file(tmp / "vmlinuz"), "modules": needed}
    (tmp / "stamp.json").write_text(json.dumps(st, indent=1))
    os.rename(tmp, kdir)
    return kdir, st


def ensure_vmlinux(kdir):
    """The uncompressed ELF kernel: QEMU boots it directly through its PVH entry point,
    which skips the BIOS and the in-guest decompression (about 5 s under TCG).  Falls
    back to the bzImage if the payload is not xz or the kernel lacks PVH."""
    out, sumf = kdir / "vmlinux", kdir / "vmlinux.sha256"
    if out.is_file() and sumf.is_file() and sha256_file(out) == sumf.read_text().strip():
        return out
    import lzma
    data = (kdir / "vmlinuz").read_bytes()
    i = data.find(b"\xfd7zXZ\x00")
    if i < 0:
        return None
    try:
        elf = lzma.LZMADecompressor().decompress(data[i:])
    except lzma.LZMAError:
        return None
    if not elf.startswith(b"\x7fELF"):
        return None
    tmp = kdir / "vmlinux.tmp"
    tmp.write_bytes(elf)
    os.rename(tmp, out)
    sumf.write_text(sha256_file(out) + "\n")
    return out


def ensure_busybox():
    ver, _ = apt_candidate("busybox-static")
    bdir = CACHE / f"busybox-static_{ver}"
    bb = bdir / "busybox"
    if bb.is_file() and os.access(bb, os.X_OK) and (bdir / "ok").is_file():
        return bb, ver
    shutil.rmtree(bdir, ignore_errors=True)
    tmp = Path(str(bdir) + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    deb = apt_download("busybox-static", ver, tmp / "deb", "setup: download busybox-static")
    run(["dpkg-deb", "-x", str(deb), str(tmp / "x")], "setup: unpack busybox-static")
    shutil.move(str(tmp / "x" / "bin" / "busybox"), tmp / "busybox")
    shutil.rmtree(tmp / "deb")
    shutil.rmtree(tmp / "x")
    (tmp / "ok").write_text(ver + "\n")
    os.rename(tmp, bdir)
    return bb, ver


def ensure_initramfs(kdir, kst, busybox, bbver):
    init = HERE / "initramfs-init"
    mdir = kdir / "modules" / kst["kver"]
    mods = module_closure(mdir, INITRAMFS_MODULES)
    key = hashlib.sha256(init.read_bytes() + bbver.encode() + "\n".join(mods).encode()).hexdigest()[:12]
    img = kdir / f"initramfs-{key}.img"
    if img.is_file() and img.stat().st_size > 0:
        return img
    with tempfile.TemporaryDirectory() as td:
        t = Path(td)
        for d in ["bin", "dev", "proc", "sys", "modules", "newroot", "lower", "rw"]:
            (t / d).mkdir()
        shutil.copy2(busybox, t / "bin" / "busybox")
        shutil.copy2(init, t / "init")
        os.chmod(t / "init", 0o755)
        for m in mods:
            shutil.copy2(mdir / m, t / "modules" / Path(m).name)
        (t / "modules.order").write_text("".join(Path(m).name + "\n" for m in mods))
        tmpimg = Path(str(img) + ".tmp")
        with open(tmpimg, "wb") as out:
            find = subprocess.Popen(["find", "."], cwd=t, stdout=subprocess.PIPE)
            cpio = subprocess.Popen(["cpio", "-o", "-H", "newc", "--quiet"], cwd=t,
                                    stdin=find.stdout, stdout=subprocess.PIPE)
            gz = subprocess.run(["gzip", "-1"], stdin=cpio.stdout, stdout=out)
            if find.wait() or cpio.wait() or gz.returncode:
                raise StepFailed("setup: build initramfs", "find | cpio | gzip failed")
        os.rename(tmpimg, img)
    for old in kdir.glob("initramfs-*.img"):
        if old != img:
            old.unlink()
    return img


def dpkg_versions(root, pkgs):
    vers, cur = {}, None
    for line in (root / "var/lib/dpkg/status").read_text(errors="replace").splitlines():
        if line.startswith("Package: "):
            cur = line[9:].strip()
        elif line.startswith("Version: ") and cur in pkgs:
            vers[cur] = line[9:].strip()
    return vers


def rootfs_valid(root):
    try:
        st = json.loads((root / ".mpath-vm-stamp").read_text())
        if st.get("key") != ROOTFS_KEY:
            return None
        for f in ROOTFS_ESSENTIAL:
            p = root / f
            if not (p.is_file() or p.is_symlink()) or (p.is_file() and p.stat().st_size == 0):
                return None
        if dpkg_versions(root, st["versions"].keys()) != st["versions"]:
            return None
        return st
    except (OSError, ValueError, KeyError):
        return None


def stamp_rootfs(root):
    vers = dpkg_versions(root, set(STAMP_PACKAGES))
    st = {"key": ROOTFS_KEY, "suite": SUITE, "variant": VARIANT, "include": INCLUDE,
          "mirror": MIRROR, "built": datetime.datetime.now(datetime.timezone.utc).isoformat(),
          "versions": vers}
    (root / ".mpath-vm-stamp").write_text(json.dumps(st, indent=1) + "\n")
    return st


def debootstrap_running(target):
    for p in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            cmd = p.read_bytes().split(b"\0")
        except OSError:
            continue
        if cmd and b"debootstrap" in cmd[0] + (cmd[1] if len(cmd) > 1 else b"") and \
                any(str(target).encode() in c for c in cmd):
            return True
    return False


def link_rootfs(name):
    link = CACHE / "rootfs"
    if link.is_symlink() and os.readlink(link) == name:
        return
    if link.exists() and not link.is_symlink():
        return  # someone made it a directory; leave it alone
    tmp = CACHE / "rootfs.lnk.tmp"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(name, tmp)
    os.rename(tmp, link)


def ensure_rootfs(refresh=False):
    name = f"rootfs-{SUITE}-{ROOTFS_KEY}"
    root = CACHE / name
    if refresh and root.exists():
        say(f"setup: --refresh-rootfs: rebuilding {root}")
        old = CACHE / f"{name}.old"
        shutil.rmtree(old, ignore_errors=True)
        os.rename(root, old)
        shutil.rmtree(old)
    st = rootfs_valid(root)
    if st:
        link_rootfs(name)
        return root, st
    # Adopt a debootstrap of the same recipe started by hand (rootfs-sid.tmp + debootstrap.log).
    adopt, alog = CACHE / "rootfs-sid.tmp", CACHE / "debootstrap.log"
    if not root.exists() and adopt.is_dir() and alog.is_file() and \
            alog.read_text(errors="replace").rstrip().endswith("rc=0") and not debootstrap_running(adopt):
        say(f"setup: adopting finished debootstrap {adopt} as {root}")
        stamp_rootfs(adopt)
        os.rename(adopt, root)
        st = rootfs_valid(root)
        if st:
            link_rootfs(name)
            return root, st
    if root.exists():
        say(f"setup: root filesystem {root} is incomplete or damaged, rebuilding it")
        shutil.rmtree(root)
    tmp = CACHE / f"{name}.tmp"
    if debootstrap_running(tmp) or debootstrap_running(adopt):
        raise StepFailed("setup: debootstrap", "another debootstrap into the cache is running; "
                         "wait for it to finish and run again")
    shutil.rmtree(tmp, ignore_errors=True)
    log = CACHE / f"{name}.log"
    say(f"setup: building the {SUITE} root filesystem with debootstrap (a few minutes; log: {log})")
    t0 = time.time()
    with open(log, "w") as lf:
        rc = subprocess.run(["debootstrap", f"--variant={VARIANT}", f"--include={INCLUDE}",
                             SUITE, str(tmp), MIRROR], stdout=lf, stderr=subprocess.STDOUT).returncode
    if rc != 0:
        tail = "".join(log.read_text(errors="replace").splitlines(True)[-5:])
        raise StepFailed("setup: debootstrap", f"debootstrap exited {rc}; last lines of {log}:\n{tail}")
    for deb in (tmp / "var/cache/apt/archives").glob("*.deb"):
        deb.unlink()
    stamp_rootfs(tmp)
    os.rename(tmp, root)
    say(f"setup: root filesystem built in {time.time() - t0:.0f} s")
    st = rootfs_valid(root)
    if not st:
        raise StepFailed("setup: debootstrap", f"{root} fails validation after a successful debootstrap")
    link_rootfs(name)
    return root, st


class Env:
    """Everything a boot needs, after setup."""


def setup(refresh_rootfs=False, quiet=False):
    t0 = time.time()
    if os.geteuid() != 0:
        raise StepFailed("setup", "must run as root (debootstrap, 9p passthrough)")
    ensure_host_packages()
    with cache_lock():
        env = Env()
        env.kdir, env.kst = ensure_kernel()
        bb, bbver = ensure_busybox()
        env.initrd = ensure_initramfs(env.kdir, env.kst, bb, bbver)
        env.rootfs, env.rst = ensure_rootfs(refresh_rootfs)
        env.vmlinuz = ensure_vmlinux(env.kdir) or env.kdir / "vmlinuz"
    env.modules = env.kdir / "modules"
    env.setup_secs = time.time() - t0
    if not quiet:
        say(f"setup: ok in {env.setup_secs:.1f} s: kernel {env.kst['version']} ({env.kst['kver']}), "
            f"rootfs {env.rootfs.name} (multipath-tools {env.rst['versions'].get('multipath-tools')})")
    return env


# ---------------------------------------------------------------------------------------
# scenarios, expected failures

def scenario_files():
    return sorted((HERE / "scenarios").glob("*.sh"))


def scenario_meta(path):
    meta = {"name": path.stem, "title": path.stem, "timeout": 300, "path": path, "ci": "yes"}
    for line in path.read_text().splitlines()[:30]:
        m = re.match(r"#\s*(title|timeout|ci|qemu):\s*(.*)", line)
        if m:
            meta[m.group(1)] = int(m.group(2)) if m.group(1) == "timeout" else m.group(2).strip()
    return meta


def select_scenarios(names):
    allsc = {p.stem: p for p in scenario_files()}
    if not names:   # the default set leaves out scenarios marked `# ci: no` (experimental)
        return [m for m in (scenario_meta(p) for p in allsc.values()) if m["ci"] != "no"]
    out = []
    for n in names:
        hits = [p for s, p in allsc.items() if s == n or s.startswith(n) or re.sub(r"^\d+-", "", s) == n]
        if not hits:
            raise StepFailed("select scenarios", f"no scenario '{n}' (have: {', '.join(allsc)})")
        out.extend(scenario_meta(p) for p in hits if p.stem not in [m["name"] for m in out])
    return out


def load_xfail():
    """tests/vm/xfail: `<scenario> <reason>` per line; ours is expected to fail those.
    A reason starting with `race:` marks a timing-dependent difference: ours must pass every
    step, and its outputs may or may not equal theirs (RACE or PASS, never a failure)."""
    xf = {}
    p = HERE / "xfail"
    if p.is_file():
        for line in p.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                name, _, why = line.partition(" ")
                xf[name] = why.strip()
    return xf


def find_ours(explicit=None):
    """Directory with our binaries: --ours-dir, else the newest of target/{release,debug}."""
    if explicit:
        return Path(explicit).resolve()
    cands = [REPO / "target" / p for p in ("release", "debug")]
    have = [c for c in cands if (c / "multipath").is_file()]
    if not have:
        return None
    return max(have, key=lambda c: (c / "multipath").stat().st_mtime)


def snapshot_ours(src, dest):
    """Freeze our binaries for the whole run (copies: a concurrent rebuild does not change
    what the VM runs).  Missing ones are left out."""
    dest.mkdir(parents=True, exist_ok=True)
    info = {}
    for b in OURS_BINARIES:
        s = src / b if src else None
        if s and s.is_file():
            # Debug info stripped, as a distribution package installs them: the VM reads
            # the binaries over 9p, and the reference's are stripped too.
            r = subprocess.run(["strip", "--strip-debug", "-o", str(dest / b), str(s)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if r.returncode != 0:
                shutil.copy2(s, dest / b)
            info[b] = {"from": str(s.relative_to(REPO)) if REPO in s.parents else str(s),
                       "sha256": sha256_file(dest / b)[:16],
                       "mtime": datetime.datetime.fromtimestamp(s.stat().st_mtime).isoformat(timespec="seconds")}
    (dest / "INFO.json").write_text(json.dumps(info, indent=1))
    return info


# ---------------------------------------------------------------------------------------
# booting a VM

class VMResult:
    def __init__(self):
        self.status = "FAIL"       # PASS / FAIL
        self.step = None           # step that failed
        self.msg = ""
        self.boot_secs = None      # qemu start -> guest ready
        self.first_step_secs = None
        self.total_secs = None


def scenario_devices(spec, resdir):
    """The extra QEMU arguments of a scenario's `# qemu:` line (emulated hardware, e.g. two
    SAS HBAs reaching one disk).  `{disk:NAME:MB}` becomes a sparse image of MB MiB made
    afresh in the result directory, so every run starts from the same blank disk."""
    def image(m):
        f = resdir / f"{m.group(1)}.img"
        with open(f, "wb") as fh:
            fh.truncate(int(m.group(2)) << 20)
        return str(f)
    return shlex.split(re.sub(r"\{disk:([A-Za-z0-9_]+):([0-9]+)\}", image, spec or ""))


def qemu_cmd(env, resdir, shares, append_extra="", smp=None, devices=()):
    cmd = ["qemu-system-x86_64", "-accel", ACCEL, "-m", MEM, "-smp", str(smp or SMP),
           "-nographic", "-monitor", "none", "-no-reboot", "-nic", "none",
           "-kernel", str(env.vmlinuz), "-initrd", str(env.initrd),
           "-serial", f"file:{resdir / 'console.log'}"]
    tags = []
    for tag, path, ro in shares:
        opt = f"local,path={path},mount_tag={tag},security_model=passthrough,multidevs=remap"
        if ro:
            opt += ",readonly=on"
        cmd += ["-virtfs", opt]
        tags.append(tag + (":ro" if ro else ""))
    append = ("console=ttyS0 loglevel=4 panic=-1 scsi_mod.scan=sync net.ifnames=0 mitigations=off "
              "tsc=reliable no_timer_check 8250.nr_uarts=1 rcupdate.rcu_expedited=1 cryptomgr.notests "
              f"mpath.shares={','.join(tags)} {append_extra}")
    cmd += ["-append", append] + list(devices)
    return cmd


def boot(env, resdir, job, timeout, label, display=None, ours_dir=None, smp=None, qemu_extra=None):
    """Boot one VM running `job` (dict written to job.env); return a VMResult.
    display(line) gets the guest's `@@ ` lines live (demo / verbose)."""
    res = VMResult()
    resdir.mkdir(parents=True, exist_ok=True)
    for f in ["console.log", "status", "steps.tsv"]:
        with contextlib.suppress(FileNotFoundError):
            (resdir / f).unlink()
    (resdir / "job.env").write_text("".join(f"{k}={shquote(v)}\n" for k, v in job.items()))
    shares = [("root", env.rootfs, True), ("harness", HERE, True),
              ("modules", env.modules, True), ("results", resdir, False)]
    if ours_dir:
        shares.append(("ours", ours_dir, True))
    cmd = qemu_cmd(env, resdir, shares, smp=smp, devices=scenario_devices(qemu_extra, resdir))
    (resdir / "qemu.cmd").write_text(" ".join(shquote(c) for c in cmd) + "\n")
    t0 = time.time()
    (resdir / "console.log").touch()
    with open(resdir / "qemu.log", "w") as ql:
        q = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=ql, stderr=subprocess.STDOUT,
                             start_new_session=True)
    (resdir / "qemu.pid").write_text(f"{q.pid}\n")
    pos, buf = 0, b""
    step, ready, done = "boot", False, None
    killed_for = None
    try:
        while True:
            rc = q.poll()
            with open(resdir / "console.log", "rb") as f:
                f.seek(pos)
                chunk = f.read()
            pos += len(chunk)
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for raw in lines:
                line = raw.decode(errors="replace").rstrip("\r")
                i = line.find("@@")
                if i < 0:
                    continue
                mark = line[i:]
                if mark.startswith("@@READY"):
                    ready = True
                    res.boot_secs = time.time() - t0
                    step = "guest setup"
                elif mark.startswith("@@STEP "):
                    if res.first_step_secs is None:
                        res.first_step_secs = time.time() - t0
                    step = mark[7:].strip()
                elif mark.startswith("@@DONE"):
                    done = mark
                elif mark.startswith("@@FATAL "):
                    res.msg = mark[8:]
                elif mark.startswith("@@ ") or mark == "@@":
                    if display:
                        display(mark[3:])
            if rc is not None:
                break
            el = time.time() - t0
            if not ready and el > BOOT_TIMEOUT:
                killed_for = f"boot did not finish within {BOOT_TIMEOUT} s"
            elif el > timeout:
                killed_for = f"timeout: scenario exceeded {timeout} s"
            if killed_for:
                kill_group(q)
                break
            time.sleep(0.2)
    except KeyboardInterrupt:
        kill_group(q)
        raise
    res.total_secs = time.time() - t0
    status = (resdir / "status").read_text().strip() if (resdir / "status").is_file() else ""
    if killed_for:
        res.step, res.msg = step, f"{killed_for}; VM killed during step '{step}'"
    elif not done:
        res.step = step
        res.msg = (res.msg or f"VM stopped unexpectedly (qemu exit status {q.returncode}) "
                   f"during step '{step}'")
        if "Kernel panic" in (resdir / "console.log").read_text(errors="replace"):
            res.msg += " (kernel panic, see console.log)"
    elif status.startswith("PASS"):
        res.status = "PASS"
    else:
        parts = status.split("\t")
        res.step = parts[1] if len(parts) > 1 else step
        res.msg = parts[2] if len(parts) > 2 else (status or "guest reported no status")
    (resdir / "result.json").write_text(json.dumps(res.__dict__, indent=1))
    return res


def kill_group(q):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(q.pid, sig)
        try:
            q.wait(5)
            return
        except subprocess.TimeoutExpired:
            pass


def shquote(s):
    s = str(s)
    return s if re.fullmatch(r"[A-Za-z0-9_./:,=+@%-]+", s) else "'" + s.replace("'", "'\\''") + "'"


# ---------------------------------------------------------------------------------------
# differential comparison

def compare(theirs_dir, ours_dir):
    """Compare the artifacts of the two runs.  The guest already applied the documented
    normalisations (tests/vm/guest/lib.sh: normalise).  Returns (ok, first difference)."""
    ta, oa = theirs_dir / "artifacts", ours_dir / "artifacts"
    tf = sorted(p.name for p in ta.glob("*")) if ta.is_dir() else []
    of = set(p.name for p in oa.glob("*")) if oa.is_dir() else set()
    diffs = []
    for n in tf:
        if n not in of:
            diffs.append((n, "missing in ours"))
            continue
        a = (ta / n).read_text(errors="replace").splitlines(True)
        b = (oa / n).read_text(errors="replace").splitlines(True)
        if a != b:
            d = "".join(difflib.unified_diff(a, b, "theirs/" + n, "ours/" + n, n=1))
            diffs.append((n, d))
    (ours_dir / "diff.txt").write_text("".join(f"== {n}\n{d}\n" for n, d in diffs) or "no differences\n")
    return (not diffs), diffs


# ---------------------------------------------------------------------------------------
# commands

def new_results_dir(kind):
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    d = RESULTS / f"{kind}-{stamp}"
    d.mkdir(parents=True, exist_ok=True)
    latest = RESULTS / "latest"
    with contextlib.suppress(FileNotFoundError):
        latest.unlink()
    os.symlink(d.name, latest)
    return d


def run_scenarios(env, scenarios, impls, ours_src, jobs=1, verbose=False, step_timeout=None):
    rdir = new_results_dir("run")
    say(f"results: {rdir}")
    ours_bin = rdir / "ours-bin"
    ours_info = snapshot_ours(ours_src, ours_bin) if "ours" in impls else {}
    if "ours" in impls:
        if ours_info:
            say("ours: " + ", ".join(f"{b} ({i['from']}, {i['mtime']})" for b, i in ours_info.items()))
        else:
            say("ours: no binaries built (cargo build --release --bins); every ours step will fail")
    xfail = load_xfail()
    results = {}

    def one(sc, impl):
        d = rdir / sc["name"] / impl
        job = {"MODE": "scenario", "SCENARIO": sc["name"], "IMPL": impl,
               "STEP_TIMEOUT": step_timeout or 120}
        disp = (lambda line: say(f"  [{sc['name']}/{impl}] {line}")) if verbose else None
        r = boot(env, d, job, sc["timeout"], f"{sc['name']}/{impl}", display=disp,
                 ours_dir=ours_bin if impl == "ours" else None, qemu_extra=sc.get("qemu"))
        say(f"{sc['name']:<28} {impl:<7} {r.status:<5} {r.total_secs:6.1f} s"
            f"  (boot {fmt_s(r.boot_secs)}, first step {fmt_s(r.first_step_secs)})"
            + (f"  step '{r.step}': {r.msg}" if r.status != "PASS" else ""))
        results[(sc["name"], impl)] = r

    tasks = [(sc, impl) for sc in scenarios for impl in impls]
    if jobs > 1:
        # Longest first (the timeout stands for the length), so that a long
        # scenario does not start last and run alone at the end.
        tasks.sort(key=lambda t: -t[0]["timeout"])
        with ThreadPoolExecutor(jobs) as ex:
            list(ex.map(lambda t: one(*t), tasks))
    else:
        for t in tasks:
            one(*t)

    # verdicts
    rows = []
    for sc in scenarios:
        n = sc["name"]
        row = {"name": n, "title": sc["title"]}
        t = results.get((n, "theirs"))
        if t:
            row["theirs"] = t.status
            row["theirs_note"] = "" if t.status == "PASS" else f"step '{t.step}': {t.msg}"
        o = results.get((n, "ours"))
        if o:
            tdir = rdir / n / "theirs"
            if not t:   # compare with the newest earlier theirs run of this scenario
                prev = sorted(RESULTS.glob(f"run-*/{n}/theirs/status"))
                prev = [p for p in prev if p.read_text().startswith("PASS")]
                tdir = prev[-1].parent if prev else None
            ok = o.status == "PASS"
            steps_ok = ok
            note = "" if ok else f"step '{o.step}': {o.msg}"
            if tdir:
                same, diffs = compare(tdir, rdir / n / "ours")
                total = len(list((tdir / "artifacts").glob("*")))
                equal = total - len(diffs)
                if ok and not same:
                    ok = False
                    note = f"output differs from theirs: {diffs[0][0]} (see {n}/ours/diff.txt)"
                elif not ok:
                    note += f" [{equal}/{total} outputs equal theirs]"
            elif ok:
                note = "no passing theirs run to compare with"
            if n in xfail and xfail[n].startswith("race:"):
                # A known timing-dependent difference: every step must pass
                # with ours; its outputs may or may not equal theirs.
                if not steps_ok:
                    row["ours"] = "FAIL"
                else:
                    row["ours"] = "PASS" if ok else "RACE"
                    note = "" if ok else f"known race ({xfail[n][5:].strip()}); {note}"
            elif n in xfail:
                row["ours"] = "XPASS" if ok else "XFAIL"
                if not ok:
                    note = f"expected failure ({xfail[n]}); {note}"
                else:
                    note = f"passes now: remove '{n}' from tests/vm/xfail"
            else:
                row["ours"] = "PASS" if ok else "FAIL"
            row["ours_note"] = note
        rows.append(row)
    bad = []
    for r in rows:
        if r.get("theirs") not in (None, "PASS"):
            bad.append(f"{r['name']}: theirs {r['theirs']} ({r['theirs_note']})")
        if r.get("ours") in ("FAIL", "XPASS"):
            bad.append(f"{r['name']}: ours {r['ours']} ({r['ours_note']})")
    (rdir / "summary.json").write_text(json.dumps(
        {"rows": rows, "ours": ours_info, "kernel": env.kst["version"], "kernel_package": env.kst["package"],
         "kver": env.kst["kver"], "rootfs": env.rst["versions"],
         "times": {f"{k[0]}/{k[1]}": v.__dict__ for k, v in results.items()}}, indent=1))
    say("")
    say(f"{'scenario':<28} {'theirs':<7} {'ours':<7}")
    for r in rows:
        say(f"{r['name']:<28} {r.get('theirs', '-'):<7} {r.get('ours', '-'):<7} "
            f"{r.get('ours_note', '') or r.get('theirs_note', '')}")
    return rows, bad, rdir, results


def fmt_s(x):
    return "-" if x is None else f"{x:.1f} s"


def write_compat(rdir):
    summ = json.loads((rdir / "summary.json").read_text())
    rows, info = summ["rows"], summ.get("ours", {})
    git = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip() or "(no commit)"
    lines = [
        "# Compatibility with multipath-tools, real kernel",
        "",
        "Generated by `tests/vm/vm compat` (do not edit by hand). Each scenario in",
        "`tests/vm/scenarios/` boots a VM (Debian kernel under QEMU) with a SAN made of",
        "`scsi_debug`, LIO `tcm_loop` or LIO iSCSI, and runs the same steps with the reference",
        "C tools (\"theirs\") and with ours. Ours passes a scenario when every step succeeds and",
        "every captured output (dm tables and status, `multipath -ll`, multipathd replies, exit",
        "codes, bindings and wwids files) equals theirs after the normalisations listed in",
        "`tests/vm/README.md`. A scenario only counts once it passes with theirs.",
        "",
        f"- theirs: multipath-tools {summ['rootfs'].get('multipath-tools')} (Debian {SUITE}), "
        f"udev {summ['rootfs'].get('udev')}",
        f"- kernel: Debian {summ.get('kernel_package', 'linux-image')} {summ['kernel']}",
        f"- ours: commit {git}; binaries: "
        + (", ".join(f"`{b}` ({i['from']})" for b, i in info.items()) if info else "none built"),
        f"- run: {rdir.name}, {datetime.date.today().isoformat()}",
        "",
        "| scenario | what it exercises | theirs | ours | notes on ours |",
        "|---|---|---|---|---|",
    ]
    experimental = [m["name"] for m in map(scenario_meta, scenario_files()) if m["ci"] == "no"]
    rows = [r for r in rows if r["name"] not in experimental]
    for r in rows:
        note = (r.get("ours_note") or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{r['name']}` | {r['title']} | {r.get('theirs', '-')} | {r.get('ours', '-')} | {note} |")
    lines += ["",
              "PASS: all steps pass and outputs equal theirs. FAIL: ours fails or differs (a",
              "regression, the run fails). XFAIL: a known gap listed in `tests/vm/xfail`. XPASS:",
              "a listed gap that now passes (the run fails until the line is removed). RACE: a",
              "timing-dependent difference listed with `race:` (every step passes; outputs equal",
              "theirs in some runs only).", ""]
    if experimental:
        lines += ["Experimental scenarios, not in the default set (run them by name): "
                  + ", ".join(f"`{e}`" for e in experimental) + ".", ""]
    out = REPO / "docs" / "compat.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines))
    say(f"wrote {out.relative_to(REPO)}")


def cmd_setup(a):
    setup(a.refresh_rootfs)
    return 0


def cmd_run(a):
    env = setup(quiet=False)
    impls = ["theirs", "ours"] if a.impl == "both" else [a.impl]
    rows, bad, rdir, results = run_scenarios(env, select_scenarios(a.scenario), impls,
                                             find_ours(a.ours_dir), a.jobs, a.verbose)
    if a.impl == "theirs":
        bad = [b for b in bad if ": theirs " in b]
    return report_bad(bad)


def report_bad(bad):
    if bad:
        say("\nFAILED:")
        for b in bad:
            say("  " + b)
        return 1
    say("\nall scenarios as expected")
    return 0


def cmd_compat(a):
    if a.from_results:
        d = Path(a.from_results)
        d = d if d.is_absolute() or d.exists() else RESULTS / a.from_results
        if not (d / "summary.json").is_file():
            raise StepFailed("compat --from", f"no summary.json in {d}")
        write_compat(d.resolve())
        return 0
    env = setup()
    rows, bad, rdir, results = run_scenarios(env, select_scenarios(a.scenario), ["theirs", "ours"],
                                             find_ours(a.ours_dir), a.jobs, a.verbose)
    write_compat(rdir)
    return report_bad(bad)


def cmd_ci(a):
    t0 = time.time()
    env = setup()
    rows, bad, rdir, results = run_scenarios(env, select_scenarios(a.scenario), ["theirs", "ours"],
                                             find_ours(a.ours_dir), a.jobs, a.verbose)
    boots = [r.first_step_secs for r in results.values() if r.first_step_secs]
    say(f"\nVM tier: {time.time() - t0:.0f} s in all (setup {env.setup_secs:.0f} s); "
        f"boot to first step {min(boots):.1f}-{max(boots):.1f} s" if boots else "")
    return report_bad(bad)


def cmd_demo(a):
    env = setup()
    rdir = new_results_dir("demo")
    ours_bin = rdir / "ours-bin"
    info = snapshot_ours(find_ours(a.ours_dir), ours_bin)
    say("ours: " + (", ".join(f"{b} from {i['from']}" for b, i in info.items()) if info else
                    "NOT BUILT (run `cargo build --release --bins`); the demo will show what is missing"))
    say(f"booting the VM (QEMU/{ACCEL}); log in {rdir}")
    job = {"MODE": "demo", "IMPL": "ours", "SHOW_REFERENCE": "0" if a.no_reference else "1",
           "STEP_TIMEOUT": 120}
    r = boot(env, rdir / "vm", job, 600, "demo", display=lambda l: say(l), ours_dir=ours_bin)
    say(f"\n(VM: boot {fmt_s(r.boot_secs)}, total {fmt_s(r.total_secs)}; logs in {rdir / 'vm'})")
    if r.status != "PASS":
        say(f"demo FAILED at step '{r.step}': {r.msg}")
        return 1
    return 0


def cmd_bench(a):
    """Real-kernel benchmark: the reference's and our `multipath` creating and listing the
    same maps in one VM boot (guest/bench.sh); prints medians and ratios."""
    env = setup()
    rdir = new_results_dir("bench")
    ours_bin = rdir / "ours-bin"
    info = snapshot_ours(find_ours(a.ours_dir), ours_bin)
    if "multipath" not in info:
        raise StepFailed("bench", "our multipath is not built (cargo build --release --bins)")
    say("ours: " + ", ".join(f"{b} from {i['from']}" for b, i in info.items()))
    say(f"booting the VM (QEMU/{ACCEL}, {a.smp} vCPUs): {a.paths} paths x {a.luns} LUNs, "
        f"{a.rounds} rounds; "
        f"log in {rdir}")
    job = {"MODE": "bench", "IMPL": "theirs", "STEP_TIMEOUT": 300, "BENCH_LUNS": a.luns,
           "BENCH_PATHS": a.paths, "BENCH_ROUNDS": a.rounds,
           "BENCH_MONITOR": int(a.monitor)}
    vm = rdir / "vm"
    r = boot(env, vm, job, 240 + a.rounds * a.luns * 12, "bench",
             display=(lambda l: say(f"  {l}")) if a.verbose else None, ours_dir=ours_bin,
             smp=a.smp)
    if r.status != "PASS":
        say(f"bench FAILED at step '{r.step}': {r.msg} (logs in {vm})")
        return 1
    rows = [l.split("\t") for l in (vm / "bench.tsv").read_text().splitlines() if l]
    times = {}
    for rnd, impl, what, secs, _maps in rows:
        times.setdefault((impl, what), []).append(float(secs))
    say(f"\n{a.paths} paths x {a.luns} LUNs = {a.luns} maps, {a.rounds} rounds, one boot "
        f"(QEMU/{ACCEL}, {a.smp} vCPUs); wall time in s, median (all runs)")
    say(f"{'':<22} {'reference':>20} {'ours':>20} {'ours/ref':>9}")
    for what, label in [("create", "multipath (create)"), ("list", "multipath -ll")]:
        th, ou = times.get(("theirs", what), []), times.get(("ours", what), [])
        mt, mo = statistics.median(th), statistics.median(ou)
        say(f"{label:<22} {mt:>7.2f} ({' '.join(f'{x:.2f}' for x in th):>11}) "
            f"{mo:>7.2f} ({' '.join(f'{x:.2f}' for x in ou):>11}) {mo / mt:>9.2f}")
    same = []
    for kind in ["dm", "ll"]:
        t = (vm / f"bench-1-theirs-{kind}.txt").read_text()
        o = (vm / f"bench-1-ours-{kind}.txt").read_text()
        same.append(f"{'dm tables' if kind == 'dm' else 'multipath -ll'} "
                    f"{'identical' if t == o else 'DIFFER'}")
    say("round 1 outputs: " + ", ".join(same))
    return 0


def cmd_shell(a):
    """Boot the VM with the guest shell on this terminal (debugging)."""
    env = setup()
    rdir = new_results_dir("shell")
    shares = [("root", env.rootfs, True), ("harness", HERE, True),
              ("modules", env.modules, True), ("results", rdir, False)]
    (rdir / "job.env").write_text("MODE=shell\nIMPL=theirs\n")
    cmd = qemu_cmd(env, rdir, shares)
    i = cmd.index("-serial")
    cmd[i + 1] = "mon:stdio"
    cmd.remove("-monitor")
    cmd.remove("none")
    return subprocess.run(cmd).returncode


def main():
    p = argparse.ArgumentParser(prog="tests/vm/vm", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup", help="install host packages, fetch kernel, build initramfs and rootfs (cached)")
    s.add_argument("--refresh-rootfs", action="store_true", help="rebuild the root filesystem")
    s.set_defaults(fn=cmd_setup)
    for name, fn, hlp in [("run", cmd_run, "run scenarios"),
                          ("compat", cmd_compat, "run all scenarios with both and write docs/compat.md"),
                          ("ci", cmd_ci, "setup + all scenarios with both implementations (for .ci/run)")]:
        s = sub.add_parser(name, help=hlp)
        if name == "run":
            s.add_argument("--impl", choices=["theirs", "ours", "both"], default="both")
        s.add_argument("scenario", nargs="*", help="scenario names or prefixes (default: all)")
        s.add_argument("--ours-dir", help="directory with our binaries (default: newest of target/release, target/debug)")
        s.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("MPATH_VM_JOBS", "1")),
                       help="VMs to run at once")
        s.add_argument("-v", "--verbose", action="store_true", help="show the guest's step output live")
        if name == "compat":
            s.add_argument("--from", dest="from_results", metavar="RUN",
                           help="only rewrite docs/compat.md from an earlier run (e.g. latest)")
        s.set_defaults(fn=fn)
    s = sub.add_parser("demo", help="end-to-end demo of our tools on a scsi_debug SAN")
    s.add_argument("--ours-dir")
    s.add_argument("--no-reference", action="store_true",
                   help="do not show the reference tools doing the steps ours cannot do yet")
    s.set_defaults(fn=cmd_demo)
    s = sub.add_parser("bench", help="real-kernel benchmark: reference vs ours creating and listing maps")
    s.add_argument("--ours-dir")
    s.add_argument("--luns", type=int, default=16)
    s.add_argument("--paths", type=int, default=4, help="paths per LUN")
    s.add_argument("--rounds", type=int, default=2)
    s.add_argument("--monitor", action="store_true", help="record the uevents of each create (diagnosis)")
    # Unlike the scenarios (1 vCPU for determinism), the bench gives the guest the machine's
    # cores, up to 2: udev runs the rules of several new maps in parallel on a real system.
    s.add_argument("--smp", type=int, default=int(os.environ.get("MPATH_VM_SMP", min(2, os.cpu_count() or 1))),
                   help="guest vCPUs (default: MPATH_VM_SMP, else the host's cores up to 2)")
    s.add_argument("-v", "--verbose", action="store_true")
    s.set_defaults(fn=cmd_bench)
    s = sub.add_parser("shell", help="boot the VM with a root shell on this terminal (Ctrl-A X quits)")
    s.set_defaults(fn=cmd_shell)
    s = sub.add_parser("list", help="list scenarios")
    s.set_defaults(fn=lambda a: [say(f"{m['name']:<28} {m['title']}") for m in select_scenarios([])] and 0)
    a = p.parse_args()

    def on_term(signum, frame):
        raise KeyboardInterrupt   # the boot loop kills its QEMU on the way out
    signal.signal(signal.SIGTERM, on_term)
    try:
        sys.exit(a.fn(a))
    except StepFailed as e:
        say(f"vm: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        say("vm: interrupted", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
