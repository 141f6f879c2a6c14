// POST /api/v1/admin/import: the `shopbox import` of the admin pages. The
// body is the file itself (JSON array or Shopify product CSV, up to
// server.max_body_bytes); all or nothing, errors name the file's lines.
// GET /api/v1/admin/export/products.csv: the `shopbox export`, the same
// file (catalog/product_export.h).
#include "app.h"
#include "catalog/catalog.h"
#include "catalog/import.h"
#include "catalog/product_export.h"
#include "http/server.h"

namespace shopbox {
using namespace http;

void register_import_routes(HttpServer& server, App& app) {
  server.add({"POST", "/api/v1/admin/import", Access::admin, "admin",
              "Import products: body is a JSON array or a Shopify product CSV (?format=json|shopify, else by "
              "Content-Type); all or nothing, upserts by SKU; errors list {line, message}",
              Body::file},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto format_param = query(req, "format");
               ImportFormat format;
               if (format_param && *format_param == "json")
                 format = ImportFormat::json;
               else if (format_param && (*format_param == "shopify" || *format_param == "csv"))
                 format = ImportFormat::shopify_csv;
               else if (format_param && !format_param->empty())
                 return send_error(res, field_error("format", "format must be json or shopify"));
               else if (req.get_header_value("Content-Type").find("csv") != std::string::npos)
                 format = ImportFormat::shopify_csv;
               else
                 format = detect_import_format("", req.body);
               if (req.body.empty()) return send_error(res, Status::Invalid("the body is empty: send the file"));
               auto report = import_products(*app.catalog, req.body, format, app.config, who.actor());
               if (!report.ok) {
                 json errors = json::array();
                 for (const auto& e : report.errors) errors.push_back({{"line", e.line}, {"message", e.message}});
                 std::string first = report.errors.empty() ? "import failed"
                                                           : "line " + std::to_string(report.errors[0].line) + ": " +
                                                                 report.errors[0].message;
                 return send_error(
                     res, Status(Kind::invalid, "import_failed", "nothing imported; " + first, {{"errors", errors}}));
               }
               send_json(res, 200,
                         {{"imported", report.items},
                          {"created", report.summary.created},
                          {"updated", report.summary.updated},
                          {"categories_created", report.summary.categories_created},
                          {"variants_created", report.summary.variants_created},
                          {"variants_updated", report.summary.variants_updated},
                          {"variants_deleted", report.summary.variants_deleted},
                          {"product_ids", [&] {
                             json ids = json::array();
                             for (auto id : report.summary.ids) ids.push_back(std::to_string(id));
                             return ids;
                           }()}});
             });

  server.add({"GET", "/api/v1/admin/export/products.csv", Access::admin, "admin",
              "Export every product with its variants, stock and images as a Shopify product CSV (what "
              "POST /api/v1/admin/import reads back)"},
             [&app](const Req&, Res& res, const Principal&) {
               auto csv = export_products_csv(*app.db, *app.catalog, *app.inventory);
               if (!csv.ok()) return send_error(res, csv.status());
               res.status = 200;
               res.set_header("Content-Disposition", "attachment; filename=\"products.csv\"");
               res.set_content(std::move(*csv), "text/csv; charset=utf-8");
             });
}

}  // namespace shopbox
