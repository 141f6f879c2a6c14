#include "checkout/shopper_input.h"

#include "users/addresses.h"
#include "users/payment_methods.h"

namespace shopbox {
using json = nlohmann::json;

Result<json> resolve_address(Addresses& addresses, int64_t user_id, const AddressChoice& choice,
                             const std::string& id_field) {
  if (!choice.saved_id) return choice.given;
  auto a = addresses.get(user_id, *choice.saved_id);
  if (!a.ok()) {
    if (a.status().kind() != Kind::not_found) return a.status();  // a database error is not "no such address"
    return Status(Kind::invalid, "invalid_address", id_field + ": no such address", {{"field", id_field}});
  }
  return address_snapshot(*a);
}

Result<PreparedPayment> prepare_payment(PaymentMethods& methods, PaymentGateway& gateway, int64_t user_id,
                                        const std::string& owner, const PaymentChoice& choice) {
  PreparedPayment p;
  std::string token;
  using Source = PaymentChoice::Source;
  switch (choice.source) {
    case Source::saved: {
      auto m = methods.get(user_id, choice.saved_id);
      if (!m.ok()) {
        if (m.status().kind() != Kind::not_found) return m.status();
        return Status(Kind::invalid, "invalid_payment_method", "payment_method_id: no such payment method",
                      {{"field", "payment_method_id"}});
      }
      if (m->type == "wallet") {
        p.source.type = "wallet";
        p.source.wallet = m->token.empty() ? m->brand : m->token;
      } else {
        token = m->token;
      }
      break;
    }
    case Source::card: {
      auto tok = gateway.tokenize(choice.card, owner);
      if (!tok.ok()) return tok.status();
      token = tok->token;
      break;
    }
    case Source::token:
      token = choice.token;
      break;
    case Source::wallet:
      p.source.type = "wallet";
      p.source.wallet = choice.wallet;
      break;
  }
  if (p.source.type == "wallet") {
    p.summary = {{"type", "wallet"}, {"wallet", p.source.wallet}};
    return p;
  }
  // A token the request names is charged only for the user it was made for.
  // Saved cards are the caller's own rows (read above); tokens made here are.
  auto info = gateway.token_info(token);
  if (!info || (choice.source == Source::token && info->owner != kAnyOwner && info->owner != owner))
    return Status(Kind::invalid, "invalid_card", "unknown card token", {{"field", "payment_method"}});
  p.source.type = "card";
  p.source.token = token;
  p.summary = {{"type", "card"},
               {"brand", info->brand},
               {"last4", info->last4},
               {"exp_month", info->exp_month},
               {"exp_year", info->exp_year}};
  p.card_fingerprint =
      info->brand + ":" + info->last4 + ":" + std::to_string(info->exp_month) + "/" + std::to_string(info->exp_year);
  return p;
}

}  // namespace shopbox
