// Catalog routes: product details, browse, categories, and their admin
// create/update/delete.
#include "app.h"
#include "base/clock.h"
#include "base/text.h"
#include "catalog/catalog.h"
#include "catalog/option_filter.h"
#include "catalog/product_json.h"
#include "catalog/variants.h"
#include "http/server.h"
#include "inventory/inventory.h"
#include "pricing/catalog_lines.h"
#include "pricing/pricing_service.h"
#include "recommendations/recommendations.h"

namespace shopbox {
using namespace http;

namespace {

Result<ProductSort> parse_sort(const Req& req) {
  auto s = query(req, "sort");
  if (!s || s->empty() || *s == "newest") return ProductSort::newest;
  if (*s == "price_asc") return ProductSort::price_asc;
  if (*s == "price_desc") return ProductSort::price_desc;
  if (*s == "rating") return ProductSort::rating;
  if (*s == "name") return ProductSort::name;
  return field_error("sort", "sort must be one of newest, price_asc, price_desc, rating, name");
}

// The browse filters shared by GET /products (and the storefront).
Result<ProductQuery> parse_browse(App& app, const Req& req) {
  ProductQuery q;
  auto f = parse_browse_filters(req);
  if (!f.ok()) return f.status();
  q.page = f->page.page;
  q.size = f->page.size;
  auto sort = parse_sort(req);
  if (!sort.ok()) return sort.status();
  q.sort = *sort;
  q.min_price = f->min_price;
  q.max_price = f->max_price;
  q.min_rating = f->min_rating;
  q.brands = std::move(f->brands);
  if (auto cat = query(req, "category"); cat && !cat->empty()) {
    if (auto id = parse_id(*cat)) {
      q.category_id = *id;
    } else {
      auto found = app.catalog->category_by_slug(*cat);  // the cached tree, no SQLite read
      if (!found) return Status::NotFound("category not found");
      q.category_id = found->id;
    }
  }
  auto options = option_choices(req.params);
  if (!options.ok()) return options.status();
  q.options = std::move(*options);
  return q;
}

json category_tree(const std::vector<Category>& all) {
  // Categories arrive ordered by level, so parents precede children.
  std::map<int64_t, json> nodes;
  std::vector<int64_t> order;
  for (const auto& c : all) {
    json n = category_json(c);
    n["children"] = json::array();
    nodes[c.id] = std::move(n);
    order.push_back(c.id);
  }
  // Attach deepest first so each child is complete when copied into its parent.
  json roots = json::array();
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->parent_id && nodes.count(*it->parent_id)) {
      auto& kids = nodes[*it->parent_id]["children"];
      kids.insert(kids.begin(), nodes[it->id]);
    }
  }
  for (const auto& c : all)
    if (!c.parent_id || !nodes.count(*c.parent_id)) roots.push_back(nodes[c.id]);
  return roots;
}

}  // namespace

namespace {

// The product page's shipping line, priced by the pricing module like a
// cart holding one unit of the product's cheapest variant.
json product_shipping(App& app, const Product& p) {
  const Variant* cheapest = nullptr;
  for (const auto& v : p.variants)
    if (!cheapest || v.final_price() < cheapest->final_price()) cheapest = &v;
  if (!cheapest) return nullptr;
  PricingRequest req;
  req.lines = {pricing_line(*app.catalog, p, *cheapest, 1, cheapest->final_price())};
  req.now = now_seconds();
  auto q = app.pricing->quote(std::move(req), {});
  if (!q.ok()) return nullptr;
  return product_shipping_json(*q);
}

// What shoppers read: products and categories.
void register_storefront_catalog_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/products/{id}", Access::anyone, "catalog",
              "Product details: price, discount, stock, images, specs, rating, shipping"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto id = path_id(req, 1, "product");
               if (!id.ok()) return send_error(res, id.status());
               // The admin previews drafts; shoppers see products for sale only.
               auto p = who.is_admin() ? app.catalog->product(*id) : app.catalog->product_for_shoppers(*id);
               if (!p.ok()) return send_error(res, p.status());
               if (who.signed_in()) app.recommendations->record_view(who.user_id, p->id);  // "recently viewed"
               json body = product_details_json(*p, app.catalog->stock(*p), app.catalog->category_path(p->category_id),
                                                app.config);
               body["shipping"] = product_shipping(app, *p);
               send_json(res, 200, body);
             });

  server.add({"GET", "/api/v1/products", Access::anyone, "catalog",
              "Browse products: category (id or slug, includes subcategories), brand, min_price, max_price, rating, "
              "option.<Name>=<value> (repeatable: an in-stock variant matching all), sort, page, size; facets.options "
              "over every match (facets=false skips them)"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto q = parse_browse(app, req);
               if (!q.ok()) return send_error(res, q.status());
               const auto facets_param = query(req, "facets").value_or("");
               if (!facets_param.empty() && facets_param != "true" && facets_param != "1" && facets_param != "false" &&
                   facets_param != "0")
                 return send_error(res, field_error("facets", "facets must be true or false"));
               const bool with_facets = facets_param != "false" && facets_param != "0";
               std::vector<OptionFacet> option_facets;
               auto page = app.catalog->browse(*q, with_facets ? &option_facets : nullptr);
               if (!page.ok()) return send_error(res, page.status());
               json products = json::array();
               for (const auto& p : page->products) products.push_back(product_summary_json(p, app.catalog->stock(p)));
               json body = {{"products", products}, {"page", q->page}, {"size", q->size}, {"total", page->total}};
               if (with_facets) body["facets"] = {{"options", option_facets_json(option_facets)}};
               if (!q->options.empty()) body["filters_applied"] = {{"options", option_choices_json(q->options)}};
               send_json(res, 200, body);
             });

  server.add({"GET", "/api/v1/categories", Access::anyone, "catalog", "The category tree"},
             [&app](const Req&, Res& res, const Principal&) {
               send_json(res, 200, {{"categories", category_tree(app.catalog->categories())}});
             });

  server.add(
      {"GET", "/api/v1/categories/{id}", Access::anyone, "catalog", "One category with its ancestors and children"},
      [&app](const Req& req, Res& res, const Principal&) {
        auto id = path_id(req, 1, "category");
        if (!id.ok()) return send_error(res, id.status());
        auto cat = app.catalog->category(*id);
        if (!cat.ok()) return send_error(res, cat.status());
        auto all = app.catalog->categories();
        json body = category_json(*cat);
        json children = json::array(), ancestors = json::array();
        for (const auto& c : all)
          if (c.parent_id == cat->id) children.push_back(category_json(c));
        for (auto parent = cat->parent_id; parent;) {
          auto it = std::find_if(all.begin(), all.end(), [&](const Category& c) { return c.id == *parent; });
          if (it == all.end()) break;
          ancestors.insert(ancestors.begin(), category_json(*it));
          parent = it->parent_id;
        }
        body["children"] = children;
        body["ancestors"] = ancestors;
        send_json(res, 200, body);
      });

  // ---- admin ----
}

// The admin's product list: every status, with the count of each (the
// tabs), newest first; q finds a name, brand or SKU.
void register_admin_product_list(HttpServer& server, App& app) {
  server.add(
      {"GET", "/api/v1/admin/products", Access::admin, "admin",
       "All products, any status: status (draft|active|archived), q (name, brand or SKU), page, size; counts "
       "per status"},
      [&app](const Req& req, Res& res, const Principal&) {
        auto page = pagination(req, 25, 100);
        if (!page.ok()) return send_error(res, page.status());
        AdminProductQuery q;
        q.page = page->page;
        q.size = page->size;
        if (auto s = query(req, "status"); s && !s->empty() && *s != "all") {
          q.status = parse_product_status(*s);
          if (!q.status) return send_error(res, field_error("status", "Status must be draft, active or archived"));
        }
        q.text = trim(query(req, "q").value_or(""));
        if (q.text.size() > 200) return send_error(res, field_error("q", "The search is too long"));
        auto list = app.catalog->admin_products(q);
        if (!list.ok()) return send_error(res, list.status());
        auto counts = app.catalog->count_by_status();
        if (!counts.ok()) return send_error(res, counts.status());
        json products = json::array();
        for (const auto& p : list->products) products.push_back(product_summary_json(p, app.catalog->stock(p)));
        send_json(res, 200,
                  {{"products", products},
                   {"page", q.page},
                   {"size", q.size},
                   {"total", list->total},
                   {"counts", {{"draft", counts->draft}, {"active", counts->active}, {"archived", counts->archived}}}});
      });

  // One product or category as the merchant has it, whatever its status
  // (also what the audit log keeps as a write's before and after).
  server.add({"GET", "/api/v1/admin/products/{id}", Access::admin, "admin",
              "One product, any status: the product details with its variants, images and stock"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "product");
               if (!id.ok()) return send_error(res, id.status());
               auto p = app.catalog->product(*id);
               if (!p.ok()) return send_error(res, p.status());
               send_json(res, 200,
                         product_details_json(*p, app.catalog->stock(*p), app.catalog->category_path(p->category_id),
                                              app.config));
             });
  server.add({"GET", "/api/v1/admin/categories/{id}", Access::admin, "admin", "One category"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "category");
               if (!id.ok()) return send_error(res, id.status());
               auto cat = app.catalog->category(*id);
               if (!cat.ok()) return send_error(res, cat.status());
               send_json(res, 200, category_json(*cat));
             });
}

// What merchants change: products and categories.
void register_catalog_admin_routes(HttpServer& server, App& app) {
  register_admin_product_list(server, app);
  server.add(
      {"POST", "/api/v1/admin/products", Access::admin, "admin", "Create a product (optionally with initial stock)"},
      [&app](const Req& req, Res& res, const Principal& who) {
        auto body = parse_object(req);
        if (!body.ok()) return send_error(res, body.status());
        Product p;
        p.currency = app.config.currency;
        std::optional<int64_t> stock;
        if (auto st = apply_product_json(*body, p, &stock); !st.ok()) return send_error(res, st);
        if (!body->contains("price") && !body->contains("variants"))
          return send_error(res, field_error("price", "Give the product a price"));
        p.id = 0;
        auto created = app.catalog->create_product(p, stock, who.actor());
        if (!created.ok()) return send_error(res, created.status());
        send_json(res, 201,
                  product_details_json(*created, app.catalog->stock(*created),
                                       app.catalog->category_path(created->category_id), app.config));
      });

  auto update = [&app](const Req& req, Res& res, const Principal& who) {
    auto id = path_id(req, 1, "product");
    if (!id.ok()) return send_error(res, id.status());
    auto body = parse_object(req);
    if (!body.ok()) return send_error(res, body.status());
    auto existing = app.catalog->product(*id);
    if (!existing.ok()) return send_error(res, existing.status());
    Product p = *existing;
    if (auto st = apply_product_json(*body, p, nullptr); !st.ok()) return send_error(res, st);
    p.id = *id;
    auto updated = app.catalog->update_product(p, who.actor());
    if (!updated.ok()) return send_error(res, updated.status());
    send_json(res, 200,
              product_details_json(*updated, app.catalog->stock(*updated),
                                   app.catalog->category_path(updated->category_id), app.config));
  };
  server.add({"PATCH", "/api/v1/admin/products/{id}", Access::admin, "admin", "Update some fields of a product"},
             update);
  server.add(
      {"PUT", "/api/v1/admin/products/{id}", Access::admin, "admin", "Update a product (fields present in the body)"},
      update);

  server.add({"DELETE", "/api/v1/admin/products/{id}", Access::admin, "admin", "Delete a product"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "product");
               if (!id.ok()) return send_error(res, id.status());
               if (auto st = app.catalog->delete_product(*id); !st.ok()) return send_error(res, st);
               res.status = 204;
             });

  server.add(
      {"POST", "/api/v1/admin/categories", Access::admin, "admin", "Create a category (parent_id for a subcategory)"},
      [&app](const Req& req, Res& res, const Principal&) {
        auto body = parse_object(req);
        if (!body.ok()) return send_error(res, body.status());
        Category c;
        if (auto st = apply_category_json(*body, c); !st.ok()) return send_error(res, st);
        auto created = app.catalog->create_category(c);
        if (!created.ok()) return send_error(res, created.status());
        send_json(res, 201, category_json(*created));
      });

  server.add({"PATCH", "/api/v1/admin/categories/{id}", Access::admin, "admin", "Rename or move a category"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "category");
               if (!id.ok()) return send_error(res, id.status());
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               auto existing = app.catalog->category(*id);
               if (!existing.ok()) return send_error(res, existing.status());
               Category c = *existing;
               if (auto st = apply_category_json(*body, c); !st.ok()) return send_error(res, st);
               auto updated = app.catalog->update_category(c);
               if (!updated.ok()) return send_error(res, updated.status());
               send_json(res, 200, category_json(*updated));
             });

  server.add({"DELETE", "/api/v1/admin/categories/{id}", Access::admin, "admin", "Delete an empty category"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "category");
               if (!id.ok()) return send_error(res, id.status());
               if (auto st = app.catalog->delete_category(*id); !st.ok()) return send_error(res, st);
               res.status = 204;
             });
}

// One variant at a time (the product routes take the whole list). Each is
// a change of the product: read it, change its variants, write it back
// through Catalog::update_product, which checks the whole set again.
using VariantEdit = std::function<Status(const json& body, Product& p, int64_t variant_id)>;

void edit_variants(App& app, const Req& req, Res& res, const Principal& who, bool has_variant_id, int ok_status,
                   const VariantEdit& edit) {
  auto id = path_id(req, 1, "product");
  if (!id.ok()) return send_error(res, id.status());
  int64_t variant_id = 0;
  if (has_variant_id) {
    auto vid = path_id(req, 2, "variant");
    if (!vid.ok()) return send_error(res, vid.status());
    variant_id = *vid;
  }
  json body = json::object();
  if (!req.body.empty()) {
    auto parsed = parse_object(req);
    if (!parsed.ok()) return send_error(res, parsed.status());
    body = std::move(*parsed);
  }
  auto p = app.catalog->product(*id);
  if (!p.ok()) return send_error(res, p.status());
  if (has_variant_id && !p->variant(variant_id)) return send_error(res, Status::NotFound("variant not found"));
  if (auto st = edit(body, *p, variant_id); !st.ok()) return send_error(res, st);
  auto updated = app.catalog->update_product(*p, who.actor());
  if (!updated.ok()) return send_error(res, updated.status());
  send_json(res, ok_status,
            product_details_json(*updated, app.catalog->stock(*updated),
                                 app.catalog->category_path(updated->category_id), app.config));
}

void register_variant_admin_routes(HttpServer& server, App& app) {
  server.add({"POST", "/api/v1/admin/products/{id}/variants", Access::admin, "admin",
              "Add a variant {options, sku?, price?, sale_price?, barcode?, weight_grams?, image?, stock?}"},
             [&app](const Req& req, Res& res, const Principal& who) {
               edit_variants(app, req, res, who, false, 201, [](const json& body, Product& p, int64_t) {
                 if (body.contains("variant_id")) return field_error("variant_id", "a new variant gets its id");
                 Variant v;
                 v.price = p.price;
                 v.sale_price = p.sale_price;
                 v.weight_grams = p.weight_grams;
                 if (auto st = apply_variant_json(body, p, v, "variant"); !st.ok()) return st;
                 p.variants.push_back(std::move(v));
                 return Status::Ok();
               });
             });
  server.add({"PATCH", "/api/v1/admin/products/{id}/variants/{variant_id}", Access::admin, "admin",
              "Change a variant (fields present in the body)"},
             [&app](const Req& req, Res& res, const Principal& who) {
               edit_variants(app, req, res, who, true, 200, [](const json& body, Product& p, int64_t vid) {
                 if (body.contains("variant_id")) return field_error("variant_id", "a variant's id does not change");
                 for (auto& v : p.variants)
                   if (v.id == vid) {
                     if (auto st = apply_variant_json(body, p, v, "variant"); !st.ok()) return st;
                     // A product without options is edited through its
                     // product fields (check_variants copies them down).
                     if (p.options.empty()) {
                       p.sku = v.sku;
                       p.price = v.price;
                       p.sale_price = v.sale_price;
                       p.weight_grams = v.weight_grams;
                     }
                   }
                 return Status::Ok();
               });
             });
  server.add({"DELETE", "/api/v1/admin/products/{id}/variants/{variant_id}", Access::admin, "admin",
              "Delete a variant (409 variant_reserved while checkouts hold its units; a product keeps one)"},
             [&app](const Req& req, Res& res, const Principal& who) {
               edit_variants(app, req, res, who, true, 200, [](const json&, Product& p, int64_t vid) {
                 if (p.variants.size() == 1)
                   return Status::Conflict("last_variant", "a product has at least one variant: delete the product");
                 p.variants.erase(std::remove_if(p.variants.begin(), p.variants.end(),
                                                 [&](const Variant& v) { return v.id == vid; }),
                                  p.variants.end());
                 return Status::Ok();
               });
             });
  server.add({"POST", "/api/v1/admin/products/{id}/variants/generate", Access::admin, "admin",
              "Add every missing combination of the options {options?: [{name, values}]} at the product's lowest "
              "price, without stock"},
             [&app](const Req& req, Res& res, const Principal& who) {
               edit_variants(app, req, res, who, false, 200, [](const json& body, Product& p, int64_t) {
                 if (auto st = only_fields(body, {"options"}); !st.ok()) return st;
                 if (body.contains("options")) {
                   // New options: existing variants get the first value of
                   // an option they lack (a product going from one to two
                   // options keeps its variants and their stock).
                   Product with_options = p;
                   if (auto st = apply_options_json(body, with_options); !st.ok()) return st;
                   if (with_options.options.empty()) return field_error("options", "give at least one option");
                   for (auto& v : p.variants) {
                     std::vector<std::string> values;
                     for (size_t i = 0; i < with_options.options.size(); ++i)
                       values.push_back(i < v.option_values.size() ? v.option_values[i]
                                                                   : with_options.options[i].values.front());
                     v.option_values = std::move(values);
                   }
                   p.options = with_options.options;
                 }
                 if (p.options.empty()) return field_error("options", "the product has no options to combine");
                 add_missing_combinations(p);
                 return Status::Ok();
               });
             });
}

}  // namespace

void register_catalog_routes(HttpServer& server, App& app) {
  register_storefront_catalog_routes(server, app);
  register_catalog_admin_routes(server, app);
  register_variant_admin_routes(server, app);
}

}  // namespace shopbox
