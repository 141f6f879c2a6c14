// Email templates: mustache (kainjow), a subject, a plain-text part and an
// HTML part per email, wrapped in a shared layout.
//
// Built-in templates are embedded in the binary (src/email/templates/
// <name>.mustache: the subject on the first line, then "==== text ====",
// then "==== html ===="). A merchant overrides any part with a file in the
// data dir, <data_dir>/email-templates/<name>.subject|.txt|.html (the
// layout: layout.txt|.html, with {{{body}}} where the email goes), read at
// every render, so an edit shows on the next email without a restart. An
// override that does not parse or render falls back to the built-in part
// with one line in the log.
//
// Values are HTML-escaped in the HTML part and left as they are in the
// subject and text; line breaks in a rendered subject become spaces.
//
// Thread rule: no state beyond the data dir path; safe from any thread.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "config.h"

namespace shopbox {

struct RenderedEmail {
  std::string subject, text, html;
};

struct EmailTemplateInfo {
  std::string name;
  std::vector<std::string> overridden;  // the parts a data-dir file replaces: "subject", "txt", "html"
};

class EmailTemplates {
 public:
  explicit EmailTemplates(std::string data_dir) : dir_(std::move(data_dir) + "/email-templates") {}

  // Every email template's name (the layout is not one).
  static const std::vector<std::string>& names();
  static bool known(const std::string& name);

  // 404 for an unknown name; 500 only if a built-in template is broken.
  Result<RenderedEmail> render(const std::string& name, const nlohmann::json& data) const;
  std::vector<EmailTemplateInfo> list() const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// How the shop presents itself in emails: the merchant's settings
// (settings/settings.h), handed in by the composition root so the email
// module does not reach into another module. An empty source: the config
// file's shop name, nothing else.
struct ShopIdentity {
  std::string name, logo_url, contact_email, postal_address;
};
using ShopIdentitySource = std::function<ShopIdentity()>;

// Realistic data for a template's preview (GET .../email-templates/{name}/preview).
nlohmann::json email_sample_data(const std::string& name, const Config& config,
                                 const ShopIdentitySource& identity = {});
// The shop-wide values every email gets: shop_name, shop_url, and when the
// merchant set them shop_logo_url (absolute), shop_contact_email,
// shop_postal_address (the layout's header and footer).
void add_shop_data(nlohmann::json& data, const Config& config, const ShopIdentitySource& identity = {});

}  // namespace shopbox
