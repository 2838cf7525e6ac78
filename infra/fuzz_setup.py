"""Signs up an activated account on the local stack and prints its session token.

Usage: fuzz_setup.py API_URL MOTO_URL ROLE. Used by infra/fuzz.sh to authenticate the
schema-driven fuzzing run.
"""
import json
import re
import sys
import time
import urllib.request
import uuid


def call(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def main():
    api, moto, role = sys.argv[1], sys.argv[2], sys.argv[3]
    suffix = uuid.uuid4().hex[:12]
    user = {"username": f"fuzz_{role}_{suffix}", "email": f"fuzz.{role}.{suffix}@example.com",
            "password": "fuzzing password 123", "role": role}
    status, body = call("POST", f"{api}/auth/register", user)
    assert status == 201, body
    for _ in range(100):
        # moto serialises its live models for this and can answer 500 now and then.
        try:
            _, data = call("GET", f"{moto}/moto-api/data.json")
            messages = data["ses"]["Message"]
        except (ValueError, KeyError, TypeError):
            messages = []
        bodies = [m["body"] for m in messages if user["email"] in m["destinations"]["ToAddresses"]]
        if bodies:
            break
        time.sleep(0.1)
    token = re.search(r"token=([A-Za-z0-9_-]+)", bodies[-1]).group(1)
    status, body = call("GET", f"{api}/auth/activate?token={token}")
    assert status == 200, body
    status, body = call("POST", f"{api}/auth/login", {"username": user["username"], "password": user["password"]})
    assert status == 200, body
    print(body["token"])


if __name__ == "__main__":
    main()
