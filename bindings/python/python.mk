# The Python package m4rpc (bindings/python/, pure Python): its host tests,
# the C program that prints <linux/m4rpc.h>'s numbers and layouts for its
# layout test, and install-python, which puts it where Debian's python3
# finds it. Tests run with Debian's /usr/bin/python3, whatever else is on
# PATH.
PYTHON3 := /usr/bin/python3
PY_PKG := $(TOP)/bindings/python
PY_SRCS := $(sort $(wildcard $(PY_PKG)/m4rpc/*.py))
PY_UAPI_DUMP := $(B)/bindings/python/m4rpc-uapi-dump
PY_HOST_TEST := $(B)/tests/python_m4rpc
PYTHON_DIST ?= /usr/lib/python3/dist-packages

$(PY_UAPI_DUMP): $(B)/obj/bindings/python/tests/uapi_dump.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^

# $(call py-runner,MODULES,DIR): the recipe of a TAP-printing wrapper that
# runs those test modules ($< its template), found in $(PY_PKG)/tests or
# DIR, with the package and the layout dump found where make put them.
py-runner = sed -e 's|@PYTHON3@|$(PYTHON3)|' -e 's|@PY_PKG@|$(PY_PKG)|' \
	-e 's|@TESTS@|$(PY_PKG)/tests$(if $(2),:$(2))|' \
	-e 's|@TOP@|$(TOP)|' -e 's|@B@|$(B)|' -e 's|@UAPI_DUMP@|$(PY_UAPI_DUMP)|' \
	-e 's|@MODULES@|$(1)|' $< >$@.tmp && chmod 755 $@.tmp && mv $@.tmp $@

$(PY_HOST_TEST): $(PY_PKG)/tests/run.sh.in $(PY_UAPI_DUMP) $(PY_SRCS) \
		$(wildcard $(PY_PKG)/tests/*.py) | deps-build
	@mkdir -p $(dir $@)
	$(call py-runner,test_message test_errors test_demux test_uapi test_install)

HOST_TESTS += $(PY_HOST_TEST)

# Debian's layout, alone; `make install` installs the same files in
# PYTHONDIR (packaging/install.mk), which follows PREFIX.
install-python:
	install -d $(DESTDIR)$(PYTHON_DIST)/m4rpc
	install -m 644 $(PY_SRCS) $(DESTDIR)$(PYTHON_DIST)/m4rpc/

check-python: $(PY_HOST_TEST)
	$(PY_HOST_TEST)

.PHONY: install-python check-python
