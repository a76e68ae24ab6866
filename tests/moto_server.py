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

Moto refuses items over 405,000 bytes "to be safe"; DynamoDB's limit is
400 KB, 409,600 bytes of names and values, and the port lets items up to it
through, so moto here stops where DynamoDB does.

Moto keeps every model object it ever made in a list on its class, for its
dashboard; a transaction deep-copies each table it touches, so every copy
stayed for good and a full test run grew moto past 20 GB. DynamoDB's and
SQS's models are not kept there (SES's are: the tests read sent mail from
the dashboard).
"""
import os
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.core.model_instances import model_data
from moto.dynamodb.models import dynamo_type
import moto.sqs.models  # noqa: F401 (its models, to leave untracked below)
from werkzeug.serving import make_server

MAX_ITEM_BYTES = 400 * 1024


def _size(part):
    if type(part) is dynamo_type.DynamoType:
        return part.size()
    return dynamo_type.bytesize(str(part))


def _set_within_dynamodbs_limit(attrs, name, value):
    current = sum(_size(part) for part in (*attrs.keys(), *attrs.values()))
    if current + _size(name) + _size(value) > MAX_ITEM_BYTES:
        raise ItemSizeTooLarge
    dict.__setitem__(attrs, name, value)


dynamo_type.LimitedSizeDict.__setitem__ = _set_within_dynamodbs_limit

class _Untracked(list):
    """A class's list of its instances that keeps none."""

    def append(self, instance):
        pass


for service in ("dynamodb", "sqs"):
    for model in model_data[service].values():
        model.instances_tracked = _Untracked()

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
