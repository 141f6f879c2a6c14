#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/<target>/).

Seeds are valid (or nearly valid) inputs that reach deep into each parser;
libFuzzer mutates from there. Re-run after adding routes: existing files
are overwritten by name, files found by fuzzing (named by hash) are kept.
"""
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
ANON, USER, ADMIN, COOKIE = 0, 1, 2, 3


def put(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def route(name, who, method, target, body=None, headers=()):
    text = f"{method} {target}\n" + "".join(f"{h}\n" for h in headers) + "\n"
    if body is not None:
        text += body if isinstance(body, str) else json.dumps(body)
    put("routes", name, bytes([who]) + text.encode())


addr = {"name": "Ann Lee", "street": "1 Main St", "city": "Springfield", "zip": "12345", "country": "US"}
card = {"type": "card", "card_number": "4242424242424242", "exp_month": 12, "exp_year": 2099, "cvc": "123"}
route("products-list", ANON, "GET", "/api/v1/products?page=1&size=20&min_price=5&max_price=99.99&sort=price_asc&category=1&brand=Acme")
route("product-get", ANON, "GET", "/api/v1/products/1")
route("categories", ANON, "GET", "/api/v1/categories/1")
route("search", ANON, "GET", "/api/v1/search?q=fuzz+product&brand=Acme&min_price=1&max_price=50&min_rating=3&in_stock=true&sort=relevance&page=1&size=10")
route("search-syntax", ANON, "GET", "/api/v1/search?q=%22fuzz%20product%22%20AND%20NOT%20-shoes%20OR%20brand:acme*")
route("suggest", ANON, "GET", "/api/v1/search/suggest?q=fu&limit=5")
route("similar", ANON, "GET", "/api/v1/products/1/similar?limit=3")
route("cart-add", ANON, "POST", "/api/v1/cart/items", {"product_id": "1", "quantity": 2, "selected_options": {"size": "M"}})
route("cart-add-user", USER, "POST", "/api/v1/cart/items", {"product_id": "2", "quantity": 1})
route("cart-get-cookie", COOKIE, "GET", "/api/v1/cart", headers=["Cookie: shopbox_cart=0123456789abcdef0123456789abcdef"])
route("cart-patch", USER, "PATCH", "/api/v1/cart/items/1", {"quantity": 3})
route("cart-delete", USER, "DELETE", "/api/v1/cart/items/1")
route("cart-save", USER, "POST", "/api/v1/cart/items/2/save-for-later", {})
route("cart-token", ANON, "POST", "/api/v1/cart/items", {"product_id": "1", "quantity": 1}, ["X-Cart-Token: 0123456789abcdef0123456789abcdef"])
route("order-create", USER, "POST", "/api/v1/orders",
      {"items": [{"product_id": "1", "quantity": 1}], "shipping_address": addr, "payment_method": card},
      ["Idempotency-Key: fuzz-key-1"])
route("order-cart", USER, "POST", "/api/v1/orders", {"shipping_address": addr, "payment_method": card, "coupon": "X"},
      ["Idempotency-Key: fuzz-key-2"])
route("order-wallet", USER, "POST", "/api/v1/orders",
      {"items": [{"product_id": "2", "quantity": 1}], "shipping_address_id": "1",
       "payment_method": {"type": "wallet", "wallet": "test_wallet"}}, ["Idempotency-Key: fuzz-key-3"])
route("orders-list", USER, "GET", "/api/v1/orders?page=1&size=5")
route("order-cancel", USER, "POST", "/api/v1/orders/ord_s1_1/cancel", {"reason": "changed my mind"})
route("order-return", USER, "POST", "/api/v1/orders/ord_s1_1/returns", {"lines": [{"product_id": "1", "quantity": 1}], "reason": "too big"})
route("register", ANON, "POST", "/api/v1/auth/register", {"email": "a@example.com", "password": "plum-tree-42", "first_name": "A", "last_name": "B"})
route("login", ANON, "POST", "/api/v1/auth/login", {"email": "fuzz@example.com", "password": "fuzz-password-1"})
route("me-patch", USER, "PATCH", "/api/v1/me", {"first_name": "Fuzzy", "phone": "+1 555 0100"})
route("address-add", USER, "POST", "/api/v1/me/addresses", dict(addr, label="home", is_default=True))
route("address-patch", COOKIE, "PATCH", "/api/v1/me/addresses/1", {"city": "Shelbyville"})
route("pm-add", USER, "POST", "/api/v1/me/payment-methods", {"card_number": "4242424242424242", "exp_month": 1, "exp_year": 2030, "cvc": "999", "is_default": True})
route("review-add", USER, "POST", "/api/v1/products/1/reviews", {"rating": 5, "title": "Great", "body": "Works as advertised."})
route("reviews-list", ANON, "GET", "/api/v1/products/1/reviews?sort=helpful&rating=5&page=1&size=10")
route("review-helpful", USER, "POST", "/api/v1/reviews/1/helpful", {"helpful": True})
route("wishlist-add", USER, "POST", "/api/v1/me/wishlist", {"product_id": "3", "notify_price_drop": True, "notify_restock": True})
route("notifications", USER, "POST", "/api/v1/me/notifications/read", {"ids": ["1", "2"]})
route("recs", USER, "GET", "/api/v1/me/recommendations?limit=5")
route("flash-create", ADMIN, "POST", "/api/v1/admin/flash-sales",
      {"product_id": "1", "price": 5, "stock": 10, "starts_at": "2026-01-01T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z", "per_user_limit": 1})
route("flash-join", USER, "POST", "/api/v1/flash-sales/1/join", {})
route("flash-checkout", USER, "POST", "/api/v1/flash-sales/1/checkout",
      {"token": "abc", "shipping_address": addr, "payment_method": card}, ["Idempotency-Key: flash-1"])
route("admin-product", ADMIN, "POST", "/api/v1/admin/products",
      {"name": "Seed", "price": 12.34, "sale_price": "9.99", "sku": "SEED-1", "stock": 5, "brand": "B", "category_id": "1",
       "specifications": {"color": "red"}, "images": ["https://example.com/a.jpg"], "weight_grams": 100, "featured": True})
route("admin-product-patch", ADMIN, "PATCH", "/api/v1/admin/products/1", {"price": 11, "sale_price": None, "description": "d"})
route("admin-category", ADMIN, "POST", "/api/v1/admin/categories", {"name": "Sub", "parent_id": "1"})
route("admin-inventory-put", ADMIN, "PUT", "/api/v1/admin/inventory/1", {"total": 50, "reason": "count"})
route("admin-inventory-patch", ADMIN, "PATCH", "/api/v1/admin/inventory/1", {"delta": -1, "reason": "damaged"})
route("admin-reserve", ADMIN, "POST", "/api/v1/admin/inventory/reservations",
      {"owner": "fuzz", "ttl_seconds": 60, "lines": [{"product_id": "1", "quantity": 1}]})
route("admin-orders", ADMIN, "GET", "/api/v1/admin/orders?status=paid&user=1&page=1&size=10")
route("admin-ship", ADMIN, "POST", "/api/v1/admin/orders/ord_s1_1/ship", {"carrier": "UPS", "tracking_number": "1Z999"})
route("admin-refund", ADMIN, "POST", "/api/v1/admin/orders/ord_s1_1/refunds", {"lines": [{"product_id": "1", "quantity": 1}], "restock": True, "reason": "r"})
route("admin-refund-amount", ADMIN, "POST", "/api/v1/admin/orders/ord_s1_1/refunds", {"amount": 1.5})
route("admin-import-json", ADMIN, "POST", "/api/v1/admin/import?format=json",
      json.dumps([{"name": "Imported", "price": 3, "sku": "IMP-1", "stock": 2, "category": "Home > Kitchen"}]))
route("admin-import-csv", ADMIN, "POST", "/api/v1/admin/import",
      "Handle,Title,Body (HTML),Vendor,Variant SKU,Variant Price,Variant Compare At Price,Variant Inventory Qty,Option1 Name,Option1 Value\n"
      "tee,Tee,<p>Soft</p>,Acme,TEE-S,10.00,12.00,5,Size,S\ntee,,,,TEE-M,10.00,,3,,M\n",
      ["Content-Type: text/csv"])
route("admin-webhooks", ADMIN, "GET", "/api/v1/admin/webhooks/events?type=order.created&page=1")
route("cart-discount", USER, "POST", "/api/v1/cart/discounts", {"code": "FUZZ10"})
route("cart-discount-delete", USER, "DELETE", "/api/v1/cart/discounts/FUZZ10")
route("cart-shipping", USER, "PUT", "/api/v1/cart/shipping", {"country": "US", "state": "WA", "zip": "98101", "shipping_method": "standard"})
route("cart-shipping-options", ANON, "GET", "/api/v1/cart/shipping-options?country=US&state=WA&zip=98101")
route("order-codes", USER, "POST", "/api/v1/orders",
      {"shipping_address": addr, "payment_method": card, "shipping_method": "standard", "discount_codes": ["FUZZ10", "X"]},
      ["Idempotency-Key: fuzz-key-4"])
route("flash-quote", USER, "POST", "/api/v1/flash-sales/1/quote", {"quantity": 1, "shipping_address": addr, "shipping_method": "standard"})
route("admin-discount", ADMIN, "POST", "/api/v1/admin/discounts",
      {"code": "FUZZ10", "name": "Fuzz", "type": "buy_x_get_y", "percent_bp": 10000, "buy_quantity": 2, "get_quantity": 1,
       "scope": "categories", "scope_ids": ["1"], "min_subtotal": 5, "min_quantity": 1, "starts_at": "2026-01-01T00:00:00Z",
       "ends_at": "2030-01-01T00:00:00Z", "first_order_only": False, "customer_ids": ["1"], "usage_limit": 3,
       "per_customer_limit": 1, "combinable": False, "active": True})
route("admin-discount-patch", ADMIN, "PATCH", "/api/v1/admin/discounts/1", {"type": "fixed_amount", "amount": 2.5, "code": None})
route("admin-zone", ADMIN, "POST", "/api/v1/admin/shipping-zones",
      {"name": "Fuzz", "regions": [{"country": "US", "state": "WA", "zip_prefix": "981"}, {"country": "*"}],
       "methods": [{"id": "fz", "name": "W", "type": "weight", "tiers": [{"up_to_grams": 100, "price": 1}], "min_days": 1, "max_days": 2},
                   {"name": "Free", "type": "free_over", "price": 5, "free_over": 50}],
       "tax_rates": [{"name": "T", "rate_bp": 650}, {"name": "Books", "rate_bp": 0, "category_id": "1"}],
       "tax_shipping": True, "prices_include_tax": True})
route("admin-zone-patch", ADMIN, "PATCH", "/api/v1/admin/shipping-zones/1", {"regions": [{"country": "DE"}]})
route("csrf", COOKIE, "POST", "/api/v1/cart/items", {"product_id": "1", "quantity": 1}, ["Origin: https://evil.example"])
route("forwarded", ANON, "GET", "/healthz", headers=["X-Forwarded-For: 203.0.113.7, 10.0.0.1", "X-Forwarded-Proto: https"])
route("image", ANON, "GET", "/images/products/1/main.svg")
# Nesting past the limit (64) and wide objects (base/json_text.h); the
# 150,000-level report itself is tests/fuzz/regressions/routes/.
deep = lambda n: "[" * n + "]" * n
route("deep-flash-address", USER, "POST", "/api/v1/flash-sales/999/checkout",
      '{"token": "t", "shipping_address": {"a": ' + deep(1000) + '}}')
route("deep-order", USER, "POST", "/api/v1/orders", '{"items": ' + deep(65) + '}', ["Idempotency-Key: deep-1"])
route("deep-objects", ADMIN, "PATCH", "/api/v1/admin/products/1", '{"specifications": ' + '{"a":' * 300 + '1' + '}' * 301)
route("wide-cart", USER, "POST", "/api/v1/cart/items", "{" + ",".join(f'"k{i}":[1]' for i in range(300)) + "}")
route("static", ANON, "GET", "/product.html?id=1")

# headers: header lines, blank line, query string
def hdr(name, lines, query, flags=b"\x00\x00"):
    put("headers", name, flags + ("\n".join(lines) + "\n\n" + query).encode())

hdr("cookies", ["Cookie: a=1; shopbox_session=\"abc\"; shopbox_cart=0123456789abcdef", "Authorization: Bearer sbx_00"], "page=2&size=100")
hdr("xff", ["X-Forwarded-For:  198.51.100.4 , 10.0.0.1", "Host: shop.example.com:443", "Origin: https://shop.example.com"], "min_price=0.5&max_price=1000000000", b"\x01\x01")
hdr("referer", ["Referer: http://localhost:3000/cart", "Host: localhost:3000", "Cookie: shopbox_cart=x"], "min_rating=5&q=a%20b%2Bc", b"\x01\x01")
hdr("rates", ["X-Forwarded-Proto: https"], "spec=30%2Fmin+100%2Fs+off&r=10%2F15min&money=-3.50&id=000123")

# import: byte 0 even = CSV, odd = JSON
tpl = os.path.join(here, "..", "data", "shopify_product_template.csv")
if os.path.exists(tpl):
    put("import", "shopify-template", b"\x00" + open(tpl, "rb").read())
put("import", "csv-quoted", b"\x00Handle,Title,Body (HTML),Variant Price,Variant SKU\n"
    b"\"a,b\",\"Multi\nline \"\"quoted\"\"\",\"<b>x</b>\",1.50,S1\n")
put("import", "json-items", b"\x01" + json.dumps([
    {"name": "J1", "price": 1.25, "sku": "J-1", "stock": 3, "category": "A/B/C", "specifications": {"k": "v"},
     "images": ["https://example.com/i.png"], "sale_price": 1, "featured": False},
    {"name": "J2", "price": "2.00", "sku": "J-2", "category_id": "1", "weight_grams": 5}], indent=1).encode())

put("import", "json-deep", b"\x01" + ('[{"name": "D", "price": 1, "specifications": ' + "[" * 1500 + "]" * 1500 + "}]").encode())

# config: TOML
# (corpus/config/default is every setting of `shopbox config`, uncommented.)
put("config", "small", b'[server]\nport = 8080\nthreads = 8\n\n[shop]\ncurrency = "EUR"\ntax_rate_bp = 2000\n'
    b'[rate_limit]\ncheckout = "20/min 1000/min off"\n')

# search: byte 0 sort/flags, byte 1 page/size, then the text
for i, q in enumerate(["red running shoes", "\"green tea\" -socks", "brand:acme OR kettle*", "runing shoos",
                       "usb-c AND (cable NOT 3m)", "stainless~ +steel"]):
    put("search", f"q{i}", bytes([i * 37 % 256, i * 11 % 256]) + q.encode())
put("config", "deep-array", ("[server]\nlisten = " + "[" * 1000 + "]" * 1000 + "\n").encode())
put("config", "deep-inline-table", ("[server]\nlisten = " + "{a = " * 300 + "1" + " }" * 300 + "\n").encode())
print("seeds written under", os.path.join(here, "corpus"))
