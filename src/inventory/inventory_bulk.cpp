// Bulk stock loading for the demo catalog and imports: one LMDB write
// transaction for any number of variants, with an audit record each.
#include "inventory/inventory.h"

namespace shopbox {

Status Inventory::set_totals(const std::vector<std::pair<int64_t, int64_t>>& totals, const std::string& actor,
                             const std::string& reason) {
  return kv_.write([&](WriteTxn& txn) {
    for (const auto& [variant_id, total] : totals) {
      if (total < 0) return Status::Invalid("stock must not be negative", {{"variant_id", std::to_string(variant_id)}});
      auto before = inventory_store::get(txn, kv_, variant_id).value_or(StockLevel{0, 0, config_.low_stock_threshold});
      if (total < before.reserved)
        return Status::Conflict("stock_reserved", "total cannot drop below the reserved quantity",
                                {{"variant_id", std::to_string(variant_id)}, {"reserved", before.reserved}});
      StockLevel after = before;
      after.total = total;
      inventory_store::put(txn, kv_, variant_id, after);
      inventory_store::append_audit(txn, kv_,
                                    {variant_id, 0, "set", total - before.total, before.available(), after.available(),
                                     before.total, after.total, reason, actor, "", 0});
    }
    return Status::Ok();
  });
}

}  // namespace shopbox
