# VM test of udev/60-m4rpc.rules with the real systemd-udevd (issue 16):
# modes, groups and the /dev/m4rpc/by-path, by-uid links, and what users in
# and outside the group m4rpc get. Installed with the rules next to it.
UDEV_VM_TEST := $(B)/selftests/udev_rules
UDEV_RULES := $(B)/selftests/60-m4rpc.rules

$(UDEV_RULES): $(TOP)/udev/60-m4rpc.rules
	@mkdir -p $(dir $@)
	install -m 644 $< $@

$(UDEV_VM_TEST): $(TOP)/selftests/udev/udev_rules.sh $(UDEV_RULES) $$(SELFTEST_TAP_SH) \
		$$(M4RPC_TOOL) $$(M4RPC_SIM)
	@mkdir -p $(dir $@)
	install -m 755 $< $@

VM_TESTS += $(UDEV_VM_TEST)
