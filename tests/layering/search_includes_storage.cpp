// Must NOT compile: search/ (the Xapian index) knows base/ only; the
// catalog feeds it through src/catalog/product_search.
#include "search/index.h"      // its own layer: found
#include "storage/sqlite.h"    // a sibling engine it must not reach: "No such file"
