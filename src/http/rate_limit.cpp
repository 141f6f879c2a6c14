#include "http/rate_limit.h"

#include <charconv>
#include <cmath>
#include <functional>

#include "base/clock.h"

namespace shopbox::http {

Result<Rate> parse_rate(std::string_view text) {
  auto bad = [&] {
    return Status::Invalid("rate '" + std::string(text) + "' must look like 30/min, 10/15min, 100/s, 5/h or off");
  };
  if (text == "off") return Rate{};
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return bad();
  int64_t n = 0;
  auto count = text.substr(0, slash);
  auto [p, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
  if (count.empty() || ec != std::errc() || p != count.data() + count.size() || n < 1 || n > 100'000'000) return bad();
  auto per = text.substr(slash + 1);
  int64_t mult = 1;
  size_t digits = 0;
  while (digits < per.size() && per[digits] >= '0' && per[digits] <= '9') ++digits;
  if (digits) {
    auto [q, ec2] = std::from_chars(per.data(), per.data() + digits, mult);
    if (ec2 != std::errc() || q != per.data() + digits || mult < 1 || mult > 100'000) return bad();
  }
  auto unit = per.substr(digits);
  int64_t unit_ms = 0;
  if (unit == "s" || unit == "sec")
    unit_ms = 1000;
  else if (unit == "min" || unit == "m")
    unit_ms = 60'000;
  else if (unit == "h" || unit == "hour")
    unit_ms = 3'600'000;
  else
    return bad();
  return Rate{static_cast<double>(n), static_cast<double>(mult * unit_ms)};
}

Result<GroupLimits> parse_group_limits(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ') ++j;
    if (j > i) parts.push_back(text.substr(i, j - i));
    i = j;
  }
  if (parts.size() != 3)
    return Status::Invalid("rate limit '" + std::string(text) + "' must be three rates: per user, per IP, global");
  GroupLimits g;
  Rate* slots[3] = {&g.per_user, &g.per_ip, &g.global};
  for (int k = 0; k < 3; ++k) {
    auto r = parse_rate(parts[k]);
    if (!r.ok()) return r.status();
    *slots[k] = *r;
  }
  return g;
}

Result<std::unique_ptr<RateLimiter>> RateLimiter::create(const Config& c) {
  std::unique_ptr<RateLimiter> rl(new RateLimiter());
  rl->enabled_ = c.rate_limit_enabled != 0;
  const std::pair<const char*, const std::string*> rows[] = {
      {"auth", &c.rate_limit_auth},     {"cart", &c.rate_limit_cart},       {"checkout", &c.rate_limit_checkout},
      {"search", &c.rate_limit_search}, {"catalog", &c.rate_limit_catalog}, {"admin", &c.rate_limit_admin},
      {"flash", &c.rate_limit_flash},   {"default", &c.rate_limit_default}};
  for (auto& [name, spec] : rows) {
    auto g = parse_group_limits(*spec);
    if (!g.ok()) return Status::Invalid(std::string("rate_limit.") + name + ": " + g.status().message());
    if (std::string(name) == "default")
      rl->default_ = *g;
    else
      rl->groups_[name] = *g;
  }
  auto acct = parse_rate(c.rate_limit_login_per_account);
  if (!acct.ok()) return Status::Invalid("rate_limit.login_per_account: " + acct.status().message());
  auto total = parse_rate(c.rate_limit_login_per_account_total);
  if (!total.ok()) return Status::Invalid("rate_limit.login_per_account_total: " + total.status().message());
  rl->login_account_total_ = *total;
  auto ip = parse_rate(c.rate_limit_login_per_ip);
  if (!ip.ok()) return Status::Invalid("rate_limit.login_per_ip: " + ip.status().message());
  rl->login_account_ = *acct;
  rl->login_ip_ = *ip;
  rl->max_per_shard_ = std::max<size_t>(16, static_cast<size_t>(c.rate_limit_max_buckets) / kShards);
  return rl;
}

const GroupLimits* RateLimiter::limits_for(const std::string& group) const {
  if (group == "system") return nullptr;
  auto it = groups_.find(group);
  return it == groups_.end() ? &default_ : &it->second;
}

void RateLimiter::make_room(Shard& shard, int64_t now_ms) {
  // First drop buckets that have refilled completely: forgetting them
  // changes nothing. Only under a flood of distinct clients does the
  // second pass drop live buckets (those clients start over with a full
  // bucket, which is the price of bounded memory).
  for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
    const Bucket& b = it->second;
    double refill = (now_ms - b.updated_ms) * b.rate.tokens / b.rate.period_ms;
    if (b.tokens + refill >= b.rate.tokens)
      it = shard.buckets.erase(it);
    else
      ++it;
  }
  size_t target = max_per_shard_ * 9 / 10;
  for (auto it = shard.buckets.begin(); it != shard.buckets.end() && shard.buckets.size() > target;)
    it = shard.buckets.erase(it);
}

int64_t RateLimiter::take(const std::string& key, const Rate& rate) {
  return use(key, rate, true);
}

int64_t RateLimiter::peek(const std::string& key, const Rate& rate) {
  return use(key, rate, false);
}

// Refills the bucket for the time passed, then takes a token when `consume`
// and one is there. Returns 0 if a token was (or would be) available, else
// the whole seconds until one is.
int64_t RateLimiter::use(const std::string& key, const Rate& rate, bool consume) {
  if (!enabled_ || rate.unlimited()) return 0;
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  int64_t now_ms = now_millis();
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    if (!consume) return 0;  // a new bucket is full
    if (shard.buckets.size() >= max_per_shard_) make_room(shard, now_ms);
    it = shard.buckets.emplace(key, Bucket{rate.tokens, now_ms, rate}).first;
  }
  Bucket& b = it->second;
  if (b.rate.tokens != rate.tokens || b.rate.period_ms != rate.period_ms) b = Bucket{rate.tokens, now_ms, rate};
  if (now_ms > b.updated_ms) {
    b.tokens = std::min(rate.tokens, b.tokens + (now_ms - b.updated_ms) * rate.tokens / rate.period_ms);
    b.updated_ms = now_ms;
  }
  if (b.tokens >= 1.0) {
    if (consume) b.tokens -= 1.0;
    return 0;
  }
  double wait_ms = (1.0 - b.tokens) * rate.period_ms / rate.tokens;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_ms / 1000.0)));
}

int64_t RateLimiter::check_request(const std::string& group, const Principal& who, const std::string& ip) {
  if (!enabled_) return 0;
  const GroupLimits* g = limits_for(group);
  if (!g) return 0;
  const std::string name = groups_.count(group) ? group : std::string("default");
  // The buckets this request draws from. A request refused by one bucket
  // takes nothing from the others (checked first, then taken).
  std::pair<std::string, const Rate*> buckets[3];
  size_t n = 0;
  if (who.type == Principal::Type::user) {
    buckets[n++] = {name + "|u:" + std::to_string(who.user_id), &g->per_user};
    buckets[n++] = {name + "|ip:" + ip, &g->per_ip};
  } else if (who.type == Principal::Type::api_token) {
    // An API token is one caller, however many addresses it comes from.
    buckets[n++] = {name + "|t:" + std::to_string(who.token_id), &g->per_user};
  } else {
    buckets[n++] = {name + "|ip:" + ip, &g->per_ip};
  }
  buckets[n++] = {name + "|*", &g->global};
  int64_t wait = 0;
  for (size_t i = 0; i < n; ++i) wait = std::max(wait, use(buckets[i].first, *buckets[i].second, false));
  if (wait > 0) return wait;
  for (size_t i = 0; i < n; ++i) use(buckets[i].first, *buckets[i].second, true);
  return 0;
}

size_t RateLimiter::bucket_count() {
  size_t n = 0;
  for (auto& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mu);
    n += s.buckets.size();
  }
  return n;
}

}  // namespace shopbox::http
