// Shopping carts in LMDB, one record per owner.
//
// Databases (opened by the App, names in kCartDbs):
//   carts        owner key ("u:<user_id>" or "g:<guest token>") -> JSON CartRecord
//   cart_expiry  u64be(expires_at) owner -> "" (one entry per stored cart)
//   cart_activity  "add/" u64be(at) cart_id -> "" (an item was added) and
//                "out/" u64be(at) cart_id -> "" (an order took lines from
//                it): the admin report's cart-to-order conversion. Carts
//                themselves are deleted when they expire, so counting them
//                would lose exactly the carts that were abandoned.
//
// A cart is rewritten whole on every change (it is small: at most
// Cart::kMaxLines lines in each list). put() keeps the expiry index in step,
// so the sweeper reads only what is due.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/money.h"
#include "storage/lmdb.h"

namespace shopbox {

// One line per variant: adding the same variant again changes the line.
struct CartLine {
  std::string cart_item_id;  // "item_<12 hex>"
  int64_t product_id = 0;
  int64_t variant_id = 0;  // stored as "v"; lines stored before variants read it from product_id (same id)
  int64_t quantity = 0;
  nlohmann::json selected_options = nlohmann::json::object();  // the variant's, {"Size": "M"}
  std::string name;  // at the time it was added (shown if the product is deleted)
  Cents price_at_add = 0;
  int64_t added_at = 0;
};

// Where the shopper said the cart goes, and how (PUT /cart/shipping): the
// cart is priced for it. Empty country: not said yet (the shop's own
// country is used for the estimate).
struct CartShipping {
  std::string country, state, zip;
  int64_t address_id = 0;  // the saved address it came from, 0 for none
  std::string method;      // a shipping method id, "" for the cheapest
};

struct CartRecord {
  std::string cart_id;  // "cart_<16 hex>"
  std::string owner;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  int64_t expires_at = 0;
  std::vector<CartLine> items;
  std::vector<CartLine> saved;              // saved for later
  std::vector<std::string> discount_codes;  // normalized, as applied (POST /cart/discounts)
  CartShipping shipping;
};

inline const std::vector<std::string> kCartDbs = {"carts", "cart_expiry", "cart_activity"};

namespace cart_store {

std::optional<CartRecord> get(const Txn& txn, Lmdb& env, const std::string& owner);
// Stores `c`; `previous` is the stored record (if any) whose expiry index
// entry is replaced.
void put(WriteTxn& txn, Lmdb& env, const CartRecord& c, const CartRecord* previous);
void remove(WriteTxn& txn, Lmdb& env, const CartRecord& c);
// Owners of carts with expires_at <= now, oldest first, at most `limit`.
std::vector<std::string> due(const Txn& txn, Lmdb& env, int64_t now, size_t limit);
size_t count(const Txn& txn, Lmdb& env);
// [email] Signed-in users' carts with lines, last changed at or before
// `idle_before`, in owner order, at most `limit` (abandoned-cart reminders).
std::vector<CartRecord> idle_user_carts(const Txn& txn, Lmdb& env, int64_t idle_before, size_t limit);

// [reports] What happened to carts, by time (cart_activity above).
void note_item_added(WriteTxn& txn, Lmdb& env, const std::string& cart_id, int64_t at);
void note_checked_out(WriteTxn& txn, Lmdb& env, const std::string& cart_id, int64_t at);
struct CartActivity {
  int64_t carts_with_items_added = 0;  // distinct carts with an item added in [since, until)
  int64_t carts_ordered = 0;           // of those, carts an order took lines from in [since, until)
};
CartActivity activity(const Txn& txn, Lmdb& env, int64_t since, int64_t until);
// Deletes activity noted before `before`, at most `limit` entries; returns how many.
size_t prune_activity(WriteTxn& txn, Lmdb& env, int64_t before, size_t limit);

}  // namespace cart_store
}  // namespace shopbox
