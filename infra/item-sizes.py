#!/usr/bin/env python3
"""Item sizes per table on a DynamoDB Local, as DynamoDB sizes them (attribute names plus
values), over a Scan of every table: the sizes docs/SCALING.md prices units from.

Usage: .local/venv/bin/python infra/item-sizes.py DYNAMODB_PORT"""
import statistics
import sys

import boto3

port = sys.argv[1]
ddb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                   aws_access_key_id="local", aws_secret_access_key="local")
def size(v):
    (t, x), = v.items()
    if t == "S": return len(x.encode())
    if t == "N": return len(x.lstrip("-").replace(".", "").lstrip("0")) // 2 + 2
    if t == "B": return len(x)
    if t == "BOOL" or t == "NULL": return 1
    if t == "L": return 3 + sum(size(e) + 1 for e in x)
    if t == "M": return 3 + sum(len(k.encode()) + size(e) + 1 for k, e in x.items())
    if t in ("SS",): return sum(len(e.encode()) for e in x)
    if t in ("NS",): return sum(len(e) // 2 + 2 for e in x)
    return 0
for table in ddb.list_tables()["TableNames"]:
    sizes, kinds = [], {}
    kw = {"TableName": table}
    while True:
        out = ddb.scan(**kw)
        for item in out["Items"]:
            s = sum(len(k.encode()) + size(v) for k, v in item.items())
            sizes.append(s)
            pk = next((item[k]["S"] for k in ("pk",) if k in item and "S" in item[k]), None)
            kind = pk.split("#")[0] if pk else "-"
            kinds.setdefault(kind, []).append(s)
        if "LastEvaluatedKey" not in out: break
        kw["ExclusiveStartKey"] = out["LastEvaluatedKey"]
    if sizes:
        print(f"{table}: {len(sizes)} items, mean {statistics.mean(sizes):.0f} B, p90 {sorted(sizes)[int(len(sizes)*.9)]} B, max {max(sizes)} B")
        if len(kinds) > 1:
            for k, v in sorted(kinds.items(), key=lambda kv: -len(kv[1]))[:8]:
                print(f"   {k}: {len(v)} items, mean {statistics.mean(v):.0f} B, max {max(v)} B")
