#include "payments/test_gateway.h"

#include <chrono>
#include <ctime>
#include <thread>

#include "base/clock.h"
#include "base/crypto.h"
#include "payments/test_gateway_store.h"

namespace shopbox {

bool luhn_valid(const std::string& d) {
  if (d.empty()) return false;
  int sum = 0;
  bool dbl = false;
  for (auto it = d.rbegin(); it != d.rend(); ++it) {
    if (*it < '0' || *it > '9') return false;
    int v = *it - '0';
    if (dbl) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

std::string card_brand(const std::string& d) {
  auto pre = [&](size_t n) { return d.size() >= n ? std::stoi(d.substr(0, n)) : -1; };
  if (d.empty()) return "unknown";
  if (d[0] == '4') return "visa";
  int p2 = pre(2), p4 = pre(4), p6 = pre(6), p3 = pre(3);
  if ((p2 >= 51 && p2 <= 55) || (p6 >= 222100 && p6 <= 272099)) return "mastercard";
  if (p2 == 34 || p2 == 37) return "amex";
  if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649)) return "discover";
  if (p4 >= 3528 && p4 <= 3589) return "jcb";
  if (p2 == 36 || p2 == 38 || (p3 >= 300 && p3 <= 305)) return "diners";
  return "unknown";
}

namespace {

Status invalid_card(const std::string& message, const std::string& field) {
  return Status(Kind::invalid, "invalid_card", message, {{"field", field}});
}

// What the processor does with a card, decided once at tokenization.
std::string behaviour_of(const std::string& number) {
  if (number == "4000000000000002") return "card_declined";
  if (number == "4000000000009995") return "insufficient_funds";
  if (number == "4000000000000119") return "gateway_error";
  return "approve";
}

Status decline_status(const std::string& code) {
  std::string msg = code == "insufficient_funds" ? "the card has insufficient funds" : "the card was declined";
  return Status(Kind::payment_failed, code, msg, {{"decline_code", code}});
}

}  // namespace

bool TestGateway::simulate_latency() {
  int ms = latency_ms_.load();
  if (ms <= 0) return false;
  if (timeout_ms_ > 0 && ms >= timeout_ms_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms_));
    return true;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return false;
}

Result<CardToken> TestGateway::tokenize(const CardInput& in, const std::string& owner) {
  std::string digits;
  for (char ch : in.number) {
    if (ch == ' ' || ch == '-') continue;
    if (ch < '0' || ch > '9') return invalid_card("card_number must contain only digits", "card_number");
    digits.push_back(ch);
  }
  if (digits.size() < 12 || digits.size() > 19)
    return invalid_card("card_number must have 12 to 19 digits", "card_number");
  if (!luhn_valid(digits)) return invalid_card("card_number is not a valid card number", "card_number");
  int year = in.exp_year < 100 ? in.exp_year + 2000 : in.exp_year;
  if (in.exp_month < 1 || in.exp_month > 12) return invalid_card("exp_month must be 1..12", "exp_month");
  if (year < 2000 || year > 2200) return invalid_card("exp_year is not a valid year", "exp_year");
  std::time_t t = static_cast<std::time_t>(now_seconds());
  std::tm tm{};
  gmtime_r(&t, &tm);
  int cur_year = tm.tm_year + 1900, cur_month = tm.tm_mon + 1;
  if (year < cur_year || (year == cur_year && in.exp_month < cur_month))
    return invalid_card("the card has expired", "exp_year");
  std::string brand = card_brand(digits);
  size_t cvc_len = brand == "amex" ? 4 : 3;
  if (in.cvc.size() != cvc_len || in.cvc.find_first_not_of("0123456789") != std::string::npos)
    return invalid_card("cvc must be " + std::to_string(cvc_len) + " digits", "cvc");

  CardToken tok{"tok_" + random_hex(12), brand, digits.substr(digits.size() - 4), in.exp_month, year, owner};
  std::string behaviour = behaviour_of(digits);
  digits.assign(digits.size(), '0');  // the raw number goes no further
  // Deferred durability: a token matters only once a charge made with it is
  // stored, and that later synced commit makes this one durable too.
  Status st = db_.write_deferred([&](Connection& c) {
    test_gateway_store::insert_token(c, tok, behaviour, now_seconds());
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return tok;
}

std::optional<CardToken> TestGateway::token_info(const std::string& token) {
  std::optional<CardToken> out;
  // Unreadable reads as unknown: checkout then refuses the token (400).
  log_if_failed(db_.read([&](Connection& c) {
    out = test_gateway_store::token(c, token);
    return Status::Ok();
  }),
                "test gateway: reading a card token");
  return out;
}

Result<GatewayCharge> TestGateway::authorize(const std::string& key, const PaymentSource& src, Cents amount,
                                             const std::string& currency, bool capture) {
  if (key.empty() || key.size() > 200) return Status::Invalid("idempotency key is required (max 200 chars)");
  if (amount <= 0 || amount > kMaxCents) return Status::Invalid("amount must be positive");
  // A repeated key answers from the record, before any simulated delay.
  auto prev = lookup(key);
  if (!prev.ok()) return prev.status();  // cannot tell whether it was charged: never charge again
  if (*prev) {
    if ((*prev)->status == "failed") return decline_status((*prev)->failure_code);
    return **prev;
  }
  if (outage_) return Status(Kind::unavailable, "gateway_error", "the payment gateway failed (retryable)");
  bool timed_out = simulate_latency();

  std::string behaviour, brand, last4;
  if (src.type == "card") {
    bool found = false;
    Status read = db_.read([&](Connection& c) {
      if (auto card = test_gateway_store::card_of_token(c, src.token)) {
        found = true;
        behaviour = card->behaviour;
        brand = card->brand;
        last4 = card->last4;
      }
      return Status::Ok();
    });
    if (!read.ok()) return Status(Kind::unavailable, "gateway_error", "the payment gateway failed (retryable)");
    if (!found) return Status(Kind::invalid, "invalid_card", "unknown card token", {{"field", "payment_method"}});
  } else if (src.type == "wallet") {
    if (src.wallet == "test_wallet")
      behaviour = "approve";
    else if (src.wallet == "test_wallet_declined")
      behaviour = "card_declined";
    else
      return Status(Kind::invalid, "invalid_payment_method", "unknown wallet '" + src.wallet + "'",
                    {{"field", "wallet"}});
    brand = src.wallet;
  } else {
    return Status(Kind::invalid, "invalid_payment_method", "payment method type must be card or wallet");
  }
  if (behaviour == "gateway_error")
    return Status(Kind::unavailable, "gateway_error", "the payment gateway failed (retryable)");

  GatewayCharge ch;
  ch.charge_id = "ch_" + random_hex(12);
  ch.idempotency_key = key;
  ch.amount = amount;
  ch.currency = currency;
  ch.method_type = src.type;
  ch.brand = brand;
  ch.last4 = last4;
  ch.created_at = now_seconds();
  if (behaviour == "approve") {
    ch.status = capture ? "captured" : "authorized";
    ch.captured = capture ? amount : 0;
  } else {
    ch.status = "failed";
    ch.failure_code = behaviour;
  }
  std::optional<GatewayCharge> existing;
  Status st = db_.write([&](Connection& c) {
    existing = test_gateway_store::charge_by_key(c, key);  // a concurrent call with the same key won
    if (existing) return Status::Ok();
    test_gateway_store::insert_charge(c, ch, src);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (existing) ch = *existing;
  if (timed_out) return Status(Kind::unavailable, "gateway_timeout", "the payment gateway timed out (retryable)");
  if (ch.status == "failed") return decline_status(ch.failure_code);
  return ch;
}

Result<GatewayCharge> TestGateway::capture(const std::string& key, const std::string& charge_id, Cents amount) {
  if (outage_) return Status(Kind::unavailable, "gateway_error", "the payment gateway failed (retryable)");
  if (simulate_latency())
    return Status(Kind::unavailable, "gateway_timeout", "the payment gateway timed out (retryable)");
  GatewayCharge out;
  Status st = db_.write([&](Connection& c) {
    auto ch = test_gateway_store::charge_by_id(c, charge_id);
    if (!ch) return Status::NotFound("charge not found");
    std::string prev_key = test_gateway_store::capture_key(c, charge_id);
    if (ch->status == "captured" && prev_key == key) {  // repeated capture
      out = *ch;
      return Status::Ok();
    }
    if (ch->status != "authorized") return Status::Conflict("charge_not_capturable", "charge is " + ch->status);
    if (amount <= 0 || amount > ch->amount) return Status::Invalid("capture amount must be 0 < amount <= authorized");
    test_gateway_store::mark_captured(c, charge_id, amount, key, now_seconds());
    out = *test_gateway_store::charge_by_id(c, charge_id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<GatewayCharge> TestGateway::void_charge(const std::string& charge_id) {
  GatewayCharge out;
  Status st = db_.write([&](Connection& c) {
    auto ch = test_gateway_store::charge_by_id(c, charge_id);
    if (!ch) return Status::NotFound("charge not found");
    if (ch->status == "voided") {
      out = *ch;
      return Status::Ok();
    }
    if (ch->status != "authorized") return Status::Conflict("charge_not_voidable", "charge is " + ch->status);
    test_gateway_store::mark_voided(c, charge_id, now_seconds());
    out = *test_gateway_store::charge_by_id(c, charge_id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<GatewayRefund> TestGateway::refund(const std::string& key, const std::string& charge_id, Cents amount) {
  if (key.empty() || key.size() > 200) return Status::Invalid("idempotency key is required (max 200 chars)");
  if (outage_) return Status(Kind::unavailable, "gateway_error", "the payment gateway failed (retryable)");
  if (simulate_latency())
    return Status(Kind::unavailable, "gateway_timeout", "the payment gateway timed out (retryable)");
  GatewayRefund out;
  Status st = db_.write([&](Connection& c) {
    if (auto prev = test_gateway_store::refund_by_key(c, key)) {
      out = *prev;
      return Status::Ok();
    }
    auto ch = test_gateway_store::charge_by_id(c, charge_id);
    if (!ch) return Status::NotFound("charge not found");
    if (ch->captured <= 0) return Status::Conflict("charge_not_captured", "nothing was captured on this charge");
    if (amount <= 0) return Status::Invalid("refund amount must be positive");
    if (ch->refunded + amount > ch->captured)
      return Status::Conflict("refund_exceeds_captured", "refund would exceed the captured amount",
                              {{"captured", cents_to_json(ch->captured)}, {"refunded", cents_to_json(ch->refunded)}});
    int64_t now = now_seconds();
    out = {"re_" + random_hex(12), charge_id, amount, "succeeded", now};
    test_gateway_store::insert_refund(c, out, key);
    Cents refunded = ch->refunded + amount;
    test_gateway_store::set_refunded(c, charge_id, refunded,
                                     refunded == ch->captured ? "refunded" : "partially_refunded", now);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::optional<GatewayCharge>> TestGateway::lookup(const std::string& key) {
  std::optional<GatewayCharge> out;
  Status st = db_.read([&](Connection& c) {
    out = test_gateway_store::charge_by_key(c, key);
    return Status::Ok();
  });
  if (!st.ok())
    return Status(Kind::unavailable, "gateway_error", "the payment gateway did not answer: " + st.message());
  return out;
}

std::optional<GatewayCharge> TestGateway::charge(const std::string& id) {
  std::optional<GatewayCharge> out;
  log_if_failed(db_.read([&](Connection& c) {
    out = test_gateway_store::charge_by_id(c, id);
    return Status::Ok();
  }),
                "test gateway: reading a charge");
  return out;
}

std::vector<GatewayRefund> TestGateway::refunds(const std::string& charge_id) {
  std::vector<GatewayRefund> out;
  log_if_failed(db_.read([&](Connection& c) {
    out = test_gateway_store::refunds_of(c, charge_id);
    return Status::Ok();
  }),
                "test gateway: reading a charge's refunds");
  return out;
}

}  // namespace shopbox
