# DKMS (issue 16): m4rpc.ko rebuilt by dkms for each kernel whose headers
# are installed (Debian PCs, boards whose OS ships headers; not the X8's
# stock OS, which has neither headers nor dkms: contrib/yocto/).
#
#   make dkms-source   the module's sources, dkms.conf and VERSION into
#                      $(DESTDIR)/usr/src/m4rpc-VERSION (what dkms builds
#                      from; a Debian m4rpc-dkms package ships this tree)
#   make dkms-install  dkms-source, then dkms add, build, install for
#                      DKMS_KVER (default: the kernel whose headers
#                      are installed, running one first)
#   make dkms-remove   dkms remove --all, and the sources
#
# dkms add copies only this tree, never the repository with its build/.
# tests/packaging/test_dkms.sh runs them against Debian's headers.
DKMS_SRC := /usr/src/m4rpc-$(M4RPC_VERSION)
DKMS_FILES := dkms.conf VERSION kernel/Kbuild \
	$(sort $(shell cd $(TOP) && find kernel -name '*.[ch]'))
DKMS_KVER ?= $(shell k=$$(uname -r); [ -d /lib/modules/$$k/build ] && echo $$k || \
	ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1 | cut -d/ -f4)
DKMS_MOD := m4rpc/$(M4RPC_VERSION)

dkms-source:
	rm -rf $(DESTDIR)$(DKMS_SRC)
	cd $(TOP) && for f in $(DKMS_FILES); do \
		install -D -m 644 $$f $(DESTDIR)$(DKMS_SRC)/$$f || exit 1; done

dkms-install: | deps-dkms
	@test -n "$(DKMS_KVER)" || { echo "dkms-install: no kernel headers (/lib/modules/*/build)" >&2; exit 1; }
	@if dkms status $(DKMS_MOD) | grep -q .; then dkms remove $(DKMS_MOD) --all; fi
	$(MAKE) --no-print-directory dkms-source DESTDIR=
	dkms add $(DKMS_MOD)
	dkms build $(DKMS_MOD) -k $(DKMS_KVER)
	dkms install $(DKMS_MOD) -k $(DKMS_KVER)

dkms-remove: | deps-dkms
	@if dkms status $(DKMS_MOD) | grep -q .; then dkms remove $(DKMS_MOD) --all; fi
	rm -rf $(DKMS_SRC)

.PHONY: dkms-source dkms-install dkms-remove
