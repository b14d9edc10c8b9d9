# VM tests of the m4rpc command and of m4rpc-proxy (issue 13): TAP-printing
# scripts installed next to the other selftests with their shared helpers
# (tools_lib.sh) and the proxy's Python test client; they find the tools
# in build/tools.
TOOLS_VM_TESTS := $(B)/selftests/m4rpc_tool $(B)/selftests/m4rpc_proxy
TOOLS_VM_FILES := $(B)/selftests/tools_lib.sh $(B)/selftests/proxy_client.py

$(TOOLS_VM_FILES): $(B)/selftests/%: $(TOP)/selftests/tools/%
	@mkdir -p $(dir $@)
	install -m 644 $< $@

$(TOOLS_VM_TESTS): $(B)/selftests/%: $(TOP)/selftests/tools/%.sh $(TOOLS_VM_FILES) $$(SELFTEST_TAP_SH) \
		$$(M4RPC_TOOL) $$(M4RPC_PROXY) $$(M4RPC_SIM)
	@mkdir -p $(dir $@)
	install -m 755 $< $@

VM_TESTS += $(TOOLS_VM_TESTS)
