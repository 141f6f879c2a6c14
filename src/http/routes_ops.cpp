// Operations routes for admins: online backup and the invariant check.
#include <filesystem>
#include <mutex>

#include "app.h"
#include "base/clock.h"
#include "http/server.h"
#include "ops/backup.h"
#include "ops/check.h"

namespace shopbox {
using namespace http;

void register_ops_routes(HttpServer& server, App& app) {
  server.add({"POST", "/api/v1/admin/backup", Access::admin, "admin",
              "Online backup into {dir} (default: storage.backup_dir/<time>); returns the manifest"},
             [&app](const Req& req, Res& res, const Principal&) {
               json body = json::object();
               if (!req.body.empty()) {
                 auto b = parse_object(req);
                 if (!b.ok()) return send_error(res, b.status());
                 body = *b;
               }
               auto dir = opt_string(body, "dir", 4096);
               if (!dir.ok()) return send_error(res, dir.status());
               std::string dest;
               if (dir->has_value()) {
                 dest = **dir;
                 if (dest.empty() || dest[0] != '/')
                   return send_error(res, field_error("dir", "must be an absolute path"));
               } else if (!app.config.backup_dir.empty()) {
                 dest = ops::timestamped_backup_dir(app.config.backup_dir);
               } else {
                 return send_error(res,
                                   field_error("dir", "dir is required (or set storage.backup_dir in the config)"));
               }
               static std::mutex one_at_a_time;
               std::lock_guard<std::mutex> lock(one_at_a_time);
               auto m = ops::backup(app.db->path(), *app.kv, dest);
               if (!m.ok()) return send_error(res, m.status());
               send_json(res, 201, *m);
             });

  server.add({"GET", "/api/v1/admin/check", Access::admin, "admin",
              "Checks the invariants (stock, reservations, orders, payments, storage)"},
             [&app](const Req&, Res& res, const Principal&) {
               auto report = ops::run_checks(app);
               send_json(res, 200, {{"ok", report.ok()}, {"problems", report.problems}, {"stats", report.stats}});
             });
}

}  // namespace shopbox
