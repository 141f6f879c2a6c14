// Inventory: stock levels per product, in LMDB.
//
// Invariant: 0 <= reserved <= total for every product, checked and changed
// inside one LMDB write transaction, which LMDB runs one at a time. That
// single writer is why two buyers can never take the last unit twice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "config.h"
#include "storage/inventory_store.h"
#include "storage/lmdb.h"

namespace shopbox {

class Inventory {
 public:
  Inventory(Lmdb& kv, const Config& config) : kv_(kv), config_(config) {}

  // Current level; a product never stocked reads as all zeros.
  StockLevel level(int64_t product_id);
  // Sets the total on hand (admin count, import). Refused when it would
  // drop below what is reserved.
  Result<StockLevel> set_total(int64_t product_id, int64_t total, const std::string& actor, const std::string& reason);
  // Adds delta (may be negative) to the total on hand.
  Result<StockLevel> adjust(int64_t product_id, int64_t delta, const std::string& actor, const std::string& reason);
  std::vector<StockAudit> audit(int64_t product_id, size_t limit = 100);
  // Sets many totals in one LMDB transaction (bulk loads: demo, import);
  // all or nothing. Defined in inventory_bulk.cpp.
  Status set_totals(const std::vector<std::pair<int64_t, int64_t>>& totals, const std::string& actor,
                    const std::string& reason);

 private:
  Lmdb& kv_;
  const Config& config_;
};

}  // namespace shopbox
