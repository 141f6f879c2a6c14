// Stock levels in LMDB. `available` is derived: total - reserved.
//
// Invariant kept by every function here, inside one LMDB write transaction:
//   0 <= reserved <= total, so available >= 0.
// Every change appends an audit record in the same transaction, so the
// audit log and the stock level can never disagree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/lmdb.h"

namespace shopbox {

struct StockLevel {
  int64_t total = 0;
  int64_t reserved = 0;
  int64_t low_stock_threshold = 10;
  int64_t available() const { return total - reserved; }
};

struct StockAudit {
  int64_t product_id = 0;
  int64_t seq = 0;
  std::string action;  // set, adjust, reserve, release, consume, expire
  int64_t quantity_change = 0;
  int64_t before_available = 0;
  int64_t after_available = 0;
  int64_t before_total = 0;
  int64_t after_total = 0;
  std::string reason;
  std::string actor;
  int64_t at = 0;
};

// Names of the LMDB databases this store uses (opened by the App).
inline const std::vector<std::string> kInventoryDbs = {"stock", "stock_audit", "meta"};

namespace inventory_store {

std::optional<StockLevel> get(const Txn& txn, Lmdb& env, int64_t product_id);
void put(WriteTxn& txn, Lmdb& env, int64_t product_id, const StockLevel& level);
void append_audit(WriteTxn& txn, Lmdb& env, StockAudit rec);
// Newest first.
std::vector<StockAudit> audit(const Txn& txn, Lmdb& env, int64_t product_id, size_t limit);

}  // namespace inventory_store
}  // namespace shopbox
