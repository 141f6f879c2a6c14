#include "reviews/demo_reviews.h"

#include <array>
#include <string>

#include "base/clock.h"
#include "base/seeded_random.h"
#include "reviews/review_store.h"

namespace shopbox {
namespace {

struct DemoText {
  int stars;
  const char* title;
  const char* body;
};

// A few lines per star count, so a 2-star review does not rave.
constexpr std::array<DemoText, 15> kTexts = {{
    {1, "Not for me", "It did not hold up: I sent it back after a week."},
    {1, "Disappointed", "Looked nothing like the photos and felt cheap."},
    {1, "Stopped working", "Worked for a few days, then gave up."},
    {2, "Just okay", "Does the job, but I expected better for the price."},
    {2, "Smaller than expected", "Check the measurements before you buy."},
    {2, "Mixed feelings", "Some parts are good, others feel like an afterthought."},
    {3, "Decent", "Fine for everyday use, nothing special."},
    {3, "Does what it says", "No surprises either way. Delivery was quick."},
    {3, "Good value", "Not premium, but fair for what it costs."},
    {4, "Very happy", "Well made and easy to use. Would buy again."},
    {4, "Great quality", "Better than the one I had before. Minor quibbles only."},
    {4, "Recommended", "Solid, looks good, arrived well packed."},
    {5, "Love it", "Exactly what I wanted. I use it every day."},
    {5, "Excellent", "Top quality, and it arrived a day early."},
    {5, "Perfect gift", "Bought it for my sister; she has not stopped talking about it."},
}};

const DemoText& text_for(SeededRandom& rng, int stars) {
  size_t first = static_cast<size_t>(stars - 1) * 3;
  return kTexts[first + static_cast<size_t>(rng.range(0, 2))];
}

// `count` ratings from 1 to 5 adding up to `sum` exactly (count <= sum <=
// 5 * count): as even as possible first, then spread by moving a star from
// one rating to another, which keeps the sum.
std::vector<int> spread_ratings(SeededRandom& rng, int64_t sum, int64_t count) {
  std::vector<int> r(static_cast<size_t>(count), static_cast<int>(sum / count));
  for (int64_t i = 0; i < sum % count; ++i) ++r[static_cast<size_t>(i)];
  for (int64_t moves = 0; moves < count; ++moves) {
    auto up = static_cast<size_t>(rng.range(0, count - 1)), down = static_cast<size_t>(rng.range(0, count - 1));
    if (up != down && r[up] < 5 && r[down] > 1) ++r[up], --r[down];
  }
  return r;
}

}  // namespace

Result<int64_t> load_demo_reviews(Sqlite& db, const std::vector<int64_t>& reviewers, uint64_t seed) {
  int64_t written = 0;
  Status st = db.write([&](Connection& c) -> Status {
    written = 0;
    SeededRandom rng(seed ^ 0x7e71e35ULL);
    const int64_t now = now_seconds();
    for (const auto& unbacked : review_store::unbacked_ratings(c)) {
      if (unbacked.count > static_cast<int64_t>(reviewers.size()) || unbacked.sum < unbacked.count ||
          unbacked.sum > 5 * unbacked.count)
        return Status::Invalid("product " + std::to_string(unbacked.product_id) +
                               " has a rating no set of demo reviews can give");
      auto ratings = spread_ratings(rng, unbacked.sum, unbacked.count);
      auto first = static_cast<size_t>(rng.range(0, static_cast<int64_t>(reviewers.size()) - 1));
      for (size_t i = 0; i < ratings.size(); ++i) {
        Review r;
        r.product_id = unbacked.product_id;
        r.user_id = reviewers[(first + i) % reviewers.size()];  // distinct: count <= reviewers
        r.rating = ratings[i];
        const DemoText& t = text_for(rng, r.rating);
        r.title = t.title;
        r.body = t.body;
        // Spread over the last half year, newest last.
        r.created_at = now - rng.range(1, 180) * 86400;
        review_store::insert_counted_review(c, r);
        ++written;
      }
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return written;
}

}  // namespace shopbox
