// Stock levels, reservations and the stock audit log in LMDB.
//
// Databases (opened by the App, names in kInventoryDbs):
//   stock               u64be(variant_id) -> 24-byte StockLevel (total, reserved, threshold)
//   stock_audit         u64be(variant_id) u64be(seq) -> JSON audit record
//   reservations        reservation id ("rsv_...") -> JSON Reservation
//   reservation_expiry  u64be(expires_at) reservation id -> "" (ACTIVE reservations only)
//   meta                "audit_seq" -> u64be global audit sequence
//
// `available` is derived: total - reserved. Invariant kept by every caller,
// inside one LMDB write transaction: 0 <= reserved <= total, and reserved ==
// the sum of the variant's lines over active reservations. Every change
// appends an audit record in the same transaction, so the audit log and the
// stock level can never disagree.
//
// Stock location: one shard owns one stock location (Config::warehouse_location);
// levels are keyed by variant only and the location is reported beside them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "inventory/stock.h"
#include "storage/lmdb.h"

namespace shopbox {

namespace inventory_store {

std::optional<StockLevel> get(const Txn& txn, Lmdb& env, int64_t variant_id);
void put(WriteTxn& txn, Lmdb& env, int64_t variant_id, const StockLevel& level);
// Visits every stocked variant in id order from `from_variant` while fn returns true.
void scan_levels(const Txn& txn, Lmdb& env, int64_t from_variant,
                 const std::function<bool(int64_t variant_id, const StockLevel&)>& fn);

void append_audit(WriteTxn& txn, Lmdb& env, StockAudit rec);
// Newest first; `action` filters when non-empty. `total` receives the count
// of matching records (all of them, not only the returned page).
std::vector<StockAudit> audit(const Txn& txn, Lmdb& env, int64_t variant_id, size_t offset, size_t limit,
                              const std::string& action, size_t* total);

std::optional<Reservation> get_reservation(const Txn& txn, Lmdb& env, const std::string& id);
// Writes the record and keeps the expiry index in step with its status:
// indexed while active, removed otherwise. `previous` is the stored record
// (if any) so its old index entry can be removed.
void put_reservation(WriteTxn& txn, Lmdb& env, const Reservation& r, const Reservation* previous);
// Ids of active reservations with expires_at <= `now`, oldest first, at most `limit`.
std::vector<std::string> due_reservations(const Txn& txn, Lmdb& env, int64_t now, size_t limit);
// Every active reservation (via the expiry index, which holds only active ones).
void scan_active(const Txn& txn, Lmdb& env, const std::function<void(const Reservation&)>& fn);

}  // namespace inventory_store
}  // namespace shopbox
