// Admin webhook routes: the outbox and its delivery log.
#include "app.h"
#include "base/clock.h"
#include "events/outbox.h"
#include "events/outbox_store.h"
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
        std::vector<DeliveryRow> rows;
        Status read = app.db->read([&](Connection& c) {
          rows = outbox_store::list_deliveries(c, status, page->size, page->offset(), &total);
          return Status::Ok();
        });
        for (const auto& d : rows)
          items.push_back(
              {{"delivery_id", std::to_string(d.id)},
               {"event_id", "evt_" + std::to_string(d.event_id)},
               {"event_type", d.event_type},
               {"url", d.url},
               {"status", d.status},
               {"attempts", d.attempts},
               {"response_status", d.response_status ? json(*d.response_status) : json(nullptr)},
               {"last_error", d.last_error},
               {"next_attempt_at", d.status == "pending" ? json(iso8601(d.next_attempt_at / 1000)) : json(nullptr)},
               {"created_at", iso8601(d.created_at)},
               {"delivered_at", d.delivered_at ? json(iso8601(*d.delivered_at)) : json(nullptr)}});
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
        std::vector<EventRow> rows;
        Status read = app.db->read([&](Connection& c) {
          rows = outbox_store::list_events(c, type, page->size, page->offset(), &total);
          return Status::Ok();
        });
        for (const auto& e : rows) {
          json data = json::parse(e.payload, nullptr, false);
          // A private event's secret (a reset token, a lookup code) is for
          // the shopper's inbox only, not the admin's screen.
          if (outbox::is_private(e.type) && data.is_object())
            for (const char* secret : {"token", "code"})
              if (data.contains(secret)) data[secret] = "[redacted]";
          items.push_back({{"id", "evt_" + std::to_string(e.id)},
                           {"type", e.type},
                           {"data", data.is_discarded() ? json::object() : data},
                           {"created_at", iso8601(e.created_at)}});
        }
        if (!read.ok()) return send_error(res, read);
        send_json(res, 200, {{"events", items}, {"page", page->page}, {"size", page->size}, {"total", total}});
      });
}

}  // namespace shopbox
