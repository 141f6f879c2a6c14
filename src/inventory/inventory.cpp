#include "inventory/inventory.h"

namespace shopbox {

StockLevel Inventory::level(int64_t product_id) {
  ReadTxn txn(kv_);
  auto l = inventory_store::get(txn, kv_, product_id);
  if (l) return *l;
  StockLevel empty;
  empty.low_stock_threshold = config_.low_stock_threshold;
  return empty;
}

Result<StockLevel> Inventory::set_total(int64_t product_id, int64_t total, const std::string& actor,
                                        const std::string& reason) {
  if (total < 0) return Status::Invalid("stock must not be negative", {{"field", "total"}});
  StockLevel after;
  Status st = kv_.write([&](WriteTxn& txn) {
    auto before = inventory_store::get(txn, kv_, product_id).value_or(StockLevel{0, 0, config_.low_stock_threshold});
    if (total < before.reserved)
      return Status::Conflict("stock_reserved", "total cannot drop below the reserved quantity",
                              {{"reserved", before.reserved}});
    after = before;
    after.total = total;
    inventory_store::put(txn, kv_, product_id, after);
    inventory_store::append_audit(txn, kv_,
                                  {product_id, 0, "set", total - before.total, before.available(), after.available(),
                                   before.total, after.total, reason, actor, 0});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return after;
}

Result<StockLevel> Inventory::adjust(int64_t product_id, int64_t delta, const std::string& actor,
                                     const std::string& reason) {
  StockLevel after;
  Status st = kv_.write([&](WriteTxn& txn) {
    auto before = inventory_store::get(txn, kv_, product_id).value_or(StockLevel{0, 0, config_.low_stock_threshold});
    if (before.total + delta < before.reserved)
      return Status::Conflict("stock_reserved", "adjustment would drop stock below the reserved quantity",
                              {{"total", before.total}, {"reserved", before.reserved}});
    after = before;
    after.total += delta;
    inventory_store::put(txn, kv_, product_id, after);
    inventory_store::append_audit(txn, kv_,
                                  {product_id, 0, "adjust", delta, before.available(), after.available(),
                                   before.total, after.total, reason, actor, 0});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return after;
}

std::vector<StockAudit> Inventory::audit(int64_t product_id, size_t limit) {
  ReadTxn txn(kv_);
  return inventory_store::audit(txn, kv_, product_id, limit);
}

}  // namespace shopbox
