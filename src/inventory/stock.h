// Stock as plain data: a variant's level, its audit records and the
// reservations that hold units for checkouts (the invariants are in
// inventory.h; the LMDB layout in inventory_store.h). Other modules read
// these through Inventory.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopbox {

struct StockLevel {
  int64_t total = 0;
  int64_t reserved = 0;
  int64_t low_stock_threshold = 10;
  int64_t available() const { return total - reserved; }
};

struct StockAudit {
  int64_t variant_id = 0;
  int64_t seq = 0;
  std::string action;           // set, adjust, reserve, release, consume, expire
  int64_t quantity_change = 0;  // change of `available` (reserve/release/expire/set/adjust) or `total` (consume)
  int64_t before_available = 0;
  int64_t after_available = 0;
  int64_t before_total = 0;
  int64_t after_total = 0;
  std::string reason;
  std::string actor;
  std::string reservation_id;  // for reserve/release/consume/expire
  int64_t at = 0;
};

struct ReservationLine {
  int64_t variant_id = 0;
  int64_t quantity = 0;
};

// A reservation's life: active -> consumed (an order took the stock) |
// released (given back) | expired (its time ran out); only active ones hold
// stock (inventory.h).
enum class ReservationStatus { active, consumed, released, expired };
// The stored and API text of a status ("active"), and back (nullopt: not one).
const char* status_name(ReservationStatus status);
std::optional<ReservationStatus> parse_reservation_status(std::string_view text);
// No silent JSON number for a status: write status_name() instead (found by
// argument-dependent lookup, this makes `json j = status` a compile error).
void to_json(nlohmann::json& j, ReservationStatus status) = delete;

struct Reservation {
  std::string id;     // "rsv_<16 hex>"
  std::string owner;  // cart owner key or any label ("u:12", "g:<token>", "admin")
  std::vector<ReservationLine> lines;
  ReservationStatus status = ReservationStatus::active;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  int64_t updated_at = 0;
  std::string order_id;  // set when consumed
  std::string reason;    // set when released
};

// Names of the LMDB databases this store uses (opened by the App).
inline const std::vector<std::string> kInventoryDbs = {"stock", "stock_audit", "meta", "reservations",
                                                       "reservation_expiry"};

}  // namespace shopbox
