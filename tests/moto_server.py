"""Runs moto's DynamoDB and SQS on 127.0.0.1:<port> until stdin closes.

The test process holds the other end of stdin, so moto stops by itself when
the tests end, however they end.

DynamoDB requests are served one at a time. Moto runs a transaction by
copying the whole table, applying the writes one by one and, on a failed
condition, putting the copy back: under concurrent requests that is neither
atomic nor isolated, and a cancelled transaction can undo writes that other
requests made meanwhile. DynamoDB itself serialises conflicting writes, so one
request at a time is the faithful model. SQS requests (long polls among them)
still run concurrently.
"""
import os
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

port = int(sys.argv[1])
moto = DomainDispatcherApplication(create_backend_app)
dynamodb = threading.Lock()


def app(environ, start_response):
    if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
        with dynamodb:
            # The whole response is produced under the lock.
            return list(moto(environ, start_response))
    return moto(environ, start_response)


server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
server.shutdown()
os._exit(0)
