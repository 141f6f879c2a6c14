// Admin webhook routes: the outbox and its delivery log.
#include "app.h"
#include "base/clock.h"
#include "http/server.h"

namespace shopbox {
using namespace http;

void register_webhook_routes(HttpServer& server, App& app) {
  server.add(
      {"GET", "/api/v1/admin/webhooks/deliveries", Access::admin, "admin",
       "Webhook delivery log, newest first; filter: status (pending, delivered, failed)"},
      [&app](const Req& req, Res& res, const Principal&) {
        auto page = pagination(req);
        if (!page.ok()) return send_error(res, page.status());
        auto status = query(req, "status");
        if (status && *status != "pending" && *status != "delivered" && *status != "failed")
          return send_error(res, field_error("status", "status must be pending, delivered or failed"));
        json items = json::array();
        int64_t total = 0;
        Status read = app.db->read([&](Connection& c) {
          const char* where = status ? "WHERE d.status = ?1 " : "WHERE ?1 IS NULL ";
          auto n = c.prepare((std::string("SELECT count(*) FROM webhook_deliveries d ") + where).c_str());
          n.bind(1, status);
          total = n.step() ? n.int64(0) : 0;
          auto st = c.prepare(
              (std::string("SELECT d.delivery_id, d.event_id, e.type, d.url, d.status, d.attempts, d.response_status, "
                           "d.last_error, d.next_attempt_at, d.created_at, d.delivered_at FROM webhook_deliveries d "
                           "JOIN outbox_events e ON e.event_id = d.event_id ") +
               where + "ORDER BY d.delivery_id DESC LIMIT ?2 OFFSET ?3")
                  .c_str());
          st.bind(1, status).bind(2, page->size).bind(3, page->offset());
          while (st.step())
            items.push_back(
                {{"delivery_id", std::to_string(st.int64(0))},
                 {"event_id", "evt_" + std::to_string(st.int64(1))},
                 {"event_type", st.text(2)},
                 {"url", st.text(3)},
                 {"status", st.text(4)},
                 {"attempts", st.int64(5)},
                 {"response_status", st.is_null(6) ? json(nullptr) : json(st.int64(6))},
                 {"last_error", st.text(7)},
                 {"next_attempt_at", st.text(4) == "pending" ? json(iso8601(st.int64(8) / 1000)) : json(nullptr)},
                 {"created_at", iso8601(st.int64(9))},
                 {"delivered_at", st.is_null(10) ? json(nullptr) : json(iso8601(st.int64(10)))}});
          return Status::Ok();
        });
        if (!read.ok()) return send_error(res, read);
        send_json(res, 200, {{"deliveries", items}, {"page", page->page}, {"size", page->size}, {"total", total}});
      });

  server.add(
      {"GET", "/api/v1/admin/webhooks/events", Access::admin, "admin", "Outbox events, newest first; filter: type"},
      [&app](const Req& req, Res& res, const Principal&) {
        auto page = pagination(req);
        if (!page.ok()) return send_error(res, page.status());
        auto type = query(req, "type");
        json items = json::array();
        int64_t total = 0;
        Status read = app.db->read([&](Connection& c) {
          auto n = c.prepare("SELECT count(*) FROM outbox_events WHERE ?1 IS NULL OR type = ?1");
          n.bind(1, type);
          total = n.step() ? n.int64(0) : 0;
          auto st = c.prepare(
              "SELECT event_id, type, payload, created_at FROM outbox_events WHERE ?1 IS NULL OR type = ?1 "
              "ORDER BY event_id DESC LIMIT ?2 OFFSET ?3");
          st.bind(1, type).bind(2, page->size).bind(3, page->offset());
          while (st.step()) {
            json data = json::parse(st.text(2), nullptr, false);
            items.push_back({{"id", "evt_" + std::to_string(st.int64(0))},
                             {"type", st.text(1)},
                             {"data", data.is_discarded() ? json::object() : data},
                             {"created_at", iso8601(st.int64(3))}});
          }
          return Status::Ok();
        });
        if (!read.ok()) return send_error(res, read);
        send_json(res, 200, {{"events", items}, {"page", page->page}, {"size", page->size}, {"total", total}});
      });
}

}  // namespace shopbox
