// The SQLite rows of flash sales (tables flash_sales and flash_orders): a
// sale's definition and the sale's own ledger of orders, which recovery and
// the invariants read. The live counters are in LMDB (flash_sales.cpp).
// Every function runs inside the caller's db.read / db.write transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "flash/flash_sales.h"
#include "storage/sqlite.h"

namespace shopbox {
// The flash sales' tables (migrations 800-899, src/flash/schema.cpp).
const std::vector<Migration>& flash_migrations();

}  // namespace shopbox

namespace shopbox::flash_store {

// Returns the new sale's id.
int64_t insert_sale(Connection& c, const FlashSaleInput& in, const std::string& currency, const std::string& actor,
                    int64_t now);
// Writes a sale's price, limit, start and end (FlashSales::change, end_now).
void update_sale_terms(Connection& c, const FlashSale& s);
// The definition only (the live counters are zero).
std::optional<FlashSale> get_sale(Connection& c, int64_t sale_id);
// Sales not ended at `now`, soonest first, at most `limit`.
std::vector<int64_t> current_sale_ids(Connection& c, int64_t now, int64_t limit);

void insert_order(Connection& c, const FlashOrder& o, const std::string& token);
std::optional<FlashOrder> get_order(Connection& c, const std::string& order_id, int64_t user_id);
// The order a permission token paid for; "" when none.
std::string order_id_for_token(Connection& c, const std::string& token);

struct Oversold {
  int64_t sale_id = 0, quantity = 0, ordered = 0;
};
// Sales whose orders add up to more units than the sale had.
std::vector<Oversold> oversold_sales(Connection& c);

}  // namespace shopbox::flash_store
