SUMMARY = "m4rpc.ko: the Portenta X8's SPI link to the STM32H7 and its M4 RPC channel"
DESCRIPTION = "Binds the X8's portenta,x8h7 device-tree node in place of the \
stock x8h7 driver stack; /dev/m4rpcN and /dev/ttyM4RPCn."
LICENSE = "GPL-2.0-only"
LIC_FILES_CHKSUM = "file://kernel/m4rpc_main.c;beginline=1;endline=1;md5=50d2ba0afecd20f74c12a4bdbcfcfe61"

require ../../m4rpc-src.inc

inherit module

# kernel/Kbuild, built as `make modules` does: kbuild of the kernel's tree
# with M= the module directory. modules_install puts them in
# /lib/modules/KVER/extra, where the X8's stock modules are too.
EXTRA_OEMAKE += "-C ${STAGING_KERNEL_DIR} M=${S}/kernel"
MAKE_TARGETS = "modules"
MODULES_INSTALL_TARGET = "modules_install"

# Every module of kernel/Kbuild: m4rpc.ko, the driver, and m4rpc_sim.ko, the
# simulated board for tests (its own package, kernel-module-m4rpc-sim,
# which an image need not install).
M4RPC_KOS = "m4rpc.ko m4rpc_sim.ko"
do_install:append() {
	for ko in ${M4RPC_KOS}; do
		test -e ${D}${nonarch_base_libdir}/modules/${KERNEL_VERSION}/extra/$ko ||
			bbfatal "$ko was not installed"
	done
}

RPROVIDES:${PN} += "kernel-module-m4rpc"
KERNEL_MODULE_AUTOLOAD += "m4rpc"

# The stock stack holds the same SPI device: blacklisted, as
# packaging/m4rpc-blacklist-x8h7.conf does, at the same price: the H7's
# ADC, PWM, FDCAN, UART, RTC and GPIO expander are not available to Linux.
M4RPC_STOCK = "x8h7_drv x8h7_ui x8h7_adc x8h7_pwm x8h7_can x8h7_uart x8h7_rtc x8h7_gpio"
KERNEL_MODULE_PROBECONF += "${M4RPC_STOCK}"
python () {
    for m in d.getVar("M4RPC_STOCK").split():
        d.setVar("module_conf_" + m, "blacklist " + m)
}
