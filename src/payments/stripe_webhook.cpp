#include "payments/stripe_webhook.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <vector>

#include "base/crypto.h"
#include "base/json_text.h"
#include "payments/stripe_store.h"

namespace shopbox {

namespace stripe_hook {

Status bad_signature(const std::string& why) {
  return Status(Kind::invalid, "invalid_signature", "Stripe-Signature not accepted: " + why);
}

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

// A decimal Unix timestamp, digits only, no more than 12 of them.
bool read_timestamp(const std::string& s, int64_t& out) {
  if (s.empty() || s.size() > 12 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  out = std::strtoll(s.c_str(), nullptr, 10);
  return true;
}

std::string text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
int64_t amount(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return 0;
  int64_t v = it->get<int64_t>();
  return v < 0 || v > kMaxCents ? 0 : v;
}
const nlohmann::json& object_at(const nlohmann::json& j, const char* key) {
  static const nlohmann::json empty = nlohmann::json::object();
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : empty;
}

}  // namespace stripe_hook

Status verify_stripe_signature(const std::string& secret, const std::string& header, const std::string& payload,
                               int64_t now_seconds, int64_t tolerance_seconds) {
  if (secret.empty()) return stripe_hook::bad_signature("no webhook secret is configured");
  if (header.empty() || header.size() > 4096) return stripe_hook::bad_signature("missing or oversized header");
  int64_t t = -1;
  std::vector<std::string> v1;
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t comma = header.find(',', pos);
    std::string item = header.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? header.size() + 1 : comma + 1;
    auto eq = item.find('=');
    if (eq == std::string::npos) continue;
    std::string k = stripe_hook::trimmed(item.substr(0, eq)), v = stripe_hook::trimmed(item.substr(eq + 1));
    if (k == "t") {
      if (t >= 0 || !stripe_hook::read_timestamp(v, t)) return stripe_hook::bad_signature("bad timestamp");
    } else if (k == "v1" && v.size() == 64) {
      v1.push_back(v);
    }
  }
  if (t < 0) return stripe_hook::bad_signature("no timestamp");
  if (v1.empty()) return stripe_hook::bad_signature("no v1 signature");
  if (t < now_seconds - tolerance_seconds || t > now_seconds + tolerance_seconds)
    return stripe_hook::bad_signature("timestamp outside the tolerance");
  std::string expected = hmac_sha256_hex(secret, std::to_string(t) + "." + payload);
  bool match = false;
  for (auto& sig : v1) {
    for (char& ch : sig) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    match |= constant_time_equal(expected, sig);  // every entry compared: no early exit
  }
  return match ? Status::Ok() : stripe_hook::bad_signature("no signature matches");
}

Result<StripeEvent> parse_stripe_event(const std::string& payload) {
  auto parsed = parse_json_text(payload, 32);
  if (!parsed.ok()) return parsed.status();
  const nlohmann::json& j = *parsed;
  if (!j.is_object()) return Status(Kind::invalid, "invalid_json", "a Stripe event is a JSON object");
  StripeEvent ev;
  ev.id = stripe_hook::text(j, "id");
  ev.type = stripe_hook::text(j, "type");
  if (ev.id.empty() || ev.id.size() > 255 || ev.type.empty() || ev.type.size() > 255)
    return Status(Kind::invalid, "invalid_event", "a Stripe event needs a string id and type");
  ev.created = stripe_hook::amount(j, "created");
  const auto& o = stripe_hook::object_at(stripe_hook::object_at(j, "data"), "object");
  ev.object_type = stripe_hook::text(o, "object");
  ev.object_id = stripe_hook::text(o, "id");
  ev.payment_intent = ev.object_type == "payment_intent" ? ev.object_id : stripe_hook::text(o, "payment_intent");
  ev.status = stripe_hook::text(o, "status");
  ev.amount = stripe_hook::amount(o, "amount");
  ev.amount_received = stripe_hook::amount(o, "amount_received");
  ev.amount_refunded = stripe_hook::amount(o, "amount_refunded");
  std::string cur = stripe_hook::text(o, "currency");
  for (char& ch : cur) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  ev.currency = cur;
  ev.shopbox_key = stripe_hook::text(stripe_hook::object_at(o, "metadata"), "shopbox_key");
  const auto& err = stripe_hook::object_at(o, "last_payment_error");
  if (!err.empty()) {
    ev.failure_code =
        stripe_hook::text(err, "decline_code") == "insufficient_funds" ? "insufficient_funds" : "card_declined";
    ev.failure_message = stripe_hook::text(err, "message").substr(0, 300);
  }
  return ev;
}

}  // namespace shopbox
