# VM tests of the Python package (bindings/python/): python_vm.sh (made from
# its template by bindings/python/python.mk's py-runner) runs
# selftests/python/test_vm.py against the simulated board, and the ioctl
# layout check again in the guest.
PY_VM_TEST := $(B)/selftests/python_m4rpc

$(PY_VM_TEST): $(TOP)/selftests/python/python_vm.sh.in $$(PY_UAPI_DUMP) \
		$$(M4RPC_SIM) $$(PY_SRCS) $(wildcard $(TOP)/selftests/python/*.py) \
		| deps-build
	@mkdir -p $(dir $@)
	$(call py-runner,test_vm test_uapi,$(TOP)/selftests/python)

VM_TESTS += $(PY_VM_TEST)
