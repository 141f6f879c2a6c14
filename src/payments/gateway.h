// Payment gateways: one interface, the built-in `test` gateway behind it.
//
// Contract (BRIEF "Payments"):
//  * tokenize() turns a raw card into a token (`tok_...`) plus brand, last
//    four digits and expiry. The raw number goes no further than this call:
//    it is never stored or logged anywhere (only token, brand, last4, expiry).
//    Luhn-invalid numbers, bad expiry or CVC are 400 `invalid_card`.
//    A token belongs to the `owner` it was made for ("user:12"): checkout
//    charges a token only for its owner, so a token that leaks (a log, a
//    support ticket) is no use to anyone else.
//  * authorize / capture / refund each take an idempotency key: calling twice
//    with the same key performs the operation once and returns the first
//    result. authorize(..., capture = true) is a "sale" (authorize and capture
//    in one call).
//  * lookup(key) answers "was an authorization with key K made, and what is
//    its state?" so start-up recovery can tell a charge that happened before a
//    crash from one that never did.
//  * Declines are Kind::payment_failed (402) with code card_declined or
//    insufficient_funds; gateway errors and timeouts are Kind::unavailable
//    (503, retryable) with code gateway_error / gateway_timeout.
//  * The shopper may have to act before a charge completes (3-D Secure):
//    authorize() then succeeds with status "requires_action" and a
//    client_secret the storefront hands to the gateway's own script. The
//    charge completes later, at the gateway; charge(id) reads where it
//    stands (captured / authorized once the shopper passed, failed when
//    not). Checkout keeps such an order `pending_payment` until then.
//  * A gateway whose cards are collected by its own script in the browser
//    (Stripe Elements) never sees a card number: takes_card_numbers() is
//    false, tokenize() refuses (400 card_numbers_not_accepted), and the
//    storefront sends the gateway's payment-method id ("pm_...") as a token.
//    Such tokens are not bound to a shop user: token_info() answers owner
//    kAnyOwner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/money.h"
#include "base/status.h"

namespace shopbox {

struct CardInput {
  std::string number;  // digits; spaces and dashes are tolerated by tokenize()
  int exp_month = 0;
  int exp_year = 0;  // four digits (two-digit years are read as 20xx)
  std::string cvc;
};

struct CardToken {
  std::string token;  // "tok_<hex>"
  std::string brand;  // visa, mastercard, amex, discover, jcb, diners, unknown
  std::string last4;
  int exp_month = 0;
  int exp_year = 0;
  std::string owner;  // who it was made for, "user:<id>"; "" for tokens made before owners existed
};

// The owner of a token the gateway does not bind to a shop user (a Stripe
// payment method made by Stripe.js in the shopper's browser).
inline constexpr const char* kAnyOwner = "*";

// The owner string of a signed-in user's tokens.
inline std::string card_owner(int64_t user_id) {
  return "user:" + std::to_string(user_id);
}

// What a charge is made against: a tokenized card or a wallet.
struct PaymentSource {
  std::string type = "card";  // "card" | "wallet"
  std::string token;          // card token (type card)
  std::string wallet;         // wallet name, e.g. "test_wallet" (type wallet)
};

struct GatewayCharge {
  std::string charge_id;        // the gateway's id: "ch_<hex>"
  std::string idempotency_key;  // the key authorize() was called with
  Cents amount = 0;             // authorized
  Cents captured = 0;
  Cents refunded = 0;
  std::string currency;
  // authorized, captured, partially_refunded, refunded, voided, failed,
  // requires_action (the shopper must complete 3-D Secure; see above)
  std::string status;
  std::string client_secret;  // requires_action: what the gateway's browser script needs; never logged
  std::string failure_code;   // card_declined, insufficient_funds (status failed)
  std::string method_type;    // card | wallet
  std::string brand;
  std::string last4;
  int64_t created_at = 0;
};

struct GatewayRefund {
  std::string refund_id;  // "re_<hex>"
  std::string charge_id;
  Cents amount = 0;
  std::string status;  // succeeded
  int64_t created_at = 0;
};

class PaymentGateway {
 public:
  virtual ~PaymentGateway() = default;
  virtual std::string name() const = 0;
  // False for a gateway that collects cards in the browser itself (above).
  virtual bool takes_card_numbers() const { return true; }

  virtual Result<CardToken> tokenize(const CardInput& card, const std::string& owner) = 0;
  // Looks up a token made earlier (brand, last4, expiry, owner); nullopt if unknown.
  virtual std::optional<CardToken> token_info(const std::string& token) = 0;

  // Authorizes `amount` on `source`; with capture = true also captures it.
  // A decline is recorded (status failed) and returned as a 402 Status; a
  // repeated key returns the first outcome (same charge or same decline).
  virtual Result<GatewayCharge> authorize(const std::string& idempotency_key, const PaymentSource& source, Cents amount,
                                          const std::string& currency, bool capture) = 0;
  // Captures an authorized charge (amount <= authorized). Idempotent per key.
  virtual Result<GatewayCharge> capture(const std::string& idempotency_key, const std::string& charge_id,
                                        Cents amount) = 0;
  // Releases an authorization that was never captured.
  virtual Result<GatewayCharge> void_charge(const std::string& charge_id) = 0;
  // Refunds part or all of a captured charge; never more than captured minus
  // already refunded (409 refund_exceeds_captured). Idempotent per key.
  virtual Result<GatewayRefund> refund(const std::string& idempotency_key, const std::string& charge_id,
                                       Cents amount) = 0;

  // Crash recovery: the charge authorize() made with this key, if any. A
  // failure means "cannot tell" (the gateway did not answer), never "none":
  // recovery must not release stock or forget a charge on it.
  virtual Result<std::optional<GatewayCharge>> lookup(const std::string& idempotency_key) = 0;
  virtual std::optional<GatewayCharge> charge(const std::string& charge_id) = 0;
  virtual std::vector<GatewayRefund> refunds(const std::string& charge_id) = 0;
};

// Luhn checksum over a string of digits.
bool luhn_valid(const std::string& digits);
// Card brand from the number's prefix (IIN ranges).
std::string card_brand(const std::string& digits);

}  // namespace shopbox
