SUMMARY = "libm4rpc, the m4rpc tools and Python package for the Portenta X8's M4"
DESCRIPTION = "msgpack-rpc calls to the M4 sketch over /dev/m4rpcN: the \
library, m4rpc, m4rpc-proxy (the stock m4-proxy's ports), x8h7-rawcall, \
the udev rules and the Python package."
LICENSE = "LGPL-2.1-or-later & (GPL-2.0-only | MIT)"
LIC_FILES_CHKSUM = "file://lib/error.c;beginline=1;endline=1;md5=4a6cc3864589d837815a2dc3aac98b2c \
                    file://tools/m4rpc/main.c;beginline=1;endline=1;md5=d337360ac55966d2a50ba6b01e40ec30"

require ../../m4rpc-src.inc

DEPENDS = "msgpack-c jansson kmod"
RDEPENDS:${PN}-python = "python3-core python3-msgpack"

inherit pkgconfig systemd python3-dir

# The repository's Makefile: no apt (M4RPC_NO_DEPS), Yocto's directories.
EXTRA_OEMAKE = "M4RPC_NO_DEPS=1 PREFIX=${prefix} BINDIR=${bindir} LIBDIR=${libdir} \
    INCLUDEDIR=${includedir} MANDIR=${mandir} DATAROOTDIR=${datadir} \
    UDEVRULESDIR=${nonarch_base_libdir}/udev/rules.d \
    SYSUSERSDIR=${nonarch_libdir}/sysusers.d \
    SYSTEMDUNITDIR=${systemd_system_unitdir} PYTHONDIR=${PYTHON_SITEPACKAGES_DIR} \
    PYTHON3=${PYTHON}"

do_compile() {
	oe_runmake install-build
}

do_install() {
	oe_runmake install DESTDIR=${D}
}

PACKAGES =+ "${PN}-proxy ${PN}-python ${PN}-udev"
FILES:${PN}-proxy = "${bindir}/m4rpc-proxy ${systemd_system_unitdir}/m4rpc-proxy.service \
    ${mandir}/man8/m4rpc-proxy.8"
FILES:${PN}-python = "${PYTHON_SITEPACKAGES_DIR}/m4rpc"
FILES:${PN}-udev = "${nonarch_base_libdir}/udev/rules.d ${nonarch_libdir}/sysusers.d"
# The group of /dev/m4rpcN (udev/60-m4rpc.rules), on images without
# systemd-sysusers too.
inherit useradd
USERADD_PACKAGES = "${PN}-udev"
GROUPADD_PARAM:${PN}-udev = "--system m4rpc"
FILES:${PN} += "${datadir}/m4rpc/install-manifest"
RRECOMMENDS:${PN} = "${PN}-udev kernel-module-m4rpc"

# The proxy conflicts with the stock m4-proxy (the same ports): enable it
# once the stock one is disabled.
SYSTEMD_PACKAGES = "${PN}-proxy"
SYSTEMD_SERVICE:${PN}-proxy = "m4rpc-proxy.service"
SYSTEMD_AUTO_ENABLE:${PN}-proxy = "disable"
