// Search routes: full-text search with filters and facets, autocomplete,
// "more like this", and the admin reindex. docs/search.md describes them.
#include <chrono>

#include "app.h"
#include "catalog/catalog.h"
#include "catalog/option_filter.h"
#include "catalog/product_json.h"
#include "catalog/product_search.h"
#include "http/server.h"

namespace shopbox {
using namespace http;

namespace {

constexpr size_t kMaxQueryLength = 200;

Result<search::Sort> parse_search_sort(const Req& req) {
  auto s = query(req, "sort");
  if (!s || s->empty() || *s == "relevance") return search::Sort::relevance;
  if (*s == "price_asc") return search::Sort::price_asc;
  if (*s == "price_desc") return search::Sort::price_desc;
  if (*s == "rating") return search::Sort::rating;
  if (*s == "newest") return search::Sort::newest;
  if (*s == "popularity") return search::Sort::popularity;
  return field_error("sort", "sort must be one of relevance, price_asc, price_desc, rating, newest, popularity");
}

Result<std::optional<bool>> query_bool(const Req& req, const char* name) {
  auto v = query(req, name);
  if (!v || v->empty()) return std::optional<bool>();
  if (*v == "true" || *v == "1") return std::optional<bool>(true);
  if (*v == "false" || *v == "0") return std::optional<bool>(false);
  return field_error(name, std::string(name) + " must be true or false");
}

Result<std::string> query_text(const Req& req, const char* name) {
  auto v = query(req, name);
  if (!v) return std::string();
  if (v->size() > kMaxQueryLength)
    return field_error(name,
                       std::string(name) + " is too long (max " + std::to_string(kMaxQueryLength) + " characters)");
  for (unsigned char ch : *v)
    if (ch < 0x20 && ch != '\t') return field_error(name, std::string(name) + " must not contain control characters");
  return *v;
}

// Parses the search parameters; `filters` receives filters_applied and
// `options` the option.<Name>=<value> choices.
Result<search::Query> parse_search(App& app, const Req& req, json& filters, OptionChoices& options) {
  search::Query q;
  auto text = query_text(req, "q");
  if (!text.ok()) return text.status();
  q.text = *text;
  auto f = parse_browse_filters(req);
  if (!f.ok()) return f.status();
  q.page = f->page.page;
  q.size = f->page.size;
  auto sort = parse_search_sort(req);
  if (!sort.ok()) return sort.status();
  q.sort = *sort;
  q.min_price = f->min_price;
  q.max_price = f->max_price;
  q.min_rating = f->min_rating;
  q.brands = std::move(f->brands);
  auto in_stock = query_bool(req, "in_stock");
  if (!in_stock.ok()) return in_stock.status();
  q.in_stock = *in_stock;
  auto facets = query_bool(req, "facets");
  if (!facets.ok()) return facets.status();
  if (*facets) q.facets = **facets;
  if (auto cat = query(req, "category"); cat && !cat->empty()) {
    std::optional<Category> found;
    for (const auto& c : app.catalog->categories()) {
      if (std::to_string(c.id) == *cat || c.slug == *cat) {
        found = c;
        break;
      }
    }
    if (!found) return field_error("category", "no category with this id or slug");
    q.category_id = found->id;
    filters["category"] = found->slug;
    filters["category_id"] = std::to_string(found->id);
  }
  if (!q.brands.empty()) filters["brand"] = q.brands;
  if (q.min_price || q.max_price)
    filters["price_range"] = {q.min_price ? cents_to_json(*q.min_price) : json(nullptr),
                              q.max_price ? cents_to_json(*q.max_price) : json(nullptr)};
  if (q.min_rating) filters["min_rating"] = *q.min_rating;
  if (q.in_stock) filters["in_stock"] = *q.in_stock;
  auto chosen = option_choices(req.params);
  if (!chosen.ok()) return chosen.status();
  options = std::move(*chosen);
  if (!options.empty()) filters["options"] = option_choices_json(options);
  return q;
}

// A result row: the listing's shape (product_summary_json: price is the
// lowest variant price, price_max the highest when they differ, in_stock
// and available live over every variant), from the indexed fields.
json hit_json(ProductSearch& search, const search::Hit& h, bool with_highlights) {
  Product p;
  p.id = h.id;
  p.name = h.name;
  p.slug = h.slug;
  p.sku = h.sku;
  p.brand = h.brand;
  p.category_id = h.category_id;
  p.price = h.original_price;
  if (h.price < h.original_price) p.sale_price = h.price;
  p.price_max = h.price_max;
  p.currency = h.currency;
  p.rating_sum = h.rating_sum;
  p.rating_count = h.rating_count;
  p.created_at = h.created_at;
  if (!h.image.empty()) p.images.push_back({0, h.image, "", 0, true});
  for (int64_t id : h.variant_ids) {
    Variant v;  // only counted (variants_count); prices are the product's summary
    v.id = id;
    v.product_id = h.id;
    p.variants.push_back(v);
  }
  json j = product_summary_json(p, search.live_stock(h));
  if (with_highlights) {
    j["highlights"] = {{"name", h.name_highlight}};
    j["snippet"] = h.snippet;
    j["score"] = h.score;
  }
  return j;
}

// The index counts each (name, value) spelling; option_filter.h groups
// them as browse's are grouped.
std::vector<OptionFacet> option_facets(const search::Facets& f) {
  std::vector<OptionValueCount> raw;
  raw.reserve(f.options.size());
  for (const auto& [o, n] : f.options) raw.push_back({o.name, o.value, o.position, n});
  return group_option_facets(raw);
}

json facets_json(App& app, const search::Facets& f) {
  json brands = json::array();
  for (size_t i = 0; i < f.brands.size() && i < 50; ++i)
    brands.push_back({{"name", f.brands[i].first}, {"count", f.brands[i].second}});
  std::unordered_map<int64_t, Category> cats;
  for (auto& c : app.catalog->categories()) cats[c.id] = c;
  json categories = json::array();
  for (size_t i = 0; i < f.categories.size() && categories.size() < 100; ++i) {
    auto it = cats.find(f.categories[i].first);
    if (it == cats.end()) continue;
    const Category& c = it->second;
    categories.push_back({{"category_id", std::to_string(c.id)},
                          {"name", c.name},
                          {"slug", c.slug},
                          {"parent_id", c.parent_id ? json(std::to_string(*c.parent_id)) : json(nullptr)},
                          {"level", c.level},
                          {"count", f.categories[i].second}});
  }
  json prices = json::array();
  for (const auto& b : f.price_ranges)
    prices.push_back({{"range", b.label},
                      {"min", cents_to_json(b.lo)},
                      {"max", b.hi ? cents_to_json(*b.hi) : json(nullptr)},
                      {"count", b.count}});
  json ratings = json::array();
  for (const auto& [k, n] : f.ratings) ratings.push_back({{"min_rating", k}, {"count", n}});
  return {{"brands", brands},
          {"categories", categories},
          {"price_ranges", prices},
          {"ratings", ratings},
          {"availability", {{"in_stock", f.in_stock}}},
          {"options", option_facets_json(option_facets(f))}};
}

}  // namespace

void register_search_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/search", Access::anyone, "search",
              "Full-text product search: q, category (id or slug), brand (comma-separated), min_price, max_price, "
              "rating, in_stock, option.<Name>=<value> (repeatable: an in-stock variant matching all), sort "
              "(relevance|price_asc|price_desc|rating|newest|popularity), page, size; a variant's SKU or barcode "
              "as q finds its product; facets (with options) over the filtered set; did_you_mean on a likely typo"},
             [&app](const Req& req, Res& res, const Principal&) {
               json filters = json::object();
               OptionChoices options;
               auto q = parse_search(app, req, filters, options);
               if (!q.ok()) return send_error(res, q.status());
               auto r = app.search->search(*q, options);
               if (!r.ok()) return send_error(res, r.status());
               json products = json::array();
               for (const auto& h : r->hits) products.push_back(hit_json(*app.search, h, true));
               json body = {
                   {"query", q->text},
                   {"total_results", r->total},
                   {"total", r->total},
                   {"page", q->page},
                   {"page_size", q->size},
                   {"size", q->size},
                   {"sort", query(req, "sort").value_or("").empty() ? std::string("relevance") : *query(req, "sort")},
                   {"filters_applied", filters},
                   {"products", products}};
               if (q->facets) body["facets"] = facets_json(app, r->facets);
               if (!r->did_you_mean.empty()) {
                 body["did_you_mean"] = r->did_you_mean;
                 body["corrected"] = r->corrected;
               }
               send_json(res, 200, body);
             });

  server.add({"GET", "/api/v1/search/suggest", Access::anyone, "search",
              "Autocomplete as you type: q (the last word is a prefix), limit (1-20, default 8)"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto text = query_text(req, "q");
               if (!text.ok()) return send_error(res, text.status());
               auto limit = query_int(req, "limit", 1, 20);
               if (!limit.ok()) return send_error(res, limit.status());
               json out = json::array();
               for (const auto& s : app.search->suggest(*text, limit->value_or(8))) {
                 json j = {{"text", s.text}, {"type", s.type}};
                 if (s.type == "product")
                   j["product_id"] = std::to_string(s.id);
                 else
                   j["category_id"] = std::to_string(s.id);
                 out.push_back(j);
               }
               send_json(res, 200, {{"query", *text}, {"suggestions", out}});
             });

  server.add({"GET", "/api/v1/products/{id}/similar", Access::anyone, "search",
              "More like this: products sharing the most telling words (size 1-50, default 10)"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "product");
               if (!id.ok()) return send_error(res, id.status());
               auto size = query_int(req, "size", 1, 50);
               if (!size.ok()) return send_error(res, size.status());
               auto hits = app.search->similar(*id, static_cast<size_t>(size->value_or(10)));
               if (!hits.ok()) return send_error(res, hits.status());
               json products = json::array();
               for (const auto& h : *hits) products.push_back(hit_json(*app.search, h, false));
               send_json(res, 200,
                         {{"product_id", std::to_string(*id)},
                          {"products", products},
                          {"size", products.size()},
                          {"total", products.size()},
                          {"page", 1}});
             });

  server.add({"POST", "/api/v1/admin/search/reindex", Access::admin, "admin",
              "Rebuild the search index from the catalog (built aside, swapped in atomically; searches keep working)"},
             [&app](const Req&, Res& res, const Principal&) {
               auto t0 = std::chrono::steady_clock::now();
               auto n = app.search->reindex();
               if (!n.ok()) return send_error(res, n.status());
               double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
               send_json(res, 200, {{"documents", *n}, {"seconds", secs}});
             });

  server.add(
      {"GET", "/api/v1/admin/search/status", Access::admin, "admin", "Search index state: documents, size, queue"},
      [&app](const Req&, Res& res, const Principal&) {
        auto s = app.search->state();
        send_json(res, 200,
                  {{"documents", s.index.documents},
                   {"bytes", s.index.bytes},
                   {"path", s.index.path},
                   {"pending", s.pending},
                   {"reindexing", s.reindexing},
                   {"last_reindex_documents", s.last_reindex_docs},
                   {"last_reindex_seconds", s.last_reindex_seconds},
                   {"reconciled", s.reconciled}});
      });
}

}  // namespace shopbox
