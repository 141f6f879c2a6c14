// Reviews: write, list (sorted, with a rating histogram), helpful votes,
// edit/delete one's own, admin moderation. A user session is needed to
// write or vote (an admin API token is not a shopper).
#include "app.h"
#include "base/clock.h"
#include "http/server.h"
#include "reviews/reviews.h"

namespace shopbox {
using namespace http;

namespace {

json review_json(const Review& r) {
  return {{"review_id", id_json(r.id)},
          {"product_id", id_json(r.product_id)},
          {"user_id", id_json(r.user_id)},
          {"author", r.author},
          {"rating", r.rating},
          {"title", r.title},
          {"body", r.body},
          {"verified_purchase", r.verified_purchase},
          {"helpful_count", r.helpful_count},
          {"status", r.hidden ? "hidden" : "published"},
          {"created_at", iso8601(r.created_at)},
          {"updated_at", iso8601(r.updated_at)}};
}

json rating_json(const RatingSummary& s) {
  json hist = json::object();
  for (int i = 1; i <= 5; ++i) hist[std::to_string(i)] = s.histogram[static_cast<size_t>(i - 1)];
  // From the exact integer sum/count, rounded half-up to one decimal like the product's rating.
  double average = s.count > 0 ? static_cast<double>((s.sum * 20 + s.count) / (2 * s.count)) / 10.0 : 0.0;
  return {{"average", average}, {"count", s.count}, {"histogram", hist}};
}

// Reads {rating, title, body}; anything else is a 400 naming the field.
Result<ReviewInput> parse_review(const Req& req) {
  auto body = parse_object(req);
  if (!body.ok()) return body.status();
  if (auto st = only_fields(*body, {"rating", "title", "body"}); !st.ok()) return st;
  ReviewInput in;
  if (body->contains("rating")) {
    const json& v = (*body)["rating"];
    if (!v.is_number_integer()) return field_error("rating", "rating must be an integer from 1 to 5");
    int64_t n = v.get<int64_t>();
    if (n < 1 || n > 5) return field_error("rating", "rating must be an integer from 1 to 5");
    in.rating = static_cast<int>(n);
  }
  auto title = opt_string(*body, "title", 200);
  if (!title.ok()) return title.status();
  in.title = *title;
  auto text = opt_string(*body, "body", 10000);
  if (!text.ok()) return text.status();
  in.body = *text;
  return in;
}

Result<ReviewSort> parse_sort(const Req& req) {
  auto s = query(req, "sort");
  if (!s || s->empty() || *s == "newest") return ReviewSort::newest;
  if (*s == "helpful") return ReviewSort::helpful;
  if (*s == "rating" || *s == "rating_desc") return ReviewSort::rating;
  if (*s == "rating_asc") return ReviewSort::rating_asc;
  return field_error("sort", "sort must be one of newest, helpful, rating, rating_asc");
}

}  // namespace

void register_review_routes(HttpServer& server, App& app) {
  server.add({"POST", "/api/v1/products/{id}/reviews", Access::user, "reviews",
              "Review a product {rating 1-5, title, body}; one review per user and product (409 already_reviewed)"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto id = path_id(req, 1, "product");
               if (!id.ok()) return send_error(res, id.status());
               auto in = parse_review(req);
               if (!in.ok()) return send_error(res, in.status());
               auto r = app.reviews->create(*id, who.user_id, *in);
               if (!r.ok()) return send_error(res, r.status());
               send_json(res, 201, review_json(*r));
             });

  server.add({"GET", "/api/v1/products/{id}/reviews", Access::anyone, "catalog",
              "A product's reviews: sort=newest|helpful|rating|rating_asc, rating=1..5, page, size; with the rating "
              "histogram"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "product");
               if (!id.ok()) return send_error(res, id.status());
               auto page = pagination(req);
               if (!page.ok()) return send_error(res, page.status());
               auto sort = parse_sort(req);
               if (!sort.ok()) return send_error(res, sort.status());
               auto rating = query_int(req, "rating", 1, 5);
               if (!rating.ok()) return send_error(res, rating.status());
               std::optional<int> only;
               if (*rating) only = static_cast<int>(**rating);
               auto list = app.reviews->list(*id, *sort, only, page->page, page->size);
               if (!list.ok()) return send_error(res, list.status());
               json reviews = json::array();
               for (const auto& r : list->page.reviews) reviews.push_back(review_json(r));
               send_json(res, 200,
                         {{"reviews", reviews},
                          {"page", page->page},
                          {"size", page->size},
                          {"total", list->page.total},
                          {"rating", rating_json(list->rating)}});
             });

  server.add({"GET", "/api/v1/reviews/{id}", Access::anyone, "catalog", "One review"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto id = path_id(req, 1, "review");
               if (!id.ok()) return send_error(res, id.status());
               auto r = app.reviews->get(*id, who.signed_in() ? who.user_id : 0);
               if (!r.ok()) return send_error(res, r.status());
               send_json(res, 200, review_json(*r));
             });

  server.add({"POST", "/api/v1/reviews/{id}/helpful", Access::user, "reviews",
              "Mark a review helpful (one vote per user; 409 already_voted)"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto id = path_id(req, 1, "review");
               if (!id.ok()) return send_error(res, id.status());
               auto r = app.reviews->vote_helpful(*id, who.user_id);
               if (!r.ok()) return send_error(res, r.status());
               send_json(res, 200, review_json(*r));
             });

  server.add(
      {"PATCH", "/api/v1/reviews/{id}", Access::user, "reviews", "Edit your own review {rating?, title?, body?}"},
      [&app](const Req& req, Res& res, const Principal& who) {
        if (auto st = need_session(who); !st.ok()) return send_error(res, st);
        auto id = path_id(req, 1, "review");
        if (!id.ok()) return send_error(res, id.status());
        auto in = parse_review(req);
        if (!in.ok()) return send_error(res, in.status());
        auto r = app.reviews->update(*id, who.user_id, *in);
        if (!r.ok()) return send_error(res, r.status());
        send_json(res, 200, review_json(*r));
      });

  server.add({"DELETE", "/api/v1/reviews/{id}", Access::user, "reviews", "Delete your own review"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto id = path_id(req, 1, "review");
               if (!id.ok()) return send_error(res, id.status());
               if (auto st = app.reviews->remove(*id, who.user_id); !st.ok()) return send_error(res, st);
               res.status = 204;
             });

  for (bool hide : {true, false}) {
    server.add(
        {"POST", hide ? "/api/v1/admin/reviews/{id}/hide" : "/api/v1/admin/reviews/{id}/unhide", Access::admin, "admin",
         hide ? "Hide a review (it stops counting in the product rating)" : "Show a hidden review again"},
        [&app, hide](const Req& req, Res& res, const Principal&) {
          auto id = path_id(req, 1, "review");
          if (!id.ok()) return send_error(res, id.status());
          auto r = app.reviews->set_hidden(*id, hide);
          if (!r.ok()) return send_error(res, r.status());
          send_json(res, 200, review_json(*r));
        });
  }

  server.add(
      {"GET", "/api/v1/admin/reviews", Access::admin, "admin",
       "Reviews of every product for moderation: status=hidden|published, page, size"},
      [&app](const Req& req, Res& res, const Principal&) {
        auto page = pagination(req);
        if (!page.ok()) return send_error(res, page.status());
        std::optional<bool> hidden;
        if (auto s = query(req, "status"); s && !s->empty()) {
          if (*s == "hidden")
            hidden = true;
          else if (*s == "published")
            hidden = false;
          else
            return send_error(res, field_error("status", "status must be hidden or published"));
        }
        auto list = app.reviews->admin_list(hidden, page->page, page->size);
        if (!list.ok()) return send_error(res, list.status());
        json reviews = json::array();
        for (const auto& r : list->reviews) reviews.push_back(review_json(r));
        send_json(res, 200, {{"reviews", reviews}, {"page", page->page}, {"size", page->size}, {"total", list->total}});
      });
}

}  // namespace shopbox
