#include "payments/stripe_gateway.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "base/clock.h"
#include "base/json_text.h"
#include "payments/stripe_store.h"

namespace shopbox {

namespace stripe_gw {

using json = nlohmann::json;
using Form = std::vector<std::pair<std::string, std::string>>;

// application/x-www-form-urlencoded, as Stripe's API takes every body.
std::string form_escape(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out.push_back(static_cast<char>(ch));
    } else {
      out.push_back('%');
      out.push_back(hex[ch >> 4]);
      out.push_back(hex[ch & 15]);
    }
  }
  return out;
}

std::string form_encode(const Form& form) {
  std::string out;
  for (const auto& kv : form) {
    if (!out.empty()) out.push_back('&');
    out += form_escape(kv.first) + "=" + form_escape(kv.second);
  }
  return out;
}

// A Stripe object id that may go into a URL path: its prefix, then letters,
// digits and underscores only (no "/", "?", "..").
bool id_ok(const std::string& id, const char* prefix) {
  if (id.rfind(prefix, 0) != 0 || id.size() > 255 || id.size() <= std::char_traits<char>::length(prefix)) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; });
}

std::string upper(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}
std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
int64_t num(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}
const json& obj(const json& j, const char* key) {
  static const json empty = json::object();
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : empty;
}

Status unavailable(const std::string& message) {
  return Status(Kind::unavailable, "gateway_error", "the payment gateway failed (retryable): " + message);
}

// A decline as gateway.h has it: card_declined or insufficient_funds, with
// Stripe's shopper-facing message ("Your card was declined.").
Status decline(const std::string& decline_code, const std::string& stripe_message) {
  bool funds = decline_code == "insufficient_funds";
  std::string message = stripe_message.empty() || stripe_message.size() > 300
                            ? (funds ? "Your card has insufficient funds." : "Your card was declined.")
                            : stripe_message;
  return Status(Kind::payment_failed, funds ? "insufficient_funds" : "card_declined", message,
                {{"decline_code", decline_code.empty() ? "card_declined" : decline_code}});
}

// Stripe's error object {"error": {type, code, decline_code, message,
// param}} with its HTTP status, as a Status (stripe_gateway.h lists it).
Status error_of(int http, const json& body) {
  const json& e = obj(body, "error");
  std::string type = str(e, "type"), code = str(e, "code"), param = str(e, "param"), message = str(e, "message");
  if (message.size() > 300) message.resize(300);
  json details = {{"stripe_type", type}, {"stripe_code", code}};
  if (http == 402 || type == "card_error") return decline(str(e, "decline_code"), message);
  if (http == 401 || http == 403) {
    // Stripe's message names the key (partly masked): it is not repeated.
    std::fprintf(stderr,
                 "error: stripe: the API refused the secret key (HTTP %d); check [payments] stripe_secret_key\n", http);
    return unavailable("Stripe refused the API key");
  }
  if (http == 409 || http == 429 || http >= 500 || type == "api_error")
    return unavailable("HTTP " + std::to_string(http));
  if (type == "idempotency_error")
    return Status::Conflict("idempotency_key_reused", "the payment was already tried with other details", details);
  if (code == "payment_intent_unexpected_state") return Status::Conflict(code, message, details);
  if (param.rfind("payment_method", 0) == 0 || code == "payment_method_invalid_parameter")
    return Status(Kind::invalid, "invalid_card", message.empty() ? "the payment method is not usable" : message,
                  {{"field", "payment_method"}});
  if (http == 404) return Status::NotFound(message.empty() ? "no such object at Stripe" : message);
  return Status(Kind::invalid, "gateway_rejected", "Stripe refused the request: " + message, details);
}

// Where a PaymentIntent stands, in gateway.h's words; "" when it was never
// confirmed (created only, or cancelled before any attempt).
std::string status_of(const json& pi) {
  std::string s = str(pi, "status");
  if (s == "succeeded") return "captured";
  if (s == "requires_capture") return "authorized";
  if (s == "requires_action" || s == "requires_source_action" || s == "processing") return "requires_action";
  if (s == "requires_payment_method") return obj(pi, "last_payment_error").empty() ? "" : "failed";
  if (s == "canceled") return pi.contains("latest_charge") && !pi["latest_charge"].is_null() ? "voided" : "";
  return "";  // requires_confirmation
}

GatewayCharge charge_of(const json& pi, const std::string& key, Cents refunded) {
  GatewayCharge ch;
  ch.charge_id = str(pi, "id");
  std::string meta_key = str(obj(pi, "metadata"), "shopbox_key");
  ch.idempotency_key = meta_key.empty() ? key : meta_key;
  ch.amount = num(pi, "amount");
  ch.currency = upper(str(pi, "currency"));
  ch.created_at = num(pi, "created");
  ch.method_type = "card";
  ch.status = status_of(pi);
  if (ch.status == "captured") {
    ch.captured = num(pi, "amount_received");
    ch.refunded = std::min(refunded, ch.captured);
    if (ch.refunded > 0) ch.status = ch.refunded >= ch.captured ? "refunded" : "partially_refunded";
  } else if (ch.status == "requires_action") {
    ch.client_secret = str(pi, "client_secret");
  } else if (ch.status == "failed") {
    std::string dc = str(obj(pi, "last_payment_error"), "decline_code");
    ch.failure_code = dc == "insufficient_funds" ? dc : "card_declined";
  }
  const json& card = obj(obj(pi, "payment_method"), "card");  // when expanded
  ch.brand = str(card, "brand");
  ch.last4 = str(card, "last4");
  return ch;
}

GatewayRefund refund_of(const json& r) {
  return GatewayRefund{str(r, "id"), str(r, "payment_intent"), num(r, "amount"), str(r, "status"), num(r, "created")};
}

class StripeGateway : public PaymentGateway {
 public:
  StripeGateway(Sqlite& db, HttpClient& http, const Config& config)
      : db_(db),
        http_(http),
        secret_(config.stripe_secret_key),
        api_base_(config.stripe_api_base),
        return_url_(config.public_url + "/checkout/return"),
        timeout_ms_(config.gateway_timeout_ms > 0 ? config.gateway_timeout_ms : 3000) {
    while (!api_base_.empty() && api_base_.back() == '/') api_base_.pop_back();
  }

  std::string name() const override { return "stripe"; }
  bool takes_card_numbers() const override { return false; }

  Result<CardToken> tokenize(const CardInput&, const std::string&) override {
    return Status(Kind::invalid, "card_numbers_not_accepted",
                  "this shop takes cards through Stripe; card numbers are not accepted");
  }
  std::optional<CardToken> token_info(const std::string& token) override;
  Result<GatewayCharge> authorize(const std::string& key, const PaymentSource& source, Cents amount,
                                  const std::string& currency, bool capture) override;
  Result<GatewayCharge> capture(const std::string& key, const std::string& charge_id, Cents amount) override;
  Result<GatewayCharge> void_charge(const std::string& charge_id) override;
  Result<GatewayRefund> refund(const std::string& key, const std::string& charge_id, Cents amount) override;
  Result<std::optional<GatewayCharge>> lookup(const std::string& key) override;
  std::optional<GatewayCharge> charge(const std::string& charge_id) override;
  std::vector<GatewayRefund> refunds(const std::string& charge_id) override;

 private:
  // One API call: the object on a 2xx, else the mapped Status.
  Result<json> call(const std::string& method, const std::string& path, const Form& form,
                    const std::string& idempotency_key);
  Result<json> get_intent(const std::string& pi) {
    return call("GET", "/v1/payment_intents/" + pi + "?expand%5B%5D=payment_method", {}, "");
  }
  Result<std::vector<GatewayRefund>> list_refunds(const std::string& pi);
  // The PaymentIntent as a charge, its refunds summed when it was captured.
  Result<GatewayCharge> with_refunds(const json& pi, const std::string& key);
  Result<GatewayCharge> confirm(const std::string& key, const StripeIntentRow& row);
  // Stored PaymentIntent of the key; nullopt none; an error "cannot tell".
  Result<std::optional<StripeIntentRow>> stored(const std::string& key);

  Sqlite& db_;
  HttpClient& http_;
  const std::string secret_;
  std::string api_base_;
  const std::string return_url_;
  const int timeout_ms_;
};

Result<json> StripeGateway::call(const std::string& method, const std::string& path, const Form& form,
                                 const std::string& idempotency_key) {
  OutboundRequest req;
  req.method = method;
  req.url = api_base_ + path;
  req.headers = {{"Authorization", "Bearer " + secret_}, {"Stripe-Version", kStripeApiVersion}};
  if (!idempotency_key.empty()) req.headers.emplace_back("Idempotency-Key", idempotency_key);
  if (method == "POST") {
    req.body = form_encode(form);
    req.content_type = "application/x-www-form-urlencoded";
  }
  req.connect_timeout_ms = std::min(timeout_ms_, 3000);
  req.read_timeout_ms = timeout_ms_;
  req.total_timeout_ms = timeout_ms_;
  auto res = http_.send(req);
  if (!res.ok()) {
    const std::string& why = res.status().message();
    if (why.rfind("timed out", 0) == 0)
      return Status(Kind::unavailable, "gateway_timeout", "the payment gateway timed out (retryable)");
    if (res.status().code() == "invalid_url")
      return Status::Internal("[payments] stripe_api_base is not an http(s) URL");
    return unavailable(why);
  }
  auto parsed = parse_json_text(res->body);
  bool is_object = parsed.ok() && parsed->is_object();
  if (res->status >= 200 && res->status < 300) {
    if (!is_object)
      return unavailable("Stripe answered HTTP " + std::to_string(res->status) + " without a JSON object");
    return std::move(*parsed);
  }
  return error_of(res->status, is_object ? *parsed : json::object());
}

Result<std::optional<StripeIntentRow>> StripeGateway::stored(const std::string& key) {
  std::optional<StripeIntentRow> row;
  Status st = db_.read([&](Connection& c) {
    row = stripe_store::intent_by_key(c, key);
    return Status::Ok();
  });
  if (!st.ok()) return unavailable("reading the stored PaymentIntent: " + st.message());
  return row;
}

Result<std::vector<GatewayRefund>> StripeGateway::list_refunds(const std::string& pi) {
  auto list = call("GET", "/v1/refunds?limit=100&payment_intent=" + form_escape(pi), {}, "");
  if (!list.ok()) return list.status();
  std::vector<GatewayRefund> out;
  auto data = list->find("data");
  if (data != list->end() && data->is_array())
    for (const auto& r : *data)
      if (r.is_object()) out.push_back(refund_of(r));
  std::reverse(out.begin(), out.end());  // Stripe lists newest first; gateway.h oldest first
  return out;
}

Result<GatewayCharge> StripeGateway::with_refunds(const json& pi, const std::string& key) {
  Cents refunded = 0;
  if (str(pi, "status") == "succeeded") {
    auto list = list_refunds(str(pi, "id"));
    if (!list.ok()) return list.status();
    for (const auto& r : *list)
      if (r.status == "succeeded" || r.status == "pending") refunded += r.amount;
  }
  return charge_of(pi, key, refunded);
}

std::optional<CardToken> StripeGateway::token_info(const std::string& token) {
  if (!id_ok(token, "pm_")) return std::nullopt;
  auto pm = call("GET", "/v1/payment_methods/" + token, {}, "");
  if (!pm.ok()) {
    // Unknown reads as unknown (checkout refuses the token); the log says why.
    if (pm.status().kind() != Kind::not_found && pm.status().code() != "invalid_card")
      log_if_failed(pm.status(), "stripe: reading a payment method");
    return std::nullopt;
  }
  const json& card = obj(*pm, "card");
  CardToken t;
  t.token = token;
  t.brand = str(card, "brand");
  t.last4 = str(card, "last4");
  t.exp_month = static_cast<int>(num(card, "exp_month"));
  t.exp_year = static_cast<int>(num(card, "exp_year"));
  t.owner = kAnyOwner;
  if (t.brand.empty()) t.brand = "unknown";
  return t;
}

Result<GatewayCharge> StripeGateway::authorize(const std::string& key, const PaymentSource& src, Cents amount,
                                               const std::string& currency, bool capture) {
  if (key.empty() || key.size() > 200) return Status::Invalid("idempotency key is required (max 200 chars)");
  if (amount <= 0 || amount > kMaxCents) return Status::Invalid("amount must be positive");
  if (src.type != "card")
    return Status(Kind::invalid, "invalid_payment_method", "this shop takes cards through Stripe only",
                  {{"field", "payment_method"}});
  if (!id_ok(src.token, "pm_"))
    return Status(Kind::invalid, "invalid_card", "the payment method must be a Stripe payment method id (pm_...)",
                  {{"field", "payment_method"}});
  auto prev = stored(key);
  if (!prev.ok()) return prev.status();  // cannot tell whether it was made: never make a second
  StripeIntentRow row;
  if (*prev) {
    row = **prev;
    if (row.amount != amount || lower(row.currency) != lower(currency))
      return Status::Conflict("idempotency_key_reused", "the payment was already tried with other details");
  } else {
    Form form = {{"amount", std::to_string(amount)},
                 {"currency", lower(currency)},
                 {"payment_method", src.token},
                 {"payment_method_types[]", "card"},
                 {"capture_method", capture ? "automatic" : "manual"},
                 {"confirm", "false"},
                 {"metadata[shopbox_key]", key}};
    auto pi = call("POST", "/v1/payment_intents", form, key + ":create");
    if (!pi.ok()) return pi.status();
    if (!id_ok(str(*pi, "id"), "pi_")) return unavailable("Stripe answered a PaymentIntent without an id");
    row = {key, str(*pi, "id"), amount, currency, capture ? "automatic" : "manual", now_seconds()};
    // Stored before confirming: lookup(key) must find every PaymentIntent
    // that may have charged. If this write fails nothing was confirmed.
    Status st = db_.write([&](Connection& c) {
      row = stripe_store::insert_intent(c, row);
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  return confirm(key, row);
}

Result<GatewayCharge> StripeGateway::confirm(const std::string& key, const StripeIntentRow& row) {
  // use_stripe_sdk: Stripe.js (handleNextAction) runs a 3-D Secure challenge
  // in the page; return_url: where a redirecting method comes back to.
  Form form = {{"use_stripe_sdk", "true"}, {"return_url", return_url_}, {"expand[]", "payment_method"}};
  auto pi = call("POST", "/v1/payment_intents/" + row.payment_intent + "/confirm", form, key + ":confirm");
  if (!pi.ok() && pi.status().code() == "payment_intent_unexpected_state") {
    // Confirmed before (and the idempotency key expired at Stripe): where it stands.
    pi = get_intent(row.payment_intent);
  }
  if (!pi.ok()) return pi.status();
  GatewayCharge ch = charge_of(*pi, key, 0);
  if (ch.status == "failed") {
    const json& err = obj(*pi, "last_payment_error");
    return decline(str(err, "decline_code"), str(err, "message"));
  }
  if (ch.status == "voided")
    return Status::Conflict("payment_canceled", "this payment was cancelled at Stripe; start a new checkout");
  if (ch.status.empty()) return unavailable("the PaymentIntent was not confirmed (" + str(*pi, "status") + ")");
  return ch;
}

Result<GatewayCharge> StripeGateway::capture(const std::string& key, const std::string& charge_id, Cents amount) {
  if (!id_ok(charge_id, "pi_")) return Status::NotFound("charge not found");
  if (amount <= 0) return Status::Invalid("capture amount must be 0 < amount <= authorized");
  Form form = {{"amount_to_capture", std::to_string(amount)}, {"expand[]", "payment_method"}};
  auto pi = call("POST", "/v1/payment_intents/" + charge_id + "/capture", form, key);
  if (!pi.ok()) {
    if (pi.status().code() == "payment_intent_unexpected_state")
      return Status::Conflict("charge_not_capturable", pi.status().message());
    return pi.status();
  }
  return charge_of(*pi, key, 0);  // just captured: nothing refunded yet
}

Result<GatewayCharge> StripeGateway::void_charge(const std::string& charge_id) {
  if (!id_ok(charge_id, "pi_")) return Status::NotFound("charge not found");
  auto pi = call("POST", "/v1/payment_intents/" + charge_id + "/cancel", {{"expand[]", "payment_method"}},
                 "void:" + charge_id);
  if (!pi.ok() && pi.status().code() == "payment_intent_unexpected_state") {
    auto now = get_intent(charge_id);
    if (!now.ok()) return now.status();
    if (str(*now, "status") != "canceled") return Status::Conflict("charge_not_voidable", pi.status().message());
    pi = std::move(now);  // voided before: the same answer
  }
  if (!pi.ok()) return pi.status();
  GatewayCharge ch = charge_of(*pi, "", 0);
  ch.status = "voided";
  return ch;
}

Result<GatewayRefund> StripeGateway::refund(const std::string& key, const std::string& charge_id, Cents amount) {
  if (key.empty() || key.size() > 200) return Status::Invalid("idempotency key is required (max 200 chars)");
  if (!id_ok(charge_id, "pi_")) return Status::NotFound("charge not found");
  if (amount <= 0) return Status::Invalid("refund amount must be positive");
  Form form = {{"payment_intent", charge_id}, {"amount", std::to_string(amount)}};
  auto r = call("POST", "/v1/refunds", form, key);
  if (!r.ok()) {
    const Status& st = r.status();
    std::string code = st.details().value("stripe_code", "");
    if (code == "charge_already_refunded" || code == "amount_too_large" ||
        (st.kind() == Kind::invalid && st.message().find("greater than") != std::string::npos))
      return Status::Conflict("refund_exceeds_captured", "refund would exceed the captured amount");
    if (code == "payment_intent_unexpected_state" || code == "charge_not_captured")
      return Status::Conflict("charge_not_captured", "nothing was captured on this charge");
    return st;
  }
  return refund_of(*r);
}

Result<std::optional<GatewayCharge>> StripeGateway::lookup(const std::string& key) {
  auto row = stored(key);
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<GatewayCharge>();  // never confirmed: confirm comes only after the row
  const std::string pi_id = (*row)->payment_intent;
  auto pi = get_intent(pi_id);
  if (!pi.ok()) return pi.status().kind() == Kind::unavailable ? pi.status() : unavailable(pi.status().message());
  if (str(*pi, "status") == "requires_confirmation" || status_of(*pi).empty()) {
    if (str(*pi, "status") == "canceled") return std::optional<GatewayCharge>();
    // Created, never confirmed (a crash between the steps): cancel it so
    // the "none" answered here stays true.
    auto cancelled = call("POST", "/v1/payment_intents/" + pi_id + "/cancel", {{"cancellation_reason", "abandoned"}},
                          "void:" + pi_id);
    if (cancelled.ok()) return std::optional<GatewayCharge>();
    if (cancelled.status().code() != "payment_intent_unexpected_state") return cancelled.status();
    pi = get_intent(pi_id);  // a confirm landed meanwhile: read where it stands
    if (!pi.ok()) return pi.status();
  }
  auto ch = with_refunds(*pi, key);
  if (!ch.ok()) return ch.status();
  return std::optional<GatewayCharge>(*ch);
}

std::optional<GatewayCharge> StripeGateway::charge(const std::string& charge_id) {
  if (!id_ok(charge_id, "pi_")) return std::nullopt;
  auto pi = get_intent(charge_id);
  if (!pi.ok()) {
    log_if_failed(pi.status(), "stripe: reading a PaymentIntent");
    return std::nullopt;
  }
  auto ch = with_refunds(*pi, "");
  if (!ch.ok()) {
    log_if_failed(ch.status(), "stripe: reading a PaymentIntent's refunds");
    return std::nullopt;
  }
  if (ch->status.empty())  // cancelled before any attempt, or not yet confirmed
    ch->status = str(*pi, "status") == "canceled" ? "voided" : "requires_action";
  return *ch;
}

std::vector<GatewayRefund> StripeGateway::refunds(const std::string& charge_id) {
  if (!id_ok(charge_id, "pi_")) return {};
  auto list = list_refunds(charge_id);
  if (!list.ok()) {
    log_if_failed(list.status(), "stripe: listing refunds");
    return {};
  }
  return *list;
}

}  // namespace stripe_gw

std::unique_ptr<PaymentGateway> make_stripe_gateway(Sqlite& db, HttpClient& http, const Config& config) {
  return std::make_unique<stripe_gw::StripeGateway>(db, http, config);
}

}  // namespace shopbox
