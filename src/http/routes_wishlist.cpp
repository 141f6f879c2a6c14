// The signed-in user's wishlist and notifications (wishlist price drops and
// restocks).
#include "app.h"
#include "base/clock.h"
#include "cart/cart.h"
#include "catalog/product_json.h"
#include "http/server.h"
#include "wishlist/wishlist.h"

namespace shopbox {
using namespace http;

namespace {

json item_json(const WishlistItem& item) {
  json j = product_summary_json(item.product, item.stock);
  j["added_at"] = iso8601(item.added_at);
  j["in_stock"] = item.stock.available() > 0;
  j["price_when_added"] = cents_to_json(item.seen_price);
  return j;
}

json notification_json(const Notification& n) {
  json j = {{"notification_id", id_json(n.id)},
            {"type", n.kind},
            {"data", n.data},
            {"created_at", iso8601(n.created_at)},
            {"read", n.read_at.has_value()}};
  j["product_id"] = n.product_id ? json(id_json(*n.product_id)) : json(nullptr);
  return j;
}

}  // namespace

void register_wishlist_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/me/wishlist", Access::user, "default", "Your wishlist, newest first (page, size)"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto page = pagination(req);
               if (!page.ok()) return send_error(res, page.status());
               int64_t total = 0;
               auto items = app.wishlist->list(who.user_id, page->page, page->size, &total);
               if (!items.ok()) return send_error(res, items.status());
               json out = json::array();
               for (const auto& item : *items) out.push_back(item_json(item));
               send_json(res, 200, {{"items", out}, {"page", page->page}, {"size", page->size}, {"total", total}});
             });

  server.add({"POST", "/api/v1/me/wishlist", Access::user, "default",
              "Add {product_id} to your wishlist (201; 200 when it is already there)"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"product_id"}); !st.ok()) return send_error(res, st);
               auto pid = json_id(*body, "product_id");
               if (!pid.ok()) return send_error(res, pid.status());
               auto created = app.wishlist->add(who.user_id, *pid);
               if (!created.ok()) return send_error(res, created.status());
               send_json(res, *created ? 201 : 200, {{"product_id", id_json(*pid)}, {"added", *created}});
             });

  server.add({"POST", "/api/v1/me/wishlist/{product_id}/move-to-cart", Access::user, "cart",
              "Move a wished product into your cart {quantity? (default 1)}: 200 with the cart; the wishlist keeps "
              "it when the cart cannot take it (out of stock: 409)"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto pid = path_id(req, 1, "product");
               if (!pid.ok()) return send_error(res, pid.status());
               int64_t quantity = 1;
               json options = json::object();
               if (!req.body.empty()) {
                 auto body = parse_object(req);
                 if (!body.ok()) return send_error(res, body.status());
                 if (auto st = only_fields(*body, {"quantity", "selected_options"}); !st.ok())
                   return send_error(res, st);
                 if (auto it = body->find("selected_options"); it != body->end() && it->is_object()) options = *it;
                 auto q = opt_int(*body, "quantity", 1, app.config.max_quantity_per_line);
                 if (!q.ok()) return send_error(res, q.status());
                 quantity = q->value_or(1);
               }
               if (!app.wishlist->contains(who.user_id, *pid))
                 return send_error(res, Status::NotFound("product is not on your wishlist"));
               // Cart first: if it refuses (stock, limits), nothing changed.
               // A product with several variants needs the shopper's choice:
               // add_item answers 400 variant_required with the options.
               Cart::ItemChoice choice;
               choice.product_id = *pid;
               choice.selected_options = options;
               auto cart = app.cart->add_item("u:" + std::to_string(who.user_id), choice, quantity);
               if (!cart.ok()) return send_error(res, cart.status());
               if (auto st = app.wishlist->remove(who.user_id, *pid); !st.ok() && st.kind() != Kind::not_found)
                 return send_error(res, st);
               json body = cart_json(*cart, app.config);
               body["cart_token"] = nullptr;
               res.set_header("Cache-Control", "no-store");
               send_json(res, 200, body);
             });

  server.add(
      {"DELETE", "/api/v1/me/wishlist/{product_id}", Access::user, "default", "Remove a product from your wishlist"},
      [&app](const Req& req, Res& res, const Principal& who) {
        if (auto st = need_session(who); !st.ok()) return send_error(res, st);
        auto pid = path_id(req, 1, "product");
        if (!pid.ok()) return send_error(res, pid.status());
        if (auto st = app.wishlist->remove(who.user_id, *pid); !st.ok()) return send_error(res, st);
        res.status = 204;
      });

  server.add(
      {"GET", "/api/v1/me/notifications", Access::user, "default",
       "Your notifications, newest first (wishlist.price_drop, wishlist.back_in_stock), with the unread count"},
      [&app](const Req& req, Res& res, const Principal& who) {
        if (auto st = need_session(who); !st.ok()) return send_error(res, st);
        auto page = pagination(req);
        if (!page.ok()) return send_error(res, page.status());
        int64_t total = 0, unread = 0;
        auto list = app.wishlist->notifications(who.user_id, page->page, page->size, &total, &unread);
        json out = json::array();
        for (const auto& n : list) out.push_back(notification_json(n));
        send_json(
            res, 200,
            {{"notifications", out}, {"page", page->page}, {"size", page->size}, {"total", total}, {"unread", unread}});
      });

  server.add({"POST", "/api/v1/me/notifications/read", Access::user, "default",
              "Mark your notifications read (all, or up to {up_to_id})"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               std::optional<int64_t> up_to;
               if (!req.body.empty()) {
                 auto body = parse_object(req);
                 if (!body.ok()) return send_error(res, body.status());
                 if (body->contains("up_to_id")) {
                   auto id = json_id(*body, "up_to_id");
                   if (!id.ok()) return send_error(res, id.status());
                   up_to = *id;
                 }
               }
               int n = app.wishlist->mark_read(who.user_id, up_to);
               send_json(res, 200, {{"marked_read", n}});
             });
}

}  // namespace shopbox
