"""Writes the API Gateway v2 events under events/ (run from the repository root).

Handler tests load these; `cargo lambda invoke <function> --data-file events/<function>/valid.json`
accepts them. Edit here and re-run rather than editing the JSON by hand.
"""
import json, os
from urllib.parse import quote
def event(method, path, body=None, headers=None, query=None, path_params=None, route=None):
    h = {"host": "127.0.0.1:3000", "user-agent": "curl/8.5.0"}
    if body is not None: h["content-type"] = "application/json"
    h.update(headers or {})
    route = route or f"{method} {path}"
    qs = "&".join(f"{k}={quote(v, safe='')}" for k, v in (query or {}).items())
    e = {
        "version": "2.0", "routeKey": route, "rawPath": path, "rawQueryString": qs,
        "headers": h,
        "requestContext": {
            "accountId": "000000000000", "apiId": "local", "domainName": "127.0.0.1:3000",
            "domainPrefix": "127",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "curl/8.5.0"},
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "routeKey": route,
            "stage": "$default", "time": "25/Nov/2026:12:00:00 +0000", "timeEpoch": 1795608000000,
        },
        "isBase64Encoded": False,
    }
    if query: e["queryStringParameters"] = query
    if path_params: e["pathParameters"] = path_params
    if body is not None: e["body"] = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return e
def write(fn, name, e):
    os.makedirs(f"events/{fn}", exist_ok=True)
    json.dump(e, open(f"events/{fn}/{name}.json", "w"), indent=2, ensure_ascii=False); open(f"events/{fn}/{name}.json","a").write("\n")
TOKEN = "Bearer q3Xh0Yk2o7C4uW1nB8dE5fG6hJ9kL0mN1pQ2rS3tU4v"
write("register", "valid", event("POST", "/auth/register", {"username": "li_lei", "email": "li.lei@example.com", "password": "correct horse battery", "role": "customer"}))
write("register", "invalid-fields", event("POST", "/auth/register", {"username": "x", "email": "not-an-email", "password": "short"}))
write("register", "unknown-role", event("POST", "/auth/register", {"username": "li_lei", "email": "li.lei@example.com", "password": "correct horse battery", "role": "admin"}))
write("register", "malformed-json", event("POST", "/auth/register", '{"username": "li_lei", '))
write("activate", "valid", event("GET", "/auth/activate", query={"token": "q3Xh0Yk2o7C4uW1nB8dE5fG6hJ9kL0mN1pQ2rS3tU4v"}))
write("activate", "missing-token", event("GET", "/auth/activate"))
write("resend-activation", "valid", event("POST", "/auth/activation-email", {"email": "li.lei@example.com"}))
write("resend-activation", "invalid-email", event("POST", "/auth/activation-email", {"email": "nobody"}))
write("login", "valid", event("POST", "/auth/login", {"username": "li_lei", "password": "correct horse battery"}))
write("login", "missing-password", event("POST", "/auth/login", {"username": "li_lei"}))
write("logout", "valid", event("POST", "/auth/logout", headers={"authorization": TOKEN}))
write("logout", "no-session", event("POST", "/auth/logout"))
write("me", "valid", event("GET", "/me", headers={"authorization": TOKEN}))
write("me", "no-session", event("GET", "/me"))
write("me", "malformed-token", event("GET", "/me", headers={"cookie": "session=not-a-token"}))
GOODS = "01JDQ7X8Z3N2V5K6W9Y0A1B2C3"
new = {"name": "无线蓝牙耳机 Wireless Bluetooth Headphones", "description": "Bluetooth 5.3, 30 hours of battery.", "price": 19900, "currency": "CNY", "category": "Electronics", "stock": 50, "images": ["https://img.example.com/headphones.jpg"]}
write("create-goods", "valid", event("POST", "/goods", new, headers={"authorization": TOKEN}))
write("create-goods", "no-session", event("POST", "/goods", new))
write("get-goods", "valid", event("GET", f"/goods/{GOODS}", path_params={"goods_id": GOODS}, route="GET /goods/{goods_id}", headers={"authorization": TOKEN}))
write("get-goods", "malformed-id", event("GET", "/goods/not-an-id", path_params={"goods_id": "not-an-id"}, route="GET /goods/{goods_id}"))
write("update-goods", "valid", event("PATCH", f"/goods/{GOODS}", {"price": 17900, "stock": 40}, path_params={"goods_id": GOODS}, route="PATCH /goods/{goods_id}", headers={"authorization": TOKEN}))
write("delete-goods", "valid", event("DELETE", f"/goods/{GOODS}", path_params={"goods_id": GOODS}, route="DELETE /goods/{goods_id}", headers={"authorization": TOKEN}))
write("list-goods", "valid", event("GET", "/goods", query={"category": "Electronics", "max_price": "50000", "limit": "20"}))
write("list-goods", "invalid-filters", event("GET", "/goods", query={"min_price": "-5", "limit": "1000", "merchant_id": "nobody"}))
write("get-cart", "valid", event("GET", "/cart", headers={"authorization": TOKEN}))
write("get-cart", "no-session", event("GET", "/cart"))
write("put-cart-item", "valid", event("PUT", f"/cart/items/{GOODS}", {"quantity": 2}, path_params={"goods_id": GOODS}, route="PUT /cart/items/{goods_id}", headers={"authorization": TOKEN}))
write("delete-cart-item", "valid", event("DELETE", f"/cart/items/{GOODS}", path_params={"goods_id": GOODS}, route="DELETE /cart/items/{goods_id}", headers={"authorization": TOKEN}))
ORDER = "01JDQ8A1B2C3D4E5F6G7H8J9K0"
ADDRESS = {"recipient": "李雷", "phone": "+86 138 0000 0000", "line1": "建国路 1 号", "city": "北京", "postal_code": "100000", "country": "CN"}
write("place-order", "valid", event("POST", "/orders", {"items": [{"goods_id": GOODS, "quantity": 1}], "shipping_address": ADDRESS, "payment_method": "alipay"}, headers={"authorization": TOKEN, "idempotency-key": "order-2026-11-25-0001"}))
write("place-order", "from-cart", event("POST", "/orders", {"shipping_address": ADDRESS, "payment_method": "wechat_pay"}, headers={"authorization": TOKEN}))
write("get-order", "valid", event("GET", f"/orders/{ORDER}", path_params={"order_id": ORDER}, route="GET /orders/{order_id}", headers={"authorization": TOKEN}))
write("list-orders", "valid", event("GET", "/orders", query={"limit": "10"}, headers={"authorization": TOKEN}))
write("cancel-order", "valid", event("POST", f"/orders/{ORDER}/cancel", path_params={"order_id": ORDER}, route="POST /orders/{order_id}/cancel", headers={"authorization": TOKEN}))
write("create-payment", "valid", event("POST", f"/orders/{ORDER}/payments", {"method": "alipay"}, path_params={"order_id": ORDER}, route="POST /orders/{order_id}/payments", headers={"authorization": TOKEN}))
WEBHOOK = {"event_id": "evt_01JDQ8A1B2C3D4E5F6G7H8J9K0", "type": "payment.succeeded", "payment_id": "01JDQ8B1B2C3D4E5F6G7H8J9K0", "order_id": ORDER, "amount": 19900, "currency": "CNY", "created_at": "2026-11-25T12:00:00Z"}
write("payment-webhook", "unsigned", event("POST", "/payments/webhook", WEBHOOK))
write("payment-webhook", "valid", event("POST", "/payments/webhook", WEBHOOK, headers={"payment-signature": "t=1795608000,v1=0000000000000000000000000000000000000000000000000000000000000000"}))
write("list-merchant-orders", "valid", event("GET", "/merchant/orders", query={"status": "paid"}, headers={"authorization": TOKEN}))
write("ship-order", "valid", event("POST", f"/orders/{ORDER}/ship", {"carrier": "SF Express", "tracking_number": "SF1234567890"}, path_params={"order_id": ORDER}, route="POST /orders/{order_id}/ship", headers={"authorization": TOKEN}))
write("confirm-delivery", "valid", event("POST", f"/orders/{ORDER}/confirm-delivery", path_params={"order_id": ORDER}, route="POST /orders/{order_id}/confirm-delivery", headers={"authorization": TOKEN}))
def scheduled(function, rule, event_id):
    os.makedirs(f"events/{function}", exist_ok=True)
    with open(f"events/{function}/valid.json", "w") as out:
        json.dump({"version": "0", "id": event_id, "detail-type": "Scheduled Event", "source": "aws.events",
                   "account": "123456789012", "time": "2026-11-25T12:00:00Z", "region": "us-east-1",
                   "resources": [f"arn:aws:events:us-east-1:123456789012:rule/{rule}"], "detail": {}}, out, indent=2)
        out.write("\n")
scheduled("expire-orders", "ExpireOrdersFunction", "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa")
scheduled("fit-similarity", "FitSimilarityFunction", "7a1f3c52-4e0b-4b8e-9d6a-2f4c8e1b5a90")
REVIEW = "01JDQ9A1B2C3D4E5F6G7H8J9K0"
write("create-review", "valid", event("POST", f"/goods/{GOODS}/reviews", {"rating": 5, "comment": "音质很好 Great sound"}, path_params={"goods_id": GOODS}, route="POST /goods/{goods_id}/reviews", headers={"authorization": TOKEN}))
write("list-reviews", "valid", event("GET", f"/goods/{GOODS}/reviews", query={"limit": "10"}, path_params={"goods_id": GOODS}, route="GET /goods/{goods_id}/reviews"))
write("reply-review", "valid", event("POST", f"/reviews/{REVIEW}/reply", {"reply": "谢谢 Thank you"}, path_params={"review_id": REVIEW}, route="POST /reviews/{review_id}/reply", headers={"authorization": TOKEN}))
def sqs(records):
    return {"Records": [{
        "messageId": mid, "receiptHandle": f"rh-{mid}", "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1795608000000"},
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{queue}", "awsRegion": "us-east-1",
    } for mid, queue, body in records]}
def envelope(kind, goods, user=None, data=None, event_id="01JDQ9Z1B2C3D4E5F6G7H8J9K0"):
    e = {"event_id": event_id, "type": kind, "occurred_at": "2026-11-25T12:00:00Z", "goods_id": goods, "data": data or {}}
    if user: e["user_id"] = user
    return json.dumps(e)
def write_raw(fn, name, e):
    os.makedirs(f"events/{fn}", exist_ok=True)
    json.dump(e, open(f"events/{fn}/{name}.json", "w"), indent=2, ensure_ascii=False); open(f"events/{fn}/{name}.json","a").write("\n")
# index-goods, request-refunds and relay-purchases read DynamoDB stream batches: their
# events/<function>/valid.json are written by hand.
write("search", "valid", event("GET", "/search", query={"q": "蓝牙耳机 headphones", "category": "Electronics", "max_price": "50000", "limit": "10"}))
write("search", "empty-query", event("GET", "/search", query={"q": "   "}))
write("suggest", "valid", event("GET", "/search/suggest", query={"q": "wireless blu", "limit": "8"}))
write("suggest", "empty-query", event("GET", "/search/suggest", query={"q": ""}))
write("suggest", "limit-too-high", event("GET", "/search/suggest", query={"q": "blu", "limit": "50"}))
USER = "01JDQ7W1B2C3D4E5F6G7H8J9K0"
write_raw("learn-similarity", "valid", sqs([
    ("view", "EventsQueue", envelope("view", GOODS, user=USER, event_id="01JDQ9Z1B2C3D4E5F6G7H8J9K2")),
    ("purchase", "EventsQueue", envelope("purchase", GOODS, user=USER, data={"order_id": ORDER, "quantity": 1}, event_id="01JDQ9Z1B2C3D4E5F6G7H8J9K3")),
]))
write_raw("learn-similarity", "malformed", sqs([
    ("not-json", "EventsQueue", "{not json"),
    ("goods-change", "EventsQueue", envelope("goods.created", GOODS)),
    ("no-user", "EventsQueue", envelope("view", GOODS)),
    ("bad-time", "EventsQueue", envelope("view", GOODS, user=USER).replace("2026-11-25T12:00:00Z", "yesterday")),
]))
write("recommend", "valid", event("GET", "/recommendations", query={"strategy": "auto", "limit": "10"}, headers={"authorization": TOKEN}))
write("recommend", "no-session", event("GET", "/recommendations"))
write("similar-goods", "valid", event("GET", f"/goods/{GOODS}/similar", query={"limit": "10"}, path_params={"goods_id": GOODS}, route="GET /goods/{goods_id}/similar"))
write("similar-goods", "malformed-id", event("GET", "/goods/not-an-id/similar", path_params={"goods_id": "not-an-id"}, route="GET /goods/{goods_id}/similar"))
ADDRESS = {"recipient": "李雷", "phone": "+86 138 0000 0000", "line1": "朝阳区建国路 1 号", "city": "北京", "postal_code": "100000", "country": "CN"}
ADDRESS_ID = "01JDQ8A1B2C3D4E5F6G7H8J9K0"
write("update-me", "valid", event("PATCH", "/me", {"display_name": "李雷 Li Lei"}, headers={"authorization": TOKEN}))
write("update-me", "no-session", event("PATCH", "/me", {"display_name": "李雷"}))
write("change-password", "valid", event("POST", "/me/password", {"current_password": "correct horse battery", "new_password": "a brand new staple for the horse"}, headers={"authorization": TOKEN}))
write("change-password", "no-session", event("POST", "/me/password", {"current_password": "correct horse battery", "new_password": "a brand new staple for the horse"}))
write("logout-all", "valid", event("POST", "/auth/logout-all", headers={"authorization": TOKEN}))
write("logout-all", "no-session", event("POST", "/auth/logout-all"))
write("request-password-reset", "valid", event("POST", "/auth/password-reset", {"email": "li.lei@example.com"}))
write("request-password-reset", "invalid-email", event("POST", "/auth/password-reset", {"email": "nobody"}))
write("reset-password", "valid", event("POST", "/auth/password-reset/confirm", {"token": "q3Xh0Yk2o7C4uW1nB8dE5fG6hJ9kL0mN1pQ2rS3tU4v", "new_password": "a brand new staple for the horse"}))
write("reset-password", "missing-token", event("POST", "/auth/password-reset/confirm", {"new_password": "a brand new staple for the horse"}))
write("request-email-change", "valid", event("POST", "/me/email", {"new_email": "lei.li@example.com", "password": "correct horse battery"}, headers={"authorization": TOKEN}))
write("request-email-change", "no-session", event("POST", "/me/email", {"new_email": "lei.li@example.com", "password": "correct horse battery"}))
write("confirm-email-change", "valid", event("POST", "/auth/email-change/confirm", {"token": "q3Xh0Yk2o7C4uW1nB8dE5fG6hJ9kL0mN1pQ2rS3tU4v"}))
write("confirm-email-change", "unknown-field", event("POST", "/auth/email-change/confirm", {"token": "q3Xh0Yk2o7C4uW1nB8dE5fG6hJ9kL0mN1pQ2rS3tU4v", "email": "lei.li@example.com"}))
write("list-addresses", "valid", event("GET", "/me/addresses", headers={"authorization": TOKEN}))
write("list-addresses", "no-session", event("GET", "/me/addresses"))
write("create-address", "valid", event("POST", "/me/addresses", dict(ADDRESS, label="家"), headers={"authorization": TOKEN}))
write("create-address", "no-session", event("POST", "/me/addresses", ADDRESS))
write("delete-address", "valid", event("DELETE", f"/me/addresses/{ADDRESS_ID}", headers={"authorization": TOKEN}, path_params={"address_id": ADDRESS_ID}, route="DELETE /me/addresses/{address_id}"))
write("delete-address", "no-session", event("DELETE", f"/me/addresses/{ADDRESS_ID}", path_params={"address_id": ADDRESS_ID}, route="DELETE /me/addresses/{address_id}"))
def reset_request(email, event_id):
    return json.dumps({"event_id": event_id, "type": "account.password_reset_requested", "occurred_at": "2026-11-25T12:00:00Z", "data": {"email": email}})
write_raw("send-password-reset", "valid", sqs([("reset", "PasswordResetQueue", reset_request("li.lei@example.com", "01JDQ9Z1B2C3D4E5F6G7H8J9K4"))]))
write_raw("send-password-reset", "malformed", sqs([
    ("not-json", "PasswordResetQueue", "{not json"),
    ("not-a-reset", "PasswordResetQueue", envelope("view", GOODS, user=USER)),
]))
IMAGE = "01JDQ9A1B2C3D4E5F6G7H8J9K4"
write("upload-image", "valid", event("POST", f"/goods/{GOODS}/images", {"content_type": "image/png", "content_length": 48213}, path_params={"goods_id": GOODS}, route="POST /goods/{goods_id}/images", headers={"authorization": TOKEN}))
write("upload-image", "no-session", event("POST", f"/goods/{GOODS}/images", {"content_type": "image/png", "content_length": 48213}, path_params={"goods_id": GOODS}, route="POST /goods/{goods_id}/images"))
write("delete-image", "valid", event("DELETE", f"/goods/{GOODS}/images/{IMAGE}", path_params={"goods_id": GOODS, "image_id": IMAGE}, route="DELETE /goods/{goods_id}/images/{image_id}", headers={"authorization": TOKEN}))
write("delete-image", "no-session", event("DELETE", f"/goods/{GOODS}/images/{IMAGE}", path_params={"goods_id": GOODS, "image_id": IMAGE}, route="DELETE /goods/{goods_id}/images/{image_id}"))
def s3_notification(key, name="ObjectCreated:Post", size=48213):
    return json.dumps({"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2026-11-25T12:00:00.000Z", "eventName": name,
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "uploads",
               "bucket": {"name": "shop-images-123456789012", "arn": "arn:aws:s3:::shop-images-123456789012"},
               "object": {"key": key, "size": size}}}]})
write_raw("process-image", "valid", sqs([("upload", "ImageUploadsQueue", s3_notification(f"uploads/{GOODS}/{IMAGE}"))]))
write_raw("process-image", "malformed", sqs([
    ("not-json", "ImageUploadsQueue", "{not json"),
    ("test-event", "ImageUploadsQueue", json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "shop-images-123456789012"})),
]))
