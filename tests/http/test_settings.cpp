// Shop settings (src/settings/settings.h): defaults from the config file,
// partial and validated updates, and what the storefront, the policy pages
// and the emails show with them.
#include <catch2/catch.hpp>

#include "support/test_shop.h"

using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace settings_test {

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// The <footer> of a rendered page (the shell's site footer).
std::string footer_of(const std::string& html) {
  size_t from = html.find("<footer class=\"site-footer\">");
  size_t to = html.find("</footer>", from);
  return from == std::string::npos || to == std::string::npos ? "" : html.substr(from, to - from);
}

}  // namespace settings_test

TEST_CASE("settings start from the config file and a PUT changes only the fields it names", "[settings][http]") {
  TestShop shop([](shopbox::Config& c) {
    c.shop_name = "Plum & Co";
    c.free_shipping_threshold = 7500;
  });
  auto pub = shop.get("/api/v1/settings");
  REQUIRE(pub.status == 200);
  CHECK(pub.body["name"] == "Plum & Co");
  CHECK(pub.body["currency"] == "USD");
  CHECK(pub.body["banner"]["shipping_line"] == "Free shipping on orders over $75");
  CHECK(pub.body["policies"].size() == 4);
  CHECK(pub.body["policies"][0]["url"] == "/pages/returns");

  auto admin = shop.get("/api/v1/admin/settings", shop.admin());
  REQUIRE(admin.status == 200);
  CHECK(admin.body["policies"]["terms"]["body"] == "");

  auto put = shop.put("/api/v1/admin/settings",
                      {{"contact_email", "hello@plum.example"},
                       {"policies", {{"returns", {{"body", "Return within 30 days.\n\nWe refund to your card."}}}}}},
                      shop.admin());
  REQUIRE(put.status == 200);
  INFO(put.body.dump());
  CHECK(put.body["name"] == "Plum & Co");  // untouched
  CHECK(put.body["contact_email"] == "hello@plum.example");
  CHECK(put.body["policies"]["returns"]["title"] == "Returns and refunds");  // title kept, body changed
  CHECK(put.body["policies"]["returns"]["body"] == "Return within 30 days.\n\nWe refund to your card.");

  auto page = shop.get("/api/v1/pages/returns");
  REQUIRE(page.status == 200);
  CHECK(page.body["body"] == "Return within 30 days.\n\nWe refund to your card.");
  auto none = shop.get("/api/v1/pages/cookies");
  CHECK(none.status == 404);
  CHECK(none.body["error"]["code"] == "not_found");
}

TEST_CASE("a bad settings field is a 400 naming it and nothing is saved", "[settings][http]") {
  TestShop shop;
  const json cases[] = {
      {{"name", "Fine"}, {"contact_email", "not-an-email"}},
      {{"name", "Fine"}, {"logo_url", "javascript:alert(1)"}},
      {{"name", std::string(101, 'x')}},
      {{"name", "Fine"}, {"shipping_line", std::string(201, 'x')}},
      {{"name", "Fine"}, {"policies", {{"privacy", {{"body", std::string(20001, 'x')}}}}}},
      {{"name", "Fine"}, {"policies", {{"cookies", {{"body", "x"}}}}}},
      {{"name", "Fine"}, {"currency", "EUR"}},
      {{"name", "Fine"}, {"locale", "english please"}},
      {{"name", ""}},
      {{"name", "Fine"}, {"colour", "red"}},
  };
  const char* fields[] = {"contact_email",         "logo_url",         "name",     "shipping_line", "policies.privacy.body",
                          "policies.cookies", "currency", "locale", "name", "colour"};
  for (size_t i = 0; i < std::size(cases); ++i) {
    auto r = shop.put("/api/v1/admin/settings", cases[i], shop.admin());
    INFO(cases[i].dump().substr(0, 120) << " -> " << r.body.dump().substr(0, 300));
    CHECK(r.status == 400);
    CHECK(r.body["error"]["details"]["field"] == fields[i]);
  }
  auto after = shop.get("/api/v1/admin/settings", shop.admin());
  CHECK(after.body["name"] == "shopbox");  // "Fine" went with every rejected body
  CHECK(after.body["contact_email"] == "");
  CHECK(after.body["logo_url"] == "");

  auto ok = shop.put("/api/v1/admin/settings", {{"logo_url", "/images/logo.png"}, {"locale", "de-DE"}}, shop.admin());
  CHECK(ok.status == 200);
  CHECK(ok.body["logo_url"] == "/images/logo.png");
}

TEST_CASE("only an admin changes settings", "[settings][http][security]") {
  TestShop shop;
  auto shopper = shop.register_user("settings-shopper@example.com");
  CHECK(shop.put("/api/v1/admin/settings", {{"name", "Mine now"}}).status == 401);
  CHECK(shop.put("/api/v1/admin/settings", {{"name", "Mine now"}}, shopper.auth).status == 403);
  CHECK(shop.get("/api/v1/admin/settings", shopper.auth).status == 403);
  CHECK(shop.get("/api/v1/settings").body["name"] == "shopbox");
}

TEST_CASE("the storefront shows the saved name, banner and footer links on every page", "[settings][http][seo]") {
  TestShop shop;
  std::string pid = shop.create_product({{"name", "Desk lamp"}, {"price", 30.00}});
  auto put = shop.put("/api/v1/admin/settings",
                      {{"name", "Lantern & Leaf"},
                       {"contact_email", "care@lantern.example"},
                       {"postal_address", "1 Mill Lane\nBristol"},
                       {"shipping_line", "Free delivery over $40"},
                       {"returns_line", "60-day returns"}},
                      shop.admin());
  REQUIRE(put.status == 200);

  auto home = shop.get("/");
  REQUIRE(home.status == 200);
  CHECK(home.text.find("<title>Lantern &amp; Leaf</title>") != std::string::npos);
  CHECK(home.text.find("<meta property=\"og:site_name\" content=\"Lantern &amp; Leaf\">") != std::string::npos);
  CHECK(home.text.find("\"@type\":\"Organization\"") != std::string::npos);
  CHECK(home.text.find("\"name\":\"Lantern \\u0026 Leaf\"") != std::string::npos);  // JSON-LD escapes &
  CHECK(home.text.find("Free delivery over $40. 60-day returns.") != std::string::npos);
  CHECK(home.text.find("Free shipping on orders over $50") == std::string::npos);
  CHECK(home.text.find("shopbox home") == std::string::npos);

  auto product = shop.get("/p/" + pid);
  REQUIRE(product.status == 200);
  CHECK(product.text.find("<title>Desk lamp · Lantern &amp; Leaf</title>") != std::string::npos);
  std::string footer = settings_test::footer_of(product.text);
  INFO(footer);
  CHECK(footer.find("© Lantern &amp; Leaf") != std::string::npos);
  for (const char* slug : {"returns", "shipping", "privacy", "terms"})
    CHECK(footer.find(std::string("href=\"/pages/") + slug + "\"") != std::string::npos);
  CHECK(footer.find("mailto:care@lantern.example") != std::string::npos);
  CHECK(footer.find("1 Mill Lane, Bristol") != std::string::npos);

  auto sitemap = shop.get("/sitemaps/categories.xml");
  CHECK(sitemap.text.find("/pages/returns</loc>") != std::string::npos);
  CHECK(sitemap.text.find("/pages/terms</loc>") != std::string::npos);
  auto feed = shop.get("/feeds/products.xml");
  CHECK(feed.text.find("<title>Lantern &amp; Leaf</title>") != std::string::npos);
}

TEST_CASE("policy pages render with JavaScript off and show markup as text", "[settings][http][seo][security]") {
  TestShop shop;
  auto put = shop.put("/api/v1/admin/settings",
                      {{"policies",
                        {{"returns",
                          {{"title", "Returns & refunds"},
                           {"body", "Send it back within 30 days.\n\n<script>alert(1)</script> is not code here.\nLine two."}}}}}},
                      shop.admin());
  REQUIRE(put.status == 200);
  auto page = shop.get("/pages/returns");
  REQUIRE(page.status == 200);
  CHECK(page.header("Content-Type").find("text/html") == 0);
  CHECK(page.text.find("<h1>Returns &amp; refunds</h1>") != std::string::npos);
  CHECK(page.text.find("<p>Send it back within 30 days.</p>") != std::string::npos);
  CHECK(page.text.find("&lt;script&gt;alert(1)&lt;/script&gt; is not code here.<br>") != std::string::npos);
  CHECK(page.text.find("<script>alert(1)") == std::string::npos);
  CHECK(page.text.find("<title>Returns &amp; refunds · shopbox</title>") != std::string::npos);
  CHECK(page.text.find("<link rel=\"canonical\" href=\"") != std::string::npos);
  // The shell's own scripts only: the app module and the JSON-LD block.
  CHECK(settings_test::count_of(page.text, "<script") == 2);

  auto empty = shop.get("/pages/privacy");
  CHECK(empty.status == 200);
  CHECK(empty.text.find("has not published this page yet") != std::string::npos);
  auto unknown = shop.get("/pages/cookies");
  CHECK(unknown.status == 404);
  CHECK(unknown.text.find("Page not found") != std::string::npos);
}

TEST_CASE("settings survive a restart", "[settings][http]") {
  TestShop shop;
  REQUIRE(shop.put("/api/v1/admin/settings",
                   {{"name", "Kept Shop"}, {"policies", {{"terms", {{"body", "Be nice."}}}}}}, shop.admin())
              .status == 200);
  shop.restart();
  auto s = shop.get("/api/v1/admin/settings", shop.admin());
  CHECK(s.body["name"] == "Kept Shop");
  CHECK(s.body["policies"]["terms"]["body"] == "Be nice.");
  CHECK(shop.get("/").text.find("<title>Kept Shop</title>") != std::string::npos);
}

TEST_CASE("emails use the shop's name and contact footer from the settings", "[settings][http][email]") {
  TestShop shop;
  auto before = shop.get("/api/v1/admin/email-templates/order_confirmation/preview?format=json", shop.admin());
  REQUIRE(before.status == 200);
  CHECK(before.body["html"].get<std::string>().find(">shopbox</a>") != std::string::npos);
  CHECK(before.body["html"].get<std::string>().find("mailto:") == std::string::npos);
  REQUIRE(shop.put("/api/v1/admin/settings",
                   {{"name", "Renamed Goods"},
                    {"contact_email", "help@renamed.example"},
                    {"logo_url", "/images/logo.png"},
                    {"postal_address", "5 Quay St"}},
                   shop.admin())
              .status == 200);
  auto after = shop.get("/api/v1/admin/email-templates/order_confirmation/preview?format=json", shop.admin());
  REQUIRE(after.status == 200);
  std::string html = after.body["html"], text = after.body["text"];
  CHECK(html.find("Renamed Goods") != std::string::npos);
  CHECK(html.find(">shopbox<") == std::string::npos);
  CHECK(html.find("mailto:help@renamed.example") != std::string::npos);
  CHECK(html.find("/images/logo.png\"") != std::string::npos);
  CHECK(html.find("src=\"http") != std::string::npos);  // absolute: mail clients have no base URL
  CHECK(text.find("Renamed Goods") != std::string::npos);
  CHECK(text.find("5 Quay St") != std::string::npos);
}
