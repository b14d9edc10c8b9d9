#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Host test of contrib/yocto/, statically (bitbake is not available here):
the recipes' version is VERSION's; their license checksums match the files
they name; the module recipe names every module of kernel/Kbuild and the
stock modules that packaging/m4rpc-blacklist-x8h7.conf blacklists; the
library recipe's make targets exist, its directory variables are ones the
Makefile reads, and `make install` with those directories (bitbake.conf's
defaults put in) installs files each of which exactly one package of the
recipe takes, every file the recipe names among them. TAP on stdout."""
import fnmatch
import hashlib
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(sys.argv[0]))))
YOCTO = os.path.join(TOP, "contrib/yocto")
MOD_BB = os.path.join(YOCTO, "recipes-kernel/m4rpc-module/m4rpc-module_git.bb")
LIB_BB = os.path.join(YOCTO, "recipes-support/m4rpc/m4rpc_git.bb")
INC = os.path.join(YOCTO, "m4rpc-src.inc")

# bitbake.conf's values of the variables the recipes use (poky, no usrmerge;
# PYTHON_SITEPACKAGES_DIR from python3-dir.bbclass with python 3.11).
BB = {
    "prefix": "/usr", "bindir": "/usr/bin", "libdir": "/usr/lib",
    "includedir": "/usr/include", "datadir": "/usr/share",
    "mandir": "/usr/share/man", "nonarch_base_libdir": "/lib", "nonarch_libdir": "/usr/lib",
    "systemd_system_unitdir": "/lib/systemd/system",
    "PYTHON_SITEPACKAGES_DIR": "/usr/lib/python3.11/site-packages",
    "PYTHON": "/usr/bin/python3", "PN": "m4rpc",
}
# bitbake.conf's default FILES of the packages the recipe does not set
# (the parts that matter for what make install puts there).
DEFAULT_FILES = {
    "m4rpc": "${bindir}/* ${libdir}/lib*.so.* ${datadir}/${PN}",
    "m4rpc-dev": "${includedir} ${libdir}/lib*.so ${libdir}/pkgconfig",
    "m4rpc-staticdev": "${libdir}/*.a",
    "m4rpc-doc": "${mandir}",
}

n = 0
failed = 0


def tap(good, what, detail=""):
    global n, failed
    n += 1
    if not good:
        failed += 1
    print("%sok %d %s" % ("" if good else "not ", n, what))
    for line in str(detail).splitlines() if detail and not good else []:
        print("#   " + line)


def recipe(path):
    """The recipe's assignments, NAME -> value (later ones, += appended),
    continuation lines joined."""
    text = open(path).read().replace("\\\n", " ")
    out = {}
    for m in re.finditer(r'^([A-Za-z0-9_:${}.-]+)\s*(\?\?=|\+=|=\+|=)\s*"(.*)"\s*$', text, re.M):
        name, op, val = m.groups()
        val = " ".join(val.split())
        if op == "??=" and name in out:
            continue
        if op in ("+=", "=+"):
            val = (out.get(name, "") + " " + val if op == "+=" else val + " " + out.get(name, ""))
        out[name] = val.strip()
    return out


def expand(s, extra=None):
    v = dict(BB, **(extra or {}))
    return re.sub(r"\$\{([A-Za-z0-9_]+)\}", lambda m: v.get(m.group(1), m.group(0)), s)


version = open(os.path.join(TOP, "VERSION")).read().strip()
mod, lib, inc = recipe(MOD_BB), recipe(LIB_BB), recipe(INC)
print("1..8")

tap(inc.get("PV", "").startswith(version + "+"),
    "m4rpc-src.inc: PV %s starts with VERSION's %s" % (inc.get("PV"), version))

bad = []
for r in (mod, lib):
    for ent in r["LIC_FILES_CHKSUM"].split():
        parts = ent[len("file://"):].split(";")
        opts = dict(p.split("=", 1) for p in parts[1:])
        try:
            lines = open(os.path.join(TOP, parts[0]), "rb").read().split(b"\n")
        except OSError as e:
            bad.append("%s: %s" % (parts[0], e))
            continue
        b, e = int(opts.get("beginline", 1)), int(opts.get("endline", len(lines)))
        got = hashlib.md5(b"\n".join(lines[b - 1:e]) + b"\n").hexdigest()
        if got != opts["md5"]:
            bad.append("%s: md5 %s, the recipe says %s" % (parts[0], got, opts["md5"]))
tap(not bad, "LIC_FILES_CHKSUM: each file exists, its md5 is the recipe's", "\n".join(bad))

kbuild = open(os.path.join(TOP, "kernel/Kbuild")).read()
objm = sorted(m + ".ko" for m in re.findall(r"^obj-m\s*\+?=\s*(\S+)\.o", kbuild, re.M))
kos = sorted(mod["M4RPC_KOS"].split())
tap(kos == objm and "m4rpc" in mod["KERNEL_MODULE_AUTOLOAD"].split()
    and "kernel-module-m4rpc" in mod["RPROVIDES:${PN}"].split(),
    "module recipe: M4RPC_KOS %s are kernel/Kbuild's obj-m %s; m4rpc autoloaded" % (kos, objm))
tap(os.path.isdir(os.path.join(TOP, mod["EXTRA_OEMAKE"].split("M=${S}/")[1].split()[0])),
    "module recipe: M=${S}/kernel is the directory of Kbuild")

conf = open(os.path.join(TOP, "packaging/m4rpc-blacklist-x8h7.conf")).read()
listed = sorted(re.findall(r"^blacklist (\S+)", conf, re.M))
stock = sorted(mod["M4RPC_STOCK"].split())
tap(stock == listed and stock == sorted(expand(mod["KERNEL_MODULE_PROBECONF"], mod).split()),
    "module recipe: the stock modules it blacklists are packaging's blacklist", "%s\n%s" % (stock, listed))

# The library recipe against the Makefile.
oemake = expand(lib["EXTRA_OEMAKE"]).split()
mkvars = dict(a.split("=", 1) for a in oemake)
makefiles = "".join(open(os.path.join(TOP, f)).read()
                    for f in ("packaging/install.mk", "scripts/deps.mk", "bindings/python/python.mk"))
unknown = [v for v in mkvars if not re.search(r"\b%s\b" % re.escape(v), makefiles)]
targets = re.findall(r"oe_runmake (\S+)", open(LIB_BB).read())
notarget = [t for t in targets if not re.search(r"^%s:" % re.escape(t), makefiles, re.M)]
tap(not unknown and not notarget and targets,
    "library recipe: make %s, variables %s: all the Makefile's" % (" ".join(targets), " ".join(mkvars)),
    "unknown variables %s, targets %s" % (unknown, notarget))

with tempfile.TemporaryDirectory() as d:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    r = subprocess.run(["make", "-s", "--no-print-directory", "-C", TOP, "install", "DESTDIR=" + d]
                       + [a for a in oemake if not a.startswith(("M4RPC_NO_DEPS", "PYTHON3"))],
                       capture_output=True, text=True, env=env)
    files = sorted("/" + os.path.relpath(os.path.join(p, f), d)
                   for p, _, fs in os.walk(d) for f in fs) if r.returncode == 0 else []
tap(r.returncode == 0 and files, "make install with the recipe's directories (%d files)" % len(files),
    r.stdout + r.stderr)

pkgs = dict(DEFAULT_FILES)
for name, val in lib.items():
    if name.startswith("FILES:${PN}"):
        pkg = "m4rpc" + name[len("FILES:${PN}"):]
        pkgs[pkg] = (pkgs.get(pkg, "") + " " + val) if pkg in DEFAULT_FILES else val
# bitbake gives a file to the first package in PACKAGES that matches it.
order = [expand(p) for p in lib["PACKAGES"].split()] + \
    ["m4rpc-staticdev", "m4rpc-dev", "m4rpc-doc", "m4rpc"]


def taken(path, pats):
    return any(path == p or path.startswith(p.rstrip("/") + "/") or fnmatch.fnmatch(path, p)
               for p in pats)


problems = []
named = []
for pkg in order:
    pats = expand(pkgs.get(pkg, "")).split()
    named += [(pkg, p) for p in pats if "*" not in p and pkg not in DEFAULT_FILES]
owner = {}
for f in files:
    for pkg in order:
        if taken(f, expand(pkgs.get(pkg, "")).split()):
            owner[f] = pkg
            break
    else:
        problems.append("no package takes " + f)
for pkg, p in named:
    if not any(f == p or f.startswith(p + "/") for f in files):
        problems.append("%s names %s, which make install does not install" % (pkg, p))
tap(files and not problems, "every installed file is in one package; each file a package names is installed",
    "\n".join(problems + ["%s: %s" % (owner[f], f) for f in files if f in owner]))
sys.exit(1 if failed else 0)
