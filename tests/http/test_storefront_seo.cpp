// The storefront as search engines and link previews read it
// (http/storefront_pages.h): server-rendered head, JSON-LD and fallback
// content that agree with the API, escaping that no product text breaks
// out of, real 404s, robots.txt, sitemaps paged by id, the Merchant feed.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <set>

#include "app.h"
#include "base/money.h"
#include "http/storefront_pages.h"
#include "support/test_shop.h"

using shopbox::testing::Reply;
using shopbox::testing::TestShop;
using json = nlohmann::json;
namespace storefront = shopbox::storefront;

namespace {

void shop_config(shopbox::Config& c) {
  c.public_url = "https://shop.example";
  c.shop_name = "Plum Market";
}

// Every JSON-LD block of a page, parsed.
std::vector<json> ld_blocks(const std::string& html) {
  std::vector<json> out;
  const std::string open = "<script type=\"application/ld+json\">";
  for (size_t at = html.find(open); at != std::string::npos; at = html.find(open, at)) {
    at += open.size();
    size_t end = html.find("</script>", at);
    REQUIRE(end != std::string::npos);
    out.push_back(json::parse(html.substr(at, end - at)));
  }
  return out;
}

json ld_of_type(const std::string& html, const std::string& type) {
  for (auto& block : ld_blocks(html))
    if (block["@type"] == type) return block;
  FAIL("no JSON-LD block of type " << type);
  return nullptr;
}

// The content of <meta {attr}="{key}" content="...">, "" when absent.
std::string meta(const std::string& html, const std::string& attr, const std::string& key) {
  std::string open = "<meta " + attr + "=\"" + key + "\" content=\"";
  size_t at = html.find(open);
  if (at == std::string::npos) return "";
  at += open.size();
  return html.substr(at, html.find('"', at) - at);
}

std::string main_of(const std::string& html) {
  size_t from = html.find("<main id=\"main\"");
  size_t to = html.find("</main>", from);
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  return html.substr(from, to - from);
}

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

std::vector<std::string> locs(const std::string& xml) {
  std::vector<std::string> out;
  static const std::regex loc("<loc>([^<]*)</loc>");
  for (std::sregex_iterator it(xml.begin(), xml.end(), loc), end; it != end; ++it) out.push_back((*it)[1].str());
  return out;
}

int64_t cents(const json& api_amount) {
  return shopbox::cents_from_json(api_amount).value();
}
int64_t cents(const std::string& text) {
  return shopbox::parse_cents(text).value();
}

const std::string kLongText =
    "A warm desk lamp with a linen shade and a brass stem. It lights a whole desk without glare, dims in five "
    "steps and takes any E27 bulb. The cable is two metres long and cloth covered.";

}  // namespace

TEST_CASE("a product page has its title, canonical, Open Graph tags and JSON-LD that agree with the API",
          "[http][storefront][seo]") {
  TestShop shop(shop_config);
  auto home = shop.create_category("Home & Garden");
  auto lighting = shop.create_category("Lighting", home);
  auto id = shop.create_product({{"name", "Desk Lamp"},
                                 {"description", kLongText},
                                 {"brand", "Lumen"},
                                 {"category_id", lighting},
                                 {"price", 24.50},
                                 {"sale_price", 19.99},
                                 {"images", json::array({{{"url", "/media/lamp.jpg"}, {"alt", "Lamp on a desk"}}})}},
                                7);
  auto api = shop.get("/api/v1/products/" + id);
  REQUIRE(api.status == 200);

  auto r = shop.get("/p/" + id);
  REQUIRE(r.status == 200);
  CHECK_THAT(r.header("Content-Type"), Catch::StartsWith("text/html"));
  CHECK_THAT(r.header("Content-Security-Policy"), Catch::Contains("object-src 'none'"));
  const std::string& html = r.text;
  const std::string url = "https://shop.example/p/" + id;
  CHECK(count_of(html, "<title>") == 1);
  CHECK_THAT(html, Catch::Contains("<title>Desk Lamp · Plum Market</title>"));
  CHECK_THAT(html, Catch::Contains("<link rel=\"canonical\" href=\"" + url + "\">"));
  CHECK(meta(html, "property", "og:type") == "product");
  CHECK(meta(html, "property", "og:title") == "Desk Lamp");
  CHECK(meta(html, "property", "og:url") == url);
  CHECK(meta(html, "property", "og:image") == "https://shop.example/media/lamp.jpg");
  CHECK(meta(html, "name", "twitter:card") == "summary_large_image");
  CHECK(meta(html, "name", "twitter:image") == "https://shop.example/media/lamp.jpg");
  std::string description = meta(html, "name", "description");
  CHECK_THAT(description, Catch::StartsWith("A warm desk lamp with a linen shade"));
  CHECK_THAT(description, Catch::EndsWith("…"));
  CHECK(description.size() <= 160 + 2);  // 160 code points, "…" is 3 bytes
  CHECK(meta(html, "property", "og:description") == description);

  json product = ld_of_type(html, "Product");
  CHECK(product["@context"] == "https://schema.org");
  CHECK(product["name"] == "Desk Lamp");
  CHECK(product["brand"]["name"] == "Lumen");
  CHECK(product["image"] == json::array({"https://shop.example/media/lamp.jpg"}));
  CHECK(product["url"] == url);
  CHECK_FALSE(product.contains("aggregateRating"));  // no reviews yet
  REQUIRE(product["offers"].size() == 1);
  const json& offer = product["offers"][0];
  const json& variant = api.body["variants"][0];
  CHECK(cents(offer["price"].get<std::string>()) == cents(api.body["price"]["final_price"]));
  CHECK(cents(offer["price"].get<std::string>()) == 1999);
  CHECK(offer["priceCurrency"] == api.body["price"]["currency"]);
  CHECK(offer["availability"] == "https://schema.org/InStock");
  CHECK(api.body["inventory"]["in_stock"] == true);
  CHECK(offer["sku"] == variant["sku"]);

  json crumbs = ld_of_type(html, "BreadcrumbList")["itemListElement"];
  REQUIRE(crumbs.size() == 4);
  CHECK(crumbs[0]["item"] == "https://shop.example/");
  CHECK(crumbs[1]["name"] == "Home & Garden");
  CHECK(crumbs[2]["item"] == "https://shop.example/c/" + lighting);
  CHECK(crumbs[3]["name"] == "Desk Lamp");
  CHECK(crumbs[3]["position"] == 4);

  // The fallback content a browser without JavaScript shows.
  std::string main = main_of(html);
  CHECK_THAT(main, Catch::Contains("<h1 class=\"product-name\">Desk Lamp</h1>"));
  CHECK_THAT(main, Catch::Contains("$19.99"));
  CHECK_THAT(main, Catch::Contains("$24.50"));
  CHECK_THAT(main, Catch::Contains("It lights a whole desk without glare"));
  CHECK_THAT(main, Catch::Contains("alt=\"Lamp on a desk\" width=\"600\" height=\"600\""));
  CHECK_THAT(main, Catch::Contains("href=\"/c/" + lighting + "\""));
  CHECK_THAT(main, Catch::Contains("In stock"));
  CHECK_THAT(main, !Catch::Contains("The shop needs JavaScript"));
  // The header's category bar is filled too.
  CHECK_THAT(html, Catch::Contains("<a href=\"/c/" + home + "\">Home &amp; Garden</a>"));

  SECTION("a rating appears once reviews are behind it") {
    auto ada = shop.register_user("ada@example.com");
    REQUIRE(shop.post("/api/v1/products/" + id + "/reviews", {{"rating", 4}}, ada.auth).status == 201);
    json rated = ld_of_type(shop.get("/p/" + id).text, "Product");
    REQUIRE(rated.contains("aggregateRating"));
    CHECK(rated["aggregateRating"]["ratingValue"] == 4);
    CHECK(rated["aggregateRating"]["reviewCount"] == 1);
  }
  SECTION("sold out is OutOfStock, as the API says") {
    auto none = shop.create_product({{"name", "Floor Lamp"}, {"price", 80}}, 0);
    REQUIRE(shop.get("/api/v1/products/" + none).body["inventory"]["in_stock"] == false);
    auto page = shop.get("/p/" + none);
    CHECK(ld_of_type(page.text, "Product")["offers"][0]["availability"] == "https://schema.org/OutOfStock");
    CHECK_THAT(main_of(page.text), Catch::Contains("Out of stock"));
    CHECK(meta(page.text, "name", "description") == "Floor Lamp");  // no description: the name
  }
}

TEST_CASE("a product with variants has one offer per variant with the API's price and stock",
          "[http][storefront][seo]") {
  TestShop shop(shop_config);
  auto id = shop.create_product(
      {{"name", "Linen Shirt"},
       {"options", json::array({{{"name", "Size"}, {"values", {"S", "M", "L"}}}})},
       {"variants", json::array({{{"options", {{"Size", "S"}}}, {"price", 30}, {"stock", 3}, {"sku", "LS-S"}},
                                 {{"options", {{"Size", "M"}}}, {"price", 32.5}, {"stock", 0}, {"sku", "LS-M"}},
                                 {{"options", {{"Size", "L"}}},
                                  {"price", 35},
                                  {"stock", 1},
                                  {"sku", "LS-L"},
                                  {"barcode", "4006381333931"}}})}});
  auto api = shop.get("/api/v1/products/" + id);
  REQUIRE(api.status == 200);
  auto html = shop.get("/p/" + id).text;
  json offers = ld_of_type(html, "Product")["offers"];
  REQUIRE(offers.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    const json& v = api.body["variants"][i];
    INFO(v.dump());
    CHECK(offers[i]["sku"] == v["sku"]);
    CHECK(cents(offers[i]["price"].get<std::string>()) == cents(v["price"]["final_price"]));
    CHECK(offers[i]["availability"] ==
          (v["inventory"]["in_stock"].get<bool>() ? "https://schema.org/InStock" : "https://schema.org/OutOfStock"));
    CHECK(offers[i]["url"] == "https://shop.example/p/" + id + "?variant=" + v["variant_id"].get<std::string>());
  }
  CHECK(offers[1]["availability"] == "https://schema.org/OutOfStock");
  CHECK(offers[2]["gtin"] == "4006381333931");
  CHECK_FALSE(offers[0].contains("gtin"));
  CHECK_THAT(main_of(html), Catch::Contains("from"));
  CHECK_THAT(main_of(html), Catch::Contains("$32.50"));
}

TEST_CASE("product text cannot break out of the page or its JSON-LD", "[http][storefront][seo][security]") {
  TestShop shop(shop_config);
  const std::string name = "</script><script>alert(1)</script>";
  const std::string description = "\"><img src=x onerror=alert(2)> <!-- & </SCRIPT>";
  auto id = shop.create_product({{"name", name}, {"description", description}, {"brand", "<b>Bold</b>"}});
  auto r = shop.get("/p/" + id);
  REQUIRE(r.status == 200);
  const std::string& html = r.text;
  CHECK_THAT(html, !Catch::Contains("<script>alert(1)"));
  CHECK_THAT(html, !Catch::Contains("<img src=x"));
  CHECK_THAT(html, !Catch::Contains("<b>Bold"));
  CHECK_THAT(html, !Catch::Contains("</SCRIPT>"));
  // The shell's one module script and the two data blocks, nothing more.
  CHECK(count_of(html, "<script") == 3);
  CHECK(count_of(html, "</script>") == 3);
  auto blocks = ld_blocks(html);
  REQUIRE(blocks.size() == 2);
  CHECK(blocks[0]["name"] == name);  // the same text, escaped on the way
  CHECK(blocks[0]["description"] == "\"><img src=x onerror=alert(2)> <!-- & </SCRIPT>");
  CHECK(blocks[0]["brand"]["name"] == "<b>Bold</b>");
  CHECK_THAT(html, Catch::Contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
}

TEST_CASE("unknown products, categories and paths are 404 pages; app routes keep the shell",
          "[http][storefront][seo]") {
  TestShop shop(shop_config);
  auto cat = shop.create_category("Kitchen");
  auto id = shop.create_product({{"name", "Kettle"}, {"category_id", cat}});
  for (const std::string& path :
       std::vector<std::string>{"/p/999999999", "/p/abc", "/p/0", "/p/-1", "/p/" + id + "/reviews", "/c/999999",
                                "/c/kitchen", "/nowhere", "/products", "/admin-panel"}) {
    INFO(path);
    auto r = shop.get(path);
    CHECK(r.status == 404);
    CHECK_THAT(r.header("Content-Type"), Catch::StartsWith("text/html"));
    CHECK_THAT(r.header("Content-Security-Policy"), Catch::Contains("frame-ancestors 'none'"));
    CHECK(r.header("X-Content-Type-Options") == "nosniff");
    std::string main = main_of(r.text);
    CHECK_THAT(main, Catch::Contains("<h1>Page not found</h1>"));
    CHECK_THAT(main, Catch::Contains("<form action=\"/search\" method=\"get\""));
    CHECK_THAT(main, Catch::Contains("href=\"/\""));
    CHECK_THAT(main, Catch::Contains("href=\"/c/" + cat + "\""));
    CHECK(meta(r.text, "name", "robots") == "noindex");
    CHECK_THAT(r.text, Catch::Contains("<title>Page not found · Plum Market</title>"));
  }
  for (const std::string& path : std::vector<std::string>{
           "/cart", "/checkout", "/account", "/account/reset-password", "/orders", "/orders/ord_1_2", "/admin",
           "/admin/products/12", "/login", "/wishlist", "/flash/3", "/p/" + id + "/", "/c/" + cat, "/search", "/"}) {
    INFO(path);
    auto r = shop.get(path);
    CHECK(r.status == 200);
    CHECK_THAT(r.text, Catch::Contains("<script type=\"module\" src=\"/js/app.js\">"));
  }
  // An app route the server does not render keeps the shell's own content.
  auto cart = shop.get("/cart");
  CHECK_THAT(main_of(cart.text), Catch::Contains("The shop needs JavaScript"));
  CHECK(meta(cart.text, "name", "robots") == "noindex");
  // Files: a missing one is the API's JSON 404, an existing one is served.
  CHECK(shop.get("/js/nothing.js").status == 404);
  CHECK(shop.get("/js/app.js").status == 200);
}

TEST_CASE("category, home and search pages render their listings", "[http][storefront][seo]") {
  TestShop shop(shop_config);
  auto kitchen = shop.create_category("Kitchen");
  auto pans = shop.create_category("Pans", kitchen);
  std::set<std::string> ids;
  for (int i = 0; i < 30; ++i)
    ids.insert(shop.create_product(
        {{"name", "Pan " + std::to_string(i)}, {"price", 10 + i}, {"category_id", i % 2 ? pans : kitchen}}));

  auto first = shop.get("/c/" + kitchen);
  REQUIRE(first.status == 200);
  CHECK_THAT(first.text, Catch::Contains("<title>Kitchen · Plum Market</title>"));
  CHECK_THAT(first.text, Catch::Contains("<link rel=\"canonical\" href=\"https://shop.example/c/" + kitchen + "\">"));
  std::string main = main_of(first.text);
  CHECK_THAT(main, Catch::Contains("<h1>Kitchen</h1>"));
  CHECK_THAT(main, Catch::Contains("30 products"));
  CHECK_THAT(main, Catch::Contains("href=\"/c/" + pans + "\""));  // its subcategory
  CHECK(count_of(main, "class=\"card product-card\"") == storefront::kCategoryPageSize);
  CHECK_THAT(main, Catch::Contains("<a rel=\"next\" href=\"/c/" + kitchen + "?page=2\">"));
  CHECK_THAT(main, Catch::Contains("Pan 29"));  // newest first
  CHECK_THAT(main, Catch::Contains("$39.00"));
  CHECK(ld_of_type(first.text, "BreadcrumbList")["itemListElement"].size() == 2);

  auto second = shop.get("/c/" + kitchen + "?page=2");
  REQUIRE(second.status == 200);
  CHECK(count_of(main_of(second.text), "class=\"card product-card\"") == 30 - storefront::kCategoryPageSize);
  CHECK_THAT(second.text, Catch::Contains("href=\"https://shop.example/c/" + kitchen + "?page=2\""));
  CHECK_THAT(main_of(second.text), Catch::Contains("<a rel=\"prev\" href=\"/c/" + kitchen + "\">"));

  auto home = shop.get("/");
  REQUIRE(home.status == 200);
  CHECK_THAT(home.text, Catch::Contains("<title>Plum Market</title>"));
  CHECK_THAT(home.text, Catch::Contains("<link rel=\"canonical\" href=\"https://shop.example/\">"));
  json org = ld_of_type(home.text, "Organization");
  CHECK(org["name"] == "Plum Market");
  CHECK(org["url"] == "https://shop.example/");
  CHECK(meta(home.text, "property", "og:type") == "website");
  CHECK_THAT(main_of(home.text), Catch::Contains("href=\"/c/" + kitchen + "\""));
  CHECK(count_of(main_of(home.text), "class=\"card product-card\"") == 8);

  REQUIRE(shop.app().search);
  auto search = shop.get("/search?q=" + std::string("pan"));
  REQUIRE(search.status == 200);
  CHECK_THAT(search.text, Catch::Contains("<title>Search: pan · Plum Market</title>"));
  CHECK(meta(search.text, "name", "robots") == "noindex, follow");
  CHECK_THAT(main_of(search.text), Catch::Contains("value=\"pan\""));
  auto hostile = shop.get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
  CHECK(hostile.status == 200);
  CHECK_THAT(hostile.text, !Catch::Contains("<script>alert(1)"));
}

TEST_CASE("robots.txt keeps crawlers out of private pages and names the sitemap", "[http][storefront][seo]") {
  TestShop shop(shop_config);
  auto r = shop.get("/robots.txt");
  REQUIRE(r.status == 200);
  CHECK_THAT(r.header("Content-Type"), Catch::StartsWith("text/plain"));
  CHECK(r.header("X-Content-Type-Options") == "nosniff");
  CHECK(r.text ==
        "User-agent: *\nAllow: /\nDisallow: /admin\nDisallow: /account\nDisallow: /cart\nDisallow: /checkout\n"
        "Disallow: /orders\nDisallow: /api/\n\nSitemap: https://shop.example/sitemap.xml\n");
}

TEST_CASE("the sitemaps list exactly the products, in pages of bounded size, and the categories",
          "[http][storefront][seo]") {
  TestShop shop(shop_config);
  auto cat = shop.create_category("Garden");
  std::set<std::string> expected;
  for (int i = 0; i < 120; ++i)
    expected.insert("https://shop.example/p/" + shop.create_product({{"name", "Seed " + std::to_string(i)}}));
  auto gone = shop.create_product({{"name", "Deleted"}});
  REQUIRE(shop.del("/api/v1/admin/products/" + gone, shop.admin()).status == 204);

  SECTION("paged directly, with a small page size") {
    auto index = storefront::sitemap_index(shop.app(), 50);
    REQUIRE(index.ok());
    auto pages = locs(*index);
    REQUIRE(pages.back() == "https://shop.example/sitemaps/categories.xml");
    pages.pop_back();
    std::set<std::string> seen;
    for (const auto& page : pages) {
      static const std::regex n_of(R"(/sitemaps/products-(\d+)\.xml$)");
      std::smatch m;
      REQUIRE(std::regex_search(page, m, n_of));
      auto xml = storefront::product_sitemap(shop.app(), std::stoll(m[1].str()), 50);
      REQUIRE(xml.ok());
      auto urls = locs(*xml);
      CHECK(urls.size() <= 50);
      CHECK(count_of(*xml, "<lastmod>") == urls.size());
      for (const auto& u : urls) CHECK(seen.insert(u).second);  // no URL on two pages
    }
    CHECK(seen == expected);
    CHECK(pages.size() == 3);  // ids 1..121 in ranges of 50
    CHECK(storefront::product_sitemap(shop.app(), 4, 50).status().kind() == shopbox::Kind::not_found);
    CHECK(storefront::product_sitemap(shop.app(), 0, 50).status().kind() == shopbox::Kind::not_found);
  }
  SECTION("over HTTP, with the real page size") {
    auto index = shop.get("/sitemap.xml");
    REQUIRE(index.status == 200);
    CHECK_THAT(index.header("Content-Type"), Catch::StartsWith("application/xml"));
    CHECK_THAT(index.text, Catch::StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    CHECK_THAT(index.text, Catch::Contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"));
    CHECK(locs(index.text) == std::vector<std::string>{"https://shop.example/sitemaps/products-1.xml",
                                                       "https://shop.example/sitemaps/categories.xml"});
    auto page = shop.get("/sitemaps/products-1.xml");
    REQUIRE(page.status == 200);
    auto urls = locs(page.text);
    CHECK(std::set<std::string>(urls.begin(), urls.end()) == expected);
    CHECK(urls.size() == expected.size());
    CHECK(std::is_sorted(urls.begin(), urls.end(), [](const std::string& a, const std::string& b) {
      return std::stoll(a.substr(a.rfind('/') + 1)) < std::stoll(b.substr(b.rfind('/') + 1));
    }));
    CHECK(shop.get("/sitemaps/products-2.xml").status == 404);
    CHECK(shop.get("/sitemaps/products-x.xml").status == 404);
    auto cats = shop.get("/sitemaps/categories.xml");
    REQUIRE(cats.status == 200);
    // the home page, the categories, then the policy pages (shop settings)
    CHECK(locs(cats.text) == std::vector<std::string>{"https://shop.example/", "https://shop.example/c/" + cat,
                                                      "https://shop.example/pages/returns",
                                                      "https://shop.example/pages/shipping",
                                                      "https://shop.example/pages/privacy",
                                                      "https://shop.example/pages/terms"});
  }
}

TEST_CASE("the Merchant feed has one item per variant with the API's price and availability",
          "[http][storefront][seo]") {
  TestShop shop(shop_config);
  std::vector<std::string> ids;
  // More than one batch of the streamed feed.
  for (int i = 0; i < 230; ++i)
    ids.push_back(shop.create_product({{"name", "Mug & Cup " + std::to_string(i)},
                                       {"brand", "Clayworks"},
                                       {"price", 12.5 + i},
                                       {"images", json::array({"/media/mug.png"})}},
                                      i % 3 ? 5 : 0));
  auto shirt = shop.create_product(
      {{"name", "Tee"},
       {"options", json::array({{{"name", "Size"}, {"values", {"S", "M"}}}})},
       {"variants",
        json::array({{{"options", {{"Size", "S"}}}, {"price", 20}, {"sale_price", 15}, {"stock", 2}},
                     {{"options", {{"Size", "M"}}}, {"price", 20}, {"stock", 0}, {"barcode", "4006381333931"}}})}});

  auto r = shop.get("/feeds/products.xml");
  REQUIRE(r.status == 200);
  CHECK_THAT(r.header("Content-Type"), Catch::StartsWith("application/rss+xml"));
  const std::string& xml = r.text;
  CHECK_THAT(xml, Catch::StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  CHECK_THAT(xml, Catch::Contains("<rss version=\"2.0\" xmlns:g=\"http://base.google.com/ns/1.0\">"));
  CHECK_THAT(xml, Catch::EndsWith("</channel>\n</rss>\n"));
  CHECK(count_of(xml, "<item>") == ids.size() + 2);
  CHECK(count_of(xml, "</item>") == ids.size() + 2);
  CHECK_THAT(xml, !Catch::Contains("Mug & Cup"));  // escaped: &amp;

  // Each item, by g:id.
  std::map<std::string, std::string> items;
  static const std::regex item(R"(<item>\n<g:id>([^<]+)</g:id>\n([\s\S]*?)</item>)");
  for (std::sregex_iterator it(xml.begin(), xml.end(), item), end; it != end; ++it)
    items[(*it)[1].str()] = (*it)[2].str();
  REQUIRE(items.size() == ids.size() + 2);
  for (size_t i = 0; i < ids.size(); i += 23) {
    auto api = shop.get("/api/v1/products/" + ids[i]).body;
    INFO(ids[i]);
    const std::string& text = items.at(ids[i]);
    CHECK_THAT(text,
               Catch::Contains("<g:price>" + shopbox::format_cents(cents(api["price"]["amount"])) + " USD</g:price>"));
    CHECK_THAT(text, Catch::Contains(api["inventory"]["in_stock"].get<bool>() ? "<g:availability>in_stock<"
                                                                              : "<g:availability>out_of_stock<"));
    CHECK_THAT(text, Catch::Contains("<link>https://shop.example/p/" + ids[i] + "</link>"));
    CHECK_THAT(text, Catch::Contains("<g:image_link>https://shop.example/media/mug.png</g:image_link>"));
    CHECK_THAT(text, Catch::Contains("<g:brand>Clayworks</g:brand>"));
    CHECK_THAT(text, !Catch::Contains("g:item_group_id"));
  }
  CHECK_THAT(items.at(ids[0]), Catch::Contains("<g:price>12.50 USD</g:price>"));

  auto tee = shop.get("/api/v1/products/" + shirt).body;
  REQUIRE(tee["variants"].size() == 2);
  const std::string small = items.at(tee["variants"][0]["variant_id"].get<std::string>());
  const std::string medium = items.at(tee["variants"][1]["variant_id"].get<std::string>());
  for (const auto& text : {small, medium}) CHECK_THAT(text, Catch::Contains("<g:item_group_id>" + shirt + "<"));
  CHECK_THAT(small, Catch::Contains("<g:price>20.00 USD</g:price>"));
  CHECK_THAT(small, Catch::Contains("<g:sale_price>15.00 USD</g:sale_price>"));
  CHECK_THAT(small, Catch::Contains("<g:availability>in_stock<"));
  CHECK_THAT(medium, Catch::Contains("<g:availability>out_of_stock<"));
  CHECK_THAT(medium, Catch::Contains("<g:gtin>4006381333931</g:gtin>"));
  CHECK_THAT(small, !Catch::Contains("<g:gtin>"));
}
