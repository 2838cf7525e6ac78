"""Prepares a schema-driven fuzzing run on the local stack and prints what it needs as
JSON: activated customer and merchant sessions (and a throwaway session of each for
POST /auth/logout), and real resources they own — a goods item of the merchant, an order
of it by the customer, paid through the signed webhook, and the customer's review — so
that every `{goods_id}`, `{order_id}` and `{review_id}` operation reaches its real code,
not only its 404.

Usage: fuzz_setup.py API_URL MOTO_URL. Used by infra/fuzz.sh.
"""
import hashlib
import hmac
import json
import os
import re
import sys
import time
import urllib.request
import uuid


def call(method, url, body=None, token=None, headers=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    all_headers = {"content-type": "application/json", **(headers or {})}
    if token:
        all_headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def activation_token(moto, email):
    for _ in range(100):
        # moto serialises its live models for this and can answer 500 now and then.
        try:
            _, data = call("GET", f"{moto}/moto-api/data.json")
            messages = data["ses"]["Message"]
        except (ValueError, KeyError, TypeError):
            messages = []
        bodies = [m["body"] for m in messages if email in m["destinations"]["ToAddresses"]]
        if bodies:
            return re.search(r"token=([A-Za-z0-9_-]+)", bodies[-1]).group(1)
        time.sleep(0.1)
    raise SystemExit(f"no activation email for {email}")


def signed_up(api, moto, role):
    suffix = uuid.uuid4().hex[:12]
    user = {"username": f"fuzz_{role}_{suffix}", "email": f"fuzz.{role}.{suffix}@example.com",
            "password": "fuzzing password 123", "role": role}
    status, body = call("POST", f"{api}/auth/register", user)
    assert status == 201, body
    status, body = call("GET", f"{api}/auth/activate?token={activation_token(moto, user['email'])}")
    assert status == 200, body
    status, body = call("POST", f"{api}/auth/login", {"username": user["username"], "password": user["password"]})
    assert status == 200, body
    return body["token"], body["user"]["user_id"]


def paid(api, order, token):
    status, payment = call("POST", f"{api}/orders/{order['order_id']}/payments", {"method": "card"}, token)
    assert status in (200, 201), payment
    event = json.dumps({"event_id": f"evt_{uuid.uuid4().hex}", "type": "payment.succeeded",
                        "payment_id": payment["payment_id"], "order_id": order["order_id"],
                        "amount": order["total"], "currency": order["currency"],
                        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}).encode()
    secret = os.environ["LOCAL_PAYMENT_WEBHOOK_SECRETS"].split(",")[0].strip()
    t = str(int(time.time()))
    mac = hmac.new(secret.encode(), f"{t}.".encode() + event, hashlib.sha256).hexdigest()
    status, body = call("POST", f"{api}/payments/webhook", event, headers={"payment-signature": f"t={t},v1={mac}"})
    assert status == 200, body


def main():
    api, moto = sys.argv[1], sys.argv[2]
    customer, _ = signed_up(api, moto, "customer")
    merchant, _ = signed_up(api, moto, "merchant")
    status, goods = call("POST", f"{api}/goods", {"name": "Fuzzing teapot", "description": "cast iron",
                                                  "price": 2500, "category": "Kitchen", "stock": 1000}, merchant)
    assert status == 201, goods
    address = {"recipient": "Li Lei", "phone": "+86 138 0000 0000", "line1": "1 Jianguo Rd",
               "city": "Beijing", "country": "CN"}
    order_body = {"items": [{"goods_id": goods["goods_id"], "quantity": 1}], "shipping_address": address,
                  "payment_method": "card"}
    status, bought = call("POST", f"{api}/orders", order_body, customer)
    assert status == 201, bought
    paid(api, bought, customer)
    status, review = call("POST", f"{api}/goods/{goods['goods_id']}/reviews",
                          {"rating": 5, "comment": "fuzzed and fine"}, customer)
    assert status == 201, review
    # A second, unpaid order: the operations that act on unpaid orders reach their code too.
    status, order = call("POST", f"{api}/orders", order_body, customer)
    assert status == 201, order
    # A saved address, for the address routes' path.
    status, saved = call("POST", f"{api}/me/addresses", dict(address, label="home"), customer)
    assert status == 201, saved
    print(json.dumps({
        "customer": customer, "merchant": merchant,
        "customer_leaving": signed_up(api, moto, "customer")[0],
        "merchant_leaving": signed_up(api, moto, "merchant")[0],
        "goods_id": goods["goods_id"], "order_id": order["order_id"],
        "paid_order_id": bought["order_id"], "review_id": review["review_id"],
        "address_id": saved["address_id"],
    }))


if __name__ == "__main__":
    main()
