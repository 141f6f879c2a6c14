// Flash sales (the seed's queue-based design, inside one process).
//
// An admin creates a sale: product, sale price, quantity N, start/end and a
// per-user limit. Creating it moves N units out of the product's stock into
// the sale (one LMDB transaction), so ordinary checkouts can never take them.
//
// Shoppers join a virtual queue and poll their status. Permission tokens are
// granted in queue order while units remain, each holding up to the units
// the shopper asked for (<= per-user limit minus units already bought) for
// 5 minutes (flash.token_ttl_seconds). Only a token holder's checkout at the
// sale price succeeds, and a token is used once. A token that expires unused
// returns its units to the pool, and the next shoppers in the queue get
// them. When the sale has ended and no token is outstanding, unsold units go
// back to the product's stock.
//
// Every counter change happens inside one LMDB write transaction, which
// LMDB runs one at a time: for every sale, at every commit,
//     N == remaining + held (by live tokens) + sold + returned
// so exactly N units can be sold, never N + 1 (check_invariants verifies it).
//
// Checkout: claim the token (LMDB) -> charge the card (gateway, idempotency
// key "flash:<token>:<card token>") -> write the order (SQLite) -> mark the token used and
// count the units sold (LMDB). recover() finishes or undoes a checkout that
// a crash interrupted between those steps.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/money.h"
#include "base/status.h"
#include "checkout/shopper_input.h"
#include "config.h"
#include "pricing/pricing.h"
#include "storage/lmdb.h"
#include "storage/sqlite.h"

namespace shopbox {

class Addresses;
class Catalog;
class Inventory;
class PaymentGateway;
class PaymentMethods;
class Pricing;

// LMDB databases of flash sales (opened by the App).
inline const std::vector<std::string> kFlashDbs = {"flash_sales", "flash_queue", "flash_users", "flash_tokens",
                                                   "flash_expiry"};

// A sale sells one variant (its units leave that variant's stock).
struct FlashSale {
  int64_t id = 0;
  int64_t product_id = 0;
  int64_t variant_id = 0;
  Cents sale_price = 0;
  std::string currency = "USD";
  int64_t quantity = 0;
  int64_t per_user_limit = 1;
  int64_t starts_at = 0;
  int64_t ends_at = 0;
  int64_t created_at = 0;
  // Live counters (LMDB).
  int64_t remaining = 0;  // in the pool, not promised to anyone
  int64_t held = 0;       // promised to live tokens
  int64_t sold = 0;
  int64_t returned = 0;  // unsold units given back to stock after the end
  int64_t queued = 0;    // shoppers still waiting in the queue
};

struct FlashSaleInput {
  int64_t product_id = 0;
  int64_t variant_id = 0;  // 0: the product's only variant (400 variant_required when it has several)
  Cents sale_price = 0;
  int64_t quantity = 0;
  int64_t per_user_limit = 1;
  int64_t starts_at = 0;
  int64_t ends_at = 0;
};

// What a merchant changes on a sale (FlashSales::change); unset fields stay.
// Before the sale starts anything here may change; once it runs only its
// end: the shoppers in the queue joined for that price and that limit.
struct FlashSaleChange {
  std::optional<Cents> sale_price;
  std::optional<int64_t> per_user_limit;
  std::optional<int64_t> starts_at;
  std::optional<int64_t> ends_at;
};

// A shopper's place in a sale.
struct FlashStatus {
  std::string state;          // not_joined, queued, granted, purchased, expired, sold_out, ended
  int64_t position = 0;       // queued: 1 = next
  std::string token;          // granted
  int64_t quantity = 0;       // granted: units the token holds
  int64_t expires_at = 0;     // granted
  int64_t bought = 0;         // units bought in this sale so far
  std::string last_order_id;  // purchased
};

struct FlashCheckoutInput {
  std::string token;
  AddressChoice shipping;       // required; the same rules as checkout (checkout/shopper_input.h)
  PaymentChoice payment;        // a card: saved, new or a token (flash sales take no wallets)
  std::string shipping_method;  // empty: the cheapest for the address
  std::string email;            // the shopper's account email: where the order's email goes
};

struct FlashOrder {
  std::string order_id;
  int64_t sale_id = 0;
  int64_t user_id = 0;
  int64_t product_id = 0;
  std::string product_name;
  int64_t quantity = 0;
  Cents unit_price = 0, subtotal = 0, tax = 0, shipping = 0, total = 0;
  std::string currency;
  std::string status;  // paid
  std::string charge_id, brand, last4;
  nlohmann::json shipping_address;
  int64_t created_at = 0;
};

class FlashSales {
 public:
  // What flash sales use, and nothing else.
  struct Dependencies {
    Sqlite& db;
    Lmdb& kv;  // the sales' live counters, queues and tokens (kFlashDbs)
    Catalog& catalog;
    Inventory& inventory;  // units move into a sale and back through it
    PaymentGateway& payments;
    Addresses& addresses;
    PaymentMethods& payment_methods;
    Pricing& pricing;  // shipping and tax on the sale price, the same rules as every checkout
    const Config& config;
  };
  explicit FlashSales(const Dependencies& d);

  Result<FlashSale> create(const FlashSaleInput& in, const std::string& actor);
  Result<FlashSale> get(int64_t sale_id);
  // 409 sale_ended once it has ended, 409 sale_started for a price, limit
  // or start change of a running sale. The SQLite definition and the LMDB
  // state change in one write (as create), and the sale advances at once:
  // an end moved to now returns the unsold units when no token holds any.
  Result<FlashSale> change(int64_t sale_id, const FlashSaleChange& change);
  // Ends the sale now (cancels one that has not started): nobody else is
  // let in; live tokens may still buy until they expire, then unsold units
  // go back to the variant's stock. 409 sale_ended when already over.
  Result<FlashSale> end_now(int64_t sale_id);
  std::vector<FlashSale> list_current();  // not ended, soonest first

  Result<FlashStatus> join(int64_t sale_id, int64_t user_id, int64_t quantity);
  Result<FlashStatus> status(int64_t sale_id, int64_t user_id);
  Result<FlashOrder> checkout(int64_t sale_id, int64_t user_id, const FlashCheckoutInput& in);
  // What checkout would charge for `quantity` units to this address: the
  // sale price (no discount code or promotion applies to it) plus the
  // zone's shipping and tax. 422 no_shipping_to_address, 400
  // shipping_method_unavailable.
  Result<Quote> quote(int64_t sale_id, int64_t user_id, int64_t quantity, const AddressChoice& shipping,
                      const std::string& shipping_method);
  Result<FlashOrder> order(const std::string& order_id, int64_t user_id);

  // Finishes or undoes checkouts a crash interrupted; runs expiry.
  Status recover();
  void check_invariants(std::vector<std::string>& problems);

 private:
  Result<int64_t> claim_token(int64_t sale_id, int64_t user_id, const std::string& token_value,
                              const std::string& card_token);
  void unclaim_token(int64_t sale_id, int64_t user_id, const std::string& token_value);
  Status advance(WriteTxn& txn, int64_t sale_id, int64_t now);
  Result<FlashSale> definition(int64_t sale_id);
  Status write_terms(const FlashSale& terms);

  Sqlite& db_;
  Lmdb& kv_;
  Catalog& catalog_;
  Inventory& inventory_;
  PaymentGateway& payments_;
  Addresses& addresses_;
  PaymentMethods& payment_methods_;
  Pricing& pricing_;
  const Config& config_;
  // The quote for a resolved address (checkout and quote()).
  Result<Quote> price_sale(const FlashSale& sale, int64_t user_id, int64_t quantity, const nlohmann::json& address,
                           const std::string& shipping_method);
};

}  // namespace shopbox
