// Inventory: stock levels and reservations per variant, in LMDB.
//
// Invariants (checked by check_invariants(), kept by every function here):
//   0 <= reserved <= total, so available = total - reserved >= 0;
//   reserved == the sum of the variant's lines over active reservations.
// Every check-and-change happens inside one LMDB write transaction, which
// LMDB runs one at a time. That single writer is why two buyers can never
// take the last unit twice. Each stock change appends an audit record in
// the same transaction.
//
// Reservation lifecycle: active -> consumed (an order took the stock: total
// and reserved both drop) | released (given back: reserved drops) | expired
// (the sweeper, or any access after expires_at, gives it back). consume()
// and release() are idempotent: repeating one returns the same reservation.
//
// Stock location: a shard owns one location (Config::warehouse_location);
// levels are per variant within it (see docs/inventory-and-carts.md).
//
// Stock is keyed by variant id (catalog/product.h): what a shopper buys.
// Inventory never reads the catalog; a product's first variant has the
// product's id, so records written before variants existed still hold.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "config.h"
#include "inventory/inventory_store.h"
#include "storage/lmdb.h"

namespace shopbox {

// Which stock levels a list shows: every stocked variant, those at or below
// their low-stock alert level (sold out included), or only the sold out
// (nothing available).
enum class StockFilter { all, low, sold_out };

// True when the level passes the filter: the one place the admin's list,
// its search and the dashboard's low-stock count decide it.
bool stock_matches(const StockLevel& level, StockFilter filter);

struct StockRow {
  int64_t variant_id = 0;
  StockLevel level;
};

class Inventory {
 public:
  Inventory(Lmdb& kv, const Config& config) : kv_(kv), config_(config) {}

  // Largest number of distinct variants in one reservation.
  static constexpr size_t kMaxLines = 200;

  // Current level; a variant never stocked reads as all zeros.
  StockLevel level(int64_t variant_id);
  // The levels of many variants from one snapshot, in the given order.
  std::vector<StockLevel> levels(const std::vector<int64_t>& variant_ids);
  // Sets the total on hand (admin count, import). Refused when it would
  // drop below what is reserved.
  Result<StockLevel> set_total(int64_t variant_id, int64_t total, const std::string& actor, const std::string& reason);
  // Adds delta (may be negative) to the total on hand.
  Result<StockLevel> adjust(int64_t variant_id, int64_t delta, const std::string& actor, const std::string& reason);
  // Inside a caller's own LMDB write transaction (a flash sale moves units
  // out of stock and into the sale, and back after it ends, atomically with
  // the sale's counters): take_in removes `quantity` from the total, 409
  // out_of_stock (the reserve() details shape) when fewer are available;
  // put_back_in adds them. Each writes an 'adjust' audit record.
  Result<StockLevel> take_in(WriteTxn& txn, int64_t variant_id, int64_t quantity, const std::string& actor,
                             const std::string& reason);
  Result<StockLevel> put_back_in(WriteTxn& txn, int64_t variant_id, int64_t quantity, const std::string& actor,
                                 const std::string& reason);
  // Available units (never below zero), read inside a caller's own LMDB
  // transaction on the same environment: the cart checks a line against
  // stock within its own transaction.
  int64_t available_in(const Txn& txn, int64_t variant_id);
  // Sets many totals in one LMDB transaction (bulk loads: demo, import);
  // all or nothing. Defined in inventory_bulk.cpp.
  Status set_totals(const std::vector<std::pair<int64_t, int64_t>>& totals, const std::string& actor,
                    const std::string& reason);
  // Sets the low-stock alert level of a variant.
  Result<StockLevel> set_threshold(int64_t variant_id, int64_t threshold);

  // Newest first; `action` filters ("reserve", ...) when non-empty.
  std::vector<StockAudit> audit(int64_t variant_id, size_t offset, size_t limit, const std::string& action = "",
                                size_t* total = nullptr);

  // Stocked variants in id order that pass the filter. `total` receives
  // the number matching.
  std::vector<StockRow> list(StockFilter filter, size_t offset, size_t limit, size_t* total);

  // Reserves every line or none, in one write transaction. Lines naming the
  // same product are merged. 400 for empty or bad lines; 409 out_of_stock
  // with details.items[{variant_id, requested, available}] for every short
  // line. ttl_seconds <= 0 uses Config::reservation_ttl_seconds.
  Result<Reservation> reserve(std::vector<ReservationLine> lines, const std::string& owner, int64_t ttl_seconds = 0);
  // The stock leaves the shop: total and reserved drop by each line. 404 for
  // an unknown id; repeating with the same order id returns the consumed
  // reservation; 409 reservation_not_active when it was released, expired
  // (also when found past expires_at: it is expired on the spot) or
  // consumed by another order.
  Result<Reservation> consume(const std::string& reservation_id, const std::string& order_id);
  // Gives the stock back. Idempotent: a released or expired reservation is
  // returned as is. 409 reservation_consumed for a consumed one.
  Result<Reservation> release(const std::string& reservation_id, const std::string& reason);
  // The stored reservation (404 when unknown).
  Result<Reservation> reservation(const std::string& reservation_id);
  // Expires every active reservation past its expires_at, returning stock.
  // Cheap when nothing is due: one seek in the expiry index. Returns the
  // number expired.
  size_t sweep_expired();

  // Appends one line per broken invariant (empty when all hold), at most
  // one per variant. With check_bounds false the 0 <= reserved <= total
  // check is left to the caller (check_stored_levels does it) and variants
  // failing it are skipped.
  void check_invariants(std::vector<std::string>& problems, bool check_bounds = true);
  // Reads every stored stock record as bytes and reports malformed ones and
  // levels outside 0 <= reserved <= total (what check_invariants skips with
  // check_bounds false). Returns how many records it read.
  int64_t check_stored_levels(std::vector<std::string>& problems);
  // Calls fn with every stored reservation, in id order (shopbox check
  // compares them with the orders). A read that fails is a Status.
  [[nodiscard]] Status for_each_reservation(const std::function<void(const Reservation&)>& fn);

 private:
  Result<StockLevel> adjust_in(WriteTxn& txn, int64_t variant_id, int64_t delta, const std::string& actor,
                               const std::string& reason);
  Lmdb& kv_;
  const Config& config_;
};

// True for ids of the form rsv_<16 lower-case hex>.
bool valid_reservation_id(const std::string& id);

}  // namespace shopbox
