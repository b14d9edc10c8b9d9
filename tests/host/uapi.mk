# The uapi's layouts, the same for 32-bit and 64-bit programs
# (test_uapi_layout.c): built -m64 and -m32, each a host test. -m32 needs
# the i386 libc (libc6-dev-i386, from gcc-12-multilib in DEPS_BUILD) and
# the kernel's <asm/...> headers, which Debian's gcc-multilib would link
# to /usr/include/asm; that package conflicts with the arm64 cross
# compiler (issue 16 needs both), so the link is ours, in M32_INCLUDE.
M32_INCLUDE := $(B)/m32-include
M32_CFLAGS = -m32 -idirafter $(M32_INCLUDE)
M32_ASM := $(M32_INCLUDE)/asm
$(M32_ASM):
	@mkdir -p $(dir $@)
	ln -sfn /usr/include/$(shell $(CC) -print-multiarch)/asm $@

UAPI_LAYOUT_TESTS := $(B)/tests/test_uapi_layout_m64 $(B)/tests/test_uapi_layout_m32
UAPI_LAYOUT_SRC := $(TOP)/tests/host/test_uapi_layout.c

$(B)/tests/test_uapi_layout_m64: $(UAPI_LAYOUT_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(KSFT_CFLAGS) -DTEST_WORD_BYTES=8 -o $@ $<

$(B)/tests/test_uapi_layout_m32: $(UAPI_LAYOUT_SRC) | $(M32_ASM)
	@mkdir -p $(dir $@)
	$(CC) $(M32_CFLAGS) $(ALL_CFLAGS) $(KSFT_CFLAGS) -DTEST_WORD_BYTES=4 -o $@ $<

HOST_TESTS += $(UAPI_LAYOUT_TESTS)
