#include "settings/settings.h"

#include <cstdio>
#include <map>

#include "base/clock.h"
#include "base/money.h"
#include "base/request_fields.h"
#include "base/text.h"
#include "base/utf8.h"
#include "catalog/catalog.h"

namespace shopbox {
namespace {

using json = nlohmann::json;

const std::map<std::string, std::string>& policy_titles() {
  static const std::map<std::string, std::string> titles = {{"returns", "Returns and refunds"},
                                                            {"shipping", "Shipping"},
                                                            {"privacy", "Privacy policy"},
                                                            {"terms", "Terms of service"}};
  return titles;
}

// "$50" for 5000 USD, "50.00 EUR" otherwise: the banner line the
// storefront showed before settings existed, from the same config value.
std::string settings_threshold_text(Cents cents, const std::string& currency) {
  std::string amount = format_cents(cents);
  if (currency != "USD") return amount + " " + currency;
  if (amount.size() > 3 && amount.compare(amount.size() - 3, 3, ".00") == 0) amount.resize(amount.size() - 3);
  return "$" + amount;
}

// Control characters other than line breaks and tabs (multi-line fields),
// or any (one-line fields), are refused: they would corrupt headers and pages.
bool settings_clean_text(std::string_view s, bool multiline) {
  if (!valid_utf8(s)) return false;
  for (unsigned char ch : s) {
    if (ch == 0x7f) return false;
    if (ch < 0x20 && !(multiline && (ch == '\n' || ch == '\r' || ch == '\t'))) return false;
  }
  return true;
}

bool settings_email_ok(std::string_view e) {
  if (e.size() > 254) return false;
  size_t at = e.find('@');
  if (at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos) return false;
  std::string_view domain = e.substr(at + 1);
  size_t dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return false;
  for (unsigned char ch : e)
    if (ch <= ' ' || ch == 0x7f || ch == '<' || ch == '>' || ch == '"' || ch == ',' || ch == ';' || ch == '\\')
      return false;
  return true;
}

// BCP 47 in the shape shops use: a 2-3 letter language, then up to three
// subtags of 2-8 letters or digits ("en", "en-US", "zh-Hant-TW").
bool settings_locale_ok(std::string_view tag) {
  if (tag.empty() || tag.size() > 35) return false;
  size_t part = 0, len = 0;
  for (size_t i = 0; i <= tag.size(); ++i) {
    if (i == tag.size() || tag[i] == '-') {
      if (part == 0 ? (len < 2 || len > 3) : (len < 2 || len > 8)) return false;
      if (++part > 4) return false;
      len = 0;
      continue;
    }
    unsigned char ch = static_cast<unsigned char>(tag[i]);
    bool letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    if (!letter && !(part > 0 && ch >= '0' && ch <= '9')) return false;
    ++len;
  }
  return true;
}

// A text field of the patch: absent leaves `out` alone; anything but a
// string, or text beyond `max`, is a 400 naming `field`.
Status settings_text(const json& obj, const char* key, const std::string& field, size_t max, bool multiline,
                     std::string& out) {
  if (!obj.contains(key)) return Status::Ok();
  const json& v = obj[key];
  if (!v.is_string()) return field_error(field, field + " must be text");
  std::string s = multiline ? v.get<std::string>() : trim(v.get<std::string>());
  if (s.size() > max) return field_error(field, field + " is too long (at most " + std::to_string(max) + " characters)");
  if (!settings_clean_text(s, multiline)) return field_error(field, field + " holds characters that cannot be shown");
  out = std::move(s);
  return Status::Ok();
}

Status apply_store_fields(const json& patch, const Config& config, ShopSettings& s) {
  if (Status st = settings_text(patch, "name", "name", kMaxShopNameChars, false, s.name); !st.ok()) return st;
  if (s.name.empty()) return field_error("name", "Give the shop a name");
  if (Status st = settings_text(patch, "logo_url", "logo_url", 2000, false, s.logo_url); !st.ok()) return st;
  if (!s.logo_url.empty() && !is_image_address(s.logo_url))
    return field_error("logo_url", "logo_url must be an image address: https://..., or an uploaded image (/images/...)");
  if (Status st = settings_text(patch, "contact_email", "contact_email", 254, false, s.contact_email); !st.ok())
    return st;
  if (!s.contact_email.empty() && !settings_email_ok(s.contact_email))
    return field_error("contact_email", "contact_email must look like name@example.com");
  if (Status st = settings_text(patch, "postal_address", "postal_address", kMaxAddressChars, true, s.postal_address);
      !st.ok())
    return st;
  if (Status st = settings_text(patch, "currency", "currency", 3, false, s.currency); !st.ok()) return st;
  s.currency = ascii_upper(s.currency);
  if (s.currency != config.currency)
    return field_error("currency", "currency must be " + config.currency + ": the catalog's prices are in " +
                                       config.currency +
                                       " (changing the currency means re-pricing the catalog: set [shop] currency "
                                       "in the config file)");
  if (Status st = settings_text(patch, "locale", "locale", 35, false, s.locale); !st.ok()) return st;
  if (!settings_locale_ok(s.locale)) return field_error("locale", "locale must be a language tag such as en-US");
  if (Status st = settings_text(patch, "shipping_line", "shipping_line", kMaxLineChars, false, s.shipping_line);
      !st.ok())
    return st;
  return settings_text(patch, "returns_line", "returns_line", kMaxLineChars, false, s.returns_line);
}

Status apply_policies(const json& patch, ShopSettings& s) {
  if (!patch.contains("policies")) return Status::Ok();
  const json& all = patch["policies"];
  if (!all.is_object()) return field_error("policies", "policies must be an object keyed by page (returns, ...)");
  for (const auto& [slug, page] : all.items()) {
    PolicyPage* p = nullptr;
    for (auto& candidate : s.policies)
      if (candidate.slug == slug) p = &candidate;
    const std::string field = "policies." + slug;
    if (!p) return field_error(field, "There is no policy page " + slug + " (returns, shipping, privacy, terms)");
    if (!page.is_object()) return field_error(field, field + " must be an object with title and body");
    if (Status st = only_fields(page, {"title", "body"}, field + "."); !st.ok()) return st;
    if (Status st = settings_text(page, "title", field + ".title", kMaxPolicyTitleChars, false, p->title); !st.ok())
      return st;
    if (p->title.empty()) return field_error(field + ".title", "Give the page a title");
    if (Status st = settings_text(page, "body", field + ".body", kMaxPolicyBodyChars, true, p->body); !st.ok())
      return st;
  }
  return Status::Ok();
}

// The settings as stored key/value pairs (the table's rows).
std::vector<std::pair<std::string, std::string>> settings_rows(const ShopSettings& s) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"name", s.name},         {"logo_url", s.logo_url}, {"contact_email", s.contact_email},
      {"postal_address", s.postal_address}, {"currency", s.currency}, {"locale", s.locale},
      {"shipping_line", s.shipping_line},   {"returns_line", s.returns_line}};
  for (const auto& p : s.policies) {
    rows.push_back({"policy." + p.slug + ".title", p.title});
    rows.push_back({"policy." + p.slug + ".body", p.body});
  }
  return rows;
}

void settings_set(ShopSettings& s, const std::string& key, std::string value) {
  std::map<std::string, std::string*> fields = {
      {"name", &s.name},         {"logo_url", &s.logo_url}, {"contact_email", &s.contact_email},
      {"postal_address", &s.postal_address}, {"currency", &s.currency}, {"locale", &s.locale},
      {"shipping_line", &s.shipping_line},   {"returns_line", &s.returns_line}};
  for (auto& p : s.policies) {
    fields["policy." + p.slug + ".title"] = &p.title;
    fields["policy." + p.slug + ".body"] = &p.body;
  }
  if (auto it = fields.find(key); it != fields.end()) *it->second = std::move(value);
  // A key this version does not know (a newer version wrote it) is ignored.
}

}  // namespace

const PolicyPage* ShopSettings::policy(std::string_view slug) const {
  for (const auto& p : policies)
    if (p.slug == slug) return &p;
  return nullptr;
}

Settings::Settings(Sqlite& db, const Config& config) : db_(db), config_(config) {}

ShopSettings Settings::defaults() const {
  ShopSettings s;
  s.name = config_.shop_name;
  s.currency = config_.currency;
  s.locale = "en-US";
  if (config_.free_shipping_threshold > 0)
    s.shipping_line =
        "Free shipping on orders over " + settings_threshold_text(config_.free_shipping_threshold, config_.currency);
  s.returns_line = "Easy returns";
  for (const auto& slug : kPolicySlugs) s.policies.push_back({slug, policy_titles().at(slug), ""});
  return s;
}

Result<std::shared_ptr<const ShopSettings>> Settings::load() {
  auto s = std::make_shared<ShopSettings>(defaults());
  Status read = db_.read([&](Connection& c) {
    auto st = c.prepare("SELECT key, value FROM shop_settings");
    while (st.step()) settings_set(*s, st.text(0), st.text(1));
    return Status::Ok();
  });
  if (!read.ok()) return read;
  return std::shared_ptr<const ShopSettings>(std::move(s));
}

std::shared_ptr<const ShopSettings> Settings::current() {
  std::lock_guard<std::mutex> lock(mu_);
  if (cached_) return cached_;
  auto loaded = load();
  if (loaded.ok()) return cached_ = *loaded;
  std::fprintf(stderr, "settings: cannot read shop_settings (%s); serving the defaults\n",
               loaded.status().message().c_str());
  return std::make_shared<const ShopSettings>(defaults());  // not cached: the next read tries again
}

Result<std::shared_ptr<const ShopSettings>> Settings::update(const json& patch) {
  if (!patch.is_object()) return Status::Invalid("settings must be a JSON object");
  if (Status st = only_fields(patch, {"name", "logo_url", "contact_email", "postal_address", "currency", "locale",
                                      "shipping_line", "returns_line", "policies"});
      !st.ok())
    return st;
  std::lock_guard<std::mutex> lock(mu_);
  // From the stored values, not the cache: a failed earlier read must not
  // make this write save defaults over the merchant's settings.
  auto before = load();
  if (!before.ok()) return before.status();
  auto next = std::make_shared<ShopSettings>(**before);
  if (Status st = apply_store_fields(patch, config_, *next); !st.ok()) return st;
  if (Status st = apply_policies(patch, *next); !st.ok()) return st;
  auto old_rows = settings_rows(**before);
  auto new_rows = settings_rows(*next);
  const int64_t now = now_millis();
  Status wrote = db_.write([&](Connection& c) {
    for (size_t i = 0; i < new_rows.size(); ++i) {
      if (new_rows[i].second == old_rows[i].second) continue;  // only what changed is saved
      c.prepare(
           "INSERT INTO shop_settings(key, value, updated_at) VALUES(?, ?, ?) "
           "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
          .bind(1, new_rows[i].first)
          .bind(2, new_rows[i].second)
          .bind(3, now)
          .step();
    }
    return Status::Ok();
  });
  if (!wrote.ok()) return wrote;
  cached_ = next;
  return std::shared_ptr<const ShopSettings>(cached_);
}

json Settings::public_json(const ShopSettings& s) {
  json pages = json::array();
  for (const auto& p : s.policies)
    pages.push_back({{"slug", p.slug}, {"title", p.title}, {"url", "/pages/" + p.slug}});
  return {{"name", s.name},
          {"logo_url", s.logo_url.empty() ? json(nullptr) : json(s.logo_url)},
          {"contact_email", s.contact_email.empty() ? json(nullptr) : json(s.contact_email)},
          {"postal_address", s.postal_address},
          {"currency", s.currency},
          {"locale", s.locale},
          {"banner", {{"shipping_line", s.shipping_line}, {"returns_line", s.returns_line}}},
          {"policies", pages}};
}

json Settings::admin_json(const ShopSettings& s) {
  json policies = json::object();
  for (const auto& p : s.policies) policies[p.slug] = {{"title", p.title}, {"body", p.body}};
  return {{"name", s.name},
          {"logo_url", s.logo_url},
          {"contact_email", s.contact_email},
          {"postal_address", s.postal_address},
          {"currency", s.currency},
          {"locale", s.locale},
          {"shipping_line", s.shipping_line},
          {"returns_line", s.returns_line},
          {"policies", policies}};
}

std::string policy_body_html(std::string_view body) {
  std::string out, para;
  auto flush = [&] {
    std::string t = trim(para);
    if (!t.empty()) out += "<p>" + markup_escape(t) + "</p>\n";
    para.clear();
  };
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('\n', start);
    std::string_view line = body.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) {
      flush();
    } else {
      if (!para.empty()) para += '\n';
      para += line;
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  flush();
  // Single line breaks inside a paragraph stay visible (addresses, lists).
  std::string result;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\n' && i + 1 < out.size() && out.compare(i + 1, 3, "<p>") != 0)
      result += "<br>\n";
    else
      result += out[i];
  }
  return result;
}

}  // namespace shopbox
