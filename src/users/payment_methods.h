// A user's saved cards (/api/v1/me/payment-methods).
//
// A raw card sent to add() goes straight to the payment gateway's
// tokenize(); only the gateway's token, the brand, the last four digits and
// the expiry are stored. The number is never written to storage or logs
// and never echoed in a response or an error message.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/sqlite.h"
#include "users/user_store.h"

namespace shopbox {

class PaymentGateway;
struct CardInput;

class PaymentMethods {
 public:
  PaymentMethods(Sqlite& db, PaymentGateway& gateway) : db_(db), gateway_(gateway) {}

  std::vector<PaymentMethod> list(int64_t user_id);
  Result<PaymentMethod> get(int64_t user_id, int64_t payment_method_id);
  // Tokenizes and saves; the first card becomes the default. 400
  // invalid_card for a bad card, 409 limit_reached past kMax.
  Result<PaymentMethod> add(int64_t user_id, const CardInput& card, bool make_default);
  Result<PaymentMethod> set_default(int64_t user_id, int64_t payment_method_id);
  Status remove(int64_t user_id, int64_t payment_method_id);

  static constexpr int64_t kMax = 20;

 private:
  Sqlite& db_;
  PaymentGateway& gateway_;
};

nlohmann::json payment_method_json(const PaymentMethod& p);

}  // namespace shopbox
