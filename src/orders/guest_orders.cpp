// Guests' orders (orders.h "guests"): signed links, one-time lookup codes,
// and claiming a guest's orders for the account that proves its email.
//
// Why a code and a link, not the number and email alone: an order number
// is short and sequential and an email is often known, so the two together
// would let anyone read a stranger's address. Only someone who reads that
// inbox gets the code or the link.
#include <openssl/rand.h>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/text.h"
#include "config.h"
#include "events/outbox.h"
#include "orders/orders.h"

namespace shopbox {
namespace {

Status no_such_guest_order() {
  return Status::NotFound("no order matches; check the order number, email and code");
}

// HMAC input of a link: the order and where its mail goes (a link stops
// working if the order's email is changed).
std::string link_payload(const Order& o) {
  return o.id + "\n" + ascii_lower(o.email);
}

// Six decimal digits from RAND_bytes (rejection sampling: no modulo bias).
std::string six_digit_code() {
  while (true) {
    uint32_t v = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) continue;
    if (v >= 4'294'000'000u) continue;  // 4,294,000,000 is a multiple of 1,000,000
    std::string code = std::to_string(v % 1'000'000);
    return std::string(6 - code.size(), '0') + code;
  }
}

std::string code_hash(const std::string& order_id, const std::string& code) {
  return sha256_hex(order_id + ":" + code);
}

}  // namespace

Result<std::string> Orders::link_key() {
  std::lock_guard<std::mutex> lock(link_key_mu_);
  if (!link_key_.empty()) return link_key_;
  std::string key;
  Status st = db_.write([&](Connection& c) {
    key = order_store::secret(c, "guest_order_links", random_hex(32));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  link_key_ = key;
  return key;
}

std::optional<int64_t> Orders::parse_order_number(const std::string& text) const {
  std::string t = text;
  if (!t.empty() && t[0] == '#') t.erase(0, 1);
  if (auto dash = t.find('-'); dash != std::string::npos) {
    if (ascii_lower(t.substr(0, dash)) != ascii_lower(config_.shard_id)) return std::nullopt;
    t.erase(0, dash + 1);
  }
  if (t.empty() || t.size() > 15) return std::nullopt;
  for (char ch : t)
    if (ch < '0' || ch > '9') return std::nullopt;
  return std::stoll(t);
}

Result<std::string> Orders::guest_order_url(const Order& o) {
  auto key = link_key();
  if (!key.ok()) return key.status();
  return config_.public_url + "/orders/lookup?order=" + o.id +
         "&token=" + hmac_sha256_hex(*key, link_payload(o)).substr(0, 40);
}

Result<OrderDetails> Orders::lookup_by_link(const std::string& order_id, const std::string& token) {
  auto key = link_key();
  if (!key.ok()) return key.status();
  auto found = find(order_id);
  if (!found.ok()) return found.status();
  if (!*found || (*found)->email.empty()) return no_such_guest_order();
  std::string want = hmac_sha256_hex(*key, link_payload(**found)).substr(0, 40);
  if (!constant_time_equal(want, token)) return no_such_guest_order();
  return get(order_id);
}

Result<ReturnRecord> Orders::request_guest_return(const std::string& order_id, const std::string& token,
                                                  const std::vector<RefundLine>& lines, const std::string& reason) {
  // The same check that opens the order: a wrong token is the same 404.
  auto d = lookup_by_link(order_id, token);
  if (!d.ok()) return d.status();
  // A guest order has no account (user_id 0); once an account claimed it,
  // its returns are asked for from that account.
  if (d->order.user_id != 0) return no_such_guest_order();
  return request_return(order_id, 0, lines, reason);
}

Status Orders::send_lookup_code(const std::string& order_number, const std::string& email) {
  auto number = parse_order_number(order_number);
  if (!number) return Status::Ok();
  return db_.write([&](Connection& c) {
    auto o = order_store::find_by_number(c, *number);
    if (!o || o->email.empty() || ascii_lower(o->email) != ascii_lower(email)) return Status::Ok();
    int64_t now = now_seconds();
    std::string code = six_digit_code();
    order_store::insert_lookup_code(c, o->id, code_hash(o->id, code), now + kLookupCodeSeconds, now);
    // A private event (never sent to webhooks): the email module mails the
    // code and then removes it from the payload.
    outbox::append(c, "order.lookup_code",
                   {{"order_id", o->id},
                    {"order_number", order_number_text(*o)},
                    {"email", o->email},
                    {"code", code},
                    {"expires_at", now + kLookupCodeSeconds}});
    return Status::Ok();
  });
}

Result<OrderDetails> Orders::lookup_by_code(const std::string& order_number, const std::string& email,
                                            const std::string& code) {
  auto number = parse_order_number(order_number);
  if (!number || code.size() != 6) return no_such_guest_order();
  std::string order_id;
  Status st = db_.write([&](Connection& c) {
    auto o = order_store::find_by_number(c, *number);
    if (!o || o->email.empty() || ascii_lower(o->email) != ascii_lower(email)) return Status::Ok();
    if (order_store::use_lookup_code(c, o->id, code_hash(o->id, code), now_seconds(), kLookupCodeTries))
      order_id = o->id;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (order_id.empty()) return no_such_guest_order();
  return get(order_id);
}

Result<SalesTotals> Orders::sales_between(int64_t since, int64_t until) {
  SalesTotals out;
  Status st = db_.read([&](Connection& c) {
    out = order_store::sales_between(c, since, until);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<CustomerTotals>> Orders::totals_by_user(const std::vector<int64_t>& user_ids) {
  std::vector<CustomerTotals> out;
  Status st = db_.read([&](Connection& c) {
    out = order_store::totals_by_user(c, user_ids);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<CustomerTotals>> Orders::guest_customers(const std::string& q, int64_t offset, int64_t limit,
                                                            int64_t* total) {
  std::vector<CustomerTotals> out;
  Status st = db_.read([&](Connection& c) {
    out = order_store::guest_customers(c, q, offset, limit, total);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<std::string>> Orders::claim_guest_orders(const std::string& email, int64_t user_id) {
  std::vector<std::string> ids;
  Status st = db_.write([&](Connection& c) {
    ids = order_store::claim_guest_orders(c, email, user_id);
    for (const auto& id : ids)
      outbox::append(c, "order.claimed", {{"order_id", id}, {"user_id", std::to_string(user_id)}});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return ids;
}

}  // namespace shopbox
