// Cart routes (the seed's cart API). Whose cart: "u:<user_id>" for a
// signed-in user; otherwise a guest token from the X-Cart-Token header
// (400 when malformed) or the shopbox_cart cookie (ignored when malformed, so
// a damaged cookie never locks a browser out: the next change issues a new
// one). The first change without a token creates one. Guest responses carry
// the token in the X-Cart-Token header and a cart_token field; changes also
// (re)set the cookie (HttpOnly, SameSite=Lax, Max-Age = the cart TTL).
#include "app.h"
#include "base/text.h"
#include "cart/cart.h"
#include "http/server.h"
#include "pricing/pricing_service.h"
#include "users/addresses.h"

namespace shopbox {
using namespace http;

namespace {

const char* kCookie = "shopbox_cart";

struct Owner {
  std::string key;    // empty: a guest without a cart yet (reads only)
  std::string token;  // guest token, empty for users
  bool guest = false;
};

Result<Owner> resolve_owner(const Req& req, const Principal& who, bool create) {
  Owner o;
  if (who.signed_in()) {
    o.key = "u:" + std::to_string(who.user_id);
    return o;
  }
  o.guest = true;
  if (req.has_header("X-Cart-Token")) {
    std::string t = req.get_header_value("X-Cart-Token");
    if (!valid_cart_token(t))
      return Status(Kind::invalid, "invalid_cart_token", "X-Cart-Token must be 32 lower-case hex characters",
                    {{"field", "X-Cart-Token"}});
    o.token = t;
  } else if (auto c = cookie(req, kCookie); valid_cart_token(c)) {
    o.token = c;
  } else if (create) {
    o.token = new_cart_token();
  }
  if (!o.token.empty()) o.key = "g:" + o.token;
  return o;
}

void send_cart(const Req& req, Res& res, int status, const CartView& cart, const Owner& owner, App& app, bool changed) {
  json body = cart_json(cart, app.config);
  if (owner.guest && !owner.token.empty()) {
    body["cart_token"] = owner.token;
    res.set_header("X-Cart-Token", owner.token);
    if (changed) {
      std::string set_cookie = std::string(kCookie) + "=" + owner.token +
                               "; Path=/; Max-Age=" + std::to_string(app.config.cart_ttl_seconds) +
                               "; HttpOnly; SameSite=Lax";
      // The same rule as the session cookie: Secure whenever the shopper came
      // over TLS, directly or through a trusted proxy.
      if (is_https(app.config, req)) set_cookie += "; Secure";
      res.set_header("Set-Cookie", set_cookie);
    }
  } else {
    body["cart_token"] = nullptr;
  }
  res.set_header("Cache-Control", "no-store");
  send_json(res, status, body);
}

// selected_options: a flat object of short strings (e.g. {"color": "Black"}).
Result<json> parse_options(const json& body) {
  auto it = body.find("selected_options");
  if (it == body.end() || it->is_null()) return json(nullptr);
  if (!it->is_object()) return field_error("selected_options", "selected_options must be an object of strings");
  if (it->size() > 20) return field_error("selected_options", "at most 20 selected options");
  for (auto o = it->begin(); o != it->end(); ++o) {
    if (o.key().empty() || o.key().size() > 50 || !o->is_string() || o->get<std::string>().size() > 100)
      return field_error("selected_options",
                         "selected_options must map names (1..50 chars) to strings (up to 100 chars)");
  }
  return *it;
}

using CartOp = std::function<Result<CartView>(const std::string& owner)>;

// Runs a change for the caller's cart and answers with the full cart.
void change_cart(const Req& req, Res& res, const Principal& who, App& app, int ok_status, const CartOp& op) {
  auto owner = resolve_owner(req, who, true);
  if (!owner.ok()) return send_error(res, owner.status());
  auto cart = op(owner->key);
  if (!cart.ok()) return send_error(res, cart.status());
  send_cart(req, res, ok_status, *cart, *owner, app, true);
}

// A destination from {address_id} (a saved address of the signed-in
// shopper) or {country, state, zip}, in a body or a query string; `method`
// is the shipping method asked for (may be empty).
Result<CartShipping> parse_destination(App& app, const Principal& who,
                                       const std::function<std::optional<std::string>(const char*)>& get) {
  CartShipping sh;
  sh.method = get("shipping_method").value_or("");
  if (sh.method.size() > 40)
    return field_error("shipping_method", "shipping_method is a method id from the shipping options");
  if (auto aid = get("address_id")) {
    auto id = parse_id(*aid);
    if (!id) return field_error("address_id", "address_id must be an id");
    if (!who.signed_in()) return Status(Kind::unauthorized, "unauthorized", "sign in to use a saved address");
    auto a = app.addresses->get(who.user_id, *id);
    if (!a.ok()) return a.status();
    sh.country = a->country;
    sh.state = a->state;
    sh.zip = a->zip;
    sh.address_id = *id;
    return sh;
  }
  sh.country = get("country").value_or("");
  sh.state = get("state").value_or("");
  sh.zip = get("zip").value_or("");
  sh.country = ascii_upper(sh.country);
  sh.state = ascii_upper(sh.state);
  auto alnum = [](const std::string& s, size_t max, bool spaces) {
    if (s.size() > max) return false;
    for (unsigned char ch : s)
      if (!std::isalnum(ch) && !(spaces && (ch == ' ' || ch == '-'))) return false;
    return true;
  };
  if (sh.country.size() != 2 || !std::isalpha(static_cast<unsigned char>(sh.country[0])) ||
      !std::isalpha(static_cast<unsigned char>(sh.country[1])))
    return field_error("country", "country is a 2-letter ISO 3166-1 code (US, DE)");
  if (!alnum(sh.state, 10, false)) return field_error("state", "state is a short region code (WA)");
  if (!alnum(sh.zip, 20, true)) return field_error("zip", "zip is a postal code of letters, digits, spaces and '-'");
  return sh;
}

Result<CartShipping> destination_from_body(App& app, const Principal& who, const json& body) {
  if (auto st = only_fields(body, {"address_id", "country", "state", "zip", "shipping_method"}); !st.ok()) return st;
  for (const char* f : {"country", "state", "zip", "shipping_method"})
    if (body.contains(f) && !body[f].is_string() && !body[f].is_null())
      return field_error(f, std::string(f) + " must be a string");
  if (body.contains("address_id") && !body["address_id"].is_string() && !body["address_id"].is_number_integer())
    return field_error("address_id", "address_id must be an id");
  return parse_destination(app, who, [&](const char* f) -> std::optional<std::string> {
    auto it = body.find(f);
    if (it == body.end() || it->is_null()) return std::nullopt;
    return it->is_string() ? it->get<std::string>() : std::to_string(it->get<int64_t>());
  });
}

// Discount codes and where the cart goes (pricing/pricing.h prices both).
void register_cart_pricing_routes(HttpServer& server, App& app) {
  server.add({"POST", "/api/v1/cart/discounts", Access::anyone, "cart",
              "Apply a discount code: {code}; 404 discount_not_found, 409 discount_not_applicable (details.reason)"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"code"}); !st.ok()) return send_error(res, st);
               auto code = req_string(*body, "code", 200);
               if (!code.ok()) return send_error(res, code.status());
               change_cart(req, res, who, app, 200,
                           [&](const std::string& owner) { return app.cart->apply_code(owner, *code); });
             });

  server.add(
      {"DELETE", "/api/v1/cart/discounts/{code}", Access::anyone, "cart", "Remove a discount code from the cart"},
      [&app](const Req& req, Res& res, const Principal& who) {
        std::string code = req.matches[1].str();
        change_cart(req, res, who, app, 200,
                    [&](const std::string& owner) { return app.cart->remove_code(owner, code); });
      });

  server.add({"PUT", "/api/v1/cart/shipping", Access::anyone, "cart",
              "Where the cart goes and how: {address_id | country, state, zip; shipping_method}; the summary is "
              "priced for it"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               auto sh = destination_from_body(app, who, *body);
               if (!sh.ok()) return send_error(res, sh.status());
               change_cart(req, res, who, app, 200,
                           [&](const std::string& owner) { return app.cart->set_shipping(owner, *sh); });
             });

  server.add({"GET", "/api/v1/cart/shipping-options", Access::anyone, "cart",
              "The shipping methods for the cart to ?country=&state=&zip= (or ?address_id=): {shipping_options: "
              "[{id, name, price, estimated_delivery}]}; 422 no_shipping_to_address"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto owner = resolve_owner(req, who, false);
               if (!owner.ok()) return send_error(res, owner.status());
               auto sh = parse_destination(app, who, [&](const char* f) { return query(req, f); });
               if (!sh.ok()) return send_error(res, sh.status());
               auto cart = app.cart->preview(owner->key.empty() ? "g:" : owner->key, *sh);
               if (!cart.ok()) return send_error(res, cart.status());
               const Quote& q = cart->quote;
               if (q.shipping_problem == "no_shipping_to_address") return send_error(res, shipping_refusal(q, ""));
               json body = shipping_json(q, sh->address_id);
               json out = {{"shipping_options", body["options"]},
                           {"zone", body["zone"]},
                           {"destination", body["destination"]},
                           {"selected", body["method"]}};
               res.set_header("Cache-Control", "no-store");
               send_json(res, 200, out);
             });
}

}  // namespace

void register_cart_routes(HttpServer& server, App& app) {
  register_cart_pricing_routes(server, app);
  server.add(
      {"GET", "/api/v1/cart", Access::anyone, "cart", "The caller's cart with current prices, stock and summary"},
      [&app](const Req& req, Res& res, const Principal& who) {
        auto owner = resolve_owner(req, who, false);
        if (!owner.ok()) return send_error(res, owner.status());
        // No cart yet (a guest without a token): an empty one, priced all the same.
        auto cart = app.cart->get(owner->key.empty() ? "g:" : owner->key);
        if (!cart.ok()) return send_error(res, cart.status());
        send_cart(req, res, 200, *cart, *owner, app, false);
      });

  server.add({"POST", "/api/v1/cart/items", Access::anyone, "cart",
              "Add a variant or set its quantity: {variant_id | product_id + selected_options, quantity}; 201 with "
              "the full cart"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"product_id", "variant_id", "quantity", "selected_options"}); !st.ok())
                 return send_error(res, st);
               Cart::ItemChoice choice;
               for (const char* field : {"product_id", "variant_id"}) {
                 if (!body->contains(field)) continue;
                 auto id = json_id(*body, field);
                 if (!id.ok()) return send_error(res, id.status());
                 (field[0] == 'p' ? choice.product_id : choice.variant_id) = *id;
               }
               if (!choice.product_id && !choice.variant_id)
                 return send_error(res, field_error("variant_id", "variant_id (or product_id) is required"));
               auto q = opt_int(*body, "quantity", 1, app.config.max_quantity_per_line);
               if (!q.ok()) return send_error(res, q.status());
               auto options = parse_options(*body);
               if (!options.ok()) return send_error(res, options.status());
               if (options->is_object()) choice.selected_options = *options;
               change_cart(req, res, who, app, 201,
                           [&](const std::string& owner) { return app.cart->add_item(owner, choice, q->value_or(1)); });
             });

  server.add(
      {"PATCH", "/api/v1/cart/items/{variant_id}", Access::anyone, "cart", "Change a line's quantity: {quantity}"},
      [&app](const Req& req, Res& res, const Principal& who) {
        auto id = path_id(req, 1, "variant");
        if (!id.ok()) return send_error(res, id.status());
        auto body = parse_object(req);
        if (!body.ok()) return send_error(res, body.status());
        if (auto st = only_fields(*body, {"quantity"}); !st.ok()) return send_error(res, st);
        auto q = opt_int(*body, "quantity", 1, app.config.max_quantity_per_line);
        if (!q.ok()) return send_error(res, q.status());
        if (!*q) return send_error(res, field_error("quantity", "quantity is required"));
        change_cart(req, res, who, app, 200,
                    [&](const std::string& owner) { return app.cart->set_quantity(owner, *id, **q); });
      });

  server.add({"DELETE", "/api/v1/cart/items/{variant_id}", Access::anyone, "cart",
              "Remove a line (by variant id) from the cart or from saved-for-later"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto id = path_id(req, 1, "variant");
               if (!id.ok()) return send_error(res, id.status());
               change_cart(req, res, who, app, 200,
                           [&](const std::string& owner) { return app.cart->remove_item(owner, *id); });
             });

  server.add({"POST", "/api/v1/cart/items/{variant_id}/save-for-later", Access::anyone, "cart",
              "Move a line from the cart to saved-for-later (left out of the totals)"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto id = path_id(req, 1, "variant");
               if (!id.ok()) return send_error(res, id.status());
               change_cart(req, res, who, app, 200,
                           [&](const std::string& owner) { return app.cart->save_for_later(owner, *id); });
             });

  server.add({"POST", "/api/v1/cart/items/{variant_id}/move-to-cart", Access::anyone, "cart",
              "Move a saved-for-later line back into the cart (checks stock)"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto id = path_id(req, 1, "variant");
               if (!id.ok()) return send_error(res, id.status());
               change_cart(req, res, who, app, 200,
                           [&](const std::string& owner) { return app.cart->move_to_cart(owner, *id); });
             });
}

}  // namespace shopbox
