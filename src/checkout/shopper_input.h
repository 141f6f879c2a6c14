// What a shopper chose at checkout, and the one place it is resolved: where
// the order ships and is billed, and how it is paid. Checkout and flash-sale
// checkout both call these, so a saved address, an inline address, a saved
// card, a new card, a token and a wallet mean the same thing in both.
//
// The HTTP layer reads the choices from the request body
// (http/checkout_body.h); resolving them needs the user's saved rows and
// the gateway, so it happens here. Nothing here keeps state.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/status.h"
#include "payments/gateway.h"

namespace shopbox {

class Addresses;
class PaymentMethods;

// One of the caller's saved addresses, or one given inline (already checked
// by inline_address_from_json). Neither: no address was given.
struct AddressChoice {
  std::optional<int64_t> saved_id;
  nlohmann::json given;  // the checked inline snapshot, or null
  bool empty() const { return !saved_id && given.is_null(); }
};

struct PaymentChoice {
  enum class Source { saved, card, token, wallet };
  Source source = Source::card;
  int64_t saved_id = 0;  // saved: one of the caller's payment methods
  CardInput card;        // card: tokenized at checkout, the number stops there
  std::string token;     // token: made earlier for this user (POST /payments/tokenize)
  std::string wallet;    // wallet: its name, e.g. "test_wallet"
};

// A payment choice made ready to charge.
struct PreparedPayment {
  PaymentSource source;          // what the gateway charges
  nlohmann::json summary;        // the order's payment_method: type and brand, last4, expiry (never the number)
  std::string card_fingerprint;  // "brand:last4:mm/yyyy" for the per-card velocity rule; "" for wallets
  bool is_card() const { return source.type == "card"; }
};

// The order's snapshot of the chosen address. A saved id the caller does not
// own is 400 invalid_address naming `id_field`; a read that fails is that
// failure (never "no such address").
[[nodiscard]] Result<nlohmann::json> resolve_address(Addresses& addresses, int64_t user_id, const AddressChoice& choice,
                                                     const std::string& id_field);

// Tokenizes a new card (for the caller), checks a token belongs to the
// caller (another user's token is 400 invalid_card, "unknown": its
// existence is not confirmed), and reads a saved method (400
// invalid_payment_method when it is not the caller's).
// `owner` is who a new token is made for and whose tokens may be named
// (gateway.h: "user:<id>", a guest's "guest:<hash>"); tokens the gateway
// does not bind to anyone (kAnyOwner) pass.
[[nodiscard]] Result<PreparedPayment> prepare_payment(PaymentMethods& methods, PaymentGateway& gateway, int64_t user_id,
                                                      const std::string& owner, const PaymentChoice& choice);

}  // namespace shopbox
