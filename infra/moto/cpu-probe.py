"""The moto server's own CPU time per SQS call, whatever the client's.

    .local/venv/bin/python infra/moto/cpu-probe.py PORT [CALLS]

Finds the server listening on 127.0.0.1:PORT (infra/moto/server.py or moto_server) and
reads its CPU time from /proc around CALLS (default 200) of each: a SendMessageBatch of
ten behaviour events (the queue fills to CALLS × 10 messages), a ReceiveMessage of ten
with every attribute (as the local stack's pollers receive), a DeleteMessageBatch of
those ten, and a GetQueueAttributes. On a shared machine, compare servers in alternating
runs. The second table in infra/moto/server.py's header comes from it.
"""

import json
import os
import sys
import time

import boto3

port = sys.argv[1] if len(sys.argv) > 1 else "5000"
calls = int(sys.argv[2]) if len(sys.argv) > 2 else 200


def is_server(pid):
    try:
        args = open(f"/proc/{pid}/cmdline", "rb").read().decode().split("\0")
    except OSError:
        return False
    named = any(a.endswith(("server.py", "moto_server")) for a in args)
    return named and any(a == "-p" and b == port for a, b in zip(args, args[1:]))


pid = next(p for p in os.listdir("/proc") if p.isdigit() and is_server(p))
ticks = os.sysconf("SC_CLK_TCK")


def cpu_seconds():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks


sqs = boto3.client(
    "sqs",
    endpoint_url=f"http://127.0.0.1:{port}",
    region_name="us-east-1",
    aws_access_key_id="local",
    aws_secret_access_key="local",
)
queue = sqs.create_queue(QueueName=f"cpu-probe-{int(time.time())}")["QueueUrl"]
body = json.dumps(
    {
        "event_id": "01JDX00000000000000000000",
        "type": "view",
        "occurred_at": "2026-12-02T07:00:00Z",
        "goods_id": "01JDR00000000000000000000",
        "data": {},
        "user_id": "01JDV00000000000000000000",
    }
)


def measure(name, call):
    cpu, wall = cpu_seconds(), time.perf_counter()
    results = [call() for _ in range(calls)]
    print(
        f"| {name} | {(cpu_seconds() - cpu) * 1000 / calls:.1f} ms "
        f"| {(time.perf_counter() - wall) * 1000 / calls:.1f} ms |"
    )
    return results


print("| call | moto's CPU per call | wall per call |")
print("|---|---:|---:|")
entries = [
    {
        "Id": str(i),
        "MessageBody": body,
        "MessageAttributes": {"type": {"DataType": "String", "StringValue": "view"}},
    }
    for i in range(10)
]
measure("SendMessageBatch (10)", lambda: sqs.send_message_batch(QueueUrl=queue, Entries=entries))
received = measure(
    "ReceiveMessage (10)",
    lambda: sqs.receive_message(
        QueueUrl=queue,
        MaxNumberOfMessages=10,
        WaitTimeSeconds=1,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
    )["Messages"],
)
handles = iter(received)
measure(
    "DeleteMessageBatch (10)",
    lambda: sqs.delete_message_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
            for i, m in enumerate(next(handles))
        ],
    ),
)
measure(
    "GetQueueAttributes",
    lambda: sqs.get_queue_attributes(
        QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"]
    ),
)
sqs.delete_queue(QueueUrl=queue)
