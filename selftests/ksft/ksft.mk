# The kselftest layout of the suite (selftests/Makefile, issue 16):
# ksft_run, a VM test, runs one test through `make -C selftests
# run_tests`; tests/packaging/test_ksft_layout checks the rest on the host.
KSFT_RUN := $(B)/selftests/ksft_run

# The collection's directory is made on the host: the VM cannot write.
$(KSFT_RUN): $(TOP)/selftests/ksft/ksft_run.sh $(TOP)/selftests/Makefile \
		$(TOP)/selftests/settings $$(SELFTEST_TAP_SH) | deps-build
	@$(MAKE) -s --no-print-directory -C $(TOP)/selftests collection
	@mkdir -p $(dir $@)
	install -m 755 $< $@

VM_TESTS += $(KSFT_RUN)
