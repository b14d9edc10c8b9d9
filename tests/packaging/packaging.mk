# Host tests of the packaging (issue 16): make install/uninstall in scratch
# DESTDIRs with an out-of-tree pkg-config consumer (test_install), the real
# dkms against Debian's headers (test_dkms), the Yocto recipes against the
# build's lists (test_yocto), the kselftest layout of selftests/Makefile
# (test_ksft_layout).
PACKAGING_TESTS := $(B)/tests/test_install

$(B)/tests/test_install: $(TOP)/tests/packaging/test_install.sh \
		$(TOP)/tests/packaging/pc_consumer.c $$(INSTALL_TOOLS) $$(LIBM4RPC_SO) \
		$$(LIBM4RPC_A) | deps-build
	@mkdir -p $(dir $@)
	install -m 755 $< $@

HOST_TESTS += $(PACKAGING_TESTS)

# DKMS for real (about a minute: dkms builds the module; part of make
# check), alone: make check-dkms.
DKMS_TEST := $(B)/tests/test_dkms
$(DKMS_TEST): $(TOP)/tests/packaging/test_dkms.sh $(TOP)/dkms.conf | deps-dkms
	@mkdir -p $(dir $@)
	install -m 755 $< $@

HOST_TESTS += $(DKMS_TEST)

check-dkms: $(DKMS_TEST)
	$(TOP)/scripts/run-tap.sh $(DKMS_TEST)

.PHONY: check-dkms

KSFT_LAYOUT_TEST := $(B)/tests/test_ksft_layout
$(KSFT_LAYOUT_TEST): $(TOP)/tests/packaging/test_ksft_layout.sh | deps-build
	@mkdir -p $(dir $@)
	install -m 755 $< $@

HOST_TESTS += $(KSFT_LAYOUT_TEST)

# contrib/yocto/'s recipes against kernel/Kbuild and make install.
YOCTO_TEST := $(B)/tests/test_yocto
$(YOCTO_TEST): $(TOP)/tests/packaging/test_yocto.py $$(INSTALL_TOOLS) | deps-build
	@mkdir -p $(dir $@)
	install -m 755 $< $@

HOST_TESTS += $(YOCTO_TEST)
