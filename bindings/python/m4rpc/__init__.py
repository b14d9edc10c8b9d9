# SPDX-License-Identifier: GPL-2.0 OR MIT
"""m4rpc: the Portenta X8's M4 sketch from Python, straight on /dev/m4rpcN.

Pure Python over the device (os, fcntl, select) and msgpack: a container
needs nothing but ``--device /dev/m4rpc0``.

    import m4rpc

    with m4rpc.Client() as m4:                 # /dev/m4rpc0
        print(m4.call("temperature"))          # 100
        m4.call("led", True, timeout=1.0)
        fut = m4.call_async("humidity")        # a concurrent.futures.Future
        print(fut.result())

Calls are thread-safe: one Client serves any number of threads, replies
matched by msgid. call_async() returns a concurrent.futures.Future
(m4rpc.Future, whose result() reads the device itself); for asyncio,
``await m4.acall("temperature")``.

Serving the M4's RPC.call()s and notifications:

    @m4.bind("ping")
    def ping(seq, data):
        return seq                             # the M4's RPC.call() result

    m4.serve()                                 # until m4.stop()
    # or, in asyncio: await m4.serve_async()

The sketch's Serial:

    with m4rpc.Serial() as tty:
        tty.write("hello\\n")                   # tty() calls of the sketch
        for line in tty.lines():               # its Serial.println()s
            print(line)

Errors: Timeout, NoSuchMethod, BadArguments, RemoteError (the M4's text
in .error), M4NotRunning (.reason: no program, no RPC.begin()),
DeviceGone, MessageTooBig (.limit), NoPermission (a PermissionError that
names the device's group), AlreadyBound, ReplyLost; all are m4rpc.Error.

Migrating from msgpackrpc (the X8 tutorial's python-rpc-sensors)
----------------------------------------------------------------
Before, through the m4-proxy service over TCP (msgpack-rpc-python, which
needs tornado < 5 and msgpack < 1.0, so it no longer imports on current
Python, and takes one call per client against the proxy)::

    from msgpackrpc import Address as RpcAddress, Client as RpcClient, error as RpcError

    rpc_address = RpcAddress('m4-proxy', 5001)
    try:
        rpc_client = RpcClient(rpc_address)
        temperature = rpc_client.call('temperature')
        rpc_client = RpcClient(rpc_address)
        humidity = rpc_client.call('humidity')
    except RpcError.TimeoutError:
        print("Unable to retrieve data from the M4.")

After, on the device (docker run --device /dev/m4rpc0, no proxy, no
--add-host): one import and one constructor changed, and one client does
every call::

    from m4rpc import Client as RpcClient, Timeout as RpcTimeout

    try:
        rpc_client = RpcClient()               # /dev/m4rpc0
        temperature = rpc_client.call('temperature')
        humidity = rpc_client.call('humidity')
    except RpcTimeout:
        print("Unable to retrieve data from the M4.")

msgpackrpc's Client(address, timeout=10) becomes Client(board=0,
timeout=5.0); call() keeps its form. A server registered with the
proxy's register() becomes Client.bind() plus serve().
"""
from ._engine import Future
from ._uapi import M4_NO_PROGRAM, M4_NO_RPC, M4_RUNNING, M4_UNKNOWN
from .client import Client, Stats
from .device import Info, LinkStats, SessionStats
from .errors import (AlreadyBound, BadArguments, Closed, DeviceGone, Error,
                     KernelError, M4NotRunning, MessageTooBig, NoDevice,
                     NoPermission, NoSuchMethod, ProtocolError, RemoteError,
                     ReplyLost, Timeout)
from .serial import Serial

__version__ = "0.1.0"

__all__ = [
    "Client", "Future", "Serial", "Stats", "Info", "LinkStats",
    "SessionStats", "Error", "Timeout", "RemoteError", "NoSuchMethod",
    "BadArguments", "M4NotRunning", "DeviceGone", "NoDevice",
    "NoPermission", "MessageTooBig", "AlreadyBound", "ReplyLost",
    "KernelError", "Closed", "ProtocolError", "M4_NO_PROGRAM", "M4_NO_RPC",
    "M4_RUNNING", "M4_UNKNOWN",
]
