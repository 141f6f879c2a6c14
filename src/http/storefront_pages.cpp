// Server-rendered storefront pages and the crawler files (contract in
// storefront_pages.h). Product facts (price, availability, SKU, rating) are
// read from the API's own JSON (product_details_json,
// product_summary_json), never recomputed here.
#include "http/storefront_pages.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "app.h"
#include "base/clock.h"
#include "base/money.h"
#include "base/text.h"
#include "catalog/catalog.h"
#include "catalog/product_image.h"
#include "catalog/product_json.h"
#include "catalog/product_search.h"
#include "catalog/variants.h"
#include "http/server.h"
#include "settings/settings.h"
#include "storage/sqlite.h"
#include "web_assets.h"

namespace shopbox::storefront {
using json = nlohmann::json;
using http::Req;
using http::Res;

namespace {

// The JS app's routes (web/js/app.js, `routes`), as path prefixes: a path
// equal to one, or below it, is the app's to answer. /, /p/, /c/ and
// /search are rendered here and not listed. Keep in step with app.js.
constexpr std::string_view kAppRoutes[] = {"/cart",    "/checkout",        "/orders",   "/login", "/register",
                                           "/account", "/forgot-password", "/wishlist", "/flash", "/admin"};

// Products a feed batch reads at once: one read transaction each, so a 1M
// product feed is 5,000 short reads that never hold the whole catalog.
constexpr int64_t kFeedBatch = 200;
// The sitemap protocol's limit on the sitemaps one index lists.
constexpr size_t kMaxSitemaps = 50000;
// Generated product pictures are 600x600 (catalog/product_image.cpp); the
// size reserves the image's box so the page does not jump as it loads.
constexpr int kImageSize = 600;

std::string esc(std::string_view s) {
  return markup_escape(s);
}

// Uploaded pictures come in several widths (catalog/product_image.h): the
// browser picks one by the slot's width. `sizes` follows the layout of
// web/css: cards are a grid of ~4 columns on a laptop, 2 on a phone; the
// product picture is about half the page.
constexpr const char* kCardImageSizes = "(max-width: 600px) 50vw, 300px";
constexpr const char* kMainImageSizes = "(max-width: 800px) 100vw, 600px";
std::string srcset_attributes(std::string_view url, const char* sizes) {
  std::string srcset = image_srcset(url);
  if (srcset.empty()) return "";
  return " srcset=\"" + markup_escape(srcset) + "\" sizes=\"" + sizes + "\"";
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string base_url(const Config& config) {
  std::string url = config.public_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// An absolute URL for a picture or link, "" when it cannot be one (data:,
// relative paths): crawlers and previews need absolute URLs.
std::string absolute_url(const Config& config, const std::string& url) {
  if (starts_with(url, "https://") || starts_with(url, "http://")) return url;
  if (starts_with(url, "//")) return "https:" + url;
  if (starts_with(url, "/")) return base_url(config) + url;
  return "";
}

// Text for a description tag: whitespace runs become one space, then cut
// at a word boundary to at most `max_chars` code points, "…" included.
std::string summary_text(std::string_view text, size_t max_chars = 160) {
  std::string flat;
  bool gap = false;
  for (char ch : text) {
    if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') {
      gap = !flat.empty();
      continue;
    }
    if (gap) flat += ' ';
    gap = false;
    flat += ch;
  }
  size_t chars = 0, cut = std::string::npos, last_space = std::string::npos;
  for (size_t i = 0; i < flat.size(); ++i) {
    if ((static_cast<unsigned char>(flat[i]) & 0xC0) == 0x80) continue;  // inside a UTF-8 sequence
    if (chars == max_chars - 1) {
      cut = i;
      break;
    }
    if (flat[i] == ' ') last_space = i;
    ++chars;
  }
  if (cut == std::string::npos) return flat;
  size_t end = last_space != std::string::npos && last_space > cut / 2 ? last_space : cut;
  return flat.substr(0, end) + "…";
}

// XML 1.0 cannot carry most C0 controls even as entities; product text
// may hold them (imports), and one would make the whole feed unreadable.
std::string xml_text(std::string_view s) {
  std::string clean;
  for (char ch : s)
    if (static_cast<unsigned char>(ch) >= 0x20 || ch == '\t' || ch == '\n' || ch == '\r') clean += ch;
  return markup_escape(clean);
}

// "84.99" from an API money value (a JSON number in major units).
std::string amount_text(const json& amount) {
  return format_cents(cents_from_json(amount).value_or(0));
}

std::string money_text(const json& amount, const std::string& currency) {
  if (currency.empty()) return amount_text(amount);
  if (currency == "USD") return "$" + amount_text(amount);
  if (currency == "EUR") return "€" + amount_text(amount);
  if (currency == "GBP") return "£" + amount_text(amount);
  return amount_text(amount) + " " + currency;
}

// A GTIN-8/12/13/14 with a valid check digit: what schema.org and the
// Merchant feed accept as gtin (a barcode field may hold anything).
bool valid_gtin(const std::string& code) {
  if (code.size() != 8 && code.size() != 12 && code.size() != 13 && code.size() != 14) return false;
  if (code.find_first_not_of("0123456789") != std::string::npos) return false;
  int sum = 0;
  for (size_t i = 0; i + 1 < code.size(); ++i) sum += (code[code.size() - 2 - i] - '0') * (i % 2 == 0 ? 3 : 1);
  return (10 - sum % 10) % 10 == code.back() - '0';
}

// A JSON-LD data block. < > & become \u escapes (valid JSON, same value)
// so no string inside can close the <script> element or open a comment.
std::string ld_block(const json& data) {
  std::string text = data.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    if (ch == '<')
      out += "\\u003c";
    else if (ch == '>')
      out += "\\u003e";
    else if (ch == '&')
      out += "\\u0026";
    else
      out += ch;
  }
  return "<script type=\"application/ld+json\">" + out + "</script>\n";
}

// ---- the shop's own settings (settings/settings.h) ----

std::string shop_name_of(App& app) { return app.settings->current()->name; }

// The banner's lines as one sentence run: "Free shipping on orders over
// $50. Easy returns." (a line ending in its own punctuation keeps it).
std::string banner_text(const ShopSettings& s) {
  std::string out;
  for (const std::string* line : {&s.shipping_line, &s.returns_line}) {
    if (line->empty()) continue;
    if (!out.empty()) out += ' ';
    out += *line;
    if (std::string_view(".!?").find(line->back()) == std::string_view::npos) out += '.';
  }
  return out;
}

// The header's home link: the logo picture when there is one, the name beside it.
std::string brand_html(const ShopSettings& s) {
  std::string mark = s.logo_url.empty()
                         ? std::string("<span class=\"logo-mark\" aria-hidden=\"true\">▣</span>")
                         : "<img class=\"logo-img\" src=\"" + esc(s.logo_url) +
                               "\" alt=\"\" height=\"32\" style=\"height:32px;width:auto;vertical-align:middle\">";
  return "<a class=\"logo\" href=\"/\" aria-label=\"" + esc(s.name) + " home\">" + mark + " <span class=\"logo-name\">" +
         esc(s.name) + "</span></a>";
}

// The footer's shop part: name, the policy pages, how to reach the shop.
std::string footer_html(const ShopSettings& s) {
  std::string out = "<span class=\"footer-shop\">© " + esc(s.name) + "</span>";
  out += "<nav class=\"footer-policies\" aria-label=\"Policies\" style=\"display:flex;gap:1rem;flex-wrap:wrap\">";
  for (const auto& p : s.policies) out += "<a href=\"/pages/" + esc(p.slug) + "\">" + esc(p.title) + "</a>";
  out += "</nav>";
  if (!s.contact_email.empty())
    out += "<a class=\"footer-contact\" href=\"mailto:" + esc(s.contact_email) + "\">" + esc(s.contact_email) + "</a>";
  if (!s.postal_address.empty()) {
    std::string address = esc(s.postal_address);
    std::erase(address, '\r');
    for (size_t at = address.find('\n'); at != std::string::npos; at = address.find('\n', at))
      address.replace(at, 1, ", ");
    out += "<address class=\"footer-address muted\" style=\"font-style:normal\">" + address + "</address>";
  }
  return out;
}

std::string banner_html(const ShopSettings& s) {
  std::string text = banner_text(s);
  return text.empty() ? std::string() : "<span class=\"muted\" id=\"shop-banner\">" + esc(text) + "</span>";
}

// ---- page parts ----

struct Head {
  std::string title;     // the whole <title>
  std::string og_title;  // "" : title
  std::string description;
  std::string canonical;  // absolute; "" : none
  std::string og_type = "website";
  std::string image;   // absolute; "" : none
  std::string robots;  // "" : indexable
  std::vector<std::pair<std::string, std::string>> og_extra;
  std::vector<json> ld;
};

struct Parts {
  int status = 200;
  Head head;
  std::optional<std::string> main;  // nullopt: the shell's own (its <noscript>)
};

std::string meta(const char* attr, const std::string& key, const std::string& value) {
  return std::string("<meta ") + attr + "=\"" + esc(key) + "\" content=\"" + esc(value) + "\">\n";
}

std::string head_html(const std::string& site_name, const Head& h) {
  std::string og_title = h.og_title.empty() ? h.title : h.og_title;
  std::string out = "<title>" + esc(h.title) + "</title>\n";
  out += meta("name", "description", h.description);
  if (!h.robots.empty()) out += meta("name", "robots", h.robots);
  if (!h.canonical.empty()) out += "<link rel=\"canonical\" href=\"" + esc(h.canonical) + "\">\n";
  out += meta("property", "og:site_name", site_name);
  out += meta("property", "og:type", h.og_type);
  out += meta("property", "og:title", og_title);
  out += meta("property", "og:description", h.description);
  if (!h.canonical.empty()) out += meta("property", "og:url", h.canonical);
  if (!h.image.empty()) out += meta("property", "og:image", h.image);
  for (const auto& [key, value] : h.og_extra) out += meta("property", key, value);
  out += meta("name", "twitter:card", h.image.empty() ? "summary" : "summary_large_image");
  out += meta("name", "twitter:title", og_title);
  out += meta("name", "twitter:description", h.description);
  if (!h.image.empty()) out += meta("name", "twitter:image", h.image);
  for (const auto& block : h.ld) out += ld_block(block);
  return out;
}

// Replaces <!--name-->...<!--/name--> of the shell; a shell without the
// markers is left as it is (the page still works, only unrendered).
void fill(std::string& shell, const std::string& name, const std::string& content) {
  const std::string open = "<!--" + name + "-->", close = "<!--/" + name + "-->";
  size_t from = shell.find(open);
  size_t to = from == std::string::npos ? from : shell.find(close, from);
  if (to == std::string::npos) return;
  shell.replace(from, to + close.size() - from, content);
}

std::vector<Category> root_categories(App& app) {
  std::vector<Category> roots;
  for (auto& c : app.catalog->categories())
    if (!c.parent_id) roots.push_back(std::move(c));
  return roots;
}

// The category and its ancestors, root first.
std::vector<Category> category_chain(App& app, std::optional<int64_t> category_id) {
  std::vector<Category> chain;
  for (int64_t id : app.catalog->category_ancestry(category_id)) {
    auto c = app.catalog->category(id);
    if (c.ok()) chain.insert(chain.begin(), std::move(*c));
  }
  return chain;
}

// The header's category bar, as the app draws it (session.js loadCategoryNav).
std::string nav_html(App& app) {
  std::string out;
  auto roots = root_categories(app);
  for (size_t i = 0; i < roots.size() && i < 10; ++i)
    out += "<a href=\"/c/" + std::to_string(roots[i].id) + "\">" + esc(roots[i].name) + "</a>";
  return out + "<a href=\"/search?q=\" class=\"muted-link\">All products</a>";
}

std::string crumbs_html(const std::vector<Category>& chain, const std::string& leaf) {
  std::string out = "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><a href=\"/\">Home</a>";
  for (const auto& c : chain) out += " › <a href=\"/c/" + std::to_string(c.id) + "\">" + esc(c.name) + "</a>";
  if (!leaf.empty()) out += " › <span aria-current=\"page\">" + esc(leaf) + "</span>";
  return out + "</nav>\n";
}

// Home > categories > `leaf` (leaf_url "" : the chain's last category is the page).
json breadcrumb_ld(const Config& config, const std::vector<Category>& chain, const std::string& leaf,
                   const std::string& leaf_url) {
  json items = json::array();
  auto add = [&](const std::string& name, const std::string& url) {
    items.push_back({{"@type", "ListItem"}, {"position", items.size() + 1}, {"name", name}, {"item", url}});
  };
  add("Home", base_url(config) + "/");
  for (const auto& c : chain) add(c.name, base_url(config) + "/c/" + std::to_string(c.id));
  if (!leaf_url.empty()) add(leaf, leaf_url);
  return {{"@context", "https://schema.org"}, {"@type", "BreadcrumbList"}, {"itemListElement", items}};
}

// One product card of a listing, in the app's markup (shop.js productCard)
// so the swap to the app's own card does not move anything.
struct Card {
  int64_t id = 0;
  std::string name, brand, image, currency;
  json price, original_price, price_max;
  bool in_stock = true;
};

Card card_of(const Product& p, const ProductStock& stock) {
  json s = product_summary_json(p, stock);
  return {p.id,
          p.name,
          p.brand,
          s["image"].is_string() ? s["image"].get<std::string>() : "",
          p.currency,
          s["price"],
          s["original_price"],
          s["price_max"],
          s["in_stock"].get<bool>()};
}

std::string card_html(const Card& c) {
  std::string out =
      "<article class=\"card product-card\"><a href=\"/p/" + std::to_string(c.id) + "\" class=\"card-link\">";
  if (!c.image.empty())
    out += "<img class=\"thumb\" src=\"" + esc(c.image) + "\"" + srcset_attributes(c.image, kCardImageSizes) +
           " alt=\"" + esc(c.name) + "\" loading=\"lazy\" width=\"400\" height=\"400\">";
  out += "<div class=\"card-body\">";
  if (!c.brand.empty()) out += "<div class=\"brand\">" + esc(c.brand) + "</div>";
  out += "<h3 class=\"name\">" + esc(c.name) + "</h3><div class=\"price\">";
  if (c.price_max.is_number() && c.price_max > c.price) out += "<span class=\"from\">from</span> ";
  bool sale = c.original_price.is_number() && c.original_price > c.price;
  out += "<span class=\"now" + std::string(sale ? " sale" : "") + "\">" + money_text(c.price, c.currency) + "</span>";
  if (sale) out += " <s class=\"was\">" + money_text(c.original_price, c.currency) + "</s>";
  out += "</div><span class=\"stock " + std::string(c.in_stock ? "in\">In stock" : "out\">Out of stock") + "</span>";
  return out + "</div></a></article>\n";
}

std::string grid_html(const std::vector<Card>& cards, const std::string& empty) {
  if (cards.empty()) return "<div class=\"state empty\"><p>" + esc(empty) + "</p></div>\n";
  std::string out = "<div class=\"grid\">\n";
  for (const auto& c : cards) out += card_html(c);
  return out + "</div>\n";
}

std::string category_links_html(const std::vector<Category>& cats) {
  std::string out = "<div class=\"cat-tiles\">";
  // Appended piece by piece: one long operator+ chain here trips a false
  // -Warray-bounds in GCC 12 at -O3.
  for (size_t i = 0; i < cats.size(); ++i) {
    out += "<a class=\"cat-tile tone";
    out += std::to_string(i % 6);
    out += "\" href=\"/c/";
    out += std::to_string(cats[i].id);
    out += "\"><span class=\"cat-name\">";
    out += esc(cats[i].name);
    out += "</span></a>";
  }
  return out + "</div>\n";
}

std::string search_form_html(const std::string& q) {
  return "<form action=\"/search\" method=\"get\" role=\"search\"><label for=\"page-search\">Search products</label> "
         "<input id=\"page-search\" name=\"q\" type=\"search\" value=\"" +
         esc(q) + "\"> <button type=\"submit\" class=\"btn\">Search</button></form>\n";
}

// ---- product ----

json product_ld(const Config& config, const Product& p, const json& details, const std::string& url) {
  json ld = {{"@context", "https://schema.org"}, {"@type", "Product"}, {"name", p.name}, {"url", url}, {"sku", p.sku},
             {"productID", std::to_string(p.id)}};
  if (!p.description.empty()) ld["description"] = summary_text(p.description, 5000);
  json images = json::array();
  for (const auto& im : p.images)
    if (auto abs = absolute_url(config, im.url); !abs.empty()) images.push_back(abs);
  if (!images.empty()) ld["image"] = images;
  if (!p.brand.empty()) ld["brand"] = {{"@type", "Brand"}, {"name", p.brand}};
  if (details["category"].is_string() && !details["category"].get<std::string>().empty())
    ld["category"] = details["category"];
  json offers = json::array();
  const bool several = details["variants"].size() > 1;
  for (const auto& v : details["variants"]) {
    json offer = {{"@type", "Offer"},
                  {"price", amount_text(v["price"]["final_price"])},
                  {"priceCurrency", v["price"]["currency"]},
                  {"availability", v["inventory"]["in_stock"].get<bool>() ? "https://schema.org/InStock"
                                                                          : "https://schema.org/OutOfStock"},
                  {"itemCondition", "https://schema.org/NewCondition"},
                  {"sku", v["sku"]},
                  {"url", several ? url + "?variant=" + v["variant_id"].get<std::string>() : url}};
    if (several) offer["name"] = v["title"];
    if (valid_gtin(v["barcode"].get<std::string>())) offer["gtin"] = v["barcode"];
    offers.push_back(std::move(offer));
  }
  ld["offers"] = offers;
  if (p.rating_count > 0)  // reviews behind it; an unrated product has no rating to show
    ld["aggregateRating"] = {{"@type", "AggregateRating"},
                             {"ratingValue", details["rating"]["average"]},
                             {"reviewCount", p.rating_count},
                             {"bestRating", 5},
                             {"worstRating", 1}};
  return ld;
}

std::string product_info_html(const Product& p, const json& details) {
  const json& price = details["price"];
  const std::string& currency = p.currency;
  std::string out = "<div class=\"product-info\">\n";
  if (!p.brand.empty()) out += "<div class=\"brand\">" + esc(p.brand) + "</div>\n";
  out += "<h1 class=\"product-name\">" + esc(p.name) + "</h1>\n<div class=\"price big\">";
  if (details["price_max"].is_number()) out += "<span class=\"from\">from</span> ";
  bool sale = !price["discount"].is_null();
  out += "<span class=\"now" + std::string(sale ? " sale" : "") + "\">" + money_text(price["final_price"], currency) +
         "</span>";
  if (sale)
    out += " <s class=\"was\">" + money_text(price["amount"], currency) + "</s> <span class=\"off\">Save " +
           money_text(price["discount"]["amount_off"], currency) + "</span>";
  out += "</div>\n<p class=\"stock-line\">" +
         std::string(details["inventory"]["in_stock"].get<bool>() ? "<span class=\"stock in\">In stock</span>"
                                                                  : "<span class=\"stock out\">Out of stock</span>") +
         "</p>\n";
  if (details["variants"].size() > 1) {
    out += "<table class=\"variant-table\"><caption>Options</caption><tbody>";
    for (const auto& v : details["variants"])
      out += "<tr><th scope=\"row\">" + esc(v["title"].get<std::string>()) + "</th><td>" +
             money_text(v["price"]["final_price"], currency) + "</td><td>" +
             (v["inventory"]["in_stock"].get<bool>() ? "In stock" : "Out of stock") + "</td></tr>";
    out += "</tbody></table>\n";
  }
  out += "<noscript><p class=\"muted\">Adding to the cart needs JavaScript.</p></noscript>\n";
  if (!p.description.empty()) {
    out += "<div class=\"description\"><h2>About this item</h2>";
    size_t from = 0;
    while (from < p.description.size()) {  // paragraphs at line breaks, as the app shows them
      size_t to = p.description.find('\n', from);
      if (to == std::string::npos) to = p.description.size();
      if (auto para = trim(std::string_view(p.description).substr(from, to - from)); !para.empty())
        out += "<p>" + esc(para) + "</p>";
      from = to + 1;
    }
    out += "</div>\n";
  }
  if (p.specs.is_object() && !p.specs.empty()) {
    out += "<div class=\"specs\"><h2>Specifications</h2><table><tbody>";
    for (auto it = p.specs.begin(); it != p.specs.end(); ++it)
      out += "<tr><th scope=\"row\">" + esc(it.key()) + "</th><td>" +
             esc(it->is_string() ? it->get<std::string>() : it->dump()) + "</td></tr>";
    out += "</tbody></table></div>\n";
  }
  return out + "<p class=\"muted small\">SKU " + esc(p.sku) + "</p>\n</div>\n";
}

Result<Parts> product_parts(App& app, int64_t id) {
  auto p = app.catalog->product_for_shoppers(id);
  if (!p.ok()) return p.status();
  const Config& config = app.config;
  json details = product_details_json(*p, app.catalog->stock(*p), app.catalog->category_path(p->category_id), config);
  auto chain = category_chain(app, p->category_id);
  const std::string url = base_url(config) + "/p/" + std::to_string(p->id);
  const std::string image = p->image_url();

  Parts out;
  Head& h = out.head;
  h.title = p->name + " · " + shop_name_of(app);
  h.og_title = p->name;
  h.description = summary_text(p->description.empty() ? p->name : p->description);
  h.canonical = url;
  h.og_type = "product";
  h.image = absolute_url(config, image);
  h.og_extra = {{"product:price:amount", amount_text(details["price"]["final_price"])},
                {"product:price:currency", p->currency},
                {"product:availability", details["inventory"]["in_stock"].get<bool>() ? "in stock" : "out of stock"}};
  if (!p->brand.empty()) h.og_extra.emplace_back("product:brand", p->brand);
  h.ld = {product_ld(config, *p, details, url), breadcrumb_ld(config, chain, p->name, url)};

  std::string main = crumbs_html(chain, p->name) + "<div class=\"product-page\">\n<div class=\"gallery\">";
  if (!image.empty()) {
    std::string alt = p->images.empty() ? p->name : p->images.front().alt;
    for (const auto& im : p->images)
      if (im.url == image && !im.alt.empty()) alt = im.alt;
    main += "<img class=\"main-img\" src=\"" + esc(image) + "\"" + srcset_attributes(image, kMainImageSizes) +
            " alt=\"" + esc(alt.empty() ? p->name : alt) +
            "\" width=\"" + std::to_string(kImageSize) + "\" height=\"" + std::to_string(kImageSize) + "\">";
  }
  main += "</div>\n" + product_info_html(*p, details) + "</div>\n";
  if (!chain.empty()) {
    main += "<section class=\"section\"><h2>More in</h2><div class=\"chips\">";
    for (const auto& c : chain)
      main += "<a class=\"chip\" href=\"/c/" + std::to_string(c.id) + "\">" + esc(c.name) + "</a>";
    main += "</div></section>\n";
  }
  out.main = std::move(main);
  return out;
}

// ---- category, home, search, not found ----

Result<Parts> category_parts(App& app, int64_t id, int page) {
  auto cat = app.catalog->category(id);
  if (!cat.ok()) return cat.status();
  ProductQuery q;
  q.category_id = id;
  q.page = page;
  q.size = kCategoryPageSize;
  auto list = app.catalog->browse(q);
  if (!list.ok()) return list.status();
  const Config& config = app.config;
  auto chain = category_chain(app, id);
  std::string url = base_url(config) + "/c/" + std::to_string(id);
  if (page > 1) url += "?page=" + std::to_string(page);

  std::vector<Card> cards;
  std::string names;
  for (const auto& p : list->products) {
    cards.push_back(card_of(p, app.catalog->stock(p)));
    if (cards.size() <= 3) names += (names.empty() ? "" : ", ") + p.name;
  }
  Parts out;
  Head& h = out.head;
  h.title = cat->name + (page > 1 ? " (page " + std::to_string(page) + ")" : "") + " · " + shop_name_of(app);
  h.og_title = cat->name;
  h.description = summary_text(cat->name + " at " + shop_name_of(app) + ": " + std::to_string(list->total) +
                               (list->total == 1 ? " product" : " products") +
                               (names.empty() ? "." : ", including " + names + "."));
  h.canonical = url;
  if (!cards.empty()) h.image = absolute_url(config, cards.front().image);
  if (list->products.empty()) h.robots = "noindex, follow";
  h.ld = {breadcrumb_ld(config, chain, cat->name, "")};

  std::vector<Category> children;
  for (auto& c : app.catalog->categories())
    if (c.parent_id == id) children.push_back(std::move(c));
  if (!chain.empty()) chain.pop_back();  // the crumbs end with the page's own name, not a link to it
  std::string main = crumbs_html(chain, cat->name) + "<div class=\"listing-head\"><div><h1>" + esc(cat->name) +
                     "</h1><p class=\"muted\">" + std::to_string(list->total) +
                     (list->total == 1 ? " product" : " products") + "</p></div></div>\n";
  if (!children.empty()) {
    main += "<div class=\"chips\">";
    for (const auto& c : children)
      main += "<a class=\"chip\" href=\"/c/" + std::to_string(c.id) + "\">" + esc(c.name) + "</a>";
    main += "</div>\n";
  }
  main += grid_html(cards, "No products in this category yet.");
  const std::string base = "/c/" + std::to_string(id);
  bool more = static_cast<int64_t>(page) * kCategoryPageSize < list->total;
  if (page > 1 || more) {
    main += "<nav class=\"pager\" aria-label=\"Pages\">";
    if (page > 1)
      main +=
          "<a rel=\"prev\" href=\"" + base + (page > 2 ? "?page=" + std::to_string(page - 1) : "") + "\">Previous</a> ";
    if (more) main += "<a rel=\"next\" href=\"" + base + "?page=" + std::to_string(page + 1) + "\">Next</a>";
    main += "</nav>\n";
  }
  out.main = std::move(main);
  return out;
}

Parts home_parts(App& app) {
  const Config& config = app.config;
  auto roots = root_categories(app);
  std::string names;
  for (size_t i = 0; i < roots.size() && i < 3; ++i) names += (i ? ", " : "") + roots[i].name;
  auto settings = app.settings->current();
  const std::string& shop_name = settings->name;
  Parts out;
  Head& h = out.head;
  h.title = shop_name;
  h.description = shop_name + ": shop " + (names.empty() ? "our products" : names + " and more") + ".";
  h.canonical = base_url(config) + "/";
  json org = {{"@context", "https://schema.org"},
              {"@type", "Organization"},
              {"name", shop_name},
              {"url", h.canonical},
              {"logo", settings->logo_url.empty() ? base_url(config) + "/favicon.svg"
                                                  : absolute_url(config, settings->logo_url)}};
  if (!settings->contact_email.empty()) org["email"] = settings->contact_email;
  json site = {{"@context", "https://schema.org"},
               {"@type", "WebSite"},
               {"name", shop_name},
               {"url", h.canonical},
               {"potentialAction",
                {{"@type", "SearchAction"},
                 {"target", base_url(config) + "/search?q={search_term_string}"},
                 {"query-input", "required name=search_term_string"}}}};
  h.ld = {org, site};

  const std::string banner = banner_text(*settings);
  std::string main = "<section class=\"hero\"><div><h1>" + esc(shop_name) + "</h1>" +
                     (banner.empty() ? std::string() : "<p>" + esc(banner) + "</p>") +
                     "<a class=\"btn primary\" href=\"/search?q=\">Shop all products</a></div></section>\n";
  if (!roots.empty())
    main += "<section class=\"section\"><div class=\"section-head\"><h2>Shop by category</h2></div>" +
            category_links_html(roots) + "</section>\n";
  ProductQuery q;
  q.size = 8;
  if (auto fresh = app.catalog->browse(q); fresh.ok() && !fresh->products.empty()) {
    std::vector<Card> cards;
    for (const auto& p : fresh->products) cards.push_back(card_of(p, app.catalog->stock(p)));
    main += "<section class=\"section\"><div class=\"section-head\"><h2>New arrivals</h2></div>" +
            grid_html(cards, "") + "</section>\n";
  }  // a failed read leaves the section out: the home page still answers
  out.main = std::move(main);
  return out;
}

Parts search_parts(App& app, std::string_view raw_q) {
  const Config& config = app.config;
  size_t keep = std::min<size_t>(raw_q.size(), 200);
  while (keep < raw_q.size() && (static_cast<unsigned char>(raw_q[keep]) & 0xC0) == 0x80) --keep;  // whole characters
  std::string q = trim(raw_q.substr(0, keep));
  Parts out;
  Head& h = out.head;
  const std::string shop_name = shop_name_of(app);
  h.title = (q.empty() ? std::string("All products") : "Search: " + q) + " · " + shop_name;
  h.description = q.empty() ? "All products at " + shop_name : "Products matching “" + q + "” at " + shop_name;
  h.robots = "noindex, follow";  // result lists are endless and change; the products are indexed on their own pages
  std::string main = "<div class=\"listing-head\"><div><h1>" +
                     esc(q.empty() ? std::string("All products") : "Results for “" + q + "”") + "</h1></div></div>\n" +
                     search_form_html(q);
  search::Query sq;
  sq.text = q;
  sq.size = kCategoryPageSize;
  sq.facets = false;
  sq.spelling = false;
  if (app.search) {
    if (auto r = app.search->search(sq); r.ok()) {
      std::vector<Card> cards;
      for (const auto& hit : r->hits)
        cards.push_back({hit.id, hit.name, hit.brand, hit.image, hit.currency.empty() ? config.currency : hit.currency,
                         cents_to_json(hit.price), cents_to_json(hit.original_price),
                         hit.price_max ? cents_to_json(*hit.price_max) : json(), hit.in_stock});
      main += grid_html(cards, q.empty() ? "No products yet." : "No results for “" + q + "”.");
    }
  }
  out.main = std::move(main);
  return out;
}

// A policy page (returns, shipping, privacy, terms): the merchant's text,
// escaped, one <p> per paragraph. An unknown slug is the 404 page.
Result<Parts> policy_parts(App& app, std::string_view slug) {
  auto settings = app.settings->current();
  const PolicyPage* page = settings->policy(slug);
  if (!page) return Status::NotFound("no such page");
  const Config& config = app.config;
  Parts out;
  Head& h = out.head;
  h.title = page->title + " · " + settings->name;
  h.description = summary_text(page->body.empty() ? page->title + " at " + settings->name : page->body);
  h.canonical = base_url(config) + "/pages/" + page->slug;
  h.ld = {breadcrumb_ld(config, {}, page->title, h.canonical)};
  std::string main = crumbs_html({}, page->title) + "<article class=\"policy-page\" style=\"max-width:46rem\"><h1>" +
                     esc(page->title) + "</h1>\n";
  if (page->body.empty())
    main += "<p>" + esc(settings->name) + " has not published this page yet.</p>\n";
  else
    main += policy_body_html(page->body);
  if (!settings->contact_email.empty())
    main += "<p class=\"muted\">Questions? Write to <a href=\"mailto:" + esc(settings->contact_email) + "\">" +
            esc(settings->contact_email) + "</a>.</p>\n";
  out.main = main + "</article>\n";
  return out;
}

Parts not_found_parts(App& app) {
  Parts out;
  out.status = 404;
  out.head.title = "Page not found · " + shop_name_of(app);
  out.head.description = "We could not find that page at " + shop_name_of(app) + ".";
  out.head.robots = "noindex";
  std::string main = "<div class=\"state empty\"><h1>Page not found</h1><p>We could not find that page.</p>\n" +
                     search_form_html("") + "<p><a class=\"btn\" href=\"/\">Go to the home page</a></p></div>\n";
  if (auto roots = root_categories(app); !roots.empty())
    main += "<section class=\"section\"><div class=\"section-head\"><h2>Shop by category</h2></div>" +
            category_links_html(roots) + "</section>\n";
  out.main = std::move(main);
  return out;
}

// An app route the server does not render (cart, account, admin): the
// shell as it is, kept out of search results.
Parts shell_parts(App& app, int status = 200) {
  Parts out;
  out.status = status;
  out.head.title = shop_name_of(app);
  out.head.description = shop_name_of(app) + ": shop online.";
  out.head.robots = "noindex";
  if (status >= 500)
    out.main = "<div class=\"state\"><h1>Something went wrong</h1><p>Please try again in a moment.</p></div>\n";
  return out;
}

std::string assemble(App& app, const Parts& parts) {
  const WebAsset* shell = find_web_asset("/index.html");
  std::string html = shell ? std::string(shell->data, shell->size) : std::string();
  auto settings = app.settings->current();
  fill(html, "page-head", head_html(settings->name, parts.head));
  fill(html, "page-nav", nav_html(app));
  fill(html, "shop-brand", brand_html(*settings));
  fill(html, "shop-footer", footer_html(*settings));
  fill(html, "shop-banner", banner_html(*settings));
  if (parts.main) fill(html, "page-main", *parts.main);
  return html;
}

// ---- crawler files ----

using catalog_store::ProductKey;

const char* kXmlHead = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const char* kSitemapNs = "http://www.sitemaps.org/schemas/sitemap/0.9";

std::string url_entry(const std::string& loc, int64_t updated_at) {
  std::string out = "<url><loc>" + xml_text(loc) + "</loc>";
  if (updated_at > 0) out += "<lastmod>" + iso8601(updated_at) + "</lastmod>";
  return out + "</url>\n";
}

// The Merchant feed's items of one product: one per variant; variants of
// one product share g:item_group_id.
std::string feed_items(App& app, const Product& p) {
  const Config& config = app.config;
  const std::string path = app.catalog->category_path(p.category_id);
  json details = product_details_json(p, app.catalog->stock(p), path, config);
  const std::string url = base_url(config) + "/p/" + std::to_string(p.id);
  const std::string description = summary_text(p.description.empty() ? p.name : p.description, 5000);
  const std::string product_image = absolute_url(config, p.image_url());
  const bool several = details["variants"].size() > 1;
  std::string out;
  for (const auto& v : details["variants"]) {
    const json& price = v["price"];
    const std::string currency = price["currency"].get<std::string>();
    const std::string vid = v["variant_id"].get<std::string>();
    std::string image = v["image"].is_string() ? absolute_url(config, v["image"].get<std::string>()) : "";
    if (image.empty()) image = product_image;
    std::string title = several ? p.name + " - " + v["title"].get<std::string>() : p.name;
    out += "<item>\n<g:id>" + xml_text(vid) + "</g:id>\n";
    if (several) out += "<g:item_group_id>" + std::to_string(p.id) + "</g:item_group_id>\n";
    out += "<title>" + xml_text(title.substr(0, 150)) + "</title>\n<description>" + xml_text(description) +
           "</description>\n<link>" + xml_text(several ? url + "?variant=" + vid : url) + "</link>\n";
    if (!image.empty()) out += "<g:image_link>" + xml_text(image) + "</g:image_link>\n";
    // g:price is the regular price; a discount is g:sale_price (Merchant spec).
    out += "<g:price>" + amount_text(price["amount"]) + " " + xml_text(currency) + "</g:price>\n";
    if (!price["discount"].is_null())
      out += "<g:sale_price>" + amount_text(price["final_price"]) + " " + xml_text(currency) + "</g:sale_price>\n";
    out += std::string("<g:availability>") + (v["inventory"]["in_stock"].get<bool>() ? "in_stock" : "out_of_stock") +
           "</g:availability>\n<g:condition>new</g:condition>\n";
    if (!p.brand.empty()) out += "<g:brand>" + xml_text(p.brand) + "</g:brand>\n";
    if (valid_gtin(v["barcode"].get<std::string>()))
      out += "<g:gtin>" + v["barcode"].get<std::string>() + "</g:gtin>\n";
    else if (p.brand.empty())
      out += "<g:identifier_exists>no</g:identifier_exists>\n";
    if (!path.empty()) out += "<g:product_type>" + xml_text(path) + "</g:product_type>\n";
    if (v["weight_grams"].is_number())
      out += "<g:shipping_weight>" + std::to_string(v["weight_grams"].get<int64_t>()) + " g</g:shipping_weight>\n";
    out += "</item>\n";
  }
  return out;
}

struct FeedCursor {
  bool started = false;
  int64_t after = 0;  // the last product id written
};

// Writes the next part of the feed: the channel head, then kFeedBatch
// products per call, then the end. false aborts the response: a feed cut
// by a failed read must not look complete to the crawler.
bool write_feed(App& app, FeedCursor& cursor, httplib::DataSink& sink) {
  std::string out;
  if (!cursor.started) {
    cursor.started = true;
    const Config& config = app.config;
    out = std::string(kXmlHead) +
          "<rss version=\"2.0\" xmlns:g=\"http://base.google.com/ns/1.0\">\n<channel>\n<title>" +
          xml_text(shop_name_of(app)) + "</title>\n<link>" + xml_text(base_url(config) + "/") +
          "</link>\n<description>" + xml_text("Products of " + shop_name_of(app)) + "</description>\n";
    return sink.write(out.data(), out.size());
  }
  std::vector<ProductKey> keys;
  std::vector<Product> products;
  std::unordered_map<int64_t, std::string> images;
  Status read = app.db->read([&](Connection& c) {
    keys = catalog_store::for_sale_keys(c, cursor.after, INT64_MAX, kFeedBatch);
    std::vector<int64_t> ids;
    for (const auto& k : keys) ids.push_back(k.id);
    products = catalog_store::get_products(c, ids);
    catalog_store::attach_variants(c, products);
    images = catalog_store::primary_image_urls(c, ids);
    return Status::Ok();
  });
  if (!read.ok()) {
    std::fprintf(stderr, "error: /feeds/products.xml after product %lld: %s\n", static_cast<long long>(cursor.after),
                 read.message().c_str());
    return false;
  }
  for (auto& p : products) {
    if (auto it = images.find(p.id); it != images.end()) p.images = {ProductImage{0, it->second, "", 0, true}};
    out += feed_items(app, p);
  }
  if (static_cast<int64_t>(keys.size()) < kFeedBatch) {
    out += "</channel>\n</rss>\n";
    if (!sink.write(out.data(), out.size())) return false;
    sink.done();
    return true;
  }
  cursor.after = keys.back().id;
  return sink.write(out.data(), out.size());
}

void send_text(Res& res, const Result<std::string>& body, const char* type) {
  if (!body.ok()) return http::send_error(res, body.status());
  res.set_header("Cache-Control", "public, max-age=3600");
  res.set_content(*body, type);
}

}  // namespace

bool is_app_route(std::string_view path) {
  for (std::string_view route : kAppRoutes)
    if (path == route || (starts_with(path, route) && path[route.size()] == '/')) return true;
  return false;
}

Page render_page(App& app, std::string_view raw_path, std::string_view q, std::string_view page) {
  std::string path(raw_path);
  while (path.size() > 1 && path.back() == '/') path.pop_back();  // the app ignores a trailing slash too
  Result<Parts> parts = Status::NotFound("no such page");
  if (path == "/" || path == "/index.html") {
    parts = home_parts(app);
  } else if (starts_with(path, "/p/")) {
    if (auto id = http::parse_id(std::string_view(path).substr(3))) parts = product_parts(app, *id);
  } else if (starts_with(path, "/c/")) {
    auto n = http::parse_id(page);
    int page_number = n && *n <= 10000 ? static_cast<int>(*n) : 1;
    if (auto id = http::parse_id(std::string_view(path).substr(3))) parts = category_parts(app, *id, page_number);
  } else if (path == "/search") {
    parts = search_parts(app, q);
  } else if (starts_with(path, "/pages/")) {
    parts = policy_parts(app, std::string_view(path).substr(7));  // [settings]
  } else if (is_app_route(path)) {
    parts = shell_parts(app);
  }
  if (!parts.ok())
    parts =
        parts.status().kind() == Kind::not_found ? not_found_parts(app) : shell_parts(app, http_status(parts.status()));
  return {parts->status, assemble(app, *parts)};
}

std::string robots_txt(const std::string& public_url) {
  std::string base = public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  // /api/ is closed to crawlers: they index the server-rendered pages,
  // which carry everything the API would tell them.
  return "User-agent: *\nAllow: /\nDisallow: /admin\nDisallow: /account\nDisallow: /cart\nDisallow: /checkout\n"
         "Disallow: /orders\nDisallow: /api/\n\nSitemap: " +
         base + "/sitemap.xml\n";
}

Result<std::string> sitemap_index(App& app, int64_t page_size) {
  std::vector<int64_t> pages;
  Status read = app.db->read([&](Connection& c) {
    // One probe per non-empty page: the first product after the last page.
    for (int64_t after = 0; pages.size() < kMaxSitemaps - 1;) {
      auto next = catalog_store::for_sale_keys(c, after, INT64_MAX, 1);
      if (next.empty()) break;
      int64_t n = (next.front().id - 1) / page_size + 1;
      pages.push_back(n);
      if (n >= INT64_MAX / page_size) break;
      after = n * page_size;
    }
    return Status::Ok();
  });
  if (!read.ok()) return read;
  const std::string base = base_url(app.config);
  std::string out = std::string(kXmlHead) + "<sitemapindex xmlns=\"" + kSitemapNs + "\">\n";
  for (int64_t n : pages)
    out +=
        "<sitemap><loc>" + xml_text(base + "/sitemaps/products-" + std::to_string(n) + ".xml") + "</loc></sitemap>\n";
  out += "<sitemap><loc>" + xml_text(base + "/sitemaps/categories.xml") + "</loc></sitemap>\n";
  return out + "</sitemapindex>\n";
}

Result<std::string> product_sitemap(App& app, int64_t n, int64_t page_size) {
  if (n < 1 || n > INT64_MAX / page_size) return Status::NotFound("no such sitemap");
  std::vector<ProductKey> keys;
  Status read = app.db->read([&](Connection& c) {
    keys = catalog_store::for_sale_keys(c, (n - 1) * page_size, n * page_size, page_size);
    return Status::Ok();
  });
  if (!read.ok()) return read;
  if (keys.empty()) return Status::NotFound("no such sitemap");
  const std::string base = base_url(app.config);
  std::string out = std::string(kXmlHead) + "<urlset xmlns=\"" + kSitemapNs + "\">\n";
  out.reserve(out.size() + keys.size() * 100);
  for (const auto& k : keys) out += url_entry(base + "/p/" + std::to_string(k.id), k.updated_at);
  return out + "</urlset>\n";
}

Result<std::string> category_sitemap(App& app) {
  const std::string base = base_url(app.config);
  std::string out = std::string(kXmlHead) + "<urlset xmlns=\"" + kSitemapNs + "\">\n" + url_entry(base + "/", 0);
  for (const auto& c : app.catalog->categories()) out += url_entry(base + "/c/" + std::to_string(c.id), 0);
  for (const auto& slug : kPolicySlugs) out += url_entry(base + "/pages/" + slug, 0);  // [settings]
  return out + "</urlset>\n";
}

void send_page(App& app, const Req& req, Res& res) {
  Page page = render_page(app, req.path, http::query(req, "q").value_or(""), http::query(req, "page").value_or(""));
  res.status = page.status;
  // The page carries live stock and prices: revalidate on every view.
  res.set_header("Cache-Control", "no-cache");
  res.set_header("Content-Security-Policy", http::storefront_csp(app.config));
  res.set_content(std::move(page.html), "text/html; charset=utf-8");
}

void register_storefront_routes(HttpServer& server, App& app) {
  auto page = [&app](const Req& req, Res& res, const Principal&) { send_page(app, req, res); };
  // Pages read like the API's catalog and search routes, and share their rate limits.
  server.add(
      {"GET", "/p/{id}", Access::anyone, "catalog", "Storefront product page (server-rendered head and fallback)"},
      page);
  server.add({"GET", "/c/{id}", Access::anyone, "catalog", "Storefront category page (server-rendered)"}, page);
  server.add({"GET", "/search", Access::anyone, "search", "Storefront search page (server-rendered)"}, page);
  server.add({"GET", "/pages/{slug}", Access::anyone, "catalog",
              "Storefront policy page: returns, shipping, privacy, terms (server-rendered)"},
             page);  // [settings]

  server.add({"GET", "/robots.txt", Access::anyone, "web", "Crawler rules"},
             [&app](const Req&, Res& res, const Principal&) {
               send_text(res, robots_txt(app.config.public_url), "text/plain; charset=utf-8");
             });
  server.add({"GET", "/sitemap.xml", Access::anyone, "web", "Sitemap index: product pages and categories"},
             [&app](const Req&, Res& res, const Principal&) {
               send_text(res, sitemap_index(app), "application/xml; charset=utf-8");
             });
  server.add({"GET", "/sitemaps/categories.xml", Access::anyone, "web", "Sitemap of the home and category pages"},
             [&app](const Req&, Res& res, const Principal&) {
               send_text(res, category_sitemap(app), "application/xml; charset=utf-8");
             });
  server.add(
      {"GET", "/sitemaps/products-{n}.xml", Access::anyone, "web", "Sitemap of product ids ((n-1)*50000, n*50000]"},
      [&app](const Req& req, Res& res, const Principal&) {
        auto n = http::path_id(req, 1, "sitemap");
        if (!n.ok()) return http::send_error(res, n.status());
        send_text(res, product_sitemap(app, *n), "application/xml; charset=utf-8");
      });
  server.add({"GET", "/feeds/products.xml", Access::anyone, "web",
              "Product feed for Google Merchant Center (RSS 2.0), one item per variant"},
             [&app](const Req&, Res& res, const Principal&) {
               auto cursor = std::make_shared<FeedCursor>();
               res.set_header("Cache-Control", "public, max-age=3600");
               res.set_chunked_content_provider("application/rss+xml; charset=utf-8",
                                                [&app, cursor](size_t, httplib::DataSink& sink) {
                                                  try {
                                                    return write_feed(app, *cursor, sink);
                                                  } catch (const std::exception& e) {
                                                    std::fprintf(stderr, "error: /feeds/products.xml: %s\n", e.what());
                                                    return false;
                                                  }
                                                });
             });
}

}  // namespace shopbox::storefront
