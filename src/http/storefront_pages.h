// What search engines and link previews read of the storefront.
//
// Contract:
//  * Pages. Every storefront URL answers with web/index.html (the shell the
//    JS app runs in). For the pages crawlers read — home (/), a product
//    (/p/{id}), a category (/c/{id}) and search (/search?q=) — the server
//    fills the shell's marked regions (<!--page-head-->, <!--page-nav-->,
//    <!--page-main--> in web/index.html): <title>, description, canonical
//    URL, Open Graph and Twitter tags, JSON-LD (Product with one Offer per
//    variant, BreadcrumbList, Organization) and fallback HTML inside
//    <main id="main"> that reads well with JavaScript off. The app replaces
//    #main when it runs. Prices and availability come from the API's own
//    JSON (catalog/product_json.h), so the page says what the API says.
//  * Status. An unknown or malformed product or category id, and a path no
//    app route takes (kAppRoutes), is a 404 with the same shell and a
//    server-rendered "Page not found"; app routes the server does not
//    render (/cart, /account, /admin/...) get the plain shell with 200.
//  * Escaping. Text goes through markup_escape; JSON-LD is dumped by
//    nlohmann::json with < > & as \u003c \u003e \u0026, so no product text
//    can end the <script> block.
//  * Routes go through HttpServer::add (security headers, metrics, rate
//    limits: pages in the "catalog" and "search" groups, crawler files in
//    "web"). Crawler files: /robots.txt, /sitemap.xml (a
//    sitemap index), /sitemaps/products-<n>.xml (product ids in
//    ((n-1)*K, n*K], K = kSitemapPageSize: at most K URLs, and a page keeps
//    its URLs when other products come and go), /sitemaps/categories.xml,
//    and /feeds/products.xml (Google Merchant RSS 2.0, streamed in batches
//    so its size does not depend on memory).
//  * Thread rule: everything here is a read; safe from any request thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "http/api.h"

namespace shopbox {
struct App;
class HttpServer;

namespace storefront {

// Sitemap protocol limit: at most 50,000 URLs per sitemap file.
inline constexpr int64_t kSitemapPageSize = 50000;
// The "first page" of a server-rendered category listing (the app's size).
inline constexpr int kCategoryPageSize = 24;

struct Page {
  int status = 200;
  std::string html;
};

// The storefront page at `path` (query string values: `q` for /search,
// `page` for a category), for GET / and every path without a dot.
Page render_page(App& app, std::string_view path, std::string_view q, std::string_view page);

// Renders req.path (with its q and page parameters) and sends it as HTML,
// with the storefront's Content-Security-Policy.
void send_page(App& app, const http::Req& req, http::Res& res);

// True when the JS app has a route for `path` (web/js/app.js), i.e. the
// shell should answer 200 even though the server renders nothing there.
bool is_app_route(std::string_view path);

std::string robots_txt(const std::string& public_url);
// The sitemap index: one /sitemaps/products-<n>.xml per non-empty id range
// of `page_size` ids, then /sitemaps/categories.xml.
Result<std::string> sitemap_index(App& app, int64_t page_size = kSitemapPageSize);
// Product page `n` (1-based) of the sitemap: 404 when it lists no product.
Result<std::string> product_sitemap(App& app, int64_t n, int64_t page_size = kSitemapPageSize);
Result<std::string> category_sitemap(App& app);

// Registers the crawler files and the rendered page routes (/p/{id},
// /c/{id}, /search). Call before the static-file route, which would
// otherwise take these paths.
void register_storefront_routes(HttpServer& server, App& app);

}  // namespace storefront
}  // namespace shopbox
