// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Error codes, their names, the thread's last sentence, and what an error
 * text of the M4 (rpclib) or of the kernel (m4rpc.ko) stands for.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "m4rpc_priv.h"

/*
 * The sentence is per thread: threads calling at once keep their own. It
 * may quote the M4's error text, whatever its length: the heap holds it
 * (freed when the thread ends), the fixed room only when memory is short.
 */
static __thread char *last_text;
static __thread size_t last_cap;
static __thread char last_room[256];
static __thread int last_code;
static pthread_key_t text_key;
static pthread_once_t text_once = PTHREAD_ONCE_INIT;

static void text_key_make(void)
{
	/* Without the key a thread's text is not freed when it ends. */
	if (pthread_key_create(&text_key, free))
		return;
}

static const char *const lib_names[M4RPC_E_END - M4RPC_E_BASE] = {
	[M4RPC_E_NO_METHOD - M4RPC_E_BASE] = "the M4 has no such method",
	[M4RPC_E_ARGC - M4RPC_E_BASE] =
		"wrong number of arguments for the M4's method",
	[M4RPC_E_REMOTE - M4RPC_E_BASE] = "the M4 replied with an error",
	[M4RPC_E_NO_PROGRAM - M4RPC_E_BASE] = "the M4 has no program",
	[M4RPC_E_NO_RPC - M4RPC_E_BASE] =
		"the M4's sketch did not call RPC.begin()",
	[M4RPC_E_STOPPED - M4RPC_E_BASE] = "the M4 stopped running RPC",
	[M4RPC_E_LOST - M4RPC_E_BASE] = "the reply was lost on the link",
	[M4RPC_E_UNBOUND - M4RPC_E_BASE] = "no Linux process serves the method",
	[M4RPC_E_BUSY - M4RPC_E_BASE] = "the Linux process serving it is busy",
	[M4RPC_E_CLOSED - M4RPC_E_BASE] =
		"the Linux process serving it closed",
	[M4RPC_E_TYPE - M4RPC_E_BASE] = "the value is of another type",
	[M4RPC_E_PROTO - M4RPC_E_BASE] = "not msgpack-rpc",
};

M4RPC_EXPORT const char *m4rpc_strerror(int code)
{
	if (code < 0)
		code = -code;
	if (code > M4RPC_E_BASE && code < M4RPC_E_END)
		return lib_names[code - M4RPC_E_BASE];
	if (code == 0)
		return "success";
	return strerror(code);
}

M4RPC_EXPORT const char *m4rpc_last_error(void)
{
	return last_text ? last_text : last_room;
}

M4RPC_EXPORT int m4rpc_last_error_code(void)
{
	return last_code;
}

int m4rpc__fail(int code, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= last_cap) {
		p = realloc(last_text, n + 1);
		if (p) {
			pthread_once(&text_once, text_key_make);
			pthread_setspecific(text_key, p);
			last_text = p;
			last_cap = n + 1;
		}
	}
	va_start(ap, fmt);
	if (last_text && n >= 0 && (size_t)n < last_cap) {
		vsnprintf(last_text, last_cap, fmt, ap);
	} else {
		/* Out of memory: the start of it, rather than nothing. */
		if (last_text) {
			free(last_text);
			pthread_setspecific(text_key, NULL);
			last_text = NULL;
		}
		last_cap = 0;
		vsnprintf(last_room, sizeof(last_room), fmt, ap);
	}
	va_end(ap);
	last_code = code;
	return code;
}

void *m4rpc__fail_null(int code)
{
	errno = code <= -M4RPC_E_BASE ? EIO : -code;
	return NULL;
}

/*
 * The texts, as the M4 and the kernel word them: rpclib's (the emulator
 * reproduces them, emu/h7emu_m4.c) and kernel/ep/ep.h's EP_ERR_*.
 */
static const struct {
	const char *text;
	bool prefix;		/* else anywhere in the text */
	int code;
} known[] = {
	{ "could not find function", false, -M4RPC_E_NO_METHOD },
	{ "invalid number of arguments", false, -M4RPC_E_ARGC },
	{ "m4rpc: no Linux process bound ", true, -M4RPC_E_UNBOUND },
	{ "m4rpc: Linux process busy: ", true, -M4RPC_E_BUSY },
	{ "m4rpc: Linux process closed: ", true, -M4RPC_E_CLOSED },
	{ "m4rpc: the M4 stopped running RPC", true, -M4RPC_E_STOPPED },
	{ "m4rpc: the reply was lost on the link", true, -M4RPC_E_LOST },
};

int m4rpc__classify(const char *text)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (known[i].prefix ?
		    !strncmp(text, known[i].text, strlen(known[i].text)) :
		    !!strstr(text, known[i].text))
			return known[i].code;
	}
	return -M4RPC_E_REMOTE;
}
