"""What one SQS call costs on a moto server as a queue deepens.

    .local/venv/bin/python infra/moto/depth-probe.py http://127.0.0.1:5000

Fills a queue of its own (depth-probe-<time>) to each depth, then times 50 SendMessage
(the median), one ReceiveMessage of 10 and one DeleteMessageBatch of those 10. The
numbers in infra/moto/server.py's header come from it.
"""

import sys
import time

import boto3

endpoint = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
sqs = boto3.client(
    "sqs",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="local",
    aws_secret_access_key="local",
)
queue = sqs.create_queue(QueueName=f"depth-probe-{int(time.time())}")["QueueUrl"]


def millis(call):
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


depth = 0
print("| depth | SendMessage p50 | ReceiveMessage (10) | DeleteMessageBatch (10) |")
print("|---:|---:|---:|---:|")
for target in (0, 1000, 3000, 6000):
    while depth < target:
        entries = [{"Id": str(i), "MessageBody": "m" * 300} for i in range(10)]
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)
        depth += 10
    sends = sorted(
        millis(lambda: sqs.send_message(QueueUrl=queue, MessageBody="m" * 300))[0]
        for _ in range(50)
    )
    depth += 50
    received_ms, received = millis(
        lambda: sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
    )
    handles = [
        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
        for i, m in enumerate(received.get("Messages", []))
    ]
    deleted_ms, _ = millis(
        lambda: sqs.delete_message_batch(QueueUrl=queue, Entries=handles)
    )
    depth -= len(handles)
    print(f"| {target} | {sends[25]:.1f} ms | {received_ms:.1f} ms | {deleted_ms:.1f} ms |")
sqs.delete_queue(QueueUrl=queue)
