#include "checkout/checkout.h"

#include <chrono>
#include <set>
#include <thread>

#include "base/clock.h"
#include "base/crypto.h"
#include "cart/cart.h"
#include "catalog/catalog.h"
#include "catalog/variants.h"
#include "checkout/checkout_store.h"
#include "cluster/cluster.h"
#include "config.h"
#include "inventory/inventory.h"
#include "orders/orders.h"
#include "orders/paid_order.h"
#include "payments/gateway.h"
#include "pricing/catalog_lines.h"
#include "pricing/pricing.h"
#include "pricing/pricing_service.h"

namespace shopbox {
using json = nlohmann::json;

struct Checkout::Saga {
  explicit Saga(const CheckoutRequest& r) : req(r) {}
  const CheckoutRequest& req;
  std::string request_hash;  // what the Idempotency-Key's record compares
  std::string cart_owner;    // "u:<id>" or "g:<guest token>"
  json shipping, billing;    // the order's address snapshots
  std::vector<OrderItem> lines;
  Quote quote;
  PreparedPayment payment;
  std::string attempt_id;  // "chk_<hex>": the step log's id and the gateway's idempotency key
  std::string order_id;
  std::string reservation_id;
  GatewayCharge charge;
  json response;  // the order as answered (201)
};

namespace {

CheckoutResponse error_response(const Status& st) {
  return {http_status(st), error_body(st), false};
}

// The inventory's out_of_stock names variants; the shopper's answer also
// names each short line's product.
Status with_products(const Status& st, const std::vector<OrderItem>& lines) {
  json details = st.details();
  if (!details.contains("items") || !details["items"].is_array()) return st;
  for (auto& item : details["items"]) {
    std::string variant = item.value("variant_id", "");
    for (const auto& l : lines)
      if (std::to_string(l.variant_id) == variant) {
        item["product_id"] = std::to_string(l.product_id);
        item["sku"] = l.sku;
      }
  }
  return Status(st.kind(), st.code(), st.message(), details);
}

// What the Idempotency-Key's request hash covers: the lines, both address
// snapshots and the payment choice. A card counts by its last four, length
// and expiry: a raw card number (or a hash of one) is never stored.
json canonical_request(const CheckoutRequest& req, const json& shipping, const json& billing) {
  json canon;
  if (req.items.empty()) {
    canon["items"] = "cart";
  } else {
    json items = json::array();
    for (const auto& l : req.items) {
      json line = {l.product_id, l.quantity};
      if (l.variant_id) line.push_back(l.variant_id);
      if (!l.selected_options.empty()) line.push_back(l.selected_options);
      items.push_back(std::move(line));
    }
    canon["items"] = items;
  }
  canon["shipping_address"] = shipping;
  canon["billing_address"] = billing;
  if (!req.shipping_method.empty()) canon["shipping_method"] = req.shipping_method;
  if (req.discount_codes) canon["discount_codes"] = *req.discount_codes;
  const PaymentChoice& p = req.payment;
  switch (p.source) {
    case PaymentChoice::Source::saved:
      canon["payment_method_id"] = p.saved_id;
      break;
    case PaymentChoice::Source::token:
      canon["payment_method"] = {{"type", "card"}, {"token", p.token}};
      break;
    case PaymentChoice::Source::card: {
      std::string digits;
      for (char ch : p.card.number)
        if (ch >= '0' && ch <= '9') digits.push_back(ch);
      canon["payment_method"] = {{"type", "card"},
                                 {"last4", digits.size() >= 4 ? digits.substr(digits.size() - 4) : digits},
                                 {"len", digits.size()},
                                 {"exp_month", p.card.exp_month},
                                 {"exp_year", p.card.exp_year}};
      break;
    }
    case PaymentChoice::Source::wallet:
      canon["payment_method"] = {{"type", "wallet"}, {"wallet", p.wallet}};
      break;
  }
  return canon;
}

}  // namespace

std::string CheckoutRequest::cart_owner() const {
  return guest() ? "g:" + guest_cart : "u:" + std::to_string(user_id);
}

std::string CheckoutRequest::stored_key() const {
  return guest() ? "g" + sha256_hex(guest_cart).substr(0, 24) + ":" + idempotency_key : idempotency_key;
}

std::string CheckoutRequest::card_owner_name() const {
  return guest() ? "guest:" + sha256_hex(guest_cart).substr(0, 24) : card_owner(user_id);
}

bool valid_idempotency_key(const std::string& k) {
  if (k.empty() || k.size() > 255) return false;
  for (unsigned char ch : k)
    if (ch < 0x21 || ch > 0x7e) return false;
  return true;
}

Result<checkout_store::PaymentOutcomes> Checkout::payment_outcomes(int64_t since, int64_t until) {
  checkout_store::PaymentOutcomes out;
  Status st = d_.db.read([&](Connection& c) {
    out = checkout_store::payment_outcomes(c, since, until);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

CheckoutResponse Checkout::place_order(const CheckoutRequest& req) {
  try {
    return run(req);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "checkout: unexpected error: %s\n", e.what());
    return error_response(Status::Internal("checkout failed unexpectedly"));
  }
}

CheckoutResponse Checkout::run(const CheckoutRequest& req) {
  if (!valid_idempotency_key(req.idempotency_key))
    return error_response(
        Status(Kind::invalid, "invalid_idempotency_key", "Idempotency-Key must be 1-255 printable ASCII characters"));
  Saga s(req);
  auto ship = resolve_address(d_.addresses, req.user_id, req.shipping, "shipping_address_id");
  if (!ship.ok()) return error_response(ship.status());
  if (ship->is_null())
    return error_response(field_error("shipping_address", "shipping_address or shipping_address_id is required"));
  auto bill = resolve_address(d_.addresses, req.user_id, req.billing, "billing_address_id");
  if (!bill.ok()) return error_response(bill.status());
  s.shipping = *ship;
  s.billing = bill->is_null() ? s.shipping : *bill;
  s.request_hash = sha256_hex(canonical_request(req, s.shipping, s.billing).dump());

  if (auto answer = answer_on_record(req, s.request_hash)) return *answer;

  // Fraud velocity (user, IP; the card below) over the last hour.
  if (req.guest() && (req.guest_cart.empty() || req.email.empty()))
    return error_response(
        Status(Kind::unauthorized, "unauthorized", "sign in, or check out as a guest with an email and your cart"));
  if (auto st = req.guest()
                    ? check_velocity("email", req.email, d_.config.max_orders_per_email_hour, "orders_per_email_hour")
                    : check_velocity("user_id", std::to_string(req.user_id), d_.config.max_orders_per_user_hour,
                                     "orders_per_user_hour");
      !st.ok())
    return error_response(st);
  if (auto st = check_velocity("client_ip", req.client_ip, d_.config.max_orders_per_ip_hour, "orders_per_ip_hour");
      !st.ok())
    return error_response(st);

  s.cart_owner = req.cart_owner();
  auto basket = lines_to_buy(req, s.cart_owner);
  if (!basket.ok()) return error_response(basket.status());
  s.lines = std::move(basket->items);
  auto quote = price_basket(req, *basket, s.shipping);
  s.attempt_id = "chk_" + random_hex(12);
  s.order_id = new_order_id(d_.config.shard_id);
  if (!quote.ok()) {
    // A code that does not apply (used up, expired) is a definitive
    // answer for this request, like out of stock: stored under the key.
    if (quote.status().kind() == Kind::conflict) return refuse_for_good(s, quote.status());
    return error_response(quote.status());
  }
  s.quote = std::move(*quote);
  if (s.quote.total <= 0)
    return error_response(Status(Kind::unprocessable, "nothing_to_charge", "the order total is zero"));

  // The payment source (an inline card is tokenized: the number stops here).
  auto payment = prepare_payment(d_.payment_methods, d_.payments, req.user_id, req.card_owner_name(), req.payment);
  if (!payment.ok()) return error_response(payment.status());
  s.payment = std::move(*payment);
  if (s.payment.is_card())
    if (auto st = check_velocity("card_fingerprint", s.payment.card_fingerprint, d_.config.max_orders_per_card_hour,
                                 "orders_per_card_hour");
        !st.ok())
      return error_response(st);

  if (auto failed = reserve(s)) return *failed;
  if (auto failed = record_attempt(s)) return *failed;
  if (auto failed = charge(s)) return *failed;
  if (auto failed = write_order(s)) return *failed;
  if (s.charge.status == "requires_action") return {202, s.response, false};  // settle_payment finishes it
  finish_order(s.attempt_id, s.order_id, s.reservation_id, s.cart_owner, s.lines);
  return {201, s.response, false};
}

std::optional<CheckoutResponse> Checkout::answer_on_record(const CheckoutRequest& req, const std::string& hash) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kIdempotencyWaitSeconds);
  while (true) {
    std::optional<IdempotencyRecord> rec;
    Status read = d_.db.read([&](Connection& c) {
      rec = checkout_store::get_idempotency(c, req.user_id, req.stored_key());
      return Status::Ok();
    });
    if (!read.ok()) return error_response(read);  // cannot tell: answer the error rather than charge twice
    if (!rec) return std::nullopt;
    if (rec->request_hash != hash)
      return error_response(Status(Kind::unprocessable, "idempotency_key_reused",
                                   "this Idempotency-Key was used with a different request body"));
    if (rec->status == "completed") {
      json stored = json::parse(rec->response_body, nullptr, false);
      return CheckoutResponse{rec->response_status, stored.is_discarded() ? json::object() : stored, true};
    }
    if (std::chrono::steady_clock::now() > deadline)
      return error_response(
          Status::Conflict("idempotency_key_in_progress",
                           "a request with this Idempotency-Key is still being processed; retry shortly"));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Status Checkout::check_velocity(const char* column, const std::string& value, int limit, const char* rule) {
  if (limit <= 0 || value.empty()) return Status::Ok();
  int64_t since = now_seconds() - kVelocityWindowSeconds;
  auto placed = d_.orders.count_placed_since(column, value, since);
  if (!placed.ok()) return placed.status();
  if (*placed >= limit)
    return Status(Kind::rate_limited, "velocity_limit_exceeded",
                  std::string("too many orders in the last hour (") + rule + ")",
                  {{"rule", rule}, {"limit", limit}, {"window_seconds", kVelocityWindowSeconds}});
  return Status::Ok();
}

Result<Checkout::Basket> Checkout::lines_to_buy(const CheckoutRequest& req, const std::string& cart_owner) {
  Basket basket;
  if (req.items.empty()) {
    auto cart = d_.cart.get(cart_owner);
    if (!cart.ok()) return cart.status();
    for (const auto& l : cart->items) {
      // A deleted variant is not purchasable; one out of stock is kept, and
      // the reservation reports it as 409.
      if (l.unavailable && !l.exists) continue;
      OrderItem it;
      it.product_id = l.line.product_id;
      it.variant_id = l.line.variant_id;
      it.name = l.name;
      it.image = l.image;
      it.sku = l.sku;
      it.variant_title = l.variant_title;
      it.selected_options = l.line.selected_options;
      it.quantity = l.line.quantity;
      it.unit_price = l.unit_price;
      it.subtotal = l.unit_price * l.line.quantity;
      basket.items.push_back(std::move(it));
      basket.pricing.push_back(
          {l.line.product_id, l.line.variant_id, l.categories, l.line.quantity, l.unit_price, l.weight_grams});
    }
    if (basket.items.empty()) return Status(Kind::unprocessable, "cart_empty", "the cart has nothing to buy");
    basket.cart_codes = cart->discount_codes;
    basket.cart_method = cart->shipping.method;
    return basket;
  }
  std::set<int64_t> seen;
  for (size_t i = 0; i < req.items.size(); ++i) {
    std::string field = "items[" + std::to_string(i) + "]";
    if (auto st = add_explicit_line(req.items[i], field, basket); !st.ok()) return st;
    const OrderItem& it = basket.items.back();
    if (!seen.insert(it.variant_id).second)
      return Status::Invalid("variant " + it.sku + " appears twice", {{"field", field}});
  }
  return basket;
}

Status Checkout::add_explicit_line(const CheckoutLine& l, const std::string& field, Basket& basket) {
  auto prod = l.variant_id > 0 ? d_.catalog.product_of_variant_for_shoppers(l.variant_id)
                               : d_.catalog.product_for_shoppers(l.product_id);
  if (!prod.ok()) {
    std::string what =
        l.variant_id > 0 ? "variant " + std::to_string(l.variant_id) : "product " + std::to_string(l.product_id);
    return Status(Kind::invalid, "unknown_product", what + " does not exist",
                  {{"field", field}, {"product_id", std::to_string(l.product_id)}});
  }
  if (l.variant_id > 0 && l.product_id > 0 && l.product_id != prod->id)
    return Status::Invalid("variant_id is not a variant of product_id", {{"field", field}});
  const Variant* v = l.variant_id > 0 ? prod->variant(l.variant_id) : nullptr;
  if (!v) {
    auto chosen = choose_variant(*prod, l.selected_options);
    if (!chosen.ok()) return chosen.status();
    v = *chosen;
  }
  OrderItem it;
  it.product_id = prod->id;
  it.variant_id = v->id;
  it.name = prod->name;
  it.image = variant_image(*prod, *v);
  it.sku = v->sku;
  it.variant_title = variant_title(*v);
  it.selected_options = selected_options_json(*prod, *v);
  it.quantity = l.quantity;
  it.unit_price = v->final_price();
  it.subtotal = it.unit_price * l.quantity;
  basket.items.push_back(std::move(it));
  basket.pricing.push_back(pricing_line(d_.catalog, *prod, *v, l.quantity, v->final_price()));
  return Status::Ok();
}

Result<Quote> Checkout::price_basket(const CheckoutRequest& req, const Basket& basket, const json& shipping) {
  PricingRequest pr;
  pr.lines = basket.pricing;
  pr.destination = destination_of(shipping);
  pr.customer = d_.cart.customer_of(req.cart_owner());
  pr.now = now_seconds();
  // The method asked for; else the one chosen in the cart if it serves
  // this address; else the cheapest.
  pr.shipping_method = req.shipping_method.empty() ? basket.cart_method : req.shipping_method;
  const std::vector<std::string>& codes = req.discount_codes ? *req.discount_codes : basket.cart_codes;
  auto q = d_.pricing.quote(pr, codes);
  if (!q.ok()) return q.status();
  if (q->shipping_problem == "shipping_method_unavailable" && req.shipping_method.empty()) {
    pr.shipping_method.clear();
    q = d_.pricing.quote(pr, codes);
    if (!q.ok()) return q.status();
  }
  if (!q->rejected.empty()) return code_refusal(q->rejected.front());
  if (auto refused = shipping_refusal(*q, req.shipping_method); !refused.ok()) return refused;
  return q;
}

// ---- reserve, and its compensation ----

void Checkout::give_back_stock(const std::string& reservation_id, const char* why) {
  // A reservation that cannot be released now expires by itself (TTL).
  log_if_failed(d_.inventory.release(reservation_id, why).status_or_ok(),
                "checkout: releasing a reservation (it expires by itself)");
}

Status Checkout::claim_key(Saga& s, AttemptStep step, bool& mine) {
  mine = false;
  return d_.db.write([&](Connection& c) {
    if (checkout_store::get_idempotency(c, s.req.user_id, s.req.stored_key())) return Status::Ok();
    int64_t now = now_seconds();
    checkout_store::insert_idempotency(
        c, {s.req.user_id, s.req.stored_key(), s.request_hash, "processing", 0, "", s.attempt_id, now});
    CheckoutAttempt a;
    a.id = s.attempt_id;
    a.user_id = s.req.user_id;
    a.idempotency_key = s.req.stored_key();
    a.order_id = s.order_id;
    a.step = step;
    a.reservation_id = s.reservation_id;  // none yet when the reservation failed ('started')
    a.amount = s.quote.total;
    a.cart_owner = s.cart_owner;
    for (const auto& l : s.lines) a.variant_ids.push_back(l.variant_id);
    a.created_at = a.updated_at = now;
    checkout_store::insert_attempt(c, a);
    // The discount uses, like the stock, are taken before the charge: a
    // code with no use left stops the checkout here, and this whole
    // transaction (key, attempt, holds) rolls back.
    if (step == AttemptStep::reserved)
      if (auto held = Pricing::hold_uses(c, s.attempt_id, s.req.user_id, s.quote.discounts, now); !held.ok())
        return held;
    mine = true;
    return Status::Ok();
  });
}

std::optional<CheckoutResponse> Checkout::reserve(Saga& s) {
  std::vector<ReservationLine> rlines;
  for (const auto& l : s.lines) rlines.push_back({l.variant_id, l.quantity});
  auto reserved = d_.inventory.reserve(rlines, s.cart_owner, d_.config.reservation_ttl_seconds);
  if (reserved.ok()) {
    s.reservation_id = reserved->id;
    return std::nullopt;
  }
  if (reserved.status().kind() != Kind::conflict) return error_response(reserved.status());
  return refuse_for_good(s, with_products(reserved.status(), s.lines));
}

CheckoutResponse Checkout::refuse_for_good(Saga& s, const Status& st) {
  bool mine = false;
  Status recorded = claim_key(s, AttemptStep::started, mine);
  if (!recorded.ok()) return error_response(st);  // answered, not stored: a retry asks again
  if (!mine) {
    if (auto answer = answer_on_record(s.req, s.request_hash)) return *answer;
    return error_response(st);
  }
  return fail_for_good(s, st, AttemptStep::failed);
}

// ---- record_attempt: the durable step log; the key is ours ----

std::optional<CheckoutResponse> Checkout::record_attempt(Saga& s) {
  bool mine = false;
  Status st = claim_key(s, AttemptStep::reserved, mine);
  if (st.ok() && mine) return std::nullopt;
  give_back_stock(s.reservation_id, "checkout not started");
  if (st.kind() == Kind::conflict) return refuse_for_good(s, st);  // a code's last use went meanwhile
  if (!st.ok()) return error_response(st);
  // Another request under the same key got there first.
  if (auto answer = answer_on_record(s.req, s.request_hash)) return answer;
  return error_response(Status::Conflict("idempotency_key_in_progress", "retry shortly"));
}

CheckoutResponse Checkout::fail_for_good(Saga& s, const Status& st, AttemptStep step) {
  // If the answer cannot be stored, the key stays 'processing' and the
  // sweeper frees it later (recover_stale); the client gets the answer now.
  CheckoutResponse r = error_response(st);
  log_if_failed(d_.db.write([&](Connection& c) {
    checkout_store::update_attempt(c, s.attempt_id, step, "", "", st.code());
    checkout_store::complete_idempotency(c, s.req.user_id, s.req.stored_key(), r.status, r.body.dump(), "");
    Pricing::release_attempt_uses(c, s.attempt_id, now_seconds());
    return Status::Ok();
  }),
                "checkout: storing a failed attempt's answer");
  return r;
}

// ---- charge, and its compensation ----

Status Checkout::undo_charge(const std::string& attempt_id) {
  auto lookup = d_.payments.lookup(attempt_id);
  if (!lookup.ok()) return lookup.status();  // cannot tell: "maybe charged"
  const auto& made = *lookup;
  if (!made) return Status::Ok();
  // An authorization, or a payment the shopper could still complete
  // (3-D Secure), is cancelled: no charge may land after its order is gone.
  if (made->status == "authorized" || made->status == "requires_action")
    return d_.payments.void_charge(made->charge_id).status_or_ok();
  if (made->captured > made->refunded)
    return d_.payments.refund("rf_" + attempt_id, made->charge_id, made->captured - made->refunded).status_or_ok();
  return Status::Ok();
}

std::optional<CheckoutResponse> Checkout::charge(Saga& s) {
  // Authorize + capture in one call; the attempt id is the gateway's key.
  auto charge = d_.payments.authorize(s.attempt_id, s.payment.source, s.quote.total, d_.config.currency, true);
  if (charge.ok()) {
    s.charge = std::move(*charge);
    return std::nullopt;
  }
  give_back_stock(s.reservation_id, "payment failed");
  const Status& cs = charge.status();
  if (cs.kind() == Kind::payment_failed) {
    Status declined(Kind::payment_failed, "payment_failed", cs.message(), {{"decline_code", cs.code()}});
    return fail_for_good(s, declined, AttemptStep::failed);
  }
  // Retryable (gateway error, timeout, breaker open) or a bad token: nothing
  // is kept, a charge the gateway made anyway is given back, and the key may
  // be retried. A charge that cannot be given back yet keeps the attempt
  // open ('charged', refund pending) for recovery; a step log that cannot
  // be written leaves it 'reserved' and the key 'processing', which the
  // sweeper settles.
  Status undone = undo_charge(s.attempt_id);
  log_if_failed(d_.db.write([&](Connection& c) {
    checkout_store::update_attempt(c, s.attempt_id, undone.ok() ? AttemptStep::compensated : AttemptStep::charged, "",
                                   "", undone.ok() ? cs.code() : "refund pending: " + cs.code());
    checkout_store::delete_idempotency(c, s.req.user_id, s.req.stored_key());
    Pricing::release_attempt_uses(c, s.attempt_id, now_seconds());
    return Status::Ok();
  }),
                "checkout: recording a failed charge (the sweeper settles it)");
  if (cs.kind() == Kind::unavailable && cs.code() != "payment_unavailable")
    return error_response(Status(Kind::unavailable, "payment_unavailable",
                                 "the payment gateway is unavailable; retry shortly",
                                 {{"gateway_code", cs.code()}, {"retryable", true}}));
  return error_response(cs);
}

// ---- write_order: the order, its payment, events, answer and step log ----

std::optional<CheckoutResponse> Checkout::write_order(Saga& s) {
  int64_t now = now_seconds();
  OrderDraft draft;
  draft.order_id = s.order_id;
  draft.user_id = s.req.user_id;
  draft.email = s.req.email;
  draft.items = s.lines;
  draft.quote = s.quote;
  draft.currency = d_.config.currency;
  draft.shipping_address = s.shipping;
  draft.billing_address = s.billing;
  draft.payment_method = s.payment.summary;
  draft.reservation_id = s.reservation_id;
  draft.idempotency_key = std::to_string(s.req.user_id) + ":" + s.req.stored_key();
  draft.client_ip = s.req.client_ip;
  draft.card_fingerprint = s.payment.card_fingerprint;
  Order o = paid_order(draft, d_.config, now);
  auto t = PaymentTransaction::captured_charge(o, s.payment.source.type, d_.payments.name(), s.charge.charge_id,
                                               s.attempt_id, now);
  // The shopper still has to complete the payment (3-D Secure): the order
  // waits, its stock stays reserved, and settle_payment finishes it.
  const bool waits = s.charge.status == "requires_action";
  if (waits) {
    o.status = OrderStatus::pending_payment;
    o.paid_at.reset();
    t.status = "requires_action";
  }
  // A guest has no account to open the order from: the answer carries the
  // signed link their confirmation email also holds.
  std::string guest_url;
  if (s.req.guest()) {
    auto url = d_.orders.guest_order_url(o);
    if (url.ok()) guest_url = *url;
  }
  Status st = d_.db.write([&](Connection& c) {
    s.response =
        record_paid_order(c, o, t, "authorized and captured " + s.charge.charge_id, d_.config.first_order_number);
    if (!guest_url.empty()) s.response["guest_order_url"] = guest_url;
    if (waits)
      s.response["next_action"] = {{"type", "confirm_payment"},
                                   {"gateway", d_.payments.name()},
                                   {"client_secret", s.charge.client_secret},
                                   {"confirm_url", "/api/v1/orders/" + s.order_id + "/confirm-payment"}};
    checkout_store::update_attempt(c, s.attempt_id, waits ? AttemptStep::awaiting_payment : AttemptStep::ordered, "",
                                   s.charge.charge_id, "");
    checkout_store::complete_idempotency(c, s.req.user_id, s.req.stored_key(), waits ? 202 : 201, s.response.dump(),
                                         s.order_id);
    Pricing::keep_uses(c, s.attempt_id, s.order_id, now);
    return Status::Ok();
  });
  if (st.ok()) return std::nullopt;
  // Compensate: the money back, then the stock. Only a refund that happened
  // lets the attempt say 'compensated'; a failed one leaves it 'charged'
  // (refund pending), which recovery and the sweeper retry, so a captured
  // charge never sits without an order and without a retry.
  Status undone = undo_charge(s.attempt_id);
  give_back_stock(s.reservation_id, "order could not be stored");
  log_if_failed(d_.db.write([&](Connection& c) {
    checkout_store::update_attempt(c, s.attempt_id, undone.ok() ? AttemptStep::compensated : AttemptStep::charged, "",
                                   s.charge.charge_id, undone.ok() ? st.code() : "refund pending: " + st.code());
    checkout_store::delete_idempotency(c, s.req.user_id, s.req.stored_key());
    Pricing::release_attempt_uses(c, s.attempt_id, now_seconds());
    return Status::Ok();
  }),
                "checkout: recording a compensated order (the sweeper settles it)");
  return error_response(st);
}

}  // namespace shopbox
