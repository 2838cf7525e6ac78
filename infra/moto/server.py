"""moto's server, with the cost of its SQS calls made independent of a queue's depth.

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
"""

import collections
import sys
import time

import moto.sqs.models as sqs

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


# What the replacements rely on, checked so that another moto fails here, loudly.
for owner, name in [
    (sqs, "unix_time"),
    (sqs, "unix_time_millis"),
    (sqs, "ReceiptHandleIsInvalid"),
    (sqs.SQSBackend, "is_message_valid_based_on_retention_period"),
    (sqs.Queue, "delete_message"),
    (sqs.Message, "instances_tracked"),
]:
    if not hasattr(owner, name):
        sys.exit(f"infra/moto/server.py: moto has no {owner.__name__}.{name}; check the pin")

sqs.unix_time = time.time
sqs.unix_time_millis = lambda: time.time() * 1000.0
sqs.SQSBackend.is_message_valid_based_on_retention_period = retained
sqs.Queue.delete_message = delete_message
# BaseModel.__new__ appends each instance to instances_tracked; a message skips it.
sqs.Message.__new__ = lambda cls, *args, **kwargs: object.__new__(cls)

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main())
