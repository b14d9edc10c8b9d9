// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A method server: the M4's sketch calls RPC.call("checksum", seq, data)
 * and this program answers with the sum of the bytes of data. It serves
 * in the library's run loop until it has answered COUNT calls (default:
 * forever) and prints one line per call.
 *
 *   m4rpc-example-server [-n COUNT] [/dev/m4rpcN]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <m4rpc.h>

struct server {
	long count, left;
};

static int checksum(struct m4rpc_board *board, struct m4rpc_request *req,
		    void *data)
{
	const msgpack_object *p = m4rpc_request_params(req);
	struct server *srv = data;
	const msgpack_object_bin *bin;
	uint64_t sum = 0;
	uint32_t i;

	if (p->via.array.size != 2 ||
	    p->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    p->via.array.ptr[1].type != MSGPACK_OBJECT_BIN)
		return m4rpc_request_reply_error(req,
						 "checksum(seq, data): data is bytes");
	bin = &p->via.array.ptr[1].via.bin;
	for (i = 0; i < bin->size; i++)
		sum += (uint8_t)bin->ptr[i];
	printf("checksum(%llu, %u bytes) = %llu\n",
	       (unsigned long long)p->via.array.ptr[0].via.u64, bin->size,
	       (unsigned long long)sum);
	fflush(stdout);
	if (srv->count && !--srv->left)
		m4rpc_board_stop(board);	/* after this answer */
	return m4rpc_request_reply(req, "U", sum);
}

int main(int argc, char **argv)
{
	struct server srv = { 0 };
	struct m4rpc_board *board;
	int opt, ret;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n') {
			fprintf(stderr, "usage: %s [-n COUNT] [/dev/m4rpcN]\n",
				argv[0]);
			return 2;
		}
		srv.count = srv.left = atol(optarg);
	}
	board = optind < argc ? m4rpc_board_open(argv[optind]) :
		m4rpc_board_open_index(0);
	if (!board || m4rpc_board_serve(board, "checksum", checksum, &srv)) {
		fprintf(stderr, "%s\n", m4rpc_last_error());
		m4rpc_board_close(board);
		return 1;
	}
	ret = m4rpc_board_run(board);
	if (ret)
		fprintf(stderr, "%s\n", m4rpc_last_error());
	m4rpc_board_close(board);
	return ret ? 1 : 0;
}
