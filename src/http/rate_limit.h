// Rate limiting with token buckets (the seed's "per-user + global" design,
// in memory).
//
// Each route group ("auth", "cart", "checkout", "search", "catalog",
// "admin", anything else -> "default"; "system" is never limited) has three
// limits in Config (rate_limit.<group> = "<per user> <per IP> <global>"):
//   * per user: a signed-in user's (or API token's) own bucket;
//   * per IP: every request from one client address, loose enough for many
//     shoppers behind one NAT (the only per-client limit for guests);
//   * global: one bucket for the whole group, protecting the shop.
// A rate "N/min" is a bucket holding N tokens that refills N per minute, so
// a client may burst N requests and then sustain N per minute.
//
// Memory is bounded: at most rate_limit.max_buckets buckets are kept;
// buckets that have refilled completely are indistinguishable from new ones
// and are dropped first when the table is full.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "config.h"
#include "http/auth.h"

namespace shopbox::http {

struct Rate {
  double tokens = 0;     // bucket size; 0 = unlimited
  double period_ms = 0;  // time to refill the whole bucket
  bool unlimited() const { return tokens <= 0; }
};
// "30/min", "10/15min", "100/s", "5/h", "off".
Result<Rate> parse_rate(std::string_view text);

struct GroupLimits {
  Rate per_user, per_ip, global;
};
// "<per user> <per IP> <global>".
Result<GroupLimits> parse_group_limits(std::string_view text);

class RateLimiter {
 public:
  static Result<std::unique_ptr<RateLimiter>> create(const Config& config);

  // Takes a token from each bucket that applies to this request; returns
  // 0 when allowed, else the seconds until a retry can succeed (>= 1).
  int64_t check_request(const std::string& group, const Principal& who, const std::string& ip);
  // One bucket by name, for limits outside route groups (login attempts).
  int64_t take(const std::string& key, const Rate& rate);
  // Like take() but takes nothing: the wait take() would answer now. For
  // limits that count only failures (a wrong shard token).
  int64_t peek(const std::string& key, const Rate& rate);

  const Rate& login_per_account() const { return login_account_; }
  const Rate& login_per_account_total() const { return login_account_total_; }
  const Rate& login_per_ip() const { return login_ip_; }
  bool enabled() const { return enabled_; }
  size_t bucket_count();

 private:
  RateLimiter() = default;
  struct Bucket {
    double tokens = 0;
    int64_t updated_ms = 0;
    Rate rate;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
  };
  static constexpr size_t kShards = 16;

  const GroupLimits* limits_for(const std::string& group) const;
  int64_t use(const std::string& key, const Rate& rate, bool consume);
  void make_room(Shard& shard, int64_t now_ms);

  bool enabled_ = true;
  std::unordered_map<std::string, GroupLimits> groups_;
  GroupLimits default_;
  Rate login_account_, login_account_total_, login_ip_;
  size_t max_per_shard_ = 10000;
  Shard shards_[kShards];
};

}  // namespace shopbox::http
