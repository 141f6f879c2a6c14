#include "email/templates.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <kainjow/mustache.hpp>
#include <map>
#include <optional>
#include <sstream>

namespace shopbox {

// The built-in templates, embedded by CMakeLists.txt (cmake/embed_text.cmake
// over src/email/templates/*.mustache): one symbol per file.
#define SHOPBOX_EMAIL_TEMPLATE(name) extern const char kEmailTpl_##name[];
SHOPBOX_EMAIL_TEMPLATE(layout)
SHOPBOX_EMAIL_TEMPLATE(order_confirmation)
SHOPBOX_EMAIL_TEMPLATE(order_shipped)
SHOPBOX_EMAIL_TEMPLATE(order_delivered)
SHOPBOX_EMAIL_TEMPLATE(order_cancelled)
SHOPBOX_EMAIL_TEMPLATE(refund_issued)
SHOPBOX_EMAIL_TEMPLATE(return_received)
SHOPBOX_EMAIL_TEMPLATE(return_update)
SHOPBOX_EMAIL_TEMPLATE(verify_email)
SHOPBOX_EMAIL_TEMPLATE(password_reset)
SHOPBOX_EMAIL_TEMPLATE(staff_invite)
SHOPBOX_EMAIL_TEMPLATE(order_lookup_code)
SHOPBOX_EMAIL_TEMPLATE(back_in_stock)
SHOPBOX_EMAIL_TEMPLATE(price_drop)
SHOPBOX_EMAIL_TEMPLATE(cart_reminder)
#undef SHOPBOX_EMAIL_TEMPLATE

namespace {

using json = nlohmann::json;
namespace mst = kainjow::mustache;

struct BuiltinTemplate {
  const char* name;
  const char* source;
};

const std::vector<BuiltinTemplate>& email_builtins() {
  static const std::vector<BuiltinTemplate> all = {
      {"order_confirmation", kEmailTpl_order_confirmation},
      {"order_shipped", kEmailTpl_order_shipped},
      {"order_delivered", kEmailTpl_order_delivered},
      {"order_cancelled", kEmailTpl_order_cancelled},
      {"refund_issued", kEmailTpl_refund_issued},
      {"return_received", kEmailTpl_return_received},
      {"return_update", kEmailTpl_return_update},
      {"verify_email", kEmailTpl_verify_email},
      {"password_reset", kEmailTpl_password_reset},
      {"staff_invite", kEmailTpl_staff_invite},
      {"order_lookup_code", kEmailTpl_order_lookup_code},
      {"back_in_stock", kEmailTpl_back_in_stock},
      {"price_drop", kEmailTpl_price_drop},
      {"cart_reminder", kEmailTpl_cart_reminder},
  };
  return all;
}

// The three parts of a built-in file (templates.h says the layout).
struct TemplateParts {
  std::string subject, txt, html;
};

TemplateParts split_builtin(const std::string& src) {
  TemplateParts p;
  const std::string text_mark = "\n==== text ====\n", html_mark = "\n==== html ====\n";
  size_t t = src.find(text_mark), h = src.find(html_mark);
  if (t == std::string::npos || h == std::string::npos || h < t) return p;
  p.subject = src.substr(0, t);
  p.txt = src.substr(t + text_mark.size(), h - t - text_mark.size());
  p.html = src.substr(h + html_mark.size());
  return p;
}

const TemplateParts* builtin_parts(const std::string& name) {
  static const std::map<std::string, TemplateParts> parts = [] {
    std::map<std::string, TemplateParts> m;
    for (const auto& b : email_builtins()) m[b.name] = split_builtin(b.source);
    m["layout"] = split_builtin(kEmailTpl_layout);
    return m;
  }();
  auto it = parts.find(name);
  return it == parts.end() ? nullptr : &it->second;
}

mst::data to_mustache(const json& j) {
  switch (j.type()) {
    case json::value_t::object: {
      mst::data d{mst::data::type::object};
      for (const auto& [k, v] : j.items()) d.set(k, to_mustache(v));
      return d;
    }
    case json::value_t::array: {
      mst::data d{mst::data::type::list};
      for (const auto& v : j) d.push_back(to_mustache(v));
      return d;
    }
    case json::value_t::string: {
      // An empty string is false, so {{#field}}..{{/field}} means "if set".
      const auto& s = j.get_ref<const std::string&>();
      return s.empty() ? mst::data(false) : mst::data(s);
    }
    case json::value_t::boolean:
      return mst::data(j.get<bool>());
    case json::value_t::null:
    case json::value_t::discarded:
      return mst::data(false);
    default:
      return mst::data(j.dump());
  }
}

// Renders one part; nullopt when the template does not parse or render.
// kainjow reports errors through is_valid(), but guard against a throw too:
// nothing escapes the module.
std::optional<std::string> render_part(const std::string& source, const mst::data& data, bool html,
                                       std::string* error) {
  try {
    mst::mustache tmpl{source};
    if (!html) tmpl.set_custom_escape([](const std::string& s) { return s; });
    if (!tmpl.is_valid()) {
      *error = tmpl.error_message();
      return std::nullopt;
    }
    std::string out = tmpl.render(data);
    if (!tmpl.is_valid()) {
      *error = tmpl.error_message();
      return std::nullopt;
    }
    return out;
  } catch (const std::exception& e) {
    *error = e.what();
    return std::nullopt;
  }
}

std::optional<std::string> read_override(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The part as overridden in the data dir, else built in.
Result<std::string> render_with_override(const std::string& dir, const std::string& name, const char* part,
                                         const std::string& builtin, const mst::data& data, bool html) {
  std::string error;
  std::string path = dir + "/" + name + "." + part;
  if (auto custom = read_override(path)) {
    if (auto out = render_part(*custom, data, html, &error)) return *out;
    std::fprintf(stderr, "email: template override %s does not render (%s); using the built-in one\n", path.c_str(),
                 error.c_str());
  }
  if (auto out = render_part(builtin, data, html, &error)) return *out;
  return Status::Internal("built-in email template " + name + "." + part + " does not render: " + error);
}

std::string one_line(std::string s) {
  for (char& ch : s)
    if (ch == '\r' || ch == '\n' || ch == '\t') ch = ' ';
  size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

const std::vector<std::string>& EmailTemplates::names() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v;
    for (const auto& b : email_builtins()) v.push_back(b.name);
    return v;
  }();
  return all;
}

bool EmailTemplates::known(const std::string& name) {
  for (const auto& n : names())
    if (n == name) return true;
  return false;
}

Result<RenderedEmail> EmailTemplates::render(const std::string& name, const json& data) const {
  const TemplateParts* parts = known(name) ? builtin_parts(name) : nullptr;
  const TemplateParts* layout = builtin_parts("layout");
  if (!parts || !layout) return Status::NotFound("no email template named " + name);
  mst::data d = to_mustache(data);
  RenderedEmail out;
  auto subject = render_with_override(dir_, name, "subject", parts->subject, d, false);
  if (!subject.ok()) return subject.status();
  out.subject = one_line(*subject);
  auto text = render_with_override(dir_, name, "txt", parts->txt, d, false);
  if (!text.ok()) return text.status();
  auto html = render_with_override(dir_, name, "html", parts->html, d, true);
  if (!html.ok()) return html.status();
  // The body goes into the layout as it is (already rendered and escaped).
  json framed = data;
  framed["subject"] = out.subject;
  framed["body"] = *text;
  mst::data ft = to_mustache(framed);
  auto text_page = render_with_override(dir_, "layout", "txt", layout->txt, ft, false);
  if (!text_page.ok()) return text_page.status();
  framed["body"] = *html;
  mst::data fh = to_mustache(framed);
  auto html_page = render_with_override(dir_, "layout", "html", layout->html, fh, true);
  if (!html_page.ok()) return html_page.status();
  out.text = *text_page;
  out.html = *html_page;
  return out;
}

std::vector<EmailTemplateInfo> EmailTemplates::list() const {
  std::vector<EmailTemplateInfo> out;
  std::vector<std::string> all = names();
  all.push_back("layout");
  for (const auto& n : all) {
    EmailTemplateInfo info{n, {}};
    for (const char* part : {"subject", "txt", "html"}) {
      std::error_code ec;
      if (std::filesystem::is_regular_file(dir_ + "/" + n + "." + part, ec)) info.overridden.push_back(part);
    }
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace shopbox
