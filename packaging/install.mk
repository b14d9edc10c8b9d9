# `make install` / `make uninstall` (issue 16): the library, its header and
# pkg-config file, the user tools with their man pages, the udev rules, the
# proxy's systemd unit and the Python package, under DESTDIR and the usual
# GNU directory variables. INSTALL_BLACKLIST=1 adds the modprobe.d file that
# keeps the stock x8h7 modules away (packaging/m4rpc-blacklist-x8h7.conf says
# what that costs). packaging/install.sh records every file and every
# directory it creates in a manifest, installed too; uninstall removes
# exactly those. The modules are not installed here: DKMS
# (packaging/dkms.mk) or the distribution's kernel build (contrib/yocto/) do.
#
# Not installed: m4rpc-sim (it needs m4rpc_sim.ko, a test module no install
# path provides), m4rpc-bench and the tests (the build tree runs them).
PREFIX ?= /usr/local
EXEC_PREFIX ?= $(PREFIX)
BINDIR ?= $(EXEC_PREFIX)/bin
LIBDIR ?= $(EXEC_PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATAROOTDIR ?= $(PREFIX)/share
MANDIR ?= $(DATAROOTDIR)/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# The places the tools that read them look in: udev reads no
# /usr/local/lib/udev; systemd and kmod do read /usr/local/lib/....
UDEVRULESDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/udev/rules.d,/etc/udev/rules.d)
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# The group m4rpc of the udev rules: systemd-sysusers creates it.
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
MODPROBEDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/modprobe.d,$(PREFIX)/lib/modprobe.d)
# Debian's python3 reads /usr/lib/python3/dist-packages (packages) and
# /usr/local/lib/python3.N/dist-packages (local installs).
PYTHONDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/python3/dist-packages,$(PREFIX)/lib/python$(shell \
	$(PYTHON3) -c 'import sys; print("%d.%d" % sys.version_info[:2])')/dist-packages)
INSTALL_BLACKLIST ?=
INSTALL_MANIFEST = $(DATAROOTDIR)/m4rpc/install-manifest

# The user tools: the command, the proxy (a daemon: section 8), the raw
# spidev diagnostic for real boards.
INSTALL_TOOLS = $(M4RPC_TOOL) $(M4RPC_PROXY) $(RAWCALL)
INSTALL_MANS := tools/m4rpc/m4rpc.1 tools/m4rpc-proxy/m4rpc-proxy.8 \
	tools/rawcall/x8h7-rawcall.1
INSTALL_PC := $(B)/install/m4rpc.pc
INSTALL_UNIT := $(B)/install/m4rpc-proxy.service
SO_NAME = libm4rpc.so.$(M4RPC_SOVERSION)

# What make installs (the Python package: the files of `make install-python`,
# in PYTHONDIR): MODE:SOURCE:DEST or link:TARGET:DEST (packaging/install.sh).
INSTALL_ITEMS = \
	755:$(LIBM4RPC_SO):$(LIBDIR)/$(notdir $(LIBM4RPC_SO)) \
	link:$(notdir $(LIBM4RPC_SO)):$(LIBDIR)/$(SO_NAME) \
	link:$(SO_NAME):$(LIBDIR)/libm4rpc.so \
	644:$(LIBM4RPC_A):$(LIBDIR)/libm4rpc.a \
	644:$(TOP)/lib/include/m4rpc.h:$(INCLUDEDIR)/m4rpc.h \
	644:$(INSTALL_PC):$(PKGCONFIGDIR)/m4rpc.pc \
	$(foreach t,$(INSTALL_TOOLS),755:$(t):$(BINDIR)/$(notdir $(t))) \
	$(foreach m,$(INSTALL_MANS),644:$(TOP)/$(m):$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
	$(foreach r,$(wildcard $(TOP)/udev/*.rules),644:$(r):$(UDEVRULESDIR)/$(notdir $(r))) \
	644:$(TOP)/udev/m4rpc.sysusers:$(SYSUSERSDIR)/m4rpc.conf \
	644:$(INSTALL_UNIT):$(SYSTEMDUNITDIR)/m4rpc-proxy.service \
	$(foreach f,$(PY_SRCS),644:$(f):$(PYTHONDIR)/m4rpc/$(notdir $(f))) \
	$(if $(filter 1 yes,$(INSTALL_BLACKLIST)),644:$(TOP)/packaging/m4rpc-blacklist-x8h7.conf:$(MODPROBEDIR)/m4rpc-blacklist-x8h7.conf)

# The files of the installed system whose text names its directories,
# written for each install (the directories are make's variables).
install-generated: $(TOP)/lib/m4rpc.pc.in $(TOP)/tools/m4rpc-proxy/m4rpc-proxy.service
	@mkdir -p $(B)/install
	$(call m4rpc-pc,$(PREFIX),$(LIBDIR),$(INCLUDEDIR)) > $(INSTALL_PC)
	sed 's|/usr/local/bin/m4rpc-proxy|$(BINDIR)/m4rpc-proxy|' \
		$(TOP)/tools/m4rpc-proxy/m4rpc-proxy.service > $(INSTALL_UNIT)

# What install installs, built alone (a distribution's compile step).
install-build: $(LIBM4RPC_SO) $(LIBM4RPC_A) $$(INSTALL_TOOLS)

install: install-generated install-build $(PY_SRCS)
	DESTDIR='$(DESTDIR)' $(TOP)/packaging/install.sh install $(INSTALL_MANIFEST) \
		$(INSTALL_ITEMS)
	$(ldconfig-live)

uninstall:
	DESTDIR='$(DESTDIR)' $(TOP)/packaging/install.sh uninstall $(INSTALL_MANIFEST)
	$(ldconfig-live)

# Into the live system (no DESTDIR), the linker's cache learns the library.
ldconfig-live = $(if $(DESTDIR),,-ldconfig 2>/dev/null)

.PHONY: install install-build install-generated uninstall
