"""moto's server, with its SQS calls cheaper and their cost independent of a queue's depth.

moto 5.2.5 (pinned in install.sh) makes every SQS call cost time in proportion to the
messages the queue holds, so a queue that backs up for a minute under load slows every
function that sends to it, and then the consumers that would drain it. Measured with
`infra/moto/depth-probe.py` on one machine in one session (2 cores), stock moto_server
against this server:

| queue depth | SendMessage p50 | ReceiveMessage of 10 | DeleteMessageBatch of 10 |
|---:|---:|---:|---:|
| 0 | 10.6 ms → 8.2 ms | 91.6 ms → 13.9 ms | 10.8 ms → 11.4 ms |
| 1,000 | 66.1 ms → 9.9 ms | 1,546 ms → 15.4 ms | 14.2 ms → 7.7 ms |
| 3,000 | 141.2 ms → 14.9 ms | 4,189 ms → 20.9 ms | 22.7 ms → 9.8 ms |
| 6,000 | (not waited for) → 20.2 ms | → 17.7 ms | → 9.8 ms |

The causes, and what this module replaces (nothing else of moto changes):

- Every SendMessage reads `queue.attributes` (for ContentBasedDeduplication), which
  counts the queue's visible, delayed and in-flight messages; every message asks the
  clock through `moto.core.utils.unix_time`, which builds two datetimes. The SQS models
  get `time.time` instead: the same number, without the datetimes (the server never
  freezes time).
- Every message a ReceiveMessage returns checks its retention through
  `get_queue_attributes`, which computes those counts three times. The retention check
  here reads the queue's retention period directly.
- DeleteMessage scanned the queue twice and rebuilt it, and kept every receipt handle
  ever deleted (for deleting twice, which SQS allows), a set that grows for as long as
  the server runs. Here it is one scan, and the set keeps the last 10,000 handles.
- Every moto model instance is kept in a list for `/moto-api/data.json`: every message
  ever sent, and the copy of it that every receive returns, deleted or not. The server
  grew by about 2 KB a message (97 → 138 MiB in 20 minutes of the benchmarks' paced load),
  and data.json with it. Messages here are not kept in that list: data.json no longer
  lists SQS messages (nothing reads them there; SES has a moto of its own).

What every call costs whatever the depth, in moto's own CPU time (one moto process: its
CPU is what caps every queue of the local stack, ~400 events/s through EventsQueue before
this), measured with `infra/moto/cpu-probe.py` (200 calls each, the queue filling to
2,000 messages; the mean of two runs alternating the servers, 2026-12-02, 2 cores):

| call | stock moto + the patches above | this server |
|---|---:|---:|
| SendMessageBatch of 10 | 13.7 ms | 4.1 ms |
| ReceiveMessage of 10 | 7.7 ms | 5.9 ms |
| DeleteMessageBatch of 10 | 4.0 ms | 2.9 ms |
| GetQueueAttributes | 4.5 ms | 2.8 ms |

An event sent, received and deleted: 2.5 ms of moto's CPU before, 1.3 ms here. What
made the difference (cProfile, then py-spy sampling the probe):

- SendMessage read `queue.attributes` three times for ContentBasedDeduplication alone,
  and every read counted the queue's messages (three scans of the queue): 29 % of the
  server's time. While a thread sends, `attributes` has only that attribute, as moto
  computes it (a FIFO queue's; a standard queue has none).
- Every request found its backend by listing moto's package directory (`os.listdir`,
  and `isdir` for each of its ~180 entries): 8 %. The listing is the same for as long as
  the server runs; here it is read once.
- `camelcase_to_underscores` converted the same few hundred names again on every call
  (14,000 times in 300 calls): `Queue.attributes`, the serialiser and the request parser
  convert theirs. It is a pure function of its string; here it is memoised.
- A receipt handle was 185 calls of `random.choice`; here it is one `random.choices` of
  the same alphabet and length.
- ReceiveMessage built the list of every visible message in the queue (checking each
  one's visibility and delay) to take the first ten: the visible messages are found
  lazily here, as the receive asks for them.
- werkzeug wrote an access-log line for every request (3 %, and a log that grows by a
  line a call for as long as the stack runs): only warnings and errors are logged here.

What is left is moto's generic request handling (flask, dispatch, the serialiser).
"""

import collections
import functools
import logging
import random
import string
import sys
import threading
import time

import moto.backends as backends
import moto.core.utils as core_utils

# Before the modules that import it by name are imported: they bind the memoised one.
camelcase_to_underscores = functools.lru_cache(maxsize=4096)(
    core_utils.camelcase_to_underscores
)
core_utils.camelcase_to_underscores = camelcase_to_underscores

import moto.sqs.models as sqs  # noqa: E402

FORGET_DELETED_AFTER = 10_000


def retained(backend, queue_name, message):
    period = int(backend.get_queue(queue_name).message_retention_period)
    return period + message.sent_timestamp / 1000 > time.time()


def delete_message(queue, receipt_handle):
    if receipt_handle in queue.deleted_messages:
        return
    for index, message in enumerate(queue._messages):
        if (
            message.receipt_handle == receipt_handle
            or receipt_handle in message._old_receipt_handles
        ):
            break
    else:
        raise sqs.ReceiptHandleIsInvalid()
    # A new list, as moto does, so that a receive iterating the old one isn't disturbed.
    queue._messages = queue._messages[:index] + queue._messages[index + 1 :]
    queue.pending_messages.discard(message)
    remember_deleted(queue, message.all_receipt_handles)


def remember_deleted(queue, handles):
    order = queue.__dict__.setdefault("deleted_order", collections.deque())
    for handle in handles:
        queue.deleted_messages.add(handle)
        order.append(handle)
    while len(order) > FORGET_DELETED_AFTER:
        queue.deleted_messages.discard(order.popleft())


class Visible:
    """A queue's visible messages, found as they are asked for.

    ReceiveMessage takes the first ten; moto built the list of all of them first.
    """

    def __init__(self, messages):
        self.all = messages

    def __iter__(self):
        return (m for m in self.all if m.visible and not m.delayed)

    def __len__(self):
        return sum(1 for _ in self)

    def __bool__(self):
        return any(True for _ in self)


sending = threading.local()
moto_modules = backends.list_of_moto_modules
queue_attributes = sqs.Queue.attributes.fget


def attributes(queue):
    if not getattr(sending, "now", False):
        return queue_attributes(queue)
    if not queue.fifo_queue:
        return {}
    value = queue.content_based_deduplication
    if isinstance(value, bool):
        value = str(value).lower()
    return {"ContentBasedDeduplication": value}


def send_message(backend, *args, **kwargs):
    sending.now = True
    try:
        return backend_send_message(backend, *args, **kwargs)
    finally:
        sending.now = False


backend_send_message = sqs.SQSBackend.send_message


# What the replacements rely on, checked so that another moto fails here, loudly.
for owner, name in [
    (sqs, "unix_time"),
    (sqs, "unix_time_millis"),
    (sqs, "ReceiptHandleIsInvalid"),
    (sqs.SQSBackend, "is_message_valid_based_on_retention_period"),
    (sqs.Queue, "delete_message"),
    (sqs.Message, "instances_tracked"),
    (sqs, "generate_receipt_handle"),
    (backends, "list_of_moto_modules"),
    (sqs.Queue, "messages"),
]:
    if not hasattr(owner, name):
        sys.exit(f"infra/moto/server.py: moto has no {owner.__name__}.{name}; check the pin")

sqs.unix_time = time.time
sqs.unix_time_millis = lambda: time.time() * 1000.0
sqs.SQSBackend.is_message_valid_based_on_retention_period = retained
sqs.Queue.delete_message = delete_message
if sqs.Queue.FIFO_ATTRIBUTES[0] != "ContentBasedDeduplication" or not isinstance(
    sqs.Queue.attributes, property
):
    sys.exit("infra/moto/server.py: moto's Queue.attributes changed; check the pin")
sqs.Queue.attributes = property(attributes)
sqs.Queue.messages = property(lambda queue: Visible(queue._messages))
sqs.SQSBackend.send_message = send_message
backends.list_of_moto_modules = functools.cache(lambda: frozenset(moto_modules()))
sqs.generate_receipt_handle = lambda: "".join(
    random.choices(string.ascii_lowercase, k=185)
)
# Modules imported before the memoised function was put in place bound the original.
for module in list(sys.modules.values()):
    bound = getattr(module, "camelcase_to_underscores", None)
    if bound is camelcase_to_underscores.__wrapped__:
        module.camelcase_to_underscores = camelcase_to_underscores
logging.getLogger("werkzeug").setLevel(logging.WARNING)
# BaseModel.__new__ appends each instance to instances_tracked; a message skips it.
sqs.Message.__new__ = lambda cls, *args, **kwargs: object.__new__(cls)

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main())
