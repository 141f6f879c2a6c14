#include "payments/test_gateway.h"

#include <chrono>
#include <ctime>
#include <thread>

#include "base/clock.h"
#include "base/crypto.h"
#include "storage/rows.h"

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

GatewayCharge read_charge(Statement& st) {
  Columns row(st);
  GatewayCharge c;
  c.charge_id = row.text();
  c.idempotency_key = row.text();
  c.amount = row.int64();
  c.captured = row.int64();
  c.refunded = row.int64();
  c.currency = row.text();
  c.status = row.text();
  c.failure_code = row.text();
  c.method_type = row.text();
  c.brand = row.text();
  c.last4 = row.text();
  c.created_at = row.int64();
  row.done();
  return c;
}

std::optional<GatewayCharge> charge_by(Connection& c, const char* sql, const std::string& v) {
  auto st = c.prepare(sql);
  st.bind(1, v);
  if (st.step()) return read_charge(st);
  return std::nullopt;
}

const char* kByKey =
    "SELECT charge_id, idempotency_key, amount, captured, refunded, currency, status, failure_code, method_type, "
    "brand, last4, created_at FROM gw_charges WHERE idempotency_key = ?";
const char* kById =
    "SELECT charge_id, idempotency_key, amount, captured, refunded, currency, status, failure_code, method_type, "
    "brand, last4, created_at FROM gw_charges WHERE charge_id = ?";

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
    c.prepare(
         "INSERT INTO gw_tokens(token, brand, last4, exp_month, exp_year, behaviour, created_at, owner) "
         "VALUES (?,?,?,?,?,?,?,?)")
        .bind(1, tok.token)
        .bind(2, tok.brand)
        .bind(3, tok.last4)
        .bind(4, tok.exp_month)
        .bind(5, tok.exp_year)
        .bind(6, behaviour)
        .bind(7, now_seconds())
        .bind(8, owner)
        .exec();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return tok;
}

std::optional<CardToken> TestGateway::token_info(const std::string& token) {
  std::optional<CardToken> out;
  // Unreadable reads as unknown: checkout then refuses the token (400).
  log_if_failed(db_.read([&](Connection& c) {
    auto st = c.prepare("SELECT token, brand, last4, exp_month, exp_year, owner FROM gw_tokens WHERE token = ?");
    st.bind(1, token);
    if (st.step())
      out = CardToken{st.text(0), st.text(1), st.text(2), static_cast<int>(st.int64(3)), static_cast<int>(st.int64(4)),
                      st.text(5)};
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
      auto st = c.prepare("SELECT behaviour, brand, last4, exp_month, exp_year FROM gw_tokens WHERE token = ?");
      st.bind(1, src.token);
      if (st.step()) {
        found = true;
        behaviour = st.text(0);
        brand = st.text(1);
        last4 = st.text(2);
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
    existing = charge_by(c, kByKey, key);  // a concurrent call with the same key won
    if (existing) return Status::Ok();
    c.prepare(
         "INSERT INTO gw_charges(charge_id, idempotency_key, source_type, token, wallet, amount, captured, "
         "refunded, currency, status, failure_code, method_type, brand, last4, created_at, updated_at) "
         "VALUES (?,?,?,?,?,?,?,0,?,?,?,?,?,?,?,?)")
        .bind(1, ch.charge_id)
        .bind(2, key)
        .bind(3, src.type)
        .bind(4, src.token)
        .bind(5, src.wallet)
        .bind(6, amount)
        .bind(7, ch.captured)
        .bind(8, currency)
        .bind(9, ch.status)
        .bind(10, ch.failure_code)
        .bind(11, ch.method_type)
        .bind(12, brand)
        .bind(13, last4)
        .bind(14, ch.created_at)
        .bind(15, ch.created_at)
        .exec();
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
    auto ch = charge_by(c, kById, charge_id);
    if (!ch) return Status::NotFound("charge not found");
    auto prev = c.prepare("SELECT capture_key FROM gw_charges WHERE charge_id = ?");
    prev.bind(1, charge_id);
    std::string prev_key = prev.step() ? prev.text(0) : "";
    if (ch->status == "captured" && prev_key == key) {  // repeated capture
      out = *ch;
      return Status::Ok();
    }
    if (ch->status != "authorized") return Status::Conflict("charge_not_capturable", "charge is " + ch->status);
    if (amount <= 0 || amount > ch->amount) return Status::Invalid("capture amount must be 0 < amount <= authorized");
    c.prepare(
         "UPDATE gw_charges SET status = 'captured', captured = ?, capture_key = ?, updated_at = ? WHERE charge_id = ?")
        .bind(1, amount)
        .bind(2, key)
        .bind(3, now_seconds())
        .bind(4, charge_id)
        .exec();
    out = *charge_by(c, kById, charge_id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<GatewayCharge> TestGateway::void_charge(const std::string& charge_id) {
  GatewayCharge out;
  Status st = db_.write([&](Connection& c) {
    auto ch = charge_by(c, kById, charge_id);
    if (!ch) return Status::NotFound("charge not found");
    if (ch->status == "voided") {
      out = *ch;
      return Status::Ok();
    }
    if (ch->status != "authorized") return Status::Conflict("charge_not_voidable", "charge is " + ch->status);
    c.prepare("UPDATE gw_charges SET status = 'voided', updated_at = ? WHERE charge_id = ?")
        .bind(1, now_seconds())
        .bind(2, charge_id)
        .exec();
    out = *charge_by(c, kById, charge_id);
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
    auto prev =
        c.prepare("SELECT refund_id, charge_id, amount, status, created_at FROM gw_refunds WHERE idempotency_key = ?");
    prev.bind(1, key);
    if (prev.step()) {
      out = {prev.text(0), prev.text(1), prev.int64(2), prev.text(3), prev.int64(4)};
      return Status::Ok();
    }
    auto ch = charge_by(c, kById, charge_id);
    if (!ch) return Status::NotFound("charge not found");
    if (ch->captured <= 0) return Status::Conflict("charge_not_captured", "nothing was captured on this charge");
    if (amount <= 0) return Status::Invalid("refund amount must be positive");
    if (ch->refunded + amount > ch->captured)
      return Status::Conflict("refund_exceeds_captured", "refund would exceed the captured amount",
                              {{"captured", cents_to_json(ch->captured)}, {"refunded", cents_to_json(ch->refunded)}});
    int64_t now = now_seconds();
    out = {"re_" + random_hex(12), charge_id, amount, "succeeded", now};
    c.prepare(
         "INSERT INTO gw_refunds(refund_id, charge_id, idempotency_key, amount, status, created_at) VALUES "
         "(?,?,?,?,?,?)")
        .bind(1, out.refund_id)
        .bind(2, charge_id)
        .bind(3, key)
        .bind(4, amount)
        .bind(5, out.status)
        .bind(6, now)
        .exec();
    Cents refunded = ch->refunded + amount;
    c.prepare("UPDATE gw_charges SET refunded = ?, status = ?, updated_at = ? WHERE charge_id = ?")
        .bind(1, refunded)
        .bind(2, refunded == ch->captured ? "refunded" : "partially_refunded")
        .bind(3, now)
        .bind(4, charge_id)
        .exec();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::optional<GatewayCharge>> TestGateway::lookup(const std::string& key) {
  std::optional<GatewayCharge> out;
  Status st = db_.read([&](Connection& c) {
    out = charge_by(c, kByKey, key);
    return Status::Ok();
  });
  if (!st.ok())
    return Status(Kind::unavailable, "gateway_error", "the payment gateway did not answer: " + st.message());
  return out;
}

std::optional<GatewayCharge> TestGateway::charge(const std::string& id) {
  std::optional<GatewayCharge> out;
  log_if_failed(db_.read([&](Connection& c) {
    out = charge_by(c, kById, id);
    return Status::Ok();
  }),
                "test gateway: reading a charge");
  return out;
}

std::vector<GatewayRefund> TestGateway::refunds(const std::string& charge_id) {
  std::vector<GatewayRefund> out;
  log_if_failed(db_.read([&](Connection& c) {
    auto st = c.prepare(
        "SELECT refund_id, charge_id, amount, status, created_at FROM gw_refunds WHERE charge_id = ? ORDER BY "
        "created_at, refund_id");
    st.bind(1, charge_id);
    while (st.step()) out.push_back({st.text(0), st.text(1), st.int64(2), st.text(3), st.int64(4)});
    return Status::Ok();
  }),
                "test gateway: reading a charge's refunds");
  return out;
}

}  // namespace shopbox
