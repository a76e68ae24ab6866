"""Runs moto's DynamoDB and SQS on 127.0.0.1:<port> until stdin closes.

The test process holds the other end of stdin, so moto stops by itself when
the tests end, however they end.
"""
import os
import sys

from moto.server import ThreadedMotoServer

port = int(sys.argv[1])
server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
server.start()
print("ready", flush=True)
sys.stdin.read()
server.stop()
os._exit(0)
