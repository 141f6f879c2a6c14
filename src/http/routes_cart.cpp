// Cart routes (the seed's cart API). Whose cart: "u:<user_id>" for a
// signed-in user; otherwise a guest token from the X-Cart-Token header
// (400 when malformed) or the shopbox_cart cookie (ignored when malformed, so
// a damaged cookie never locks a browser out: the next change issues a new
// one). The first change without a token creates one. Guest responses carry
// the token in the X-Cart-Token header and a cart_token field; changes also
// (re)set the cookie (HttpOnly, SameSite=Lax, Max-Age = the cart TTL).
#include "app.h"
#include "cart/cart.h"
#include "http/server.h"

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

}  // namespace

void register_cart_routes(HttpServer& server, App& app) {
  server.add(
      {"GET", "/api/v1/cart", Access::anyone, "cart", "The caller's cart with current prices, stock and summary"},
      [&app](const Req& req, Res& res, const Principal& who) {
        auto owner = resolve_owner(req, who, false);
        if (!owner.ok()) return send_error(res, owner.status());
        CartView cart;
        if (!owner->key.empty()) {
          auto c = app.cart->get(owner->key);
          if (!c.ok()) return send_error(res, c.status());
          cart = std::move(*c);
        } else {
          cart.totals = price_order(0, 0, app.config);  // no cart yet: empty
        }
        send_cart(req, res, 200, cart, *owner, app, false);
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
               change_cart(req, res, who, app, 201, [&](const std::string& owner) {
                 return app.cart->add_item(owner, choice, q->value_or(1));
               });
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
