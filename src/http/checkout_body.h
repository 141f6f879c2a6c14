// Reading a checkout from its request body: POST /api/v1/orders and the
// flash-sale checkout share the address and payment parts, so both accept
// and refuse the same things with the same errors (400 naming the field).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "checkout/checkout.h"
#include "checkout/shopper_input.h"

namespace shopbox::http {

// `<inline_field>` (an address object, checked by inline_address_from_json)
// or `<id_field>` (a saved address id), never both; neither is an empty
// choice.
Result<AddressChoice> parse_address_choice(const nlohmann::json& body, const char* inline_field, const char* id_field);

// Exactly one of `payment_method_id` (a saved method) and `payment_method`
// ({type: card, card_number, exp_month, exp_year, cvc} | {type: card,
// token} | {type: wallet, wallet}; no other keys).
Result<PaymentChoice> parse_payment_choice(const nlohmann::json& body);

// The whole POST /api/v1/orders: the Idempotency-Key header, then the body
// (items or the cart, addresses, payment, shipping_method "standard", notes;
// no other keys). `max_quantity` bounds each line.
Result<CheckoutRequest> parse_checkout_request(int64_t user_id, const std::string& idempotency_key,
                                               const std::string& client_ip, const std::string& body,
                                               int64_t max_quantity);

// Who is checking out: a signed-in user (their account's email), or a guest
// (user_id 0) with their cart token; the guest's email is in the body.
struct CheckoutCaller {
  int64_t user_id = 0;
  std::string account_email;
  std::string guest_cart;
  std::string client_ip;
};

// What POST /api/v1/orders answers: a parse failure as the API's error, or
// the checkout's own answer.
CheckoutResponse checkout_answer(Checkout& checkout, const CheckoutCaller& caller, const std::string& idempotency_key,
                                 const std::string& body, int64_t max_quantity);

}  // namespace shopbox::http
