// Reviews and ratings: one review per user and product, "verified purchase"
// from the user's paid orders, helpful votes (one per user), edit/delete of
// one's own review, admin moderation (hide/unhide).
//
// The product's rating_sum/rating_count change in the same SQLite
// transaction as the review (reviews/review_store.h), and the catalog's
// listeners hear about it so the search index re-sorts and re-facets.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "reviews/review_store.h"
#include "storage/sqlite.h"

namespace shopbox {

class Catalog;

struct ReviewInput {
  std::optional<int> rating;
  std::optional<std::string> title;
  std::optional<std::string> body;
};

struct ReviewList {
  ReviewPage page;
  RatingSummary rating;
};

class Reviews {
 public:
  Reviews(Sqlite& db, Catalog& catalog) : db_(db), catalog_(catalog) {}

  Result<Review> create(int64_t product_id, int64_t user_id, const ReviewInput& in);
  // Visible reviews of a product plus its rating histogram. 404 for an unknown product.
  Result<ReviewList> list(int64_t product_id, ReviewSort sort, std::optional<int> rating, int page, int size);
  // The user's own review (any state) or a visible one; 404 otherwise.
  Result<Review> get(int64_t review_id, int64_t viewer_user_id);
  // Own reviews only: another user's review is a 404.
  Result<Review> update(int64_t review_id, int64_t user_id, const ReviewInput& in);
  Status remove(int64_t review_id, int64_t user_id);
  // One vote per user (409 already_voted), not on one's own review (403).
  Result<Review> vote_helpful(int64_t review_id, int64_t user_id);
  // Moderation.
  Result<Review> set_hidden(int64_t review_id, bool hidden);
  Result<ReviewPage> admin_list(std::optional<bool> hidden, int page, int size);

  void check_invariants(std::vector<std::string>& problems);

  static Status validate(const ReviewInput& in, bool creating);

 private:
  Sqlite& db_;
  Catalog& catalog_;
};

}  // namespace shopbox
