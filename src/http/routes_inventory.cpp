// Admin inventory routes: stock levels (set, adjust, low-stock list), the
// audit log, reservations (reserve, release, consume: the service calls
// checkout makes, exposed for operators, tests and benchmarks) and the
// invariant check.
#include <set>

#include "app.h"
#include "base/clock.h"
#include "base/text.h"
#include "catalog/catalog.h"
#include "catalog/variants.h"
#include "http/server.h"
#include "inventory/inventory.h"

namespace shopbox {
using namespace http;

namespace {

// `owner`: the variant's product, when known.
json stock_json(int64_t variant_id, const Product* owner, const StockLevel& s, const Config& config) {
  const Variant* v = owner ? owner->variant(variant_id) : nullptr;
  return {{"variant_id", std::to_string(variant_id)},
          {"product_id", owner ? json(std::to_string(owner->id)) : json(nullptr)},
          {"name", owner ? json(owner->name) : json(nullptr)},
          {"sku", v ? json(v->sku) : json(nullptr)},
          {"title", v && !owner->options.empty() ? json(variant_title(*v)) : json(nullptr)},
          {"status", owner ? json(product_status_name(owner->status)) : json(nullptr)},
          {"options", v ? selected_options_json(*owner, *v) : json::object()},
          {"location", config.warehouse_location},
          {"total", s.total},
          {"reserved", s.reserved},
          {"available", s.available()},
          {"low_stock_threshold", s.low_stock_threshold},
          {"low_stock", s.available() <= s.low_stock_threshold}};
}

json reservation_json(const Reservation& r) {
  json lines = json::array();
  for (const auto& l : r.lines)
    lines.push_back({{"variant_id", std::to_string(l.variant_id)}, {"quantity", l.quantity}});
  return {{"reservation_id", r.id},
          {"owner", r.owner},
          {"status", status_name(r.status)},
          {"lines", lines},
          {"created_at", iso8601(r.created_at)},
          {"expires_at", iso8601(r.expires_at)},
          {"updated_at", iso8601(r.updated_at)},
          {"order_id", r.order_id.empty() ? json(nullptr) : json(r.order_id)},
          {"reason", r.reason.empty() ? json(nullptr) : json(r.reason)}};
}

// {lines: [{variant_id, quantity}], owner?, ttl_seconds?}; product_id is
// read as the id of a one-variant product's variant (they are the same).
Result<std::vector<ReservationLine>> parse_lines(const json& body, const Config& config) {
  auto it = body.find("lines");
  if (it == body.end() || !it->is_array() || it->empty())
    return field_error("lines", "lines must be a non-empty array of {variant_id, quantity}");
  if (it->size() > Inventory::kMaxLines)
    return field_error("lines", "at most " + std::to_string(Inventory::kMaxLines) + " lines");
  std::vector<ReservationLine> lines;
  for (const auto& l : *it) {
    if (!l.is_object()) return field_error("lines", "each line must be an object {variant_id, quantity}");
    auto id = json_id(l, l.contains("variant_id") ? "variant_id" : "product_id");
    if (!id.ok()) return id.status();
    auto q = opt_int(l, "quantity", 1, config.max_quantity_per_line);
    if (!q.ok()) return q.status();
    if (!*q) return field_error("quantity", "quantity is required");
    lines.push_back({*id, **q});
  }
  return lines;
}

}  // namespace

namespace {

Result<StockFilter> parse_stock_filter(const Req& req) {
  if (auto v = query(req, "low_stock")) {
    if (*v != "true" && *v != "false")
      return field_error("low_stock", "low_stock must be true or false");
    if (*v == "true") return StockFilter::low;
  }
  const std::string f = query(req, "filter").value_or("all");
  if (f == "all" || f.empty()) return StockFilter::all;
  if (f == "low") return StockFilter::low;
  if (f == "sold_out") return StockFilter::sold_out;
  return field_error("filter", "filter must be all, low or sold_out");
}

// Most variants an inventory search considers: a search is for finding a
// few products, and this bounds its cost at any catalog size.
constexpr int64_t kStockSearchLimit = 5000;

// GET /admin/inventory. Without q, the inventory's own scan in id order;
// with q, the catalog's matching variants (by product name) and their
// levels, filtered and paged here.
void send_stock_list(App& app, const Req& req, Res& res) {
  auto page = pagination(req);
  if (!page.ok()) return send_error(res, page.status());
  auto filter = parse_stock_filter(req);
  if (!filter.ok()) return send_error(res, filter.status());
  const std::string text = trim(query(req, "q").value_or(""));
  if (text.size() > 200) return send_error(res, field_error("q", "The search is too long"));
  std::vector<StockRow> rows;
  size_t total = 0;
  if (text.empty()) {
    rows = app.inventory->list(*filter, static_cast<size_t>(page->offset()), static_cast<size_t>(page->size), &total);
  } else {
    auto ids = app.catalog->variant_ids_matching(text, kStockSearchLimit);
    if (!ids.ok()) return send_error(res, ids.status());
    auto levels = app.inventory->levels(*ids);
    for (size_t i = 0; i < ids->size(); ++i) {
      if (!stock_matches(levels[i], *filter)) continue;
      if (total >= static_cast<size_t>(page->offset()) && rows.size() < static_cast<size_t>(page->size))
        rows.push_back({(*ids)[i], levels[i]});
      ++total;
    }
  }
  json items = json::array();
  for (const auto& r : rows) {
    auto p = app.catalog->product_of_variant(r.variant_id);
    items.push_back(stock_json(r.variant_id, p.ok() ? &*p : nullptr, r.level, app.config));
  }
  send_json(res, 200, {{"items", items}, {"page", page->page}, {"size", page->size}, {"total", total}});
}

// Most stock counts one bulk edit sets.
constexpr size_t kMaxBulkStock = 500;

// POST /admin/inventory/bulk: {items: [{variant_id, total}], reason?}. All
// or nothing, in one LMDB transaction (Inventory::set_totals): a count that
// fails (unknown variant, below what is reserved) changes no level.
void set_stock_counts(App& app, const Req& req, Res& res, const Principal& who) {
  auto body = parse_object(req);
  if (!body.ok()) return send_error(res, body.status());
  if (auto st = only_fields(*body, {"items", "reason"}); !st.ok()) return send_error(res, st);
  auto reason = opt_string(*body, "reason", 200);
  if (!reason.ok()) return send_error(res, reason.status());
  auto it = body->find("items");
  if (it == body->end() || !it->is_array() || it->empty() || it->size() > kMaxBulkStock)
    return send_error(res, field_error("items", "items must list 1 to 500 {variant_id, total}"));
  std::vector<std::pair<int64_t, int64_t>> totals;
  std::set<int64_t> seen;
  for (size_t i = 0; i < it->size(); ++i) {
    const json& item = (*it)[i];
    const std::string field = "items[" + std::to_string(i) + "]";
    if (!item.is_object()) return send_error(res, field_error(field, "each item is {variant_id, total}"));
    std::optional<int64_t> id;  // "123" as the API writes ids, or 123
    if (auto v = item.find("variant_id"); v != item.end()) {
      if (v->is_string()) id = parse_id(v->get<std::string>());
      if (v->is_number_integer() && v->get<int64_t>() > 0) id = v->get<int64_t>();
    }
    if (!id) return send_error(res, field_error(field, "variant_id must be an id"));
    auto total = opt_int(item, "total", 0, 1'000'000'000);
    if (!total.ok()) return send_error(res, Status::Invalid(total.status().message(), {{"field", field}}));
    if (!*total) return send_error(res, field_error(field, "total is required"));
    if (!seen.insert(*id).second) return send_error(res, field_error(field, "this variant is listed twice"));
    if (auto p = app.catalog->product_of_variant(*id); !p.ok())
      return send_error(res, Status(Kind::not_found, "not_found", "variant " + std::to_string(*id) + " not found",
                                    {{"field", field}, {"variant_id", std::to_string(*id)}}));
    totals.emplace_back(*id, **total);
  }
  if (auto st = app.inventory->set_totals(totals, who.actor(), reason->value_or("stock count")); !st.ok())
    return send_error(res, st);
  json items = json::array();
  for (const auto& [id, _] : totals) {
    auto p = app.catalog->product_of_variant(id);
    items.push_back(stock_json(id, p.ok() ? &*p : nullptr, app.inventory->level(id), app.config));
  }
  send_json(res, 200, {{"items", items}});
}

// Stock lists, the invariant check and reservations.
void register_reservation_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/admin/inventory", Access::admin, "admin",
              "Stock levels of variants, paginated: filter=all|low|sold_out (low_stock=true is filter=low), q finds a "
              "product name, brand or SKU"},
             [&app](const Req& req, Res& res, const Principal&) { send_stock_list(app, req, res); });

  server.add({"POST", "/api/v1/admin/inventory/bulk", Access::admin, "admin",
              "Set many stock counts at once, all or nothing: {items: [{variant_id, total}], reason?}"},
             [&app](const Req& req, Res& res, const Principal& who) { set_stock_counts(app, req, res, who); });

  server.add({"GET", "/api/v1/admin/inventory/check", Access::admin, "admin",
              "Checks the stock invariants (0 <= reserved <= total; reserved == active reservations)"},
             [&app](const Req&, Res& res, const Principal&) {
               std::vector<std::string> problems;
               app.inventory->check_invariants(problems);
               send_json(res, 200, {{"ok", problems.empty()}, {"problems", problems}});
             });

  server.add({"POST", "/api/v1/admin/inventory/reservations", Access::admin, "admin",
              "Reserve stock, all lines or none: {lines: [{product_id, quantity}], owner?, ttl_seconds?}"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"lines", "owner", "ttl_seconds"}); !st.ok())
                 return send_error(res, st);
               auto lines = parse_lines(*body, app.config);
               if (!lines.ok()) return send_error(res, lines.status());
               auto owner = opt_string(*body, "owner", 200);
               if (!owner.ok()) return send_error(res, owner.status());
               if (*owner && (*owner)->empty()) return send_error(res, field_error("owner", "owner must not be empty"));
               auto ttl = opt_int(*body, "ttl_seconds", 1, 7 * 24 * 3600);
               if (!ttl.ok()) return send_error(res, ttl.status());
               for (const auto& l : *lines)
                 if (auto p = app.catalog->product_of_variant(l.variant_id); !p.ok())
                   return send_error(res, Status(Kind::not_found, "not_found",
                                                 "variant " + std::to_string(l.variant_id) + " not found",
                                                 {{"variant_id", std::to_string(l.variant_id)}}));
               auto r = app.inventory->reserve(*lines, owner->value_or(who.actor()), ttl->value_or(0));
               if (!r.ok()) return send_error(res, r.status());
               send_json(res, 201, reservation_json(*r));
             });

  server.add(
      {"GET", "/api/v1/admin/inventory/reservations/{id}", Access::admin, "admin", "A reservation and its status"},
      [&app](const Req& req, Res& res, const Principal&) {
        auto r = app.inventory->reservation(req.matches[1].str());
        if (!r.ok()) return send_error(res, r.status());
        send_json(res, 200, reservation_json(*r));
      });

  server.add({"POST", "/api/v1/admin/inventory/reservations/{id}/release", Access::admin, "admin",
              "Release a reservation (idempotent): {reason?}"},
             [&app](const Req& req, Res& res, const Principal&) {
               std::string reason = "released by admin";
               if (!req.body.empty()) {
                 auto body = parse_object(req);
                 if (!body.ok()) return send_error(res, body.status());
                 if (auto st = only_fields(*body, {"reason"}); !st.ok()) return send_error(res, st);
                 auto r = opt_string(*body, "reason", 200);
                 if (!r.ok()) return send_error(res, r.status());
                 if (*r && !(*r)->empty()) reason = **r;
               }
               auto r = app.inventory->release(req.matches[1].str(), reason);
               if (!r.ok()) return send_error(res, r.status());
               send_json(res, 200, reservation_json(*r));
             });

  server.add({"POST", "/api/v1/admin/inventory/reservations/{id}/consume", Access::admin, "admin",
              "Consume a reservation for an order (idempotent per order): {order_id}"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"order_id"}); !st.ok()) return send_error(res, st);
               auto order = req_string(*body, "order_id", 100);
               if (!order.ok()) return send_error(res, order.status());
               auto r = app.inventory->consume(req.matches[1].str(), *order);
               if (!r.ok()) return send_error(res, r.status());
               send_json(res, 200, reservation_json(*r));
             });
}

// One variant's stock: level, count, adjustment, audit log. {id} is a
// variant id; a one-variant product's id is its variant's (catalog/product.h).
void register_stock_level_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/admin/inventory/{id}", Access::admin, "admin", "Stock level of a variant (a one-variant product's id works too)"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "variant");
               if (!id.ok()) return send_error(res, id.status());
               auto owner = app.catalog->product_of_variant(*id);
               if (!owner.ok()) return send_error(res, owner.status());
               send_json(res, 200, stock_json(*id, &*owner, app.inventory->level(*id), app.config));
             });

  server.add({"PUT", "/api/v1/admin/inventory/{id}", Access::admin, "admin",
              "Set the total stock on hand: {total, reason?, low_stock_threshold?}"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto id = path_id(req, 1, "variant");
               if (!id.ok()) return send_error(res, id.status());
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"total", "reason", "low_stock_threshold"}); !st.ok())
                 return send_error(res, st);
               auto total = opt_int(*body, "total", 0, 1'000'000'000);
               if (!total.ok()) return send_error(res, total.status());
               auto threshold = opt_int(*body, "low_stock_threshold", 0, 1'000'000'000);
               if (!threshold.ok()) return send_error(res, threshold.status());
               if (!*total && !*threshold) return send_error(res, field_error("total", "total is required"));
               auto reason = opt_string(*body, "reason", 200);
               if (!reason.ok()) return send_error(res, reason.status());
               auto owner = app.catalog->product_of_variant(*id);
               if (!owner.ok()) return send_error(res, owner.status());
               StockLevel level = app.inventory->level(*id);
               if (*total) {
                 auto l = app.inventory->set_total(*id, **total, who.actor(), reason->value_or("stock count"));
                 if (!l.ok()) return send_error(res, l.status());
                 level = *l;
               }
               if (*threshold) {
                 auto l = app.inventory->set_threshold(*id, **threshold);
                 if (!l.ok()) return send_error(res, l.status());
                 level = *l;
               }
               send_json(res, 200, stock_json(*id, &*owner, level, app.config));
             });

  server.add(
      {"PATCH", "/api/v1/admin/inventory/{id}", Access::admin, "admin", "Adjust stock by a delta: {delta, reason?}"},
      [&app](const Req& req, Res& res, const Principal& who) {
        auto id = path_id(req, 1, "variant");
        if (!id.ok()) return send_error(res, id.status());
        auto body = parse_object(req);
        if (!body.ok()) return send_error(res, body.status());
        if (auto st = only_fields(*body, {"delta", "reason"}); !st.ok()) return send_error(res, st);
        auto delta = opt_int(*body, "delta", -1'000'000'000, 1'000'000'000);
        if (!delta.ok()) return send_error(res, delta.status());
        if (!*delta) return send_error(res, field_error("delta", "delta is required"));
        if (**delta == 0) return send_error(res, field_error("delta", "delta must not be zero"));
        auto reason = opt_string(*body, "reason", 200);
        if (!reason.ok()) return send_error(res, reason.status());
        auto owner = app.catalog->product_of_variant(*id);
               if (!owner.ok()) return send_error(res, owner.status());
        auto level = app.inventory->adjust(*id, **delta, who.actor(), reason->value_or("adjustment"));
        if (!level.ok()) return send_error(res, level.status());
        send_json(res, 200, stock_json(*id, &*owner, *level, app.config));
      });

  server.add({"GET", "/api/v1/admin/inventory/{id}/audit", Access::admin, "admin",
              "Stock audit log of a product, newest first; ?action=reserve|release|consume|expire|set|adjust"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "variant");
               if (!id.ok()) return send_error(res, id.status());
               auto page = pagination(req, 50, 100);
               if (!page.ok()) return send_error(res, page.status());
               std::string action = query(req, "action").value_or("");
               static const std::vector<std::string> actions = {"",        "set",     "adjust", "reserve",
                                                                "release", "consume", "expire"};
               if (std::find(actions.begin(), actions.end(), action) == actions.end())
                 return send_error(
                     res,
                     field_error("action", "action must be one of set, adjust, reserve, release, consume, expire"));
               auto owner = app.catalog->product_of_variant(*id);
               if (!owner.ok()) return send_error(res, owner.status());
               size_t total = 0;
               auto rows = app.inventory->audit(*id, static_cast<size_t>(page->offset()),
                                                static_cast<size_t>(page->size), action, &total);
               json items = json::array();
               for (const auto& a : rows)
                 items.push_back({{"seq", a.seq},
                                  {"action", a.action},
                                  {"quantity_change", a.quantity_change},
                                  {"before_available", a.before_available},
                                  {"after_available", a.after_available},
                                  {"before_total", a.before_total},
                                  {"after_total", a.after_total},
                                  {"reason", a.reason},
                                  {"actor", a.actor},
                                  {"reservation_id", a.reservation_id.empty() ? json(nullptr) : json(a.reservation_id)},
                                  {"at", iso8601(a.at)}});
               send_json(res, 200, {{"items", items}, {"page", page->page}, {"size", page->size}, {"total", total}});
             });
}

}  // namespace

void register_inventory_routes(HttpServer& server, App& app) {
  register_reservation_routes(server, app);
  register_stock_level_routes(server, app);
}

}  // namespace shopbox
