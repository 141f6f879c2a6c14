// Reviews and helpful votes, in SQLite. Plain data in and out; the rules
// (one review per user and product, own reviews only, moderation) live in
// src/reviews/. Every function that changes what counts towards a product's
// rating also changes products.rating_sum/rating_count in the same
// transaction, so the average is exact at every commit.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/sqlite.h"

namespace shopbox {

// The reviews' tables (migration 401, src/reviews/schema.cpp).
const std::vector<Migration>& review_migrations();

struct Review {
  int64_t id = 0;
  int64_t product_id = 0;
  int64_t user_id = 0;
  std::string author;  // "Ada L." from the user's name (filled by reads)
  int rating = 0;      // 1..5
  std::string title;
  std::string body;
  bool verified_purchase = false;
  int64_t helpful_count = 0;
  bool hidden = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

enum class ReviewSort { newest, helpful, rating, rating_asc };

struct ReviewQuery {
  int64_t product_id = 0;      // 0: every product (admin list)
  std::optional<int> rating;   // only this star count
  std::optional<bool> hidden;  // nullopt: both
  ReviewSort sort = ReviewSort::newest;
  int64_t offset = 0;
  int limit = 20;
};

struct ReviewPage {
  std::vector<Review> reviews;
  int64_t total = 0;
};

struct RatingSummary {
  int64_t sum = 0;
  int64_t count = 0;
  std::array<int64_t, 5> histogram{};  // [0] = one star ... [4] = five stars (visible reviews)
};

namespace review_store {

std::optional<Review> get(Connection& c, int64_t review_id);
std::optional<Review> find_by_user(Connection& c, int64_t product_id, int64_t user_id);
ReviewPage list(Connection& c, const ReviewQuery& q);
RatingSummary summary(Connection& c, int64_t product_id);

// Inserts r (id and timestamps filled) and counts it in the product's rating.
// Conflict already_reviewed when the user has a review of the product.
Status insert(Connection& c, Review& r);
// Rewrites rating/title/body; moves the product's rating by the difference.
Status update(Connection& c, const Review& before, const Review& after);
// Deletes a review and its votes; takes it out of the product's rating.
Status remove(Connection& c, const Review& r);
// Hides or shows a review; hidden reviews do not count in the rating.
Status set_hidden(Connection& c, const Review& r, bool hidden);
// One helpful vote per user: false when this user already voted.
bool add_vote(Connection& c, int64_t review_id, int64_t user_id);

// True when the user has a paid (or later) order holding the product. False
// when the orders tables do not exist (yet).
bool has_purchased(Connection& c, int64_t user_id, int64_t product_id);

// Products whose rating_sum/rating_count differ from their visible reviews.
std::vector<std::string> check(Connection& c);

// A product rating with no reviews behind it at all (the demo catalog's).
struct UnbackedRating {
  int64_t product_id = 0;
  int64_t sum = 0;
  int64_t count = 0;
};
std::vector<UnbackedRating> unbacked_ratings(Connection& c);
// Inserts a review that the product's rating already counts (one of the
// reviews behind an unbacked rating): the product row is left as it is, so
// the caller writes reviews whose ratings add up to it exactly, by distinct
// users. check() proves it. A bulk path: one statement per review.
void insert_counted_review(Connection& c, Review& r);

}  // namespace review_store
}  // namespace shopbox
