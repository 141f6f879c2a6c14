// The cart service: one cart per owner, in LMDB (cart/cart_store.h).
//
// Owners: "u:<user_id>" for a signed-in user, "g:<guest token>" for a guest
// (token: 32 lower-case hex characters, from the shopbox_cart cookie or the
// X-Cart-Token header). merge() moves a guest cart into a user's at login.
//
// Rules:
//  * A line is one variant (what is bought and stocked). Adding a variant
//    already in the cart sets that line's quantity (never a second line);
//    adding one that is saved for later moves it back. Lines are named by
//    variant id (a one-variant product's id is its variant's).
//  * Quantity 1..Config::max_quantity_per_line; a quantity above what is
//    available is 409 out_of_stock with details.items[{product_id,
//    variant_id, requested, available}]. A cart does not reserve stock: checkout does.
//  * Lines show the current price and stock. A line whose product went out of
//    stock (available 0) or was deleted stays in the cart flagged
//    `unavailable` and is left out of the summary (items_count and totals),
//    so the total is what checkout would charge for what can be bought. A line
//    asking for more than is left (0 < available < quantity) stays counted and
//    is flagged `insufficient_stock`; checkout then answers 409.
//  * Every change renews expires_at to now + Config::cart_ttl_seconds; reads
//    do not (they never write). An expired cart reads as empty and is
//    deleted by sweep_expired().
//  * The summary is priced by the pricing module (pricing/pricing.h) for the
//    cart's shipping destination (PUT /cart/shipping; none: the shop's own
//    country) with the codes the shopper applied: checkout charges exactly
//    that total for the same cart, address, method and codes. A code that
//    stops applying (it expired, the minimum is no longer met) stays in the
//    cart and is listed in rejected_codes with the reason.
//  * Any error changes nothing (every change is one LMDB write transaction).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "cart/cart_store.h"
#include "config.h"
#include "pricing/pricing.h"
#include "pricing/rules.h"
#include "storage/lmdb.h"

namespace shopbox {

class Catalog;
class Inventory;
class Pricing;

struct PricedLine {
  CartLine line;
  bool exists = false;  // the variant is still in the catalog
  std::string name;
  std::string sku;                  // the variant's
  std::string variant_title;        // "Blue / M"; "" for a default variant
  int64_t weight_grams = 0;         // the variant's, 0 when unknown
  std::vector<int64_t> categories;  // its product's category and ancestors (pricing)
  std::string image;                // empty when the product has none
  Cents unit_price = 0;             // current final price
  Cents original_price = 0;         // current list price
  Cents subtotal = 0;               // unit_price * quantity
  int64_t available = 0;
  bool unavailable = false;  // deleted or available == 0: not in the totals
  bool insufficient_stock = false;
};

struct CartView {
  bool exists = false;  // false: no cart yet (or it expired)
  std::string cart_id;
  std::string owner;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  int64_t expires_at = 0;
  std::vector<PricedLine> items;
  std::vector<PricedLine> saved;
  int64_t items_count = 0;  // sum of quantities of purchasable lines
  std::vector<std::string> discount_codes;
  CartShipping shipping;
  Quote quote;        // the purchasable lines priced (pricing.h); totals and shipping
  Cents savings = 0;  // (original - unit) * quantity over purchasable lines
};

class Cart {
 public:
  static constexpr size_t kMaxLines = 100;  // per list (items, saved for later)
  static constexpr size_t kMaxCodes = 5;    // discount codes in one cart

  Cart(Lmdb& kv, Catalog& catalog, Inventory& inventory, Pricing& pricing, const Config& config)
      : kv_(kv), catalog_(catalog), inventory_(inventory), pricing_(pricing), config_(config) {}

  // What a shopper adds: a variant, or a product and its options (the
  // seed's shape); catalog/variants.h choose_variant() says which errors
  // (400 variant_required, unknown_variant) a choice can get.
  struct ItemChoice {
    int64_t product_id = 0;
    int64_t variant_id = 0;  // wins when set
    nlohmann::json selected_options = nlohmann::json::object();
  };

  Result<CartView> get(const std::string& owner);
  Result<CartView> add_item(const std::string& owner, const ItemChoice& choice, int64_t quantity);
  Result<CartView> set_quantity(const std::string& owner, int64_t variant_id, int64_t quantity);
  // Removes the variant from the cart or from saved-for-later (404 if in neither).
  Result<CartView> remove_item(const std::string& owner, int64_t variant_id);
  Result<CartView> save_for_later(const std::string& owner, int64_t variant_id);
  // Back from saved-for-later; checks stock like add_item.
  Result<CartView> move_to_cart(const std::string& owner, int64_t variant_id);

  // Discount codes: apply_code checks the code against this cart first (400
  // malformed, 404 discount_not_found, 409 discount_not_applicable with
  // details.reason) and stores nothing unless it applies; applying one
  // already in the cart changes nothing. remove_code: 404 when not applied.
  Result<CartView> apply_code(const std::string& owner, const std::string& code);
  Result<CartView> remove_code(const std::string& owner, const std::string& code);
  // Where the cart goes and by which method (the summary is priced for it).
  // A destination no zone serves is kept and the cart says so
  // (quote.shipping_problem); a method the destination does not offer is
  // 400 shipping_method_unavailable and changes nothing.
  Result<CartView> set_shipping(const std::string& owner, const CartShipping& shipping);
  // The cart priced for another destination, nothing stored
  // (GET /cart/shipping-options).
  Result<CartView> preview(const std::string& owner, const CartShipping& shipping);
  // The customer the cart's owner is, for pricing ("u:<id>": a user;
  // Pricing::quote finds out whether they ordered before, when it matters).
  Customer customer_of(const std::string& owner);

  // Checkout: drops the purchased lines (absent ones are ignored); a cart
  // left empty forgets its discount codes.
  Status remove_lines(const std::string& owner, const std::vector<int64_t>& variant_ids);
  // Login: moves from_owner's lines into to_owner's cart and deletes
  // from_owner's cart. A product in both carts gets the sum of the quantities
  // (capped at max_quantity_per_line); saved-for-later lines are kept unless
  // the product is in the cart. Stock is not checked (lines are flagged when
  // read). A missing or expired from-cart is a no-op.
  Status merge(const std::string& from_owner, const std::string& to_owner);
  // Deletes carts past expires_at; returns how many.
  size_t sweep_expired();
  // [reports] Carts with an item added in [since, until), and how many of
  // them an order took lines from in that time (cart_store.h cart_activity).
  cart_store::CartActivity activity(int64_t since, int64_t until);
  static constexpr int64_t kActivityKeptSeconds = 2LL * 366 * 24 * 3600;
  size_t count();
  // [email] Signed-in users' carts with lines untouched since `idle_before`
  // and not expired (read only; abandoned-cart reminders).
  std::vector<CartRecord> idle_user_carts(int64_t idle_before, size_t limit);

 private:
  Result<CartView> change(const std::string& owner, const std::function<Status(WriteTxn&, CartRecord&)>& fn);
  Result<CartView> render(const CartRecord& record);
  // The stored cart, or a new empty one when there is none or it expired
  // (what a change would start from; nothing is written).
  CartRecord current(const std::string& owner);
  Status check_quantity(int64_t quantity) const;

  Lmdb& kv_;
  Catalog& catalog_;
  Inventory& inventory_;
  Pricing& pricing_;
  const Config& config_;
};

// A destination as pricing reads it.
Destination destination_of(const CartShipping& shipping);

// True for a well-formed guest cart token (32 lower-case hex characters).
bool valid_cart_token(const std::string& token);
std::string new_cart_token();

// The API shape of a cart (GET /api/v1/cart and every cart change).
nlohmann::json cart_json(const CartView& cart, const Config& config);
// The cart's "shipping": {destination, zone, method, options, problem}.
nlohmann::json shipping_json(const Quote& quote, int64_t address_id);

}  // namespace shopbox
