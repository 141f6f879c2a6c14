#include "email/email_data.h"

#include "base/clock.h"
#include "email/templates.h"
#include "orders/order_json.h"

namespace shopbox {
using json = nlohmann::json;

std::string email_money(Cents cents, const std::string& currency) {
  std::string amount = format_cents(cents < 0 ? -cents : cents);
  std::string sign = cents < 0 ? "-" : "";
  if (currency == "USD" || currency == "CAD" || currency == "AUD" || currency == "NZD") return sign + "$" + amount;
  if (currency == "EUR") return sign + "\u20AC" + amount;
  if (currency == "GBP") return sign + "\u00A3" + amount;
  return sign + amount + " " + currency;
}

std::string email_money_json(const json& amount, const std::string& currency) {
  auto cents = cents_from_json(amount);
  return cents ? email_money(*cents, currency) : std::string();
}

std::string email_order_number(const Order& o) {
  std::string n = order_number_text(o);
  return n.empty() ? o.id : "#" + n;
}

std::string email_url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~')
      out.push_back(static_cast<char>(ch));
    else
      out += {'%', hex[ch >> 4], hex[ch & 15]};
  }
  return out;
}

std::string tracking_url(const std::string& carrier, const std::string& number) {
  std::string c;
  for (char ch : carrier)
    if (std::isalnum(static_cast<unsigned char>(ch))) c.push_back(static_cast<char>(std::tolower(ch)));
  std::string n = email_url_encode(number);
  if (number.empty()) return "";
  if (c == "ups") return "https://www.ups.com/track?tracknum=" + n;
  if (c == "usps") return "https://tools.usps.com/go/TrackConfirmAction?tLabels=" + n;
  if (c == "fedex") return "https://www.fedex.com/fedextrack/?trknbr=" + n;
  if (c == "dhl" || c == "dhlexpress")
    return "https://www.dhl.com/global-en/home/tracking/tracking-express.html?tracking-id=" + n;
  return "";
}

namespace {

std::string email_options_text(const json& options) {
  std::string out;
  if (!options.is_object()) return out;
  for (const auto& [k, v] : options.items()) {
    if (!out.empty()) out += ", ";
    out += k + ": " + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

json email_address_lines(const json& a) {
  json lines = json::array();
  if (!a.is_object()) return lines;
  auto field = [&](const char* k) { return a.contains(k) && a[k].is_string() ? a[k].get<std::string>() : ""; };
  for (const char* k : {"name", "street", "line2"})
    if (!field(k).empty()) lines.push_back(field(k));
  std::string city = field("city");
  if (!field("state").empty()) city += (city.empty() ? "" : ", ") + field("state");
  if (!field("zip").empty()) city += " " + field("zip");
  if (!city.empty()) lines.push_back(city);
  if (!field("country").empty()) lines.push_back(field("country"));
  return lines;
}

}  // namespace

json order_email_data(const Order& o, const std::string& order_url) {
  json items = json::array();
  for (const auto& it : o.items)
    items.push_back({{"name", it.name},
                     {"options", email_options_text(it.selected_options)},
                     {"sku", it.sku},
                     {"quantity", std::to_string(it.quantity)},
                     {"unit_price", email_money(it.unit_price, o.currency)},
                     {"line_total", email_money(it.subtotal, o.currency)}});
  std::string name = o.customer_name;
  if (name.empty() && o.shipping_address.is_object()) name = o.shipping_address.value("name", "");
  return {{"order_id", o.id},
          {"order_number", email_order_number(o)},
          {"customer_name", name.empty() ? "there" : name},
          {"email", o.email},
          {"items", items},
          {"subtotal", email_money(o.subtotal, o.currency)},
          {"discount", email_money(o.discount, o.currency)},
          {"has_discount", o.discount > 0},
          {"shipping", email_money(o.shipping, o.currency)},
          {"tax", email_money(o.tax, o.currency)},
          {"total", email_money(o.total, o.currency)},
          {"currency", o.currency},
          {"address_lines", email_address_lines(o.shipping_address)},
          {"order_url", order_url},
          {"guest", o.user_id == 0}};
}

json email_lines(const json& stored, const Order& o) {
  json out = json::array();
  if (!stored.is_array()) return out;
  for (const auto& l : stored) {
    if (!l.is_object()) continue;
    std::string name = l.value("name", "");
    // Stored lines name the variant ("variant_id": "12"); the order has its name.
    const json vid = l.value("variant_id", json(nullptr));
    int64_t variant = vid.is_string()           ? std::strtoll(vid.get<std::string>().c_str(), nullptr, 10)
                      : vid.is_number_integer() ? vid.get<int64_t>()
                                                : 0;
    for (const auto& it : o.items)
      if (name.empty() && variant != 0 && it.variant_id == variant) name = it.name;
    const json q = l.value("quantity", json(0));
    out.push_back({{"name", name.empty() ? std::string("item") : name},
                   {"quantity", q.is_string() ? q.get<std::string>() : q.dump()}});
  }
  return out;
}

void add_shop_data(json& data, const Config& config, const ShopIdentitySource& identity) {
  ShopIdentity shop = identity ? identity() : ShopIdentity{config.shop_name, "", "", ""};
  data["shop_name"] = shop.name;
  data["shop_url"] = config.public_url;
  // Only what is set: an empty value would still open the layout's section.
  std::string logo = shop.logo_url;
  if (!logo.empty() && logo.front() == '/') {
    std::string base = config.public_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    logo = base + logo;  // mail clients need an absolute address
  }
  if (!logo.empty()) data["shop_logo_url"] = logo;
  if (!shop.contact_email.empty()) data["shop_contact_email"] = shop.contact_email;
  if (!shop.postal_address.empty()) data["shop_postal_address"] = shop.postal_address;
}

namespace {

Order email_sample_order(const Config& config) {
  Order o;
  o.id = "ord_s1_0f3a9c2b7d1e4a60";
  o.order_number = 1042;
  o.email = "jane.doe@example.com";
  o.customer_name = "Jane Doe";
  o.currency = config.currency;
  OrderItem a;
  a.name = "Merino Crew Sweater";
  a.selected_options = {{"Color", "Navy"}, {"Size", "M"}};
  a.quantity = 1;
  a.unit_price = a.subtotal = 8499;
  a.variant_id = 11;
  OrderItem b;
  b.name = "Wool Socks \"Trail\" & Co";
  b.quantity = 2;
  b.unit_price = 1250;
  b.subtotal = 2500;
  b.variant_id = 12;
  o.items = {a, b};
  o.subtotal = 10999;
  o.tax = 990;
  o.total = 11989;
  o.shipping_address = {{"name", "Jane Doe"}, {"street", "12 Harbour Road"},
                        {"city", "Portland"}, {"state", "OR"},
                        {"zip", "97201"},     {"country", "US"}};
  return o;
}

}  // namespace

json email_sample_data(const std::string& name, const Config& config, const ShopIdentitySource& identity) {
  Order o = email_sample_order(config);
  json d = order_email_data(o, config.public_url + "/orders/" + o.id);
  add_shop_data(d, config, identity);
  std::string expires = iso8601(now_seconds() + 86400);
  if (name == "order_shipped") {
    d["carrier"] = "UPS";
    d["tracking_number"] = "1Z999AA10123456784";
    d["tracking_url"] = tracking_url("UPS", "1Z999AA10123456784");
  } else if (name == "order_cancelled") {
    d["refunded"] = email_money(o.total, o.currency);
    d["has_refund"] = true;
  } else if (name == "refund_issued") {
    d["amount"] = email_money(2500, o.currency);
    d["lines"] = json::array({{{"name", o.items[1].name}, {"quantity", "2"}}});
    d["has_lines"] = true;
  } else if (name == "return_received" || name == "return_update") {
    d["return_id"] = "R-7";
    d["lines"] = json::array({{{"name", o.items[0].name}, {"quantity", "1"}}});
    d["status"] = "approved";
    d["approved"] = true;
    d["rejected"] = false;
    d["reason"] = "";
  } else if (name == "verify_email" || name == "password_reset") {
    std::string path = name == "verify_email" ? "/account/verify-email?token=" : "/account/reset-password?token=";
    d["link"] = config.public_url + path + "sample-token-not-valid";
    d["expires"] = expires;
  } else if (name == "staff_invite") {
    d["role"] = "fulfilment";
    d["fulfilment"] = true;
    d["set_password"] = true;
    d["link"] = config.public_url + "/account/reset-password?token=sample-token-not-valid";
    d["admin_link"] = config.public_url + "/admin";
    d["expires"] = expires;
  } else if (name == "order_lookup_code") {
    d["code"] = "482913";
    d["expires"] = iso8601(now_seconds() + 900);
  } else if (name == "back_in_stock" || name == "price_drop") {
    d["product_name"] = o.items[0].name;
    d["product_url"] = config.public_url + "/p/11";
    d["price"] = email_money(8499, o.currency);
    d["old_price"] = email_money(9999, o.currency);
    d["new_price"] = email_money(8499, o.currency);
  } else if (name == "cart_reminder") {
    d["cart_url"] = config.public_url + "/cart";
    d["unsubscribe_url"] = config.public_url + "/api/v1/email/unsubscribe?token=sample";
  }
  return d;
}

}  // namespace shopbox
