// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * m4rpc module load|unload|status: m4rpc.ko through libkmod, with the
 * reasons it cannot be done in words: not root, the module not found (and
 * where it was looked for), the stock x8h7 stack holding the SPI device.
 */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <libkmod.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "tool.h"

#define MODULE_NAME	"m4rpc"

/* The stock Linux side of the link (README.md, "m4rpc.ko replaces ..."). */
static const char *const stock[] = {
	"x8h7_drv", "x8h7_ui", "x8h7_adc", "x8h7_pwm", "x8h7_can",
	"x8h7_uart", "x8h7_rtc", "x8h7_gpio", NULL
};

static void module_usage(FILE *f)
{
	fprintf(f,
"usage: %s module load [--path FILE] [PARAM=VALUE]...\n"
"       %s module unload\n"
"       %s module status\n"
"m4rpc.ko, the driver behind /dev/m4rpcN, through libkmod:\n"
"  load     insert it (from /lib/modules/$(uname -r), or --path FILE) with\n"
"           the module parameters given (`modinfo m4rpc` lists them);\n"
"           refused while a stock x8h7 module holds the link\n"
"  unload   remove it (refused while a program has /dev/m4rpcN open)\n"
"  status   whether it is loaded, its users, its parameters, the boards,\n"
"           and any stock x8h7 module loaded\n"
"\n"
"  -p, --path FILE  load this .ko instead of the installed one\n"
"  -h, --help       this text\n"
"Exit status: 0 (status: loaded), 2 usage, 6 not root, module not found,\n"
"not loaded (status), or the stock x8h7 modules loaded; 8 other.\n",
		tool_prog, tool_prog, tool_prog);
}

static bool is_loaded(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_module *m;
	bool loaded;

	if (kmod_module_new_from_name(ctx, name, &m))
		return false;
	loaded = kmod_module_get_initstate(m) >= 0;
	kmod_module_unref(m);
	return loaded;
}

/*
 * The stock modules loaded, as "a, b" into @buf: how many. The VM test
 * cannot load the stock modules; M4RPC_TEST_STOCK names one module it
 * loaded that counts as one of them.
 */
static int stock_loaded(struct kmod_ctx *ctx, char *buf, size_t n)
{
	const char *test = getenv("M4RPC_TEST_STOCK");
	int i, count = 0;

	buf[0] = 0;
	for (i = 0; stock[i]; i++) {
		if (is_loaded(ctx, stock[i])) {
			snprintf(buf + strlen(buf), n - strlen(buf), "%s%s",
				 count ? ", " : "", stock[i]);
			count++;
		}
	}
	if (test && *test && is_loaded(ctx, test)) {
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%s",
			 count ? ", " : "", test);
		count++;
	}
	return count;
}

static void stock_hint(const char *loaded)
{
	int i;

	fprintf(stderr,
		"%s module: the stock x8h7 driver stack is loaded (%s) and holds the H7's SPI device\n"
		"%s module: unload it, then keep it from loading at boot:\n"
		"    modprobe -r x8h7_ui x8h7_drv   (and the other x8h7_* above first)\n"
		"    printf 'blacklist %%s\\n'",
		tool_prog, loaded, tool_prog);
	for (i = 0; stock[i]; i++)
		fprintf(stderr, " %s", stock[i]);
	fprintf(stderr, " > /etc/modprobe.d/m4rpc.conf\n");
}

static int find_module(const char *sub, struct kmod_ctx *ctx, const char *path,
		       struct kmod_module **mod)
{
	struct kmod_list *l = NULL;
	struct utsname u;
	int ret;

	if (path) {
		ret = kmod_module_new_from_path(ctx, path, mod);
		if (ret) {
			tool_err(sub, "%s: %s", path, strerror(-ret));
			fprintf(stderr, "%s %s: give the path of a built m4rpc.ko (make modules puts it under build/kmod/)\n",
				tool_prog, sub);
			return EXIT_NO_BOARD;
		}
		return 0;
	}
	ret = kmod_module_new_from_lookup(ctx, MODULE_NAME, &l);
	if (!ret && l) {
		*mod = kmod_module_get_module(l);
		kmod_module_unref_list(l);
		if (kmod_module_get_path(*mod))
			return 0;
		kmod_module_unref(*mod);
	}
	uname(&u);
	tool_err(sub, "module %s not found: looked in /lib/modules/%s (modules.dep, %s)",
		 MODULE_NAME, u.release, kmod_get_dirname(ctx));
	fprintf(stderr, "%s %s: install it (make modules_install, then depmod), or give --path build/kmod/.../m4rpc.ko\n",
		tool_prog, sub);
	return EXIT_NO_BOARD;
}

/*
 * Whether @mod has a parameter named as @param (up to its '='), from its
 * modinfo: the kernel ignores an unknown one with no more than a warning.
 * 1 yes, 0 no, -1 the module's info cannot be read (the kernel decides).
 */
static int has_param(struct kmod_module *mod, const char *param)
{
	struct kmod_list *info = NULL, *l;
	size_t len = strcspn(param, "=");
	int found = 0;

	if (kmod_module_get_info(mod, &info) < 0)
		return -1;
	kmod_list_foreach(l, info) {
		const char *k = kmod_module_info_get_key(l);
		const char *v = kmod_module_info_get_value(l);

		if (k && v && !strcmp(k, "parm") && !strncmp(v, param, len) &&
		    v[len] == ':')
			found = 1;
	}
	kmod_module_info_free_list(info);
	return found;
}

static int do_load(struct kmod_ctx *ctx, const char *path, char **params, int np)
{
	struct kmod_module *mod;
	char opts[1024] = "", loaded[256];
	int i, ret;

	for (i = 0; i < np; i++) {
		const char *eq = strchr(params[i], '=');

		if (!eq || eq == params[i])
			return tool_usage_err("module", "'%s': parameters are PARAM=VALUE", params[i]);
		if (strlen(opts) + strlen(params[i]) + 2 > sizeof(opts))
			return tool_usage_err("module", "too many parameters");
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), "%s%s",
			 i ? " " : "", params[i]);
	}
	if (geteuid()) {
		tool_err("module", "loading a module needs root");
		fprintf(stderr, "%s module: run it as root: sudo %s module load ...\n",
			tool_prog, tool_prog);
		return EXIT_NO_BOARD;
	}
	if (stock_loaded(ctx, loaded, sizeof(loaded))) {
		stock_hint(loaded);
		return EXIT_NO_BOARD;
	}
	ret = find_module("module", ctx, path, &mod);
	if (ret)
		return ret;
	for (i = 0; i < np; i++) {
		if (!has_param(mod, params[i])) {
			ret = tool_usage_err("module", "'%.*s': %s has no such parameter (`modinfo -p %s` lists them)",
					     (int)strcspn(params[i], "="), params[i],
					     MODULE_NAME, kmod_module_get_path(mod));
			kmod_module_unref(mod);
			return ret;
		}
	}
	ret = kmod_module_insert_module(mod, 0, opts);
	if (ret == -EEXIST) {
		fprintf(stderr, "%s module: %s is loaded already (to change parameters: unload, then load)\n",
			tool_prog, MODULE_NAME);
		ret = 0;
	} else if (ret) {
		tool_err("module", "inserting %s: %s", kmod_module_get_path(mod),
			 strerror(-ret));
		fprintf(stderr, "%s module: %s\n", tool_prog,
			ret == -EINVAL || ret == -ENOENT ?
			"a parameter is unknown or out of range: `dmesg | tail` names it, `modinfo m4rpc` lists them" :
			ret == -ENOEXEC ?
			"the module was built for another kernel: rebuild it against this one (make modules KDIR=...)" :
			"`dmesg | tail` tells more");
		ret = EXIT_FAIL;
	}
	kmod_module_unref(mod);
	return ret;
}

static int do_unload(struct kmod_ctx *ctx)
{
	struct kmod_module *mod;
	int ret;

	if (geteuid()) {
		tool_err("module", "unloading a module needs root");
		fprintf(stderr, "%s module: run it as root: sudo %s module unload\n",
			tool_prog, tool_prog);
		return EXIT_NO_BOARD;
	}
	ret = kmod_module_new_from_name(ctx, MODULE_NAME, &mod);
	if (ret)
		return EXIT_FAIL;
	if (kmod_module_get_initstate(mod) < 0) {
		fprintf(stderr, "%s module: %s is not loaded: nothing to do\n",
			tool_prog, MODULE_NAME);
		kmod_module_unref(mod);
		return EXIT_OK;
	}
	ret = kmod_module_remove_module(mod, 0);
	if (ret) {
		tool_err("module", "removing %s: %s", MODULE_NAME, strerror(-ret));
		if (ret == -EBUSY || ret == -EAGAIN)
			fprintf(stderr, "%s module: it is in use (%d users): stop the programs holding /dev/m4rpc* (`fuser -v /dev/m4rpc*`; the proxy: systemctl stop m4rpc-proxy)\n",
				tool_prog, kmod_module_get_refcnt(mod));
		else
			fprintf(stderr, "%s module: `dmesg | tail` tells more\n", tool_prog);
		ret = EXIT_FAIL;
	}
	kmod_module_unref(mod);
	return ret;
}

static int do_status(struct kmod_ctx *ctx)
{
	struct kmod_module *mod;
	char loaded[256], path[300], val[128];
	glob_t g;
	size_t i;
	FILE *f;

	if (stock_loaded(ctx, loaded, sizeof(loaded)))
		printf("stock x8h7  loaded: %s (they hold the SPI link: m4rpc.ko cannot bind it)\n",
		       loaded);
	if (kmod_module_new_from_name(ctx, MODULE_NAME, &mod))
		return EXIT_FAIL;
	if (kmod_module_get_initstate(mod) < 0) {
		printf("%s       not loaded\n", MODULE_NAME);
		kmod_module_unref(mod);
		fprintf(stderr, "%s module: %s is not loaded: `%s module load` (as root) loads it\n",
			tool_prog, MODULE_NAME, tool_prog);
		return EXIT_NO_BOARD;
	}
	printf("%s       loaded, %d users\n", MODULE_NAME, kmod_module_get_refcnt(mod));
	kmod_module_unref(mod);
	if (!glob("/sys/module/" MODULE_NAME "/parameters/*", 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++) {
			f = fopen(g.gl_pathv[i], "r");
			if (!f)
				continue;
			if (fgets(val, sizeof(val), f)) {
				val[strcspn(val, "\n")] = 0;
				printf("parameter   %s=%s\n", strrchr(g.gl_pathv[i], '/') + 1, val);
			}
			fclose(f);
		}
		globfree(&g);
	}
	if (!glob("/sys/class/m4rpc-ep/m4rpc*", 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++) {
			ssize_t n;

			snprintf(path, sizeof(path), "%s/device", g.gl_pathv[i]);
			n = readlink(path, val, sizeof(val) - 1);
			val[n > 0 ? n : 0] = 0;
			printf("board       /dev/%s on %s\n", strrchr(g.gl_pathv[i], '/') + 1,
			       n > 0 ? strrchr(val, '/') + 1 : "?");
		}
		globfree(&g);
	} else {
		printf("board       none: no SPI device bound (portenta,x8h7 in the device tree, or m4rpc_sim.ko)\n");
	}
	return EXIT_OK;
}

int cmd_module(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "path", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL }
	};
	const char *path = NULL, *what;
	struct kmod_ctx *ctx;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			path = optarg;
			break;
		case 'h':
			module_usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try '%s module --help'.\n", tool_prog);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return tool_usage_err("module", "load, unload or status?");
	what = argv[optind++];
	/* Options may follow the action too: load --path FILE. */
	while ((c = getopt_long(argc, argv, "+p:h", opts, NULL)) != -1) {
		if (c == 'p') {
			path = optarg;
		} else if (c == 'h') {
			module_usage(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, "Try '%s module --help'.\n", tool_prog);
			return EXIT_USAGE;
		}
	}
	if (strcmp(what, "load") && (optind < argc || path))
		return tool_usage_err("module", "%s takes no parameters", what);
	if (strcmp(what, "load") && strcmp(what, "unload") && strcmp(what, "status"))
		return tool_usage_err("module", "'%s': load, unload or status", what);
	ctx = kmod_new(NULL, NULL);
	if (!ctx) {
		tool_err("module", "libkmod: cannot set up (out of memory?)");
		return EXIT_FAIL;
	}
	if (!strcmp(what, "load"))
		ret = do_load(ctx, path, argv + optind, argc - optind);
	else if (!strcmp(what, "unload"))
		ret = do_unload(ctx);
	else
		ret = do_status(ctx);
	kmod_unref(ctx);
	return ret;
}
