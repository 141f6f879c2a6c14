// Who may do what in the admin: the one table of admin routes and the
// permission each needs, and the permissions each staff role holds.
//
// Every Access::admin route is looked up here by the server's route
// wrapper (http/server.cpp), after authentication. A route that is not in
// the table is owner-only: a new admin route is safe until someone decides
// who else may use it (fail closed). docs/admin.md "Staff, roles and API
// keys" shows the same table; tests/http/test_staff_roles.cpp checks both
// against the registered routes.
//
// Roles: owner (every permission, and the owner-only routes), staff (runs
// the shop day to day: catalog, prices, orders, refunds, stock, customers,
// reports; not settings, staff, API keys, payments or operations),
// fulfilment (picks, packs and ships: reads orders and the catalog, ships,
// tracks, delivers, adjusts stock; never changes products, prices,
// discounts, and never refunds or cancels — money stays with staff).
// An API key holds exactly its scopes; only the owner's keys (the CLI's
// `token create --admin`) pass owner-only routes.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace shopbox::permissions {

// The permission of routes only the owner may use (staff, API keys,
// settings writes, payments, backups, operations).
inline constexpr const char* kOwnerOnly = "owner";
// The permission of routes every staff role may use (GET /admin/me).
inline constexpr const char* kAnyStaff = "any_staff";

struct RouteRule {
  const char* method;
  const char* path;        // the template as registered ("/api/v1/admin/orders/{id}/ship")
  const char* permission;  // e.g. "orders:write", kOwnerOnly or kAnyStaff
};

struct PermissionInfo {
  const char* name;     // "catalog:write"
  const char* action;   // what it allows, in words: "change products"
  bool grantable;       // may be an API key's scope (staff:manage and keys:manage never are)
};

// The route table, in registration-like order.
const std::vector<RouteRule>& route_rules();
// Every permission, in a stable order (the docs' and the admin page's order).
const std::vector<PermissionInfo>& all_permissions();
// The permissions of a staff role; nullopt for an unknown role.
std::optional<std::vector<std::string>> role_permissions(const std::string& role);
// "owner", "staff", "fulfilment".
const std::vector<std::string>& staff_roles();
bool is_staff_role(const std::string& role);
// The permission an admin route needs: its table entry, else kOwnerOnly.
std::string required_permission(const std::string& method, const std::string& path);
// The words for a permission ("change products"); the name itself when unknown.
std::string action_words(const std::string& permission);
// True when `permission` exists and may be given to an API key.
bool is_grantable_scope(const std::string& permission);

}  // namespace shopbox::permissions
