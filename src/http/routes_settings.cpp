// The shop's settings over HTTP (settings/settings.h): the public part the
// storefront reads, the admin's full view and partial update, and the
// policy pages as JSON for the app's /pages/{slug} view.
#include "app.h"
#include "http/server.h"
#include "settings/settings.h"

namespace shopbox {
using namespace http;

void register_settings_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/settings", Access::anyone, "catalog",
              "The shop's public settings: name, logo, contact, address, currency, locale, banner lines and the "
              "policy pages' titles and links"},
             [&app](const Req&, Res& res, const Principal&) {
               send_json(res, 200, Settings::public_json(*app.settings->current()));
             });

  server.add({"GET", "/api/v1/pages/{slug}", Access::anyone, "catalog",
              "A policy page (returns, shipping, privacy, terms): title and plain-text body"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto s = app.settings->current();
               const PolicyPage* p = s->policy(req.matches[1].str());
               if (!p) return send_error(res, Status::NotFound("no such page (returns, shipping, privacy, terms)"));
               send_json(res, 200,
                         {{"slug", p->slug},
                          {"title", p->title},
                          {"body", p->body},
                          {"url", "/pages/" + p->slug},
                          {"contact_email", s->contact_email.empty() ? json(nullptr) : json(s->contact_email)}});
             });

  server.add({"GET", "/api/v1/admin/settings", Access::admin, "admin",
              "Every setting as the merchant saved it (or its default from the config file)"},
             [&app](const Req&, Res& res, const Principal&) {
               send_json(res, 200, Settings::admin_json(*app.settings->current()));
             });

  server.add({"PUT", "/api/v1/admin/settings", Access::admin, "admin",
              "Change settings: only the fields given change (policies: {returns: {title, body}, ...}); a bad "
              "field is a 400 naming it and nothing is saved"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               auto saved = app.settings->update(*body);
               if (!saved.ok()) return send_error(res, saved.status());
               send_json(res, 200, Settings::admin_json(**saved));
             });
}

}  // namespace shopbox
