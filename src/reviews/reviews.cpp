#include "reviews/reviews.h"

#include "catalog/catalog.h"

namespace shopbox {

Status Reviews::validate(const ReviewInput& in, bool creating) {
  if (creating && !in.rating) return Status::Invalid("rating is required (1 to 5)", {{"field", "rating"}});
  if (in.rating && (*in.rating < 1 || *in.rating > 5))
    return Status::Invalid("rating must be an integer from 1 to 5", {{"field", "rating"}});
  if (in.title && in.title->size() > 200) return Status::Invalid("title is too long (max 200)", {{"field", "title"}});
  if (in.body && in.body->size() > 10000) return Status::Invalid("body is too long (max 10000)", {{"field", "body"}});
  return Status::Ok();
}

Result<Review> Reviews::create(int64_t product_id, int64_t user_id, const ReviewInput& in) {
  if (auto st = validate(in, true); !st.ok()) return st;
  Review r;
  r.product_id = product_id;
  r.user_id = user_id;
  r.rating = *in.rating;
  r.title = in.title.value_or("");
  r.body = in.body.value_or("");
  if (auto p = catalog_.product_for_shoppers(product_id); !p.ok()) return p.status();  // 404: unknown or not for sale
  Status st = db_.write([&](Connection& c) {
    r.verified_purchase = review_store::has_purchased(c, user_id, product_id);
    return review_store::insert(c, r);
  });
  if (!st.ok()) return st;
  catalog_.product_changed(product_id);
  return get(r.id, user_id);
}

Result<ReviewList> Reviews::list(int64_t product_id, ReviewSort sort, std::optional<int> rating, int page, int size) {
  ReviewList out;
  if (auto p = catalog_.product_for_shoppers(product_id); !p.ok()) return p.status();  // 404: unknown or not for sale
  Status st = db_.read([&](Connection& c) {
    ReviewQuery q;
    q.product_id = product_id;
    q.rating = rating;
    q.hidden = false;
    q.sort = sort;
    q.offset = static_cast<int64_t>(page - 1) * size;
    q.limit = size;
    out.page = review_store::list(c, q);
    out.rating = review_store::summary(c, product_id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Review> Reviews::get(int64_t review_id, int64_t viewer_user_id) {
  std::optional<Review> r;
  Status st = db_.read([&](Connection& c) {
    r = review_store::get(c, review_id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!r || (r->hidden && r->user_id != viewer_user_id)) return Status::NotFound("review not found");
  return *r;
}

Result<Review> Reviews::update(int64_t review_id, int64_t user_id, const ReviewInput& in) {
  if (auto st = validate(in, false); !st.ok()) return st;
  int64_t product_id = 0;
  Status st = db_.write([&](Connection& c) {
    auto before = review_store::get(c, review_id);
    if (!before || before->user_id != user_id) return Status::NotFound("review not found");
    product_id = before->product_id;
    Review after = *before;
    if (in.rating) after.rating = *in.rating;
    if (in.title) after.title = *in.title;
    if (in.body) after.body = *in.body;
    return review_store::update(c, *before, after);
  });
  if (!st.ok()) return st;
  catalog_.product_changed(product_id);
  return get(review_id, user_id);
}

Status Reviews::remove(int64_t review_id, int64_t user_id) {
  int64_t product_id = 0;
  Status st = db_.write([&](Connection& c) {
    auto r = review_store::get(c, review_id);
    if (!r || r->user_id != user_id) return Status::NotFound("review not found");
    product_id = r->product_id;
    return review_store::remove(c, *r);
  });
  if (!st.ok()) return st;
  catalog_.product_changed(product_id);
  return Status::Ok();
}

Result<Review> Reviews::vote_helpful(int64_t review_id, int64_t user_id) {
  Status st = db_.write([&](Connection& c) {
    auto r = review_store::get(c, review_id);
    if (!r || r->hidden) return Status::NotFound("review not found");
    if (r->user_id == user_id) return Status(Kind::forbidden, "own_review", "you cannot vote on your own review");
    if (!review_store::add_vote(c, review_id, user_id))
      return Status::Conflict("already_voted", "you have already marked this review helpful");
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return get(review_id, user_id);
}

Result<Review> Reviews::set_hidden(int64_t review_id, bool hidden) {
  std::optional<Review> after;
  bool changed = false;
  Status st = db_.write([&](Connection& c) {
    auto r = review_store::get(c, review_id);
    if (!r) return Status::NotFound("review not found");
    changed = r->hidden != hidden;
    if (auto s = review_store::set_hidden(c, *r, hidden); !s.ok()) return s;
    after = review_store::get(c, review_id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (changed) catalog_.product_changed(after->product_id);
  return *after;
}

Result<ReviewPage> Reviews::admin_list(std::optional<bool> hidden, int page, int size) {
  ReviewPage out;
  Status st = db_.read([&](Connection& c) {
    ReviewQuery q;
    q.hidden = hidden;
    q.offset = static_cast<int64_t>(page - 1) * size;
    q.limit = size;
    out = review_store::list(c, q);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

void Reviews::check_invariants(std::vector<std::string>& problems) {
  Status read = db_.read([&](Connection& c) {
    for (auto& p : review_store::check(c)) problems.push_back("reviews: " + p);
    return Status::Ok();
  });
  // A check that cannot read is a problem of its own, never a clean bill.
  if (!read.ok()) problems.push_back("reviews: cannot read the ratings to check: " + read.message());
}

}  // namespace shopbox
