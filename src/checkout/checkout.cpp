#include "checkout/checkout.h"

#include <chrono>
#include <limits>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "app.h"
#include "base/clock.h"
#include "base/crypto.h"
#include "base/json_text.h"
#include "base/money.h"
#include "base/request_fields.h"
#include "cart/cart.h"
#include "catalog/catalog.h"
#include "cluster/cluster.h"
#include "events/outbox.h"
#include "inventory/inventory.h"
#include "orders/order_json.h"
#include "orders/orders.h"
#include "payments/gateway.h"
#include "pricing/pricing.h"
#include "storage/order_store.h"
#include "storage/user_store.h"
#include "users/addresses.h"

namespace shopbox {
using json = nlohmann::json;

namespace {

CheckoutResponse error_response(const Status& st) {
  int code = 500;
  switch (st.kind()) {
    case Kind::invalid:
      code = 400;
      break;
    case Kind::unauthorized:
      code = 401;
      break;
    case Kind::payment_failed:
      code = 402;
      break;
    case Kind::forbidden:
      code = 403;
      break;
    case Kind::not_found:
      code = 404;
      break;
    case Kind::conflict:
      code = 409;
      break;
    case Kind::too_large:
      code = 413;
      break;
    case Kind::unprocessable:
      code = 422;
      break;
    case Kind::rate_limited:
      code = 429;
      break;
    case Kind::unavailable:
      code = st.code() == "storage_full" ? 507 : 503;
      break;  // as http::send_error
    default:
      code = 500;
  }
  json details = st.details().is_null() ? json::object() : st.details();
  return {code, {{"error", {{"code", st.code()}, {"message", st.message()}, {"details", details}}}}, false};
}

struct Line {
  int64_t product_id = 0;
  int64_t quantity = 0;
  std::string name, sku, image;
  Cents unit_price = 0;
};

struct Parsed {
  bool from_cart = true;
  std::vector<std::pair<int64_t, int64_t>> items;  // explicit lines
  json shipping, billing;
  json canonical;  // what the request hash covers (no card number)
  // payment
  std::string pm_type;  // card | wallet
  CardInput card;       // inline card (type card, no token)
  std::string token;    // saved or given token
  std::string wallet;
  bool saved_method = false;  // payment_method_id: one of the caller's own saved methods
};

Result<int64_t> get_int(const json& obj, const char* field, int64_t lo, int64_t hi, const std::string& path) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return field_error(path, path + " is required");
  int64_t v = 0;
  if (it->is_number_integer())
    v = it->get<int64_t>();
  else if (it->is_string()) {
    auto s = it->get<std::string>();
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos)
      return field_error(path, path + " must be an integer");
    v = std::stoll(s);
  } else
    return field_error(path, path + " must be an integer");
  if (v < lo || v > hi) return field_error(path, path + " must be " + std::to_string(lo) + ".." + std::to_string(hi));
  return v;
}

Result<Parsed> parse_request(App& app, int64_t user_id, const json& b) {
  Parsed p;
  if (auto st =
          only_fields(b, {"items", "cart_id", "shipping_address", "shipping_address_id", "billing_address",
                          "billing_address_id", "payment_method", "payment_method_id", "shipping_method", "notes"});
      !st.ok())
    return st;

  // Lines: explicit items, else the cart.
  if (auto it = b.find("items"); it != b.end() && !it->is_null()) {
    if (!it->is_array()) return field_error("items", "items must be an array of {product_id, quantity}");
    if (it->empty()) return field_error("items", "items must not be empty");
    if (it->size() > Checkout::kMaxLines)
      return field_error("items", "at most " + std::to_string(Checkout::kMaxLines) + " lines per order");
    p.from_cart = false;
    std::set<int64_t> seen;
    for (size_t i = 0; i < it->size(); ++i) {
      const json& l = (*it)[i];
      std::string path = "items[" + std::to_string(i) + "]";
      if (!l.is_object()) return field_error(path, path + " must be an object");
      auto pid = get_int(l, "product_id", 1, INT64_MAX / 2, path + ".product_id");
      if (!pid.ok()) return pid.status();
      auto qty = get_int(l, "quantity", 1, app.config.max_quantity_per_line, path + ".quantity");
      if (!qty.ok()) return qty.status();
      if (!seen.insert(*pid).second) return field_error(path, "product " + std::to_string(*pid) + " appears twice");
      p.items.push_back({*pid, *qty});
    }
    json canon = json::array();
    for (auto& [id, q] : p.items) canon.push_back({id, q});
    p.canonical["items"] = canon;
  } else {
    p.canonical["items"] = "cart";
  }

  // Addresses.
  auto load_address = [&](const char* inline_field, const char* id_field, bool required) -> Result<json> {
    auto inl = b.find(inline_field);
    auto idf = b.find(id_field);
    bool has_inline = inl != b.end() && !inl->is_null();
    bool has_id = idf != b.end() && !idf->is_null();
    if (has_inline && has_id)
      return field_error(inline_field, std::string("give ") + inline_field + " or " + id_field + ", not both");
    if (has_inline) return inline_address_from_json(*inl, inline_field);
    if (has_id) {
      auto aid = get_int(b, id_field, 1, INT64_MAX / 2, id_field);
      if (!aid.ok()) return aid.status();
      std::optional<Address> a;
      Status read = app.db->read([&](Connection& c) {
        a = user_store::get_address(c, user_id, *aid);
        return Status::Ok();
      });
      if (!read.ok()) return read;  // a database error is not "no such address"
      if (!a)
        return Status(Kind::invalid, "invalid_address", std::string(id_field) + ": no such address",
                      {{"field", id_field}});
      return address_snapshot(*a);
    }
    if (required) return field_error(inline_field, std::string(inline_field) + " or " + id_field + " is required");
    return json(nullptr);
  };
  auto ship = load_address("shipping_address", "shipping_address_id", true);
  if (!ship.ok()) return ship.status();
  p.shipping = *ship;
  auto bill = load_address("billing_address", "billing_address_id", false);
  if (!bill.ok()) return bill.status();
  p.billing = bill->is_null() ? p.shipping : *bill;
  p.canonical["shipping_address"] = p.shipping;
  p.canonical["billing_address"] = p.billing;
  if (auto sm = b.find("shipping_method"); sm != b.end() && !sm->is_null()) {
    if (!sm->is_string() || (sm->get<std::string>() != "standard"))
      return field_error("shipping_method", "shipping_method must be \"standard\"");
  }

  // Payment method.
  auto pm = b.find("payment_method");
  auto pmid = b.find("payment_method_id");
  bool has_pm = pm != b.end() && !pm->is_null();
  bool has_pmid = pmid != b.end() && !pmid->is_null();
  if (has_pm == has_pmid)
    return field_error("payment_method", "give payment_method or payment_method_id (exactly one)");
  if (has_pmid) {
    auto id = get_int(b, "payment_method_id", 1, INT64_MAX / 2, "payment_method_id");
    if (!id.ok()) return id.status();
    std::optional<PaymentMethod> m;
    Status read = app.db->read([&](Connection& c) {
      m = user_store::get_payment_method(c, user_id, *id);
      return Status::Ok();
    });
    if (!read.ok()) return read;
    if (!m)
      return Status(Kind::invalid, "invalid_payment_method", "payment_method_id: no such payment method",
                    {{"field", "payment_method_id"}});
    p.pm_type = m->type == "wallet" ? "wallet" : "card";
    if (p.pm_type == "wallet")
      p.wallet = m->token.empty() ? m->brand : m->token;
    else
      p.token = m->token;
    p.canonical["payment_method_id"] = *id;
    p.saved_method = true;
  } else {
    if (!pm->is_object()) return field_error("payment_method", "payment_method must be an object");
    // A misspelt key ("ttpe") is an error, as at the top level: silently
    // defaulting the type would charge in a way the client did not ask for.
    if (auto st = only_fields(*pm, {"type", "card_number", "exp_month", "exp_year", "cvc", "token", "wallet"},
                              "payment_method.");
        !st.ok())
      return st;
    // find(), never operator[]: on a const object, [] with a missing key
    // reads freed memory (a fuzzer found {"ttpe": "card"}).
    auto type_it = pm->find("type");
    bool has_type = type_it != pm->end() && !type_it->is_null();
    if (has_type && !type_it->is_string()) return field_error("payment_method.type", "type must be a string");
    std::string type = has_type ? type_it->get<std::string>() : "card";
    if (type == "credit_card") type = "card";
    if (type == "card") {
      p.pm_type = "card";
      if (auto t = pm->find("token"); t != pm->end() && t->is_string()) {
        p.token = t->get<std::string>();
        p.canonical["payment_method"] = {{"type", "card"}, {"token", p.token}};
      } else {
        auto num = pm->find("card_number");
        if (num == pm->end() || !num->is_string())
          return Status(Kind::invalid, "invalid_card", "payment_method.card_number is required (a string)",
                        {{"field", "card_number"}});
        auto m = get_int(*pm, "exp_month", 1, 12, "payment_method.exp_month");
        if (!m.ok()) return Status(Kind::invalid, "invalid_card", m.status().message(), {{"field", "exp_month"}});
        auto y = get_int(*pm, "exp_year", 0, 9999, "payment_method.exp_year");
        if (!y.ok()) return Status(Kind::invalid, "invalid_card", y.status().message(), {{"field", "exp_year"}});
        auto cvc = pm->find("cvc");
        std::string cvc_s;
        if (cvc != pm->end() && cvc->is_string())
          cvc_s = cvc->get<std::string>();
        else if (cvc != pm->end() && cvc->is_number_integer())
          cvc_s = std::to_string(cvc->get<int64_t>());
        p.card = {num->get<std::string>(), static_cast<int>(*m), static_cast<int>(*y), cvc_s};
        // The hash covers the card by its last four and expiry: a raw card
        // number (or a hash of one) is never stored.
        std::string digits;
        for (char ch : p.card.number)
          if (ch >= '0' && ch <= '9') digits.push_back(ch);
        p.canonical["payment_method"] = {{"type", "card"},
                                         {"last4", digits.size() >= 4 ? digits.substr(digits.size() - 4) : digits},
                                         {"len", digits.size()},
                                         {"exp_month", *m},
                                         {"exp_year", *y}};
      }
    } else if (type == "wallet") {
      p.pm_type = "wallet";
      auto w = pm->find("wallet");
      if (w == pm->end() || !w->is_string() || w->get<std::string>().empty())
        return field_error("payment_method.wallet", "payment_method.wallet is required for type wallet");
      p.wallet = w->get<std::string>();
      p.canonical["payment_method"] = {{"type", "wallet"}, {"wallet", p.wallet}};
    } else {
      return Status(Kind::invalid, "invalid_payment_method", "payment_method.type must be card or wallet",
                    {{"field", "payment_method.type"}});
    }
  }
  return p;
}

bool valid_key(const std::string& k) {
  if (k.empty() || k.size() > 255) return false;
  for (unsigned char ch : k)
    if (ch < 0x21 || ch > 0x7e) return false;
  return true;
}

}  // namespace

CheckoutResponse Checkout::place_order(const CheckoutRequest& req) {
  try {
    return run(req);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "checkout: unexpected error: %s\n", e.what());
    return error_response(Status::Internal("checkout failed unexpectedly"));
  }
}

CheckoutResponse Checkout::run(const CheckoutRequest& req) {
  App& app = app_;
  if (req.idempotency_key.empty())
    return error_response(Status(Kind::invalid, "idempotency_key_required",
                                 "the Idempotency-Key header is required for POST /api/v1/orders"));
  if (!valid_key(req.idempotency_key))
    return error_response(
        Status(Kind::invalid, "invalid_idempotency_key", "Idempotency-Key must be 1-255 printable ASCII characters"));
  auto parsed_body = parse_json_text(req.body.empty() ? std::string_view("{}") : std::string_view(req.body));
  if (!parsed_body.ok())
    return error_response(Status(Kind::invalid, "invalid_json", "request body: " + parsed_body.status().message(),
                                 parsed_body.status().details()));
  json body = std::move(*parsed_body);
  if (!body.is_object())
    return error_response(Status(Kind::invalid, "invalid_json", "request body must be a JSON object"));
  auto parsed = parse_request(app, req.user_id, body);
  if (!parsed.ok()) return error_response(parsed.status());
  Parsed& p = *parsed;
  const std::string hash = sha256_hex(p.canonical.dump());

  // 1. Idempotency: replay, mismatch, or wait for a request still running.
  auto check_existing = [&](bool& found) -> CheckoutResponse {
    found = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kIdempotencyWaitSeconds);
    while (true) {
      std::optional<IdempotencyRecord> rec;
      Status read = app.db->read([&](Connection& c) {
        rec = order_store::get_idempotency(c, req.user_id, req.idempotency_key);
        return Status::Ok();
      });
      if (!read.ok()) {
        found = true;  // cannot tell: answer the error rather than charge twice
        return error_response(read);
      }
      if (!rec) return {};
      found = true;
      if (rec->request_hash != hash)
        return error_response(Status(Kind::unprocessable, "idempotency_key_reused",
                                     "this Idempotency-Key was used with a different request body"));
      if (rec->status == "completed") {
        json stored = json::parse(rec->response_body, nullptr, false);
        return {rec->response_status, stored.is_discarded() ? json::object() : stored, true};
      }
      if (std::chrono::steady_clock::now() > deadline)
        return error_response(
            Status::Conflict("idempotency_key_in_progress",
                             "a request with this Idempotency-Key is still being processed; retry shortly"));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  };
  bool found = false;
  if (auto r = check_existing(found); found) return r;

  // 2. Fraud velocity (user, IP) over the last hour.
  int64_t since = now_seconds() - kVelocityWindowSeconds;
  auto velocity = [&](const char* column, const std::string& value, int limit, const char* rule) -> Status {
    if (limit <= 0 || value.empty()) return Status::Ok();
    int64_t n = 0;
    Status read = app.db->read([&](Connection& c) {
      n = order_store::count_orders_by(c, column, value, since);
      return Status::Ok();
    });
    if (!read.ok()) return read;
    if (n >= limit)
      return Status(Kind::rate_limited, "velocity_limit_exceeded",
                    std::string("too many orders in the last hour (") + rule + ")",
                    {{"rule", rule}, {"limit", limit}, {"window_seconds", kVelocityWindowSeconds}});
    return Status::Ok();
  };
  if (auto st =
          velocity("user_id", std::to_string(req.user_id), app.config.max_orders_per_user_hour, "orders_per_user_hour");
      !st.ok())
    return error_response(st);
  if (auto st = velocity("client_ip", req.client_ip, app.config.max_orders_per_ip_hour, "orders_per_ip_hour"); !st.ok())
    return error_response(st);

  // 3. Lines and prices.
  const std::string owner = "u:" + std::to_string(req.user_id);
  std::vector<Line> lines;
  if (p.from_cart) {
    auto cart = app.cart->get(owner);
    if (!cart.ok()) return error_response(cart.status());
    for (const auto& l : cart->items) {
      if (l.unavailable && !l.exists) continue;  // deleted product: not purchasable
      if (l.unavailable) {
        // Out of stock: let the reservation report it as 409.
      }
      lines.push_back({l.line.product_id, l.line.quantity, l.name, l.sku, l.image, l.unit_price});
    }
    if (lines.empty()) return error_response(Status(Kind::unprocessable, "cart_empty", "the cart has nothing to buy"));
  } else {
    for (auto& [id, q] : p.items) {
      auto prod = app.catalog->product(id);
      if (!prod.ok())
        return error_response(Status(Kind::invalid, "unknown_product",
                                     "product " + std::to_string(id) + " does not exist",
                                     {{"field", "items"}, {"product_id", std::to_string(id)}}));
      lines.push_back({id, q, prod->name, prod->sku, prod->image_url(), prod->final_price()});
    }
  }
  Cents subtotal = 0;
  for (const auto& l : lines) subtotal += l.unit_price * l.quantity;
  Totals totals = price_order(subtotal, 0, app.config);
  if (totals.total <= 0)
    return error_response(Status(Kind::unprocessable, "nothing_to_charge", "the order total is zero"));

  // 4. Payment source (tokenize an inline card; the number stops here).
  PaymentSource source;
  json pm_summary;
  std::string fingerprint;
  source.type = p.pm_type;
  if (p.pm_type == "card") {
    bool token_given = !p.token.empty() && !p.saved_method;
    if (!token_given) {
      auto tok = app.payments->tokenize(p.card, card_owner(req.user_id));
      if (!tok.ok()) return error_response(tok.status());
      p.token = tok->token;
    }
    auto info = app.payments->token_info(p.token);
    // A token in the request is charged only for the user it was made for
    // (another user's token is "unknown": its existence is not confirmed).
    // Saved cards come through payment_method_id, checked against the
    // caller's own rows in parse_request.
    if (!info || (token_given && info->owner != card_owner(req.user_id)))
      return error_response(Status(Kind::invalid, "invalid_card", "unknown card token", {{"field", "payment_method"}}));
    source.token = p.token;
    pm_summary = {{"type", "card"},
                  {"brand", info->brand},
                  {"last4", info->last4},
                  {"exp_month", info->exp_month},
                  {"exp_year", info->exp_year}};
    fingerprint =
        info->brand + ":" + info->last4 + ":" + std::to_string(info->exp_month) + "/" + std::to_string(info->exp_year);
    if (auto st =
            velocity("card_fingerprint", fingerprint, app.config.max_orders_per_card_hour, "orders_per_card_hour");
        !st.ok())
      return error_response(st);
  } else {
    source.wallet = p.wallet;
    pm_summary = {{"type", "wallet"}, {"wallet", p.wallet}};
  }

  // 5. Reserve every line (all or nothing).
  std::vector<ReservationLine> rlines;
  for (const auto& l : lines) rlines.push_back({l.product_id, l.quantity});
  const std::string attempt_id = "chk_" + random_hex(12);
  const std::string order_id = new_order_id(app.config.shard_id);
  auto completed_failure = [&](const Status& st, AttemptStep step) -> CheckoutResponse {
    // A definitive failure (409, 402): stored so a replay answers the same.
    // If it cannot be stored, the key stays 'processing' and the sweeper
    // frees it later (recover_stale); the client gets the answer now.
    CheckoutResponse r = error_response(st);
    log_if_failed(app.db->write([&](Connection& c) {
      order_store::update_attempt(c, attempt_id, step, "", "", st.code());
      order_store::complete_idempotency(c, req.user_id, req.idempotency_key, r.status, r.body.dump(), "");
      return Status::Ok();
    }),
                  "checkout: storing a failed attempt's answer");
    return r;
  };

  // A reservation that cannot be released now expires by itself (TTL).
  auto give_back_stock = [&](const std::string& reservation_id, const char* why) {
    log_if_failed(app.inventory->release(reservation_id, why).status_or_ok(),
                  "checkout: releasing a reservation (it expires by itself)");
  };

  auto rsv = app.inventory->reserve(rlines, owner, app.config.reservation_ttl_seconds);
  if (!rsv.ok()) {
    if (rsv.status().kind() != Kind::conflict) return error_response(rsv.status());
    // Record the 409 under the key (unless a concurrent request owns it).
    bool mine = false;
    Status recorded = app.db->write([&](Connection& c) {
      if (order_store::get_idempotency(c, req.user_id, req.idempotency_key)) return Status::Ok();
      int64_t now = now_seconds();
      order_store::insert_idempotency(c,
                                      {req.user_id, req.idempotency_key, hash, "processing", 0, "", attempt_id, now});
      CheckoutAttempt a;
      a.id = attempt_id;
      a.user_id = req.user_id;
      a.idempotency_key = req.idempotency_key;
      a.order_id = order_id;
      a.step = AttemptStep::started;
      a.created_at = now;
      a.updated_at = now;
      order_store::insert_attempt(c, a);
      mine = true;
      return Status::Ok();
    });
    if (!recorded.ok()) return error_response(rsv.status());  // answered, not stored: a retry asks again
    if (!mine) {
      bool f2 = false;
      auto r = check_existing(f2);
      if (f2) return r;
      return error_response(rsv.status());
    }
    return completed_failure(rsv.status(), AttemptStep::failed);
  }
  const std::string reservation_id = rsv->id;

  // 6. Durable step log: the key is ours, the reservation is recorded.
  bool mine = false;
  Status st = app.db->write([&](Connection& c) {
    if (order_store::get_idempotency(c, req.user_id, req.idempotency_key)) return Status::Ok();
    int64_t now = now_seconds();
    order_store::insert_idempotency(c, {req.user_id, req.idempotency_key, hash, "processing", 0, "", attempt_id, now});
    CheckoutAttempt a;
    a.id = attempt_id;
    a.user_id = req.user_id;
    a.idempotency_key = req.idempotency_key;
    a.order_id = order_id;
    a.step = AttemptStep::reserved;
    a.reservation_id = reservation_id;
    a.amount = totals.total;
    a.cart_owner = owner;
    for (const auto& l : lines) a.product_ids.push_back(l.product_id);
    a.created_at = now;
    a.updated_at = now;
    order_store::insert_attempt(c, a);
    mine = true;
    return Status::Ok();
  });
  if (!st.ok() || !mine) {
    give_back_stock(reservation_id, "checkout not started");
    if (!st.ok()) return error_response(st);
    bool f2 = false;
    auto r = check_existing(f2);
    if (f2) return r;
    return error_response(Status::Conflict("idempotency_key_in_progress", "retry shortly"));
  }

  // 7. Charge (authorize + capture in one call; the attempt id is the key).
  auto charge = app.payments->authorize(attempt_id, source, totals.total, app.config.currency, true);
  if (!charge.ok()) {
    give_back_stock(reservation_id, "payment failed");
    const Status& cs = charge.status();
    if (cs.kind() == Kind::payment_failed) {
      Status pf(Kind::payment_failed, "payment_failed", cs.message(), {{"decline_code", cs.code()}});
      return completed_failure(pf, AttemptStep::failed);
    }
    // Retryable (gateway error, timeout, breaker open) or bad token: nothing
    // is kept; a charge the gateway made anyway is given back; the key may be retried.
    // A lookup the gateway cannot answer counts as "maybe charged": the
    // attempt stays open for recovery.
    bool given_back = true;
    auto made = app.payments->lookup(attempt_id);
    if (!made.ok())
      given_back = false;
    else if (*made && (*made)->captured > (*made)->refunded)
      given_back =
          app.payments->refund("rf_" + attempt_id, (*made)->charge_id, (*made)->captured - (*made)->refunded).ok();
    // A charge that could not be refunded yet keeps the attempt open:
    // start-up recovery refunds it. A step log that cannot be written leaves
    // the attempt 'reserved' and the key 'processing': the sweeper settles both.
    log_if_failed(app.db->write([&](Connection& c) {
      order_store::update_attempt(c, attempt_id, given_back ? AttemptStep::compensated : AttemptStep::charged, "", "",
                                  given_back ? cs.code() : "refund pending: " + cs.code());
      order_store::delete_idempotency(c, req.user_id, req.idempotency_key);
      return Status::Ok();
    }),
                  "checkout: recording a failed charge (the sweeper settles it)");
    if (cs.kind() == Kind::unavailable && cs.code() != "payment_unavailable")
      return error_response(Status(Kind::unavailable, "payment_unavailable",
                                   "the payment gateway is unavailable; retry shortly",
                                   {{"gateway_code", cs.code()}, {"retryable", true}}));
    return error_response(cs);
  }

  // 8. The order, its payment transaction, outbox events, the idempotency
  //    response and the step log: one SQLite transaction.
  int64_t now = now_seconds();
  Order o;
  o.id = order_id;
  o.user_id = req.user_id;
  o.status = "paid";
  o.subtotal = totals.subtotal;
  o.discount = totals.discount;
  o.tax = totals.tax;
  o.shipping = totals.shipping;
  o.total = totals.total;
  o.currency = app.config.currency;
  o.shipping_address = p.shipping;
  o.billing_address = p.billing;
  o.payment_method = pm_summary;
  o.reservation_id = reservation_id;
  o.idempotency_key = std::to_string(req.user_id) + ":" + req.idempotency_key;
  o.shard = app.config.shard_id;
  o.client_ip = req.client_ip;
  o.card_fingerprint = fingerprint;
  o.estimated_delivery = (now / 86400 + app.config.delivery_days) * 86400 + 86399;
  o.created_at = o.updated_at = now;
  o.paid_at = now;
  for (const auto& l : lines)
    o.items.push_back(
        {0, l.product_id, l.name, l.image, l.sku, l.quantity, l.unit_price, l.unit_price * l.quantity, 0, 0, 0});
  auto t = PaymentTransaction::captured_charge(o, p.pm_type, app.payments->name(), charge->charge_id, attempt_id, now);
  json response = order_json(o, {t});
  st = app.db->write([&](Connection& c) {
    order_store::insert_order(c, o);
    order_store::insert_transaction(c, t, "authorized and captured " + charge->charge_id);
    outbox::append(c, "order.created", response);
    outbox::append(
        c, "order.paid",
        {{"order_id", o.id}, {"transaction_id", t.id}, {"amount", cents_to_json(t.amount)}, {"currency", t.currency}});
    order_store::update_attempt(c, attempt_id, AttemptStep::ordered, "", charge->charge_id, "");
    order_store::complete_idempotency(c, req.user_id, req.idempotency_key, 201, response.dump(), order_id);
    return Status::Ok();
  });
  if (!st.ok()) {
    // Compensate: give the money back, then the stock. Only a refund that
    // happened lets the attempt say 'compensated'; a failed one leaves it
    // 'charged' (refund pending), which recovery and the sweeper retry, so a
    // captured charge never sits without an order and without a retry.
    bool refunded = app.payments->refund("rf_" + attempt_id, charge->charge_id, totals.total).ok();
    give_back_stock(reservation_id, "order could not be stored");
    log_if_failed(app.db->write([&](Connection& c) {
      order_store::update_attempt(c, attempt_id, refunded ? AttemptStep::compensated : AttemptStep::charged, "",
                                  charge->charge_id, refunded ? st.code() : "refund pending: " + st.code());
      order_store::delete_idempotency(c, req.user_id, req.idempotency_key);
      return Status::Ok();
    }),
                  "checkout: recording a compensated order (the sweeper settles it)");
    return error_response(st);
  }

  // 9. Stock leaves the shop; the cart forgets the purchased lines.
  finish_order(attempt_id, order_id, reservation_id, owner, o.items);
  return {201, response, false};
}

}  // namespace shopbox

namespace shopbox {

void Checkout::finish_order(const std::string& attempt_id, const std::string& order_id,
                            const std::string& reservation_id, const std::string& cart_owner,
                            const std::vector<OrderItem>& items) {
  App& app = app_;
  std::string error;
  auto consumed = app.inventory->consume(reservation_id, order_id);
  if (!consumed.ok()) {
    if (consumed.status().kind() == Kind::unavailable || consumed.status().kind() == Kind::internal) {
      std::fprintf(stderr, "checkout: consume %s for %s failed (%s); recovery will retry\n", reservation_id.c_str(),
                   order_id.c_str(), consumed.status().message().c_str());
      return;  // stays 'ordered'; recovery retries
    }
    // The reservation is gone (expired or released while the order was being
    // written): the paid order cannot be fulfilled from it. Cancel and refund.
    error = "reservation " + reservation_id + " not consumable: " + consumed.status().message();
    std::fprintf(stderr, "checkout: %s; cancelling %s with a refund\n", error.c_str(), order_id.c_str());
    auto c = app.orders->cancel(order_id, "system", "stock reservation lapsed before the order completed", false);
    if (!c.ok()) {
      std::fprintf(stderr, "checkout: cancel of %s failed: %s\n", order_id.c_str(), c.status().message().c_str());
      return;
    }
  }
  std::vector<int64_t> ids;
  for (const auto& it : items) ids.push_back(it.product_id);
  if (!cart_owner.empty()) {
    // A read first: most explicit-item orders have nothing in the cart to
    // clear, and a cart write costs an LMDB commit (an fsync).
    bool in_cart = false;
    if (auto cart = app.cart->get(cart_owner); cart.ok())
      for (const auto& l : cart->items)
        for (int64_t id : ids) in_cart = in_cart || l.line.product_id == id;
    // The order stands without it: the shopper sees the lines and can remove them.
    if (in_cart) log_if_failed(app.cart->remove_lines(cart_owner, ids), "checkout: clearing purchased cart lines");
  }
  json low = json::array();
  if (error.empty())
    for (const auto& it : items) {
      auto lvl = app.inventory->level(it.product_id);
      if (lvl.available() <= lvl.low_stock_threshold)
        low.push_back({{"product_id", std::to_string(it.product_id)},
                       {"available", lvl.available()},
                       {"threshold", lvl.low_stock_threshold}});
    }
  // Deferred durability (no sync of its own): if a crash loses this step,
  // the attempt is still 'ordered' and start-up recovery runs finish_order
  // again (consume and cart removal are idempotent).
  log_if_failed(app.db->write_deferred([&](Connection& c) {
    order_store::update_attempt(c, attempt_id, AttemptStep::completed, "", "", error);
    for (const auto& l : low) outbox::append(c, "inventory.low", l);
    return Status::Ok();
  }),
                "checkout: marking the attempt completed (recovery finishes it again)");
}

Checkout::RecoveryReport Checkout::recover_stale(int64_t min_age_seconds) {
  return recover_attempts(now_seconds() - min_age_seconds, "stale; compensated by the sweeper");
}

Checkout::RecoveryReport Checkout::recover_attempts(int64_t updated_before, const char* when) {
  App& app = app_;
  RecoveryReport rep;
  std::vector<CheckoutAttempt> open;
  Status read = app.db->read([&](Connection& c) {
    open = order_store::unfinished_attempts(c);
    return Status::Ok();
  });
  if (!read.ok()) {
    log_if_failed(read, "recovery: reading unfinished checkouts (the next sweep retries)");
    return rep;
  }
  for (const auto& a : open) {
    if (a.updated_at >= updated_before) continue;  // may still be in flight
    if (a.step == AttemptStep::ordered) {
      std::optional<Order> o;
      if (Status read_order = app.db->read([&](Connection& c) {
            o = order_store::get_order(c, a.order_id);
            return Status::Ok();
          });
          !read_order.ok()) {
        log_if_failed(read_order, "recovery: reading an order (the next sweep retries)");
        continue;
      }
      if (o) {
        finish_order(a.id, a.order_id, a.reservation_id, a.cart_owner, o->items);
        ++rep.finished;
        continue;
      }
    }
    // No order was written: give back whatever the attempt took.
    bool order_exists = false;
    Status read_order = app.db->read([&](Connection& c) {
      order_exists = order_store::get_order(c, a.order_id).has_value();
      return Status::Ok();
    });
    if (!read_order.ok()) {
      // Unknown is not "no order": compensating a paid order would refund it.
      log_if_failed(read_order, "recovery: reading an order (the next sweep retries)");
      continue;
    }
    if (order_exists) continue;
    auto lookup = app.payments->lookup(a.id);
    if (!lookup.ok()) {
      log_if_failed(lookup.status(), "recovery: asking the gateway for an attempt's charge (the next sweep retries)");
      continue;
    }
    if (auto& made = *lookup) {
      if (made->status == "authorized") {
        if (auto v = app.payments->void_charge(made->charge_id); !v.ok()) {
          log_if_failed(v.status(), "recovery: voiding an authorization (the next sweep retries)");
          continue;
        }
      } else if (made->captured > made->refunded) {
        auto r = app.payments->refund("rf_" + a.id, made->charge_id, made->captured - made->refunded);
        if (!r.ok()) {
          std::fprintf(stderr, "recovery: refund of %s failed (%s); will retry\n", made->charge_id.c_str(),
                       r.status().message().c_str());
          continue;
        }
      }
    }
    if (!a.reservation_id.empty())
      log_if_failed(app.inventory->release(a.reservation_id, "checkout interrupted").status_or_ok(),
                    "recovery: releasing a reservation (it expires by itself)");
    Status logged = app.db->write([&](Connection& c) {
      order_store::update_attempt(c, a.id, AttemptStep::compensated, "", "", when);
      // The client never got an answer: its retry with the key starts afresh.
      auto rec = order_store::get_idempotency(c, a.user_id, a.idempotency_key);
      if (rec && rec->status == "processing" && rec->attempt_id == a.id)
        order_store::delete_idempotency(c, a.user_id, a.idempotency_key);
      return Status::Ok();
    });
    if (!logged.ok()) {
      // Every step above is idempotent: the next sweep repeats them.
      log_if_failed(logged, "recovery: recording a compensation (the next sweep retries)");
      continue;
    }
    ++rep.compensated;
  }
  return rep;
}

Checkout::RecoveryReport Checkout::recover() {
  App& app = app_;
  // Nothing is in flight before the first request: every attempt counts.
  RecoveryReport rep = recover_attempts(std::numeric_limits<int64_t>::max(), "interrupted; compensated at start-up");
  // Orders whose stock never left through their reservation (a data
  // directory restored from a backup taken while shoppers bought: the LMDB
  // copy predates the SQLite one). Active: consume it now. Gone: take the
  // stock directly, or cancel and refund when it is no longer there.
  // Flash-sale orders (flash_reservation_id) took their units when the sale was
  // created, never through a reservation.
  std::vector<std::tuple<std::string, std::string, std::vector<OrderItem>>> orders;
  Status read = app.db->read([&](Connection& c) {
    auto st = c.prepare(
        "SELECT o.order_id, o.reservation_id FROM orders o WHERE o.status NOT IN ('cancelled', 'refunded') "
        "AND substr(o.reservation_id, 1, ?2) <> ?1 AND NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = "
        "o.order_id AND e.note = 'stock taken at recovery')");
    st.bind(1, std::string(kFlashOrderPrefix)).bind(2, static_cast<int64_t>(kFlashOrderPrefix.size()));
    std::vector<std::pair<std::string, std::string>> ids;
    while (st.step()) ids.push_back({st.text(0), st.text(1)});
    for (auto& [oid, rid] : ids) {
      auto r = app.inventory->reservation(rid);
      if (r.ok() && r->status == "consumed") continue;
      auto o = order_store::get_order(c, oid);
      if (o) orders.push_back({oid, rid, o->items});
    }
    return Status::Ok();
  });
  if (!read.ok()) {
    // Start-up continues: the shop serves, and the next start looks again.
    log_if_failed(read, "recovery: reading orders whose stock never left");
    return rep;
  }
  for (auto& [oid, rid, items] : orders) {
    auto r = app.inventory->reservation(rid);
    if (r.ok() && r->status == "active" && app.inventory->consume(rid, oid).ok()) {
      ++rep.finished;
      continue;
    }
    bool taken = true;
    std::vector<std::pair<int64_t, int64_t>> done;
    for (const auto& it : items) {
      if (!app.inventory->adjust(it.product_id, -it.quantity, "system", "order " + oid + ": stock taken at recovery")
               .ok()) {
        taken = false;
        break;
      }
      done.push_back({it.product_id, it.quantity});
    }
    if (taken) {
      // A named copy: clang before 16 cannot capture a structured binding.
      const std::string& order_id = oid;
      log_if_failed(app.db->write([&](Connection& c) {
        if (auto o = order_store::get_order(c, order_id))
          order_store::set_status(c, order_id, o->status, o->status, "system", "stock taken at recovery");
        return Status::Ok();
      }),
                    "recovery: noting stock taken for an order");
    } else {
      for (auto& [pid, q] : done)
        log_if_failed(app.inventory->adjust(pid, q, "system", "order " + oid + ": undo partial take").status_or_ok(),
                      "recovery: giving back a partial stock take (shopbox check reports it)");
      log_if_failed(app.orders->cancel(oid, "system", "stock no longer available after recovery", false).status_or_ok(),
                    "recovery: cancelling an order whose stock is gone");
    }
    ++rep.finished;
  }
  return rep;
}

int64_t Checkout::purge_idempotency() {
  int64_t n = 0;
  int64_t before = now_seconds() - int64_t(app_.config.idempotency_retention_hours) * 3600;
  log_if_failed(app_.db->write([&](Connection& c) {
    n = order_store::purge_idempotency(c, before);
    return Status::Ok();
  }),
                "checkout: purging old idempotency records (the next sweep retries)");
  return n;
}

}  // namespace shopbox
