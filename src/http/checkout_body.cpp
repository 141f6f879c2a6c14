#include "http/checkout_body.h"

#include <set>

#include "base/json_text.h"
#include "base/request_fields.h"
#include "catalog/product.h"
#include "users/accounts.h"
#include "users/addresses.h"

namespace shopbox::http {
using json = nlohmann::json;

namespace {

// An integer given as a JSON number or a decimal string (ids are strings in
// the API), within lo..hi.
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

bool present(const json& obj, const char* field) {
  auto it = obj.find(field);
  return it != obj.end() && !it->is_null();
}

Result<CardInput> parse_card(const json& pm) {
  auto num = pm.find("card_number");
  if (num == pm.end() || !num->is_string())
    return Status(Kind::invalid, "invalid_card", "payment_method.card_number is required (a string)",
                  {{"field", "card_number"}});
  auto m = get_int(pm, "exp_month", 1, 12, "payment_method.exp_month");
  if (!m.ok()) return Status(Kind::invalid, "invalid_card", m.status().message(), {{"field", "exp_month"}});
  auto y = get_int(pm, "exp_year", 0, 9999, "payment_method.exp_year");
  if (!y.ok()) return Status(Kind::invalid, "invalid_card", y.status().message(), {{"field", "exp_year"}});
  std::string cvc;
  if (auto it = pm.find("cvc"); it != pm.end() && it->is_string())
    cvc = it->get<std::string>();
  else if (it != pm.end() && it->is_number_integer())
    cvc = std::to_string(it->get<int64_t>());
  return CardInput{num->get<std::string>(), static_cast<int>(*m), static_cast<int>(*y), cvc};
}

Result<std::vector<CheckoutLine>> parse_items(const json& items, int64_t max_quantity) {
  if (!items.is_array()) return field_error("items", "items must be an array of {variant_id or product_id, quantity}");
  if (items.empty()) return field_error("items", "items must not be empty");
  if (items.size() > Checkout::kMaxLines)
    return field_error("items", "at most " + std::to_string(Checkout::kMaxLines) + " lines per order");
  std::vector<CheckoutLine> lines;
  for (size_t i = 0; i < items.size(); ++i) {
    const json& l = items[i];
    std::string path = "items[" + std::to_string(i) + "]";
    if (!l.is_object()) return field_error(path, path + " must be an object");
    // A line is a variant, or a product with its options (the cart's shape);
    // checkout resolves it and refuses a variant named twice.
    CheckoutLine line;
    if (present(l, "variant_id")) {
      auto vid = get_int(l, "variant_id", 1, INT64_MAX / 2, path + ".variant_id");
      if (!vid.ok()) return vid.status();
      line.variant_id = *vid;
    }
    if (present(l, "product_id") || !line.variant_id) {
      auto pid = get_int(l, "product_id", 1, INT64_MAX / 2, path + ".product_id");
      if (!pid.ok()) return pid.status();
      line.product_id = *pid;
    }
    if (present(l, "selected_options")) {
      if (!l["selected_options"].is_object() || l["selected_options"].size() > Product::kMaxOptions)
        return field_error(path + ".selected_options", "selected_options must be an object of option name: value");
      line.selected_options = l["selected_options"];
    }
    auto qty = get_int(l, "quantity", 1, max_quantity, path + ".quantity");
    if (!qty.ok()) return qty.status();
    line.quantity = *qty;
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace

Result<AddressChoice> parse_address_choice(const json& body, const char* inline_field, const char* id_field) {
  AddressChoice choice;
  bool has_inline = present(body, inline_field), has_id = present(body, id_field);
  if (has_inline && has_id)
    return field_error(inline_field, std::string("give ") + inline_field + " or " + id_field + ", not both");
  if (has_id) {
    auto id = get_int(body, id_field, 1, INT64_MAX / 2, id_field);
    if (!id.ok()) return id.status();
    choice.saved_id = *id;
  } else if (has_inline) {
    auto checked = inline_address_from_json(body.at(inline_field), inline_field);
    if (!checked.ok()) return checked.status();
    choice.given = std::move(*checked);
  }
  return choice;
}

Result<PaymentChoice> parse_payment_choice(const json& body) {
  PaymentChoice choice;
  bool has_pm = present(body, "payment_method"), has_pmid = present(body, "payment_method_id");
  if (has_pm == has_pmid)
    return field_error("payment_method", "give payment_method or payment_method_id (exactly one)");
  if (has_pmid) {
    auto id = get_int(body, "payment_method_id", 1, INT64_MAX / 2, "payment_method_id");
    if (!id.ok()) return id.status();
    choice.source = PaymentChoice::Source::saved;
    choice.saved_id = *id;
    return choice;
  }
  const json& pm = body.at("payment_method");
  if (!pm.is_object()) return field_error("payment_method", "payment_method must be an object");
  // A misspelt key ("ttpe") is an error, as at the top level: silently
  // defaulting the type would charge in a way the client did not ask for.
  if (auto st = only_fields(pm, {"type", "card_number", "exp_month", "exp_year", "cvc", "token", "wallet"},
                            "payment_method.");
      !st.ok())
    return st;
  // find(), never operator[]: on a const object, [] with a missing key
  // reads freed memory (a fuzzer found {"ttpe": "card"}).
  auto type_it = pm.find("type");
  bool has_type = type_it != pm.end() && !type_it->is_null();
  if (has_type && !type_it->is_string()) return field_error("payment_method.type", "type must be a string");
  std::string type = has_type ? type_it->get<std::string>() : "card";
  if (type == "credit_card") type = "card";
  if (type == "card") {
    if (auto t = pm.find("token"); t != pm.end() && t->is_string()) {
      choice.source = PaymentChoice::Source::token;
      choice.token = t->get<std::string>();
      return choice;
    }
    auto card = parse_card(pm);
    if (!card.ok()) return card.status();
    choice.source = PaymentChoice::Source::card;
    choice.card = std::move(*card);
    return choice;
  }
  if (type == "wallet") {
    auto w = pm.find("wallet");
    if (w == pm.end() || !w->is_string() || w->get<std::string>().empty())
      return field_error("payment_method.wallet", "payment_method.wallet is required for type wallet");
    choice.source = PaymentChoice::Source::wallet;
    choice.wallet = w->get<std::string>();
    return choice;
  }
  return Status(Kind::invalid, "invalid_payment_method", "payment_method.type must be card or wallet",
                {{"field", "payment_method.type"}});
}

Result<CheckoutRequest> parse_checkout_request(int64_t user_id, const std::string& idempotency_key,
                                               const std::string& client_ip, const std::string& body_text,
                                               int64_t max_quantity) {
  if (idempotency_key.empty())
    return Status(Kind::invalid, "idempotency_key_required",
                  "the Idempotency-Key header is required for POST /api/v1/orders");
  if (!valid_idempotency_key(idempotency_key))
    return Status(Kind::invalid, "invalid_idempotency_key", "Idempotency-Key must be 1-255 printable ASCII characters");
  auto parsed = parse_json_text(body_text.empty() ? std::string_view("{}") : std::string_view(body_text));
  if (!parsed.ok())
    return Status(Kind::invalid, "invalid_json", "request body: " + parsed.status().message(),
                  parsed.status().details());
  const json& b = *parsed;
  if (!b.is_object()) return Status(Kind::invalid, "invalid_json", "request body must be a JSON object");
  if (auto st = only_fields(
          b, {"items", "cart_id", "shipping_address", "shipping_address_id", "billing_address", "billing_address_id",
              "payment_method", "payment_method_id", "shipping_method", "discount_codes", "notes", "email"});
      !st.ok())
    return st;

  CheckoutRequest req;
  req.user_id = user_id;
  req.idempotency_key = idempotency_key;
  req.client_ip = client_ip;
  if (present(b, "items")) {
    auto items = parse_items(b.at("items"), max_quantity);
    if (!items.ok()) return items.status();
    req.items = std::move(*items);
  }
  auto ship = parse_address_choice(b, "shipping_address", "shipping_address_id");
  if (!ship.ok()) return ship.status();
  if (ship->empty()) return field_error("shipping_address", "shipping_address or shipping_address_id is required");
  req.shipping = std::move(*ship);
  auto bill = parse_address_choice(b, "billing_address", "billing_address_id");
  if (!bill.ok()) return bill.status();
  req.billing = std::move(*bill);
  if (auto sm = b.find("shipping_method"); sm != b.end() && !sm->is_null()) {
    if (!sm->is_string() || sm->get<std::string>().empty() || sm->get<std::string>().size() > 40)
      return field_error("shipping_method", "shipping_method is a method id from GET /api/v1/cart/shipping-options");
    req.shipping_method = sm->get<std::string>();
  }
  if (auto dc = b.find("discount_codes"); dc != b.end() && !dc->is_null()) {
    if (!dc->is_array() || dc->size() > 5)
      return field_error("discount_codes", "discount_codes is a list of at most 5 codes");
    std::vector<std::string> codes;
    for (const auto& code : *dc) {
      if (!code.is_string() || code.get<std::string>().size() > 200)
        return field_error("discount_codes", "each discount code is a string");
      codes.push_back(code.get<std::string>());
    }
    req.discount_codes = std::move(codes);
  }
  auto payment = parse_payment_choice(b);
  if (!payment.ok()) return payment.status();
  req.payment = std::move(*payment);
  // A guest's email (a signed-in shopper's comes from their account).
  if (auto e = b.find("email"); e != b.end() && !e->is_null() && user_id == 0) {
    if (!e->is_string()) return field_error("email", "email must be a string");
    auto email = normalize_email(e->get<std::string>());
    if (!email.ok()) return email.status();
    req.email = *email;
  }
  return req;
}

CheckoutResponse checkout_answer(Checkout& checkout, const CheckoutCaller& caller, const std::string& idempotency_key,
                                 const std::string& body, int64_t max_quantity) {
  auto req = parse_checkout_request(caller.user_id, idempotency_key, caller.client_ip, body, max_quantity);
  if (!req.ok()) return {http_status(req.status()), error_body(req.status()), false};
  if (caller.user_id != 0) {
    req->email = caller.account_email;
  } else {
    req->guest_cart = caller.guest_cart;
    if (req->email.empty())
      return {400, error_body(field_error("email", "email is required to check out as a guest")), false};
    if (req->shipping.saved_id || req->billing.saved_id || req->payment.source == PaymentChoice::Source::saved)
      return {
          400,
          error_body(field_error("shipping_address", "a guest gives addresses and the card inline (nothing saved)")),
          false};
  }
  return checkout.place_order(*req);
}

}  // namespace shopbox::http
