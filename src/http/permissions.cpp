#include "http/permissions.h"

#include <algorithm>

namespace shopbox::permissions {

const std::vector<PermissionInfo>& all_permissions() {
  static const std::vector<PermissionInfo> list = {
      {"catalog:read", "see products, categories and reviews", true},
      {"catalog:write", "change products", true},
      {"pricing:read", "see discounts, flash sales and shipping rates", true},
      {"pricing:write", "change discounts, flash sales or shipping rates", true},
      {"orders:read", "see orders and returns", true},
      {"orders:write", "ship, track or deliver orders", true},
      {"refunds:write", "refund or cancel orders, or decide returns", true},
      {"inventory:read", "see stock", true},
      {"inventory:write", "adjust stock", true},
      {"customers:read", "see customers and the emails sent to them", true},
      {"reports:read", "see the dashboard and reports", true},
      {"settings:read", "see the shop settings", true},
      {"settings:write", "change the shop settings", true},
      {"audit:read", "read the audit log", true},
      // Never an API key's scope: a key that could mint keys or staff could
      // make itself the owner.
      {"staff:manage", "manage staff accounts", false},
      {"keys:manage", "manage API keys", false},
  };
  return list;
}

const std::vector<RouteRule>& route_rules() {
  static const std::vector<RouteRule> rules = {
      {"GET", "/api/v1/admin/me", kAnyStaff},
      {"GET", "/api/v1/admin/dashboard", "reports:read"},
      {"GET", "/api/v1/admin/reports", "reports:read"},
      // catalog
      {"GET", "/api/v1/admin/products", "catalog:read"},
      {"GET", "/api/v1/admin/products/{id}", "catalog:read"},
      {"GET", "/api/v1/admin/categories/{id}", "catalog:read"},
      {"GET", "/api/v1/admin/export/products.csv", "catalog:read"},
      {"GET", "/api/v1/admin/exports/products.csv", "catalog:read"},
      {"GET", "/api/v1/admin/reviews", "catalog:read"},
      {"GET", "/api/v1/admin/search/status", "catalog:read"},
      {"POST", "/api/v1/admin/products", "catalog:write"},
      {"PUT", "/api/v1/admin/products/{id}", "catalog:write"},
      {"PATCH", "/api/v1/admin/products/{id}", "catalog:write"},
      {"DELETE", "/api/v1/admin/products/{id}", "catalog:write"},
      {"POST", "/api/v1/admin/products/{id}/images", "catalog:write"},
      {"PATCH", "/api/v1/admin/products/{id}/images", "catalog:write"},
      {"DELETE", "/api/v1/admin/products/{id}/images/{image_id}", "catalog:write"},
      {"POST", "/api/v1/admin/products/{id}/variants", "catalog:write"},
      {"POST", "/api/v1/admin/products/{id}/variants/generate", "catalog:write"},
      {"PATCH", "/api/v1/admin/products/{id}/variants/{variant_id}", "catalog:write"},
      {"DELETE", "/api/v1/admin/products/{id}/variants/{variant_id}", "catalog:write"},
      {"POST", "/api/v1/admin/categories", "catalog:write"},
      {"PATCH", "/api/v1/admin/categories/{id}", "catalog:write"},
      {"DELETE", "/api/v1/admin/categories/{id}", "catalog:write"},
      {"POST", "/api/v1/admin/import", "catalog:write"},
      {"POST", "/api/v1/admin/search/reindex", "catalog:write"},
      {"POST", "/api/v1/admin/reviews/{id}/hide", "catalog:write"},
      {"POST", "/api/v1/admin/reviews/{id}/unhide", "catalog:write"},
      // pricing: discounts, flash sales, shipping
      {"GET", "/api/v1/admin/discounts", "pricing:read"},
      {"GET", "/api/v1/admin/discounts/{id}", "pricing:read"},
      {"GET", "/api/v1/admin/shipping-zones", "pricing:read"},
      {"GET", "/api/v1/admin/shipping-zones/{id}", "pricing:read"},
      {"GET", "/api/v1/admin/flash-sales/{id}", "pricing:read"},
      {"POST", "/api/v1/admin/discounts", "pricing:write"},
      {"PATCH", "/api/v1/admin/discounts/{id}", "pricing:write"},
      {"DELETE", "/api/v1/admin/discounts/{id}", "pricing:write"},
      {"POST", "/api/v1/admin/shipping-zones", "pricing:write"},
      {"PATCH", "/api/v1/admin/shipping-zones/{id}", "pricing:write"},
      {"DELETE", "/api/v1/admin/shipping-zones/{id}", "pricing:write"},
      {"POST", "/api/v1/admin/flash-sales", "pricing:write"},
      {"PATCH", "/api/v1/admin/flash-sales/{id}", "pricing:write"},
      {"POST", "/api/v1/admin/flash-sales/{id}/end", "pricing:write"},
      // orders
      {"GET", "/api/v1/admin/orders", "orders:read"},
      {"GET", "/api/v1/admin/orders/{id}", "orders:read"},
      {"GET", "/api/v1/admin/returns", "orders:read"},
      {"GET", "/api/v1/admin/returns/{id}", "orders:read"},
      {"GET", "/api/v1/admin/exports/orders.csv", "orders:read"},
      {"POST", "/api/v1/admin/orders/{id}/ship", "orders:write"},
      {"POST", "/api/v1/admin/orders/{id}/tracking-events", "orders:write"},
      {"POST", "/api/v1/admin/orders/{id}/deliver", "orders:write"},
      {"POST", "/api/v1/admin/orders/{id}/cancel", "refunds:write"},
      {"POST", "/api/v1/admin/orders/{id}/refunds", "refunds:write"},
      {"POST", "/api/v1/admin/returns/{id}/approve", "refunds:write"},
      {"POST", "/api/v1/admin/returns/{id}/reject", "refunds:write"},
      // inventory
      {"GET", "/api/v1/admin/inventory", "inventory:read"},
      {"GET", "/api/v1/admin/inventory/{id}", "inventory:read"},
      {"GET", "/api/v1/admin/inventory/{id}/audit", "inventory:read"},
      {"GET", "/api/v1/admin/inventory/reservations/{id}", "inventory:read"},
      {"PUT", "/api/v1/admin/inventory/{id}", "inventory:write"},
      {"PATCH", "/api/v1/admin/inventory/{id}", "inventory:write"},
      {"POST", "/api/v1/admin/inventory/bulk", "inventory:write"},
      {"POST", "/api/v1/admin/inventory/reservations", "inventory:write"},
      {"POST", "/api/v1/admin/inventory/reservations/{id}/consume", "inventory:write"},
      {"POST", "/api/v1/admin/inventory/reservations/{id}/release", "inventory:write"},
      // customers
      {"GET", "/api/v1/admin/customers", "customers:read"},
      {"GET", "/api/v1/admin/exports/customers.csv", "customers:read"},
      {"GET", "/api/v1/admin/emails", "customers:read"},
      {"GET", "/api/v1/admin/email-templates", "customers:read"},
      {"GET", "/api/v1/admin/email-templates/{name}/preview", "customers:read"},
      // settings (the shop settings module's routes)
      {"GET", "/api/v1/admin/settings", "settings:read"},
      {"PUT", "/api/v1/admin/settings", "settings:write"},
      // staff, keys, audit
      {"GET", "/api/v1/admin/staff", "staff:manage"},
      {"GET", "/api/v1/admin/staff/{id}", "staff:manage"},
      {"POST", "/api/v1/admin/staff", "staff:manage"},
      {"PATCH", "/api/v1/admin/staff/{id}", "staff:manage"},
      {"DELETE", "/api/v1/admin/staff/{id}", "staff:manage"},
      {"GET", "/api/v1/admin/api-keys", "keys:manage"},
      {"POST", "/api/v1/admin/api-keys", "keys:manage"},
      {"DELETE", "/api/v1/admin/api-keys/{id}", "keys:manage"},
      {"GET", "/api/v1/admin/audit", "audit:read"},
      // Deliberately owner-only: operations, payments and webhooks
      // configuration, re-sending mail, whole-shop checks and backups.
      {"POST", "/api/v1/admin/backup", kOwnerOnly},
      {"GET", "/api/v1/admin/check", kOwnerOnly},
      {"GET", "/api/v1/admin/inventory/check", kOwnerOnly},
      {"GET", "/api/v1/admin/cluster", kOwnerOnly},
      {"GET", "/api/v1/admin/payments/status", kOwnerOnly},
      {"GET", "/api/v1/admin/webhooks/deliveries", kOwnerOnly},
      {"GET", "/api/v1/admin/webhooks/events", kOwnerOnly},
      {"POST", "/api/v1/admin/emails/{id}/retry", kOwnerOnly},
  };
  return rules;
}

const std::vector<std::string>& staff_roles() {
  static const std::vector<std::string> roles = {"owner", "staff", "fulfilment"};
  return roles;
}

bool is_staff_role(const std::string& role) {
  const auto& roles = staff_roles();
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::optional<std::vector<std::string>> role_permissions(const std::string& role) {
  if (role == "owner") {
    std::vector<std::string> all;
    for (const auto& p : all_permissions()) all.emplace_back(p.name);
    return all;
  }
  if (role == "staff")
    return std::vector<std::string>{"catalog:read",    "catalog:write",  "pricing:read",  "pricing:write",
                                    "orders:read",     "orders:write",   "refunds:write", "inventory:read",
                                    "inventory:write", "customers:read", "reports:read"};
  if (role == "fulfilment")
    return std::vector<std::string>{"catalog:read", "orders:read", "orders:write", "inventory:read", "inventory:write"};
  return std::nullopt;
}

std::string required_permission(const std::string& method, const std::string& path) {
  for (const auto& r : route_rules())
    if (method == r.method && path == r.path) return r.permission;
  return kOwnerOnly;
}

std::string action_words(const std::string& permission) {
  if (permission == kOwnerOnly) return "use this part of the admin (owner only)";
  for (const auto& p : all_permissions())
    if (permission == p.name) return p.action;
  return permission;
}

bool is_grantable_scope(const std::string& permission) {
  for (const auto& p : all_permissions())
    if (permission == p.name) return p.grantable;
  return false;
}

}  // namespace shopbox::permissions
