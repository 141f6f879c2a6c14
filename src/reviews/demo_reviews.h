// The demo shop's reviews. The demo catalog gives products a rating count
// and sum (so the search index sorts and facets by rating from the first
// load); these are the reviews behind those numbers, so "4.5 ★ (8)" on a
// demo product has eight reviews to read and `shopbox check` stays clean.
//
// Thread rule: one caller, before the shop serves (shopbox demo).
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "storage/sqlite.h"

namespace shopbox {

// Writes, for every product whose rating has no reviews behind it, one
// review per counted rating by distinct `reviewers` (user ids), with
// ratings that add up to the product's rating_sum exactly. Products that
// count more ratings than there are reviewers are an invalid call. Returns
// the number of reviews written; a second call writes none.
Result<int64_t> load_demo_reviews(Sqlite& db, const std::vector<int64_t>& reviewers, uint64_t seed);

}  // namespace shopbox
