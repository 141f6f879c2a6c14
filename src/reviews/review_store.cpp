#include "reviews/review_store.h"

#include "base/clock.h"
#include "storage/rows.h"

namespace shopbox::review_store {

namespace {

// "Verified purchase" is read from the orders every time, never stored:
// the reviewer has an order line of the product that was paid for and not
// refunded in full, in an order that is not cancelled or refunded. A
// refund or cancellation after the review takes the badge away.
#define SB_PURCHASED(USER, PRODUCT)                                                                      \
  "EXISTS (SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.order_id WHERE o.user_id = " USER \
  " AND i.product_id = " PRODUCT                                                                         \
  " AND o.status IN ('paid', 'processing', 'shipped', 'delivered', 'partially_refunded')"                \
  " AND i.refunded_quantity < i.quantity)"

Review read_row(Statement& st) {
  Columns row(st);
  Review r;
  r.id = row.int64();
  r.product_id = row.int64();
  r.user_id = row.int64();
  r.rating = static_cast<int>(row.int64());
  r.title = row.text();
  r.body = row.text();
  r.verified_purchase = row.int64() != 0;
  r.helpful_count = row.int64();
  r.hidden = row.int64() != 0;
  r.created_at = row.int64();
  r.updated_at = row.int64();
  std::string first = row.text(), last = row.text();
  r.author = first.empty() ? "Customer" : first;
  if (!last.empty()) {
    r.author.push_back(' ');
    r.author.push_back(last[0]);
    r.author.push_back('.');
  }
  row.done();
  return r;
}

// Moves a product's rating by (sum, count) in the caller's transaction.
void move_rating(Connection& c, int64_t product_id, int64_t sum_delta, int64_t count_delta) {
  if (sum_delta == 0 && count_delta == 0) return;
  auto st = c.prepare(
      "UPDATE products SET rating_sum = rating_sum + ?, rating_count = rating_count + ? WHERE product_id = ?");
  st.bind(1, sum_delta).bind(2, count_delta).bind(3, product_id);
  st.exec();
}

}  // namespace

std::optional<Review> get(Connection& c, int64_t review_id) {
  auto st = c.prepare("SELECT r.review_id, r.product_id, r.user_id, r.rating, r.title, r.body, " SB_PURCHASED(
      "r.user_id",
      "r.product_id") ", r.helpful_count, "
                      "r.hidden, r.created_at, r.updated_at, COALESCE(u.first_name, ''), "
                      "COALESCE(u.last_name, '') "
                      "FROM reviews r LEFT JOIN users u ON u.user_id = r.user_id WHERE r.review_id = ?");
  st.bind(1, review_id);
  if (!st.step()) return std::nullopt;
  return read_row(st);
}

std::optional<Review> find_by_user(Connection& c, int64_t product_id, int64_t user_id) {
  auto st = c.prepare("SELECT review_id FROM reviews WHERE product_id = ? AND user_id = ?");
  st.bind(1, product_id).bind(2, user_id);
  if (!st.step()) return std::nullopt;
  int64_t id = st.int64(0);
  return get(c, id);
}

ReviewPage list(Connection& c, const ReviewQuery& q) {
  ReviewPage page;
  // One fixed statement per sort order; filters are bound, NULL = any.
  // Product pages filter by an equality on product_id (the index serves it);
  // the admin list (product_id 0) covers every product.
#define SB_REVIEW_SELECT(WHERE) \
  "SELECT r.review_id, r.product_id, r.user_id, r.rating, r.title, r.body, " SB_PURCHASED("r.user_id", "r.product_id") \
  ", r.helpful_count, " \
  "r.hidden, r.created_at, r.updated_at, COALESCE(u.first_name, ''), COALESCE(u.last_name, '') "                   \
  "FROM reviews r LEFT JOIN users u ON u.user_id = r.user_id WHERE " WHERE                                         \
  " AND (?2 IS NULL OR r.rating = ?2) AND (?3 IS NULL OR r.hidden = ?3) "
#define SB_REVIEW_SORTS(WHERE)                                                                                    \
  {                                                                                                               \
    SB_REVIEW_SELECT(WHERE)                                                                                       \
    "ORDER BY r.created_at DESC, r.review_id DESC LIMIT ?4 OFFSET ?5",                                            \
        SB_REVIEW_SELECT(                                                                                         \
            WHERE) "ORDER BY r.helpful_count DESC, r.created_at DESC, r.review_id DESC LIMIT ?4 OFFSET ?5",       \
        SB_REVIEW_SELECT(WHERE) "ORDER BY r.rating DESC, r.created_at DESC, r.review_id DESC LIMIT ?4 OFFSET ?5", \
        SB_REVIEW_SELECT(WHERE) "ORDER BY r.rating ASC, r.created_at DESC, r.review_id DESC LIMIT ?4 OFFSET ?5"   \
  }
  static const char* kByProduct[] = SB_REVIEW_SORTS("r.product_id = ?1");
  static const char* kAll[] = SB_REVIEW_SORTS("?1 = 0");
#undef SB_REVIEW_SORTS
#undef SB_REVIEW_SELECT
  const char* sql = (q.product_id != 0 ? kByProduct : kAll)[static_cast<int>(q.sort)];
  std::optional<int64_t> rating;
  if (q.rating) rating = *q.rating;
  std::optional<int64_t> hidden;
  if (q.hidden) hidden = *q.hidden ? 1 : 0;
  {
    auto st = c.prepare(sql);
    st.bind(1, q.product_id).bind(2, rating).bind(3, hidden).bind(4, static_cast<int64_t>(q.limit)).bind(5, q.offset);
    while (st.step()) page.reviews.push_back(read_row(st));
  }
  auto count = c.prepare(
      q.product_id != 0 ? "SELECT COUNT(*) FROM reviews r "
                          "WHERE r.product_id = ?1 AND (?2 IS NULL OR r.rating = ?2) AND (?3 IS NULL OR r.hidden = ?3)"
                        : "SELECT COUNT(*) FROM reviews r "
                          "WHERE ?1 = 0 AND (?2 IS NULL OR r.rating = ?2) AND (?3 IS NULL OR r.hidden = ?3)");
  count.bind(1, q.product_id).bind(2, rating).bind(3, hidden);
  if (count.step()) page.total = count.int64(0);
  return page;
}

RatingSummary summary(Connection& c, int64_t product_id) {
  RatingSummary s;
  auto st = c.prepare("SELECT rating, COUNT(*) FROM reviews WHERE product_id = ? AND hidden = 0 GROUP BY rating");
  st.bind(1, product_id);
  while (st.step()) {
    int64_t rating = st.int64(0);
    if (rating >= 1 && rating <= 5) s.histogram[static_cast<size_t>(rating - 1)] = st.int64(1);
  }
  auto p = c.prepare("SELECT rating_sum, rating_count FROM products WHERE product_id = ?");
  p.bind(1, product_id);
  if (p.step()) {
    s.sum = p.int64(0);
    s.count = p.int64(1);
  }
  return s;
}

Status insert(Connection& c, Review& r) {
  if (find_by_user(c, r.product_id, r.user_id))
    return Status::Conflict("already_reviewed", "you have already reviewed this product; edit your review instead");
  r.created_at = r.updated_at = now_seconds();
  auto st = c.prepare(
      "INSERT INTO reviews (product_id, user_id, rating, title, body, verified_purchase, helpful_count, hidden, "
      "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)");
  st.bind(1, r.product_id).bind(2, r.user_id).bind(3, static_cast<int64_t>(r.rating)).bind(4, r.title).bind(5, r.body);
  st.bind(6, static_cast<int64_t>(r.verified_purchase ? 1 : 0)).bind(7, r.created_at).bind(8, r.updated_at);
  st.exec();
  r.id = c.last_insert_id();
  move_rating(c, r.product_id, r.rating, 1);
  return Status::Ok();
}

Status update(Connection& c, const Review& before, const Review& after) {
  auto st = c.prepare("UPDATE reviews SET rating = ?, title = ?, body = ?, updated_at = ? WHERE review_id = ?");
  st.bind(1, static_cast<int64_t>(after.rating)).bind(2, after.title).bind(3, after.body).bind(4, now_seconds());
  st.bind(5, before.id);
  st.exec();
  if (!before.hidden) move_rating(c, before.product_id, after.rating - before.rating, 0);
  return Status::Ok();
}

Status remove(Connection& c, const Review& r) {
  auto votes = c.prepare("DELETE FROM review_votes WHERE review_id = ?");
  votes.bind(1, r.id);
  votes.exec();
  auto st = c.prepare("DELETE FROM reviews WHERE review_id = ?");
  st.bind(1, r.id);
  st.exec();
  if (!r.hidden) move_rating(c, r.product_id, -r.rating, -1);
  return Status::Ok();
}

Status set_hidden(Connection& c, const Review& r, bool hidden) {
  if (r.hidden == hidden) return Status::Ok();
  auto st = c.prepare("UPDATE reviews SET hidden = ? WHERE review_id = ?");
  st.bind(1, static_cast<int64_t>(hidden ? 1 : 0)).bind(2, r.id);
  st.exec();
  if (hidden)
    move_rating(c, r.product_id, -r.rating, -1);
  else
    move_rating(c, r.product_id, r.rating, 1);
  return Status::Ok();
}

bool add_vote(Connection& c, int64_t review_id, int64_t user_id) {
  auto st = c.prepare("INSERT OR IGNORE INTO review_votes (review_id, user_id, created_at) VALUES (?, ?, ?)");
  st.bind(1, review_id).bind(2, user_id).bind(3, now_seconds());
  st.exec();
  if (c.changes() == 0) return false;
  auto up = c.prepare("UPDATE reviews SET helpful_count = helpful_count + 1 WHERE review_id = ?");
  up.bind(1, review_id);
  up.exec();
  return true;
}

bool has_purchased(Connection& c, int64_t user_id, int64_t product_id) {
  auto exists =
      c.prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('orders', 'order_items')");
  if (!exists.step() || exists.int64(0) != 2) return false;
  auto st = c.prepare("SELECT " SB_PURCHASED("?1", "?2"));
  st.bind(1, user_id).bind(2, product_id);
  return st.step() && st.int64(0) != 0;
}

std::vector<std::string> check(Connection& c) {
  std::vector<std::string> problems;
  auto st = c.prepare(
      "SELECT p.product_id, p.rating_sum, p.rating_count, COALESCE(v.s, 0), COALESCE(v.n, 0) FROM products p "
      "LEFT JOIN (SELECT product_id, SUM(rating) AS s, COUNT(*) AS n FROM reviews WHERE hidden = 0 "
      "GROUP BY product_id) v ON v.product_id = p.product_id "
      "WHERE p.rating_sum != COALESCE(v.s, 0) OR p.rating_count != COALESCE(v.n, 0) LIMIT 100");
  while (st.step()) {
    problems.push_back("product " + std::to_string(st.int64(0)) + ": rating_sum/count " + std::to_string(st.int64(1)) +
                       "/" + std::to_string(st.int64(2)) + " but visible reviews give " + std::to_string(st.int64(3)) +
                       "/" + std::to_string(st.int64(4)));
  }
  return problems;
}

std::vector<UnbackedRating> unbacked_ratings(Connection& c) {
  std::vector<UnbackedRating> out;
  auto st = c.prepare(
      "SELECT p.product_id, p.rating_sum, p.rating_count FROM products p WHERE p.rating_count > 0 AND NOT EXISTS "
      "(SELECT 1 FROM reviews r WHERE r.product_id = p.product_id) ORDER BY p.product_id");
  while (st.step()) out.push_back({st.int64(0), st.int64(1), st.int64(2)});
  return out;
}

void insert_counted_review(Connection& c, Review& r) {
  r.created_at = r.updated_at = r.created_at ? r.created_at : now_seconds();
  auto st = c.prepare(
      "INSERT INTO reviews (product_id, user_id, rating, title, body, verified_purchase, helpful_count, hidden, "
      "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 0, 0, ?, ?)");
  st.bind(1, r.product_id).bind(2, r.user_id).bind(3, static_cast<int64_t>(r.rating)).bind(4, r.title).bind(5, r.body);
  st.bind(6, r.created_at).bind(7, r.updated_at);
  st.exec();
  r.id = c.last_insert_id();
}

}  // namespace shopbox::review_store
