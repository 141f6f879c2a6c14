#include "users/payment_methods.h"

#include "base/clock.h"
#include "payments/gateway.h"

namespace shopbox {

nlohmann::json payment_method_json(const PaymentMethod& p) {
  return {{"payment_method_id", std::to_string(p.id)},
          {"type", p.type},
          {"brand", p.brand},
          {"last_four", p.last_four},
          {"exp_month", p.exp_month},
          {"exp_year", p.exp_year},
          {"is_default", p.is_default},
          {"created_at", iso8601(p.created_at)}};
}

std::vector<PaymentMethod> PaymentMethods::list(int64_t user_id) {
  std::vector<PaymentMethod> out;
  log_if_failed(db_.read([&](Connection& c) {
    out = user_store::list_payment_methods(c, user_id);
    return Status::Ok();
  }),
                "payment methods: list (read as empty)");
  return out;
}

Result<PaymentMethod> PaymentMethods::get(int64_t user_id, int64_t id) {
  std::optional<PaymentMethod> p;
  Status read2 = db_.read([&](Connection& c) {
    p = user_store::get_payment_method(c, user_id, id);
    return Status::Ok();
  });
  if (!read2.ok()) return read2;
  if (!p) return Status::NotFound("payment method not found");
  return *p;
}

Result<PaymentMethod> PaymentMethods::add(int64_t user_id, const CardInput& card, bool make_default) {
  // Check the limit before asking the gateway for a token we would not keep.
  int64_t count = 0;
  Status read = db_.read([&](Connection& c) {
    count = user_store::count_payment_methods(c, user_id);
    return Status::Ok();
  });
  if (!read.ok()) return read;
  if (count >= kMax)
    return Status::Conflict("limit_reached", "at most " + std::to_string(kMax) + " saved cards per account");
  auto tok = gateway_.tokenize(card, card_owner(user_id));
  if (!tok.ok()) return tok.status();
  PaymentMethod p;
  p.user_id = user_id;
  p.type = "card";
  p.token = tok->token;
  p.brand = tok->brand;
  p.last_four = tok->last4;
  p.exp_month = tok->exp_month;
  p.exp_year = tok->exp_year;
  p.created_at = now_seconds();
  Status st = db_.write([&](Connection& c) {
    if (user_store::count_payment_methods(c, user_id) >= kMax)
      return Status::Conflict("limit_reached", "at most " + std::to_string(kMax) + " saved cards per account");
    bool first = user_store::count_payment_methods(c, user_id) == 0;
    p.id = user_store::insert_payment_method(c, p);
    if (make_default || first) {
      user_store::set_default_payment_method(c, user_id, p.id);
      p.is_default = true;
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return p;
}

Result<PaymentMethod> PaymentMethods::set_default(int64_t user_id, int64_t id) {
  PaymentMethod out;
  Status st = db_.write([&](Connection& c) {
    if (!user_store::get_payment_method(c, user_id, id)) return Status::NotFound("payment method not found");
    user_store::set_default_payment_method(c, user_id, id);
    out = *user_store::get_payment_method(c, user_id, id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Status PaymentMethods::remove(int64_t user_id, int64_t id) {
  return db_.write([&](Connection& c) {
    if (!user_store::delete_payment_method(c, user_id, id)) return Status::NotFound("payment method not found");
    return Status::Ok();
  });
}

}  // namespace shopbox
