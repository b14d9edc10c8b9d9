# VM test of x8h7-rawcall against the emulated H7 (m4rpc-sim) on the
# simulated board, through spidev: a TAP-printing script, installed next to
# the other selftests; it finds the tools in build/tools.
RAWCALL_VM_TEST := $(B)/selftests/rawcall

$(RAWCALL_VM_TEST): $(TOP)/selftests/rawcall/rawcall.sh $$(SELFTEST_TAP_SH) \
		$$(RAWCALL) $$(M4RPC_SIM)
	@mkdir -p $(dir $@)
	install -m 755 $< $@

VM_TESTS += $(RAWCALL_VM_TEST)
