// Staff accounts, API keys with scopes, and the audit log of admin writes
// (http/permissions.h says who may use each; staff and keys are the
// owner's alone):
//   GET/POST /api/v1/admin/staff, GET/PATCH/DELETE /api/v1/admin/staff/{id}
//   GET/POST /api/v1/admin/api-keys, DELETE /api/v1/admin/api-keys/{id}
//   GET /api/v1/admin/audit?actor=&path=&since=&page=&size=
#include <algorithm>
#include <map>

#include "app.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "http/permissions.h"
#include "http/server.h"
#include "users/api_tokens.h"
#include "users/staff.h"

namespace shopbox {
using namespace http;

namespace {

json staff_member_json(const StaffMember& m) {
  std::string name = m.first_name + (m.last_name.empty() ? "" : " " + m.last_name);
  return {{"user_id", std::to_string(m.user_id)},
          {"email", m.email},
          {"name", name},
          {"role", m.admin_role},
          {"permissions", permissions::role_permissions(m.admin_role).value_or(std::vector<std::string>{})},
          {"created_at", iso8601(m.created_at)},
          {"last_login", m.last_login ? json(iso8601(*m.last_login)) : json(nullptr)}};
}

// Never the secret: only its hash is stored, and the plain key is in the
// POST answer alone.
json api_key_json(const ApiToken& t) {
  std::vector<std::string> scopes = t.scopes;
  if (t.owner) scopes = *permissions::role_permissions("owner");
  return {{"key_id", std::to_string(t.id)},
          {"label", t.label},
          {"owner", t.owner},
          {"scopes", scopes},
          {"created_at", iso8601(t.created_at)},
          {"last_used_at", t.last_used_at ? json(iso8601(*t.last_used_at)) : json(nullptr)}};
}

json audit_entry_json(const audit::Entry& e, const std::string& actor_name) {
  json changes = json::array();
  for (const auto& c : audit::changes(e.before, e.after))
    changes.push_back({{"field", c.field}, {"before", c.before}, {"after", c.after}});
  return {{"audit_id", std::to_string(e.id)},
          {"at", iso8601(e.at)},
          {"actor", e.actor},
          {"actor_name", actor_name},
          {"method", e.method},
          {"route", e.route},
          {"path", e.path},
          {"target", e.target},
          {"status", e.status},
          {"request", e.request},
          {"before", e.before},
          {"after", e.after},
          {"changes", changes}};
}

// "user:12" as the merchant knows them (their email), "token:3" by its
// label; a revoked key or a removed account keeps its bare id.
std::string audit_actor_name(App& app, const std::string& actor, const std::vector<ApiToken>& keys) {
  auto id_after = [&](const char* prefix) -> std::optional<int64_t> {
    if (actor.rfind(prefix, 0) != 0) return std::nullopt;
    try {
      return std::stoll(actor.substr(std::string(prefix).size()));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  if (auto user = id_after("user:")) {
    if (auto u = app.accounts->get(*user)) return u->email;
  } else if (auto key = id_after("token:")) {
    for (const auto& k : keys)
      if (k.id == *key) return "API key " + k.label;
  }
  return actor;
}

// {"label": "...", "scopes": ["orders:read", ...]}: every scope must be a
// grantable permission; an unknown one is a 400 naming it.
Result<std::pair<std::string, std::vector<std::string>>> parse_api_key_body(const Req& req) {
  auto body = parse_object(req);
  if (!body.ok()) return body.status();
  auto label = req_string(*body, "label", 100);
  if (!label.ok()) return label.status();
  if (label->empty()) return field_error("label", "label must say what the key is for");
  if (!body->contains("scopes") || !(*body)["scopes"].is_array() || (*body)["scopes"].empty())
    return field_error("scopes", "scopes must be a non-empty list of permissions");
  std::vector<std::string> scopes;
  for (const auto& s : (*body)["scopes"]) {
    if (!s.is_string()) return field_error("scopes", "each scope is a permission name, e.g. orders:read");
    std::string scope = s.get<std::string>();
    if (!permissions::is_grantable_scope(scope))
      return Status::Invalid("unknown scope: " + scope.substr(0, 100),
                             {{"field", "scopes"}, {"scope", scope.substr(0, 100)}});
    if (std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) scopes.push_back(scope);
  }
  return std::make_pair(*label, scopes);
}

void register_staff_routes(HttpServer& server, App& app) {
  server.add(
      {"GET", "/api/v1/admin/staff", Access::admin, "admin",
       "Staff accounts (owner only): {staff: [{user_id, email, name, role, permissions, created_at, last_login}]}"},
      [&app](const Req&, Res& res, const Principal&) {
        auto list = Staff(*app.db, *app.accounts).list();
        if (!list.ok()) return send_error(res, list.status());
        json rows = json::array();
        for (const auto& m : *list) rows.push_back(staff_member_json(m));
        send_json(res, 200, {{"staff", rows}});
      });
  server.add({"POST", "/api/v1/admin/staff", Access::admin, "admin",
              "Invite a staff member (owner only): {email, role: owner|staff|fulfilment}; an unknown email gets an "
              "account and a mail to set its password. 409 already_staff"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               auto email = req_string(*body, "email", 254);
               if (!email.ok()) return send_error(res, email.status());
               auto role = req_string(*body, "role", 20);
               if (!role.ok()) return send_error(res, role.status());
               auto invited = Staff(*app.db, *app.accounts).invite(*email, *role);
               if (!invited.ok()) return send_error(res, invited.status());
               json out = staff_member_json(invited->member);
               out["account_created"] = invited->created;
               send_json(res, 201, out);
             });
  server.add(
      {"GET", "/api/v1/admin/staff/{id}", Access::admin, "admin", "One staff member (owner only); 404 if not staff"},
      [&app](const Req& req, Res& res, const Principal&) {
        auto id = path_id(req, 1, "staff member");
        if (!id.ok()) return send_error(res, id.status());
        auto list = Staff(*app.db, *app.accounts).list();
        if (!list.ok()) return send_error(res, list.status());
        auto it = std::find_if(list->begin(), list->end(), [&](const StaffMember& m) { return m.user_id == *id; });
        if (it == list->end()) return send_error(res, Status::NotFound("No staff member with that id"));
        send_json(res, 200, staff_member_json(*it));
      });
  server.add({"PATCH", "/api/v1/admin/staff/{id}", Access::admin, "admin",
              "Change a staff member's role (owner only): {role}; 409 last_owner for the last owner"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "staff member");
               if (!id.ok()) return send_error(res, id.status());
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               auto role = req_string(*body, "role", 20);
               if (!role.ok()) return send_error(res, role.status());
               auto member = Staff(*app.db, *app.accounts).set_role(*id, *role);
               if (!member.ok()) return send_error(res, member.status());
               send_json(res, 200, staff_member_json(*member));
             });
  server.add({"DELETE", "/api/v1/admin/staff/{id}", Access::admin, "admin",
              "Revoke a staff member's admin access (owner only; the account stays); 409 last_owner"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "staff member");
               if (!id.ok()) return send_error(res, id.status());
               if (auto st = Staff(*app.db, *app.accounts).revoke(*id); !st.ok()) return send_error(res, st);
               res.status = 204;
             });
}

void register_api_key_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/admin/api-keys", Access::admin, "admin",
              "Live API keys (owner only), never their secret: {api_keys: [{key_id, label, owner, scopes, "
              "created_at, last_used_at}], scopes_available: [{name, action}]}"},
             [&app](const Req&, Res& res, const Principal&) {
               auto keys = list_api_tokens(*app.db);
               if (!keys.ok()) return send_error(res, keys.status());
               json rows = json::array();
               for (const auto& k : *keys) rows.push_back(api_key_json(k));
               json available = json::array();
               for (const auto& p : permissions::all_permissions())
                 if (p.grantable) available.push_back({{"name", p.name}, {"action", p.action}});
               send_json(res, 200, {{"api_keys", rows}, {"scopes_available", available}});
             });
  server.add({"POST", "/api/v1/admin/api-keys", Access::admin, "admin",
              "Create an API key (owner only): {label, scopes: [permission]}; answers the key once as `key` "
              "(stored hashed). 400 for an unknown scope"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto parsed = parse_api_key_body(req);
               if (!parsed.ok()) return send_error(res, parsed.status());
               auto made = create_scoped_api_key(*app.db, parsed->first, parsed->second);
               if (!made.ok()) return send_error(res, made.status());
               json out = api_key_json(made->key);
               out["key"] = made->token;
               send_json(res, 201, out);
             });
  server.add({"DELETE", "/api/v1/admin/api-keys/{id}", Access::admin, "admin",
              "Revoke an API key (owner only): it stops working at once. 409 own_key for the key making the "
              "request"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto id = path_id(req, 1, "API key");
               if (!id.ok()) return send_error(res, id.status());
               // Revoking the key in use would lock this admin out mid-page;
               // another key or an owner's session can do it.
               if (who.type == Principal::Type::api_token && who.token_id == *id)
                 return send_error(res, Status::Conflict("own_key",
                                                         "this is the key you are using: revoke it with another key "
                                                         "or from an owner's session"));
               if (auto st = revoke_api_token(*app.db, *id); !st.ok()) return send_error(res, st);
               res.status = 204;
             });
}

void send_audit_page(App& app, const Req& req, Res& res) {
  auto page = pagination(req);
  if (!page.ok()) return send_error(res, page.status());
  audit::Filter f;
  f.actor = query(req, "actor").value_or("");
  f.path = query(req, "path").value_or("");
  if (f.actor.size() > 100) return send_error(res, field_error("actor", "actor is at most 100 characters"));
  if (f.path.size() > 500) return send_error(res, field_error("path", "path is at most 500 characters"));
  if (auto since = query(req, "since"); since && !since->empty()) {
    auto t = parse_iso8601(*since);
    if (!t) return send_error(res, field_error("since", "since must be an ISO 8601 time, e.g. 2026-12-03T00:00:00Z"));
    f.since = *t;
  }
  f.offset = page->offset();
  f.limit = page->size;
  int64_t total = 0;
  auto rows = audit::list(*app.db, f, &total);
  if (!rows.ok()) return send_error(res, rows.status());
  auto keys = list_api_tokens(*app.db);
  if (!keys.ok()) return send_error(res, keys.status());
  std::map<std::string, std::string> names;  // a page names each actor once
  json entries = json::array();
  for (const auto& e : *rows) {
    auto [it, fresh] = names.emplace(e.actor, "");
    if (fresh) it->second = audit_actor_name(app, e.actor, *keys);
    entries.push_back(audit_entry_json(e, it->second));
  }
  send_json(res, 200, {{"entries", entries}, {"page", page->page}, {"size", page->size}, {"total", total}});
}

}  // namespace

void register_admin_staff_routes(HttpServer& server, App& app) {
  register_staff_routes(server, app);
  register_api_key_routes(server, app);
  server.add({"GET", "/api/v1/admin/audit", Access::admin, "admin",
              "The audit log of admin writes, newest first (owner or audit:read): actor=user:12|token:3, path= (a "
              "prefix), since= (ISO 8601), page, size"},
             [&app](const Req& req, Res& res, const Principal&) { send_audit_page(app, req, res); });
}

}  // namespace shopbox
