// The shop's settings: what the merchant calls the shop and how it shows
// itself — name, logo, contact email, postal address, currency and locale,
// the storefront banner lines, and the four policy pages (returns,
// shipping, privacy, terms).
//
// Contract:
//  * Defaults come from the config file ([shop] name, currency, the free
//    shipping threshold), so an install that never saved a setting looks as
//    it did before; a saved value wins over its default.
//  * update() takes a partial JSON object (only the fields it names
//    change), checks every field first and saves all or nothing: a 400
//    names the first bad field ("name", "policies.returns.body").
//  * Currency: the catalog's prices carry the config file's currency, so
//    the settings can only name that one (changing it would relabel every
//    price without converting it).
//  * Policy bodies are plain text: pages show them escaped, one paragraph
//    per blank-line-separated block.
//  * Storage: one row per saved key in shop_settings (migration 1101).
//
// Thread rule: current() is read on every storefront page and email; it
// returns an immutable snapshot under a short mutex. update() serialises
// writers on the same mutex and swaps in a new snapshot after the commit.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config.h"
#include "storage/sqlite.h"

namespace shopbox {

// The settings module's table (migrations 1101-1199, src/settings/settings_schema.cpp).
const std::vector<Migration>& settings_migrations();

struct PolicyPage {
  std::string slug;  // returns, shipping, privacy, terms
  std::string title;
  std::string body;  // plain text; "" : not written yet
};

struct ShopSettings {
  std::string name;
  std::string logo_url;  // "" : the built-in mark; else an image address (catalog/catalog.h)
  std::string contact_email;
  std::string postal_address;  // lines separated by \n
  std::string currency;
  std::string locale;
  std::string shipping_line;  // the storefront banner's lines; "" : not shown
  std::string returns_line;
  std::vector<PolicyPage> policies;  // always the four, in kPolicySlugs order

  const PolicyPage* policy(std::string_view slug) const;
};

// The policy pages' slugs, in the order the footer lists them.
inline const std::vector<std::string> kPolicySlugs = {"returns", "shipping", "privacy", "terms"};

// Field limits (characters are bytes of UTF-8; the admin form shows them).
inline constexpr size_t kMaxShopNameChars = 100;
inline constexpr size_t kMaxLineChars = 200;
inline constexpr size_t kMaxAddressChars = 500;
inline constexpr size_t kMaxPolicyTitleChars = 120;
inline constexpr size_t kMaxPolicyBodyChars = 20000;

class Settings {
 public:
  Settings(Sqlite& db, const Config& config);

  // The settings now (defaults overlaid with saved values), cached until
  // the next update(). Never fails: a failed read serves the defaults and
  // logs one line, so a page still renders.
  std::shared_ptr<const ShopSettings> current();
  // Checks and saves the fields `patch` names; returns the new settings.
  [[nodiscard]] Result<std::shared_ptr<const ShopSettings>> update(const nlohmann::json& patch);

  // JSON shapes: everything (admin) and what the storefront may read.
  static nlohmann::json admin_json(const ShopSettings& s);
  static nlohmann::json public_json(const ShopSettings& s);

 private:
  ShopSettings defaults() const;
  Result<std::shared_ptr<const ShopSettings>> load();
  Sqlite& db_;
  const Config& config_;
  std::mutex mu_;
  std::shared_ptr<const ShopSettings> cached_;
};

// Paragraphs of a plain-text body as escaped HTML (<p>, with <br> for a
// single line break): the one rendering of policy text.
std::string policy_body_html(std::string_view body);

}  // namespace shopbox
