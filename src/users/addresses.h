// A user's saved addresses (/api/v1/me/addresses).
//
// Each address is for shipping, billing or both. A user has at most one
// default shipping and one default billing address (a partial unique index
// enforces it); the first address of each kind becomes the default by
// itself, and making another one default moves the flag. Every call takes
// the owner's user id: another user's address is simply not found (404).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/sqlite.h"
#include "users/user_store.h"

namespace shopbox {

// Fields of a create or update; an absent field keeps its value on update.
struct AddressInput {
  std::optional<std::string> name, street, city, state, zip, country, type;
  bool set_phone = false;
  std::optional<std::string> phone;
  std::optional<bool> is_default;  // default for every kind the address serves
  std::optional<bool> default_shipping, default_billing;
};

class Addresses {
 public:
  explicit Addresses(Sqlite& db) : db_(db) {}

  std::vector<Address> list(int64_t user_id);
  Result<Address> get(int64_t user_id, int64_t address_id);
  // 400 naming the field on bad input; 409 limit_reached past kMax.
  Result<Address> create(int64_t user_id, const AddressInput& in);
  Result<Address> update(int64_t user_id, int64_t address_id, const AddressInput& in);
  Status remove(int64_t user_id, int64_t address_id);

  static constexpr int64_t kMax = 50;

 private:
  Sqlite& db_;
};

// The one address rule, for an address given inline to checkout or flash
// checkout: exactly the checks of a saved address (name, street, city and a
// 2-letter country required; lengths; no control characters; the
// characters of zip and phone), and no other keys than name, street, city,
// state, zip, country, phone (400 naming `field`.key: no nested objects,
// no 50 KB notes, no `is_admin` in an order). Returns the order's snapshot
// {name, street, city, state, zip, country[, phone]}, trimmed, country in
// upper case.
Result<nlohmann::json> inline_address_from_json(const nlohmann::json& a, const std::string& field);
// The same snapshot of a saved address (for orders that name an address id).
nlohmann::json address_snapshot(const Address& a);

// Reads an AddressInput from a request body (400 on a wrong type or an
// unknown field).
Result<AddressInput> address_input_from_json(const nlohmann::json& body);
nlohmann::json address_json(const Address& a);

}  // namespace shopbox
