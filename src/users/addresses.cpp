#include "users/addresses.h"

#include "base/clock.h"
#include "base/request_fields.h"
#include "base/text.h"

namespace shopbox {
namespace {

Status check_text(const std::string& v, const char* field, size_t max_len, bool required) {
  if (required && v.empty()) return field_error(field, std::string(field) + " is required");
  if (v.size() > max_len)
    return field_error(field, std::string(field) + " is too long (max " + std::to_string(max_len) + ")");
  for (unsigned char ch : v)
    if (ch < 0x20 || ch == 0x7f) return field_error(field, std::string(field) + " must not contain control characters");
  return Status::Ok();
}

// Checks the complete address after applying a create or an update.
Status validate(Address& a) {
  if (auto st = check_text(a.name, "name", 200, true); !st.ok()) return st;
  if (auto st = check_text(a.street, "street", 500, true); !st.ok()) return st;
  if (auto st = check_text(a.city, "city", 100, true); !st.ok()) return st;
  if (auto st = check_text(a.state, "state", 100, false); !st.ok()) return st;
  if (auto st = check_text(a.zip, "zip", 20, false); !st.ok()) return st;
  for (char ch : a.zip)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != ' ' && ch != '-')
      return field_error("zip", "zip may contain only letters, digits, spaces and dashes");
  if (a.country.size() != 2 || !std::isalpha(static_cast<unsigned char>(a.country[0])) ||
      !std::isalpha(static_cast<unsigned char>(a.country[1])))
    return field_error("country", "country must be a 2-letter ISO code such as US");
  a.country = ascii_upper(a.country);
  if (a.phone) {
    if (a.phone->size() > 20) return field_error("phone", "phone is too long (max 20)");
    for (char ch : *a.phone)
      if (!std::isdigit(static_cast<unsigned char>(ch)) &&
          std::string_view("+ -().").find(ch) == std::string_view::npos)
        return field_error("phone", "phone may contain only digits, spaces and + - ( ) .");
  }
  if (a.type != "shipping" && a.type != "billing" && a.type != "both")
    return field_error("address_type", "address_type must be shipping, billing or both");
  if (a.default_shipping && a.type == "billing")
    return field_error("is_default_shipping", "a billing-only address cannot be the default shipping address");
  if (a.default_billing && a.type == "shipping")
    return field_error("is_default_billing", "a shipping-only address cannot be the default billing address");
  return Status::Ok();
}

void apply(Address& a, const AddressInput& in) {
  if (in.name) a.name = trim(*in.name);
  if (in.street) a.street = trim(*in.street);
  if (in.city) a.city = trim(*in.city);
  if (in.state) a.state = trim(*in.state);
  if (in.zip) a.zip = trim(*in.zip);
  if (in.country) a.country = trim(*in.country);
  if (in.type) a.type = *in.type;
  if (in.set_phone) a.phone = in.phone ? std::optional<std::string>(trim(*in.phone)) : std::nullopt;
  if (a.phone && a.phone->empty()) a.phone.reset();
  if (in.is_default) {
    a.default_shipping = *in.is_default && a.type != "billing";
    a.default_billing = *in.is_default && a.type != "shipping";
  }
  if (in.default_shipping) a.default_shipping = *in.default_shipping;
  if (in.default_billing) a.default_billing = *in.default_billing;
  // A change of type drops a default flag the new type cannot hold, unless
  // the request asked for it explicitly (then validate() refuses).
  if (in.type && !in.default_shipping && a.type == "billing") a.default_shipping = false;
  if (in.type && !in.default_billing && a.type == "shipping") a.default_billing = false;
}

bool has_default(Connection& c, int64_t user_id, bool shipping) {
  for (const auto& a : user_store::list_addresses(c, user_id))
    if (shipping ? a.default_shipping : a.default_billing) return true;
  return false;
}

// Writes the address's default flags, clearing them on the user's others.
void claim_defaults(Connection& c, const Address& a) {
  if (a.default_shipping) user_store::clear_default_shipping(c, a.user_id, a.id);
  if (a.default_billing) user_store::clear_default_billing(c, a.user_id, a.id);
}

}  // namespace

Result<AddressInput> address_input_from_json(const nlohmann::json& body) {
  if (auto st = only_fields(body, {"name", "street", "city", "state", "zip", "country", "phone", "address_type",
                                   "is_default", "is_default_shipping", "is_default_billing"});
      !st.ok())
    return st;
  AddressInput in;
  auto str = [&](const char* field, std::optional<std::string>& out) -> Status {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) return Status::Ok();
    if (!it->is_string()) return field_error(field, std::string(field) + " must be a string");
    if (it->get_ref<const std::string&>().size() > 1000) return field_error(field, std::string(field) + " is too long");
    out = it->get<std::string>();
    return Status::Ok();
  };
  auto boolean = [&](const char* field, std::optional<bool>& out) -> Status {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) return Status::Ok();
    if (!it->is_boolean()) return field_error(field, std::string(field) + " must be true or false");
    out = it->get<bool>();
    return Status::Ok();
  };
  for (auto st : {str("name", in.name), str("street", in.street), str("city", in.city), str("state", in.state),
                  str("zip", in.zip), str("country", in.country), str("address_type", in.type), str("phone", in.phone),
                  boolean("is_default", in.is_default), boolean("is_default_shipping", in.default_shipping),
                  boolean("is_default_billing", in.default_billing)})
    if (!st.ok()) return st;
  in.set_phone = body.contains("phone");
  return in;
}

nlohmann::json address_snapshot(const Address& a) {
  nlohmann::json j = {{"name", a.name}, {"street", a.street}, {"city", a.city}, {"zip", a.zip}, {"country", a.country}};
  if (!a.state.empty()) j["state"] = a.state;
  if (a.phone) j["phone"] = *a.phone;
  return j;
}

Result<nlohmann::json> inline_address_from_json(const nlohmann::json& body, const std::string& field) {
  if (!body.is_object()) return field_error(field, field + " must be an object");
  // The saved-address reader with the saved-address checks, then every
  // error is named inside `field` ("shipping_address.zip").
  auto prefixed = [&](const Status& st) {
    std::string inner = st.details().value("field", "");
    return Status(st.kind(), st.code(), field + "." + st.message(), {{"field", field + "." + inner}});
  };
  if (auto st = only_fields(body, {"name", "street", "city", "state", "zip", "country", "phone"}, field + ".");
      !st.ok())
    return st;
  auto in = address_input_from_json(body);
  if (!in.ok()) return prefixed(in.status());
  Address a;
  apply(a, *in);
  for (auto [value, name] : {std::pair{&in->name, "name"}, std::pair{&in->street, "street"},
                             std::pair{&in->city, "city"}, std::pair{&in->country, "country"}})
    if (!*value) return prefixed(field_error(name, std::string(name) + " is required"));
  if (auto st = validate(a); !st.ok()) return prefixed(st);
  return address_snapshot(a);
}

nlohmann::json address_json(const Address& a) {
  return {{"address_id", std::to_string(a.id)},
          {"name", a.name},
          {"street", a.street},
          {"city", a.city},
          {"state", a.state},
          {"zip", a.zip},
          {"country", a.country},
          {"phone", a.phone ? nlohmann::json(*a.phone) : nlohmann::json(nullptr)},
          {"address_type", a.type},
          {"is_default", a.default_shipping || a.default_billing},
          {"is_default_shipping", a.default_shipping},
          {"is_default_billing", a.default_billing},
          {"created_at", iso8601(a.created_at)},
          {"updated_at", iso8601(a.updated_at)}};
}

std::vector<Address> Addresses::list(int64_t user_id) {
  std::vector<Address> out;
  log_if_failed(db_.read([&](Connection& c) {
    out = user_store::list_addresses(c, user_id);
    return Status::Ok();
  }),
                "addresses: list (read as empty)");
  return out;
}

Result<Address> Addresses::get(int64_t user_id, int64_t address_id) {
  std::optional<Address> a;
  Status read = db_.read([&](Connection& c) {
    a = user_store::get_address(c, user_id, address_id);
    return Status::Ok();
  });
  if (!read.ok()) return read;
  if (!a) return Status::NotFound("address not found");
  return *a;
}

Result<Address> Addresses::create(int64_t user_id, const AddressInput& in) {
  Address a;
  a.user_id = user_id;
  apply(a, in);
  if (!in.name) return field_error("name", "name is required");
  if (!in.street) return field_error("street", "street is required");
  if (!in.city) return field_error("city", "city is required");
  if (!in.country) return field_error("country", "country is required");
  if (auto st = validate(a); !st.ok()) return st;
  Status st = db_.write([&](Connection& c) {
    if (user_store::count_addresses(c, user_id) >= kMax)
      return Status::Conflict("limit_reached", "at most " + std::to_string(kMax) + " addresses per account");
    // The first address of a kind becomes its default unless told otherwise.
    if (!in.is_default && !in.default_shipping && a.type != "billing" && !has_default(c, user_id, true))
      a.default_shipping = true;
    if (!in.is_default && !in.default_billing && a.type != "shipping" && !has_default(c, user_id, false))
      a.default_billing = true;
    a.created_at = a.updated_at = now_seconds();
    if (a.default_shipping) user_store::clear_default_shipping(c, user_id, 0);
    if (a.default_billing) user_store::clear_default_billing(c, user_id, 0);
    a.id = user_store::insert_address(c, a);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return a;
}

Result<Address> Addresses::update(int64_t user_id, int64_t address_id, const AddressInput& in) {
  Address out;
  Status st = db_.write([&](Connection& c) {
    auto a = user_store::get_address(c, user_id, address_id);
    if (!a) return Status::NotFound("address not found");
    apply(*a, in);
    if (auto v = validate(*a); !v.ok()) return v;
    a->updated_at = now_seconds();
    claim_defaults(c, *a);
    user_store::update_address(c, *a);
    out = *a;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Status Addresses::remove(int64_t user_id, int64_t address_id) {
  return db_.write([&](Connection& c) {
    if (!user_store::delete_address(c, user_id, address_id)) return Status::NotFound("address not found");
    return Status::Ok();
  });
}

}  // namespace shopbox
