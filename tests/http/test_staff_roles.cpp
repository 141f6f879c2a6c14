// Staff roles, API keys with scopes and the audit log of admin writes
// (http/permissions.h, routes_admin_staff.cpp, audit/audit.h): what each
// role and key may do, that keys are shown once and stored hashed, that the
// last owner stays, that successful admin writes are audited (with secrets
// redacted) and that the permission table covers every admin route and
// matches docs/admin.md.
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "audit/audit.h"
#include "base/crypto.h"
#include "http/permissions.h"
#include "support/fixtures.h"
#include "support/test_shop.h"

using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace staff_roles_test {

Headers bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

// A key made through the owner's API; returns its plain secret.
std::string make_key(TestShop& shop, const std::vector<std::string>& scopes, const std::string& label = "script") {
  auto r = shop.post("/api/v1/admin/api-keys", {{"label", label}, {"scopes", scopes}}, shop.admin());
  REQUIRE(r.status == 201);
  return r.body["key"].get<std::string>();
}

const std::vector<std::string> kFulfilmentScopes = {"catalog:read", "orders:read", "orders:write", "inventory:read",
                                                    "inventory:write"};

// A paid order of one `pid`; its id.
std::string paid_order(TestShop& shop, const TestShop::Account& buyer, const std::string& pid, const std::string& key) {
  Headers h = buyer.auth;
  h.emplace("Idempotency-Key", key);
  auto r = shop.post("/api/v1/orders",
                     {{"items", {{{"product_id", pid}, {"quantity", 1}}}},
                      {"shipping_address", shopbox::testing::address()},
                      {"payment_method", shopbox::testing::card()}},
                     h);
  REQUIRE(r.status == 201);
  return r.body["order_id"].get<std::string>();
}

// A signed-in staff member with `role`: registered, then invited by the owner.
TestShop::Account staff_account(TestShop& shop, const std::string& email, const std::string& role) {
  auto acct = shop.register_user(email);
  auto r = shop.post("/api/v1/admin/staff", {{"email", email}, {"role", role}}, shop.admin());
  REQUIRE(r.status == 201);
  CHECK(r.body["account_created"] == false);
  return acct;
}

}  // namespace staff_roles_test

using namespace staff_roles_test;

TEST_CASE("a fulfilment key ships and adjusts stock but cannot change products, prices or money", "[staff][http]") {
  TestShop shop;
  auto buyer = shop.register_user("buyer@example.com");
  std::string pid = shop.create_product({{"name", "Kettle"}, {"price", 40}}, 10);
  std::string oid = paid_order(shop, buyer, pid, "st1");
  Headers picker = bearer(make_key(shop, kFulfilmentScopes, "warehouse"));

  auto denied = shop.post("/api/v1/admin/products", {{"name", "Hat"}, {"price", 5}}, picker);
  CHECK(denied.status == 403);
  CHECK(denied.body["error"]["code"] == "forbidden");
  CHECK(denied.body["error"]["message"] == "This API key cannot change products");
  CHECK(denied.body["error"]["details"]["permission"] == "catalog:write");
  CHECK(shop.patch("/api/v1/admin/products/" + pid, {{"price", 1}}, picker).status == 403);
  CHECK(shop.post("/api/v1/admin/discounts", {{"code", "FREE"}}, picker).status == 403);
  CHECK(shop.post("/api/v1/admin/orders/" + oid + "/refunds", {{"amount", 1}}, picker).status == 403);
  CHECK(shop.post("/api/v1/admin/orders/" + oid + "/cancel", json::object(), picker).status == 403);
  CHECK(shop.get("/api/v1/admin/staff", picker).status == 403);
  CHECK(shop.get("/api/v1/admin/api-keys", picker).status == 403);
  CHECK(shop.post("/api/v1/admin/api-keys", {{"label", "x"}, {"scopes", {"orders:read"}}}, picker).status == 403);
  CHECK(shop.get("/api/v1/admin/customers", picker).status == 403);
  // Nothing changed: the price is the owner's.
  CHECK(shop.get("/api/v1/products/" + pid).body["price"]["amount"].get<double>() == Approx(40));

  CHECK(shop.get("/api/v1/admin/orders/" + oid, picker).status == 200);
  auto ship =
      shop.post("/api/v1/admin/orders/" + oid + "/ship", {{"carrier", "UPS"}, {"tracking_number", "1Z9"}}, picker);
  CHECK(ship.status == 200);
  auto stock = shop.patch("/api/v1/admin/inventory/" + pid, {{"delta", 5}, {"reason", "restock"}}, picker);
  CHECK(stock.status == 200);

  auto me = shop.get("/api/v1/admin/me", picker);
  REQUIRE(me.status == 200);
  CHECK(me.body["staff_role"] == "api_key");
  CHECK(me.body["permissions"] == json(kFulfilmentScopes));
}

TEST_CASE("staff edit products but not staff or keys; fulfilment staff get their role's words", "[staff][http]") {
  TestShop shop;
  std::string pid = shop.create_product({{"name", "Lamp"}, {"price", 20}}, 5);
  auto clerk = staff_account(shop, "clerk@example.com", "staff");
  auto picker = staff_account(shop, "picker@example.com", "fulfilment");

  CHECK(shop.patch("/api/v1/admin/products/" + pid, {{"price", 25}}, clerk.auth).status == 200);
  CHECK(shop.get("/api/v1/products/" + pid).body["price"]["amount"].get<double>() == Approx(25));
  auto staff_list = shop.get("/api/v1/admin/staff", clerk.auth);
  CHECK(staff_list.status == 403);
  CHECK(staff_list.body["error"]["message"] == "Your role (staff) cannot manage staff accounts");
  CHECK(shop.get("/api/v1/admin/api-keys", clerk.auth).status == 403);
  CHECK(shop.post("/api/v1/admin/backup", json::object(), clerk.auth).status == 403);

  auto no = shop.patch("/api/v1/admin/products/" + pid, {{"price", 1}}, picker.auth);
  CHECK(no.status == 403);
  CHECK(no.body["error"]["message"] == "Your role (fulfilment) cannot change products");
  auto me = shop.get("/api/v1/admin/me", picker.auth);
  CHECK(me.body["staff_role"] == "fulfilment");
  CHECK(me.body["role"] == "admin");

  // Revoking staff access leaves a customer account: the same session is no admin.
  auto list = shop.get("/api/v1/admin/staff", shop.admin());
  REQUIRE(list.status == 200);
  std::string picker_id;
  for (const auto& m : list.body["staff"])
    if (m["email"] == "picker@example.com") picker_id = m["user_id"];
  REQUIRE(!picker_id.empty());
  CHECK(shop.del("/api/v1/admin/staff/" + picker_id, shop.admin()).status == 204);
  CHECK(shop.get("/api/v1/admin/me", picker.auth).status == 403);
  CHECK(shop.get("/api/v1/me", picker.auth).status != 401);

  // Bad input changes nothing.
  CHECK(shop.post("/api/v1/admin/staff", {{"email", "x@example.com"}, {"role", "boss"}}, shop.admin()).status == 400);
  CHECK(shop.post("/api/v1/admin/staff", {{"email", "clerk@example.com"}, {"role", "staff"}}, shop.admin()).status ==
        409);
}

TEST_CASE("the last owner cannot be demoted or removed", "[staff][http]") {
  TestShop shop;
  auto boss = staff_account(shop, "boss@example.com", "owner");
  auto list = shop.get("/api/v1/admin/staff", boss.auth);
  REQUIRE(list.status == 200);
  REQUIRE(list.body["staff"].size() == 1);
  std::string id = list.body["staff"][0]["user_id"];
  auto demote = shop.patch("/api/v1/admin/staff/" + id, {{"role", "staff"}}, boss.auth);
  CHECK(demote.status == 409);
  CHECK(demote.body["error"]["code"] == "last_owner");
  CHECK(shop.del("/api/v1/admin/staff/" + id, boss.auth).status == 409);
  CHECK(shop.get("/api/v1/admin/me", boss.auth).body["staff_role"] == "owner");

  // With a second owner, the first may step down.
  auto other = staff_account(shop, "other@example.com", "owner");
  CHECK(shop.patch("/api/v1/admin/staff/" + id, {{"role", "staff"}}, other.auth).status == 200);
  CHECK(shop.get("/api/v1/admin/me", boss.auth).body["staff_role"] == "staff");
}

TEST_CASE("an API key is shown once, stored hashed, and stops working when revoked", "[staff][http]") {
  TestShop shop;
  auto made =
      shop.post("/api/v1/admin/api-keys", {{"label", "packing desk"}, {"scopes", {"orders:read"}}}, shop.admin());
  REQUIRE(made.status == 201);
  std::string key = made.body["key"];
  std::string id = made.body["key_id"];
  CHECK(key.rfind("sbx_", 0) == 0);
  CHECK(shopbox::testing::count_rows(shop, ("SELECT COUNT(*) FROM api_tokens WHERE token_hash = '" +
                                            shopbox::sha256_hex(key) + "' AND scopes = '[\"orders:read\"]'")
                                               .c_str()) == 1);
  CHECK(shopbox::testing::count_rows(
            shop,
            ("SELECT COUNT(*) FROM api_tokens WHERE token_hash = '" + key + "' OR label = '" + key + "'").c_str()) ==
        0);
  auto list = shop.get("/api/v1/admin/api-keys", shop.admin());
  REQUIRE(list.status == 200);
  CHECK(list.body.dump().find(key) == std::string::npos);
  CHECK(shop.get("/api/v1/admin/orders", bearer(key)).status == 200);
  CHECK(shop.get("/api/v1/admin/products", bearer(key)).status == 403);

  CHECK(shop.del("/api/v1/admin/api-keys/" + id, shop.admin()).status == 204);
  CHECK(shop.get("/api/v1/admin/orders", bearer(key)).status == 401);
  CHECK(shop.del("/api/v1/admin/api-keys/" + id, shop.admin()).status == 404);
  // The key making the request is not revoked by itself (the admin would be locked out mid-page).
  // shop.admin() was made first: it is token 1.
  auto own = shop.del("/api/v1/admin/api-keys/1", shop.admin());
  CHECK(own.status == 409);
  CHECK(own.body["error"]["code"] == "own_key");
  CHECK(shop.get("/api/v1/admin/me", shop.admin()).status == 200);

  auto bad = shop.post("/api/v1/admin/api-keys", {{"label", "x"}, {"scopes", {"orders:read", "root"}}}, shop.admin());
  CHECK(bad.status == 400);
  CHECK(bad.body["error"]["details"]["scope"] == "root");
  // A key may never manage keys or staff: it could make itself the owner.
  CHECK(shop.post("/api/v1/admin/api-keys", {{"label", "x"}, {"scopes", {"keys:manage"}}}, shop.admin()).status == 400);
  CHECK(shopbox::testing::count_rows(shop, "SELECT COUNT(*) FROM api_tokens WHERE label = 'x'") == 0);
}

TEST_CASE("successful admin writes are audited with secrets redacted; reads and failures are not", "[staff][http]") {
  TestShop shop;
  std::string pid = shop.create_product({{"name", "Vase"}, {"price", 30}}, 5);
  int64_t before = shopbox::testing::count_rows(shop, "SELECT COUNT(*) FROM audit_log");
  CHECK(before >= 1);  // the product and its category

  REQUIRE(shop.patch("/api/v1/admin/products/" + pid, {{"price", 31}}, shop.admin()).status == 200);
  shop.get("/api/v1/admin/products", shop.admin());
  CHECK(shop.patch("/api/v1/admin/products/" + pid, {{"price", "nope"}}, shop.admin()).status == 400);
  CHECK(shop.patch("/api/v1/admin/products/999999", {{"price", 3}}, shop.admin()).status == 404);
  auto invited =
      shop.post("/api/v1/admin/staff",
                {{"email", "new@example.com"}, {"role", "staff"}, {"password", "hunter2-secret"}}, shop.admin());
  REQUIRE(invited.status == 201);
  CHECK(shopbox::testing::count_rows(shop, "SELECT COUNT(*) FROM audit_log") == before + 2);
  CHECK(shopbox::testing::count_rows(shop, "SELECT COUNT(*) FROM audit_log WHERE request_json LIKE '%hunter2%'") == 0);

  auto page = shop.get("/api/v1/admin/audit?path=/api/v1/admin/staff", shop.admin());
  REQUIRE(page.status == 200);
  REQUIRE(page.body["entries"].size() == 1);
  const auto& e = page.body["entries"][0];
  CHECK(e["method"] == "POST");
  CHECK(e["status"] == 201);
  CHECK(e["request"]["password"] == "[redacted]");
  CHECK(e["request"]["email"] == "new@example.com");
  CHECK(e["actor"].get<std::string>().rfind("token:", 0) == 0);

  auto patch = shop.get("/api/v1/admin/audit?path=/api/v1/admin/products/" + pid, shop.admin());
  REQUIRE(patch.body["entries"].size() == 1);
  CHECK(patch.body["entries"][0]["target"] == pid);
  CHECK(patch.body["entries"][0]["route"] == "/api/v1/admin/products/{id}");
  CHECK(shop.get("/api/v1/admin/audit?since=yesterday", shop.admin()).status == 400);
  // audit:read is a grantable scope; a key without it is refused.
  CHECK(shop.get("/api/v1/admin/audit", bearer(make_key(shop, {"audit:read"}))).status == 200);
  CHECK(shop.get("/api/v1/admin/audit", bearer(make_key(shop, {"orders:read"}))).status == 403);
}

TEST_CASE("every admin route is in the permission table, and the table only names routes that exist", "[staff][http]") {
  TestShop shop;
  // A second server over the same shop, never bound: its routes are the
  // ones the shop registers.
  shopbox::HttpServer server(shop.app());
  shopbox::register_all_routes(server, shop.app());
  std::set<std::pair<std::string, std::string>> admin_routes;
  for (const auto& r : server.routes())
    if (r.access == shopbox::Access::admin) admin_routes.insert({r.method, r.path});
  std::set<std::pair<std::string, std::string>> table;
  for (const auto& rule : shopbox::permissions::route_rules()) {
    INFO(rule.method << " " << rule.path);
    CHECK(table.insert({rule.method, rule.path}).second);  // listed once
    std::string p = rule.permission;
    bool known = p == shopbox::permissions::kOwnerOnly || p == shopbox::permissions::kAnyStaff;
    for (const auto& info : shopbox::permissions::all_permissions()) known = known || p == info.name;
    CHECK(known);
  }
  for (const auto& route : admin_routes) {
    INFO("admin route missing from src/http/permissions.cpp: " << route.first << " " << route.second);
    CHECK(table.count(route) == 1);
  }
  // A stale entry (a route renamed or removed) would hide a gap.
  for (const auto& entry : table) {
    INFO("table names a route that is not registered: " << entry.first << " " << entry.second);
    CHECK(admin_routes.count(entry) == 1);
  }
}

namespace staff_roles_test {
// The cells of the markdown table rows under `## heading` up to the next
// `## `, header and separator rows skipped.
std::vector<std::vector<std::string>> doc_table(const std::string& heading) {
  std::ifstream in(std::string(SHOPBOX_SOURCE_DIR) + "/docs/admin.md");
  std::string line;
  bool inside = false;
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) inside = line == heading;
    if (!inside || line.rfind("|", 0) != 0 || line.find("---") != std::string::npos) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    std::string cell;
    while (std::getline(ss, cell, '|')) {
      auto b = cell.find_first_not_of(" `");
      auto e = cell.find_last_not_of(" `");
      cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    }
    rows.push_back(cells);
  }
  return rows;
}
}  // namespace staff_roles_test

TEST_CASE("docs/admin.md shows the code's permission table", "[staff]") {
  auto rows = doc_table("## Staff, roles and API keys");
  // Route rows: | METHOD | path | permission |; role rows: | permission | owner | staff | fulfilment | key scope |.
  std::set<std::string> doc_routes, code_routes, doc_roles, code_roles;
  for (const auto& r : rows) {
    if (r.size() == 3 && r[0] != "method") doc_routes.insert(r[0] + " " + r[1] + " " + r[2]);
    if (r.size() == 5 && r[0] != "permission") doc_roles.insert(r[0] + " " + r[1] + r[2] + r[3] + r[4]);
  }
  for (const auto& rule : shopbox::permissions::route_rules())
    code_routes.insert(std::string(rule.method) + " " + rule.path + " " + rule.permission);
  for (const auto& p : shopbox::permissions::all_permissions()) {
    std::string cells = std::string(p.name) + " ";
    for (const auto& role : shopbox::permissions::staff_roles()) {
      auto held = *shopbox::permissions::role_permissions(role);
      cells += std::find(held.begin(), held.end(), p.name) != held.end() ? "yes" : "no";
    }
    cells += p.grantable ? "yes" : "no";
    code_roles.insert(cells);
  }
  CHECK(doc_routes == code_routes);
  CHECK(doc_roles == code_roles);
}

TEST_CASE("the audit log keeps what each write changed, before and after, with secrets redacted", "[staff][http]") {
  TestShop shop;
  auto entry = [&](const std::string& path) {
    auto page = shop.get("/api/v1/admin/audit?path=" + path, shop.admin());
    REQUIRE(page.status == 200);
    REQUIRE(!page.body["entries"].empty());
    return page.body["entries"][0];  // newest first
  };
  auto change_of = [](const json& e, const std::string& field) {
    for (const auto& c : e["changes"])
      if (c["field"] == field) return c;
    return json();
  };

  // A create: no before; after is the new product as the write answered it.
  std::string pid = shop.create_product({{"name", "Vase"}, {"price", 30}}, 5);
  auto created = entry("/api/v1/admin/products");
  CHECK(created["before"].is_null());
  CHECK(created["after"]["name"] == "Vase");

  // An edit: the product as the admin's GET showed it around the write.
  REQUIRE(shop.patch("/api/v1/admin/products/" + pid, {{"name", "Tall vase"}, {"price", 31}}, shop.admin()).status ==
          200);
  auto edited = entry("/api/v1/admin/products/" + pid);
  CHECK(edited["before"]["name"] == "Vase");
  CHECK(edited["after"]["name"] == "Tall vase");
  CHECK(change_of(edited, "name") == json{{"field", "name"}, {"before", "Vase"}, {"after", "Tall vase"}});
  CHECK(change_of(edited, "price.amount")["after"] == 31);
  CHECK(change_of(edited, "brand").is_null());  // unchanged fields are not listed

  // A refund is a change of its order.
  auto buyer = shop.register_user("buyer@example.com");
  std::string oid = paid_order(shop, buyer, pid, "audit-refund-1");
  REQUIRE(shop.post("/api/v1/admin/orders/" + oid + "/refunds", {{"amount", 5}, {"reason", "scratched"}}, shop.admin())
                  .status /
              100 ==
          2);
  auto refunded = entry("/api/v1/admin/orders/" + oid + "/refunds");
  CHECK(refunded["before"]["order_id"] == oid);
  CHECK(refunded["after"]["order_id"] == oid);
  CHECK(refunded["before"] != refunded["after"]);
  CHECK(!refunded["changes"].empty());

  // A delete: after is null, before is what was deleted.
  std::string cid = shop.create_category("Empty shelf");
  REQUIRE(shop.del("/api/v1/admin/categories/" + cid, shop.admin()).status == 204);
  auto deleted = entry("/api/v1/admin/categories/" + cid);
  CHECK(deleted["method"] == "DELETE");
  CHECK(deleted["before"]["name"] == "Empty shelf");
  CHECK(deleted["after"].is_null());

  // Settings are one thing, read and written at the same path.
  REQUIRE(shop.put("/api/v1/admin/settings", {{"name", "Pottery Corner"}}, shop.admin()).status == 200);
  auto saved = entry("/api/v1/admin/settings");
  CHECK(change_of(saved, "name")["after"] == "Pottery Corner");

  // An API key's secret is in the answer to its creation and never in the log.
  std::string secret = make_key(shop, {"orders:read"}, "night script");
  auto made = entry("/api/v1/admin/api-keys");
  CHECK(made["after"]["key"] == "[redacted]");
  CHECK(made["after"]["label"] == "night script");
  CHECK(shopbox::testing::count_rows(
            shop, ("SELECT COUNT(*) FROM audit_log WHERE after_json LIKE '%" + secret.substr(0, 24) + "%'").c_str()) ==
        0);
  // Who is named as the merchant knows them.
  CHECK(made["actor_name"].get<std::string>().rfind("API key ", 0) == 0);
}

TEST_CASE("audit changes name each differing leaf by its path", "[staff]") {
  using shopbox::audit::changes;
  json before = {{"name", "Mug"}, {"price", 10}, {"tags", {"a", "b"}}, {"ship", {{"city", "Oslo"}}}};
  json after = {{"name", "Mug"}, {"price", 12}, {"tags", {"a"}}, {"ship", {{"city", "Bergen"}}}, {"new", true}};
  auto list = changes(before, after);
  std::vector<std::string> fields;
  for (const auto& c : list) fields.push_back(c.field);
  CHECK(fields == std::vector<std::string>{"price", "ship.city", "tags[1]", "new"});
  CHECK(list[2].before == "b");
  CHECK(list[2].after.is_null());
  CHECK(changes(nullptr, after).size() == 1);  // created: one change of the whole
  CHECK(changes(before, before).empty());
  CHECK(changes(before, after, 2).size() == 2);  // bounded
}

TEST_CASE("an invited staff member sets a password from the invitation and signs in with the role", "[staff][http]") {
  TestShop shop;
  auto invited = shop.post("/api/v1/admin/staff", {{"email", "Pat@Example.com"}, {"role", "fulfilment"}}, shop.admin());
  REQUIRE(invited.status == 201);
  CHECK(invited.body["account_created"] == true);
  json ev = shopbox::testing::last_event(shop, "account.staff_invite");
  CHECK(ev["email"] == "Pat@Example.com");  // kept as typed; sign-in ignores case
  CHECK(ev["role"] == "fulfilment");
  std::string token = ev["token"].get<std::string>();
  // Valid for days, not the 30 minutes of a reset someone asked for.
  CHECK(ev["expires_at"].get<int64_t>() - shopbox::now_seconds() > 6 * 24 * 3600);
  // No password yet: nothing signs in until the link is used.
  CHECK(shop.post("/api/v1/auth/login", {{"email", "pat@example.com"}, {"password", ""}}).status / 100 == 4);
  REQUIRE(
      shop.post("/api/v1/auth/password-reset/confirm", {{"token", token}, {"password", "packing-desk-42"}}).status ==
      200);
  auto login = shop.post("/api/v1/auth/login", {{"email", "pat@example.com"}, {"password", "packing-desk-42"}});
  REQUIRE(login.status == 200);
  Headers pat = {{"Authorization", "Bearer " + login.body["token"].get<std::string>()}};
  auto me = shop.get("/api/v1/admin/me", pat);
  REQUIRE(me.status == 200);
  CHECK(me.body["staff_role"] == "fulfilment");

  // An existing customer made staff is told too, with no password link.
  auto kim = shop.register_user("kim@example.com");
  REQUIRE(shop.post("/api/v1/admin/staff", {{"email", "kim@example.com"}, {"role", "staff"}}, shop.admin()).status ==
          201);
  json known = shopbox::testing::last_event(shop, "account.staff_invite");
  CHECK(known["email"] == "kim@example.com");
  CHECK(known["has_password"] == true);
  CHECK(!known.contains("token"));
}
