#include "catalog/demo_catalog.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>

#include "base/seeded_random.h"

namespace shopbox {
namespace {

using Rng = SeededRandom;

struct Leaf {
  const char* name;
  std::vector<const char*> nouns;
};
struct Sub {
  const char* name;
  std::vector<Leaf> leaves;
};
struct Spec {
  const char* key;
  std::vector<const char*> values;
};
struct Root {
  const char* name;
  int64_t min_price, max_price;  // whole dollars
  bool titled;                   // books: the name is a title, the brand a publisher
  std::vector<const char*> brands;
  std::vector<const char*> adjectives;
  std::vector<Spec> specs;
  std::vector<Sub> subs;
};

// Longer than a function should be, on purpose: it is a table (the demo's
// category tree with its brands and price ranges), read top to bottom.
const std::vector<Root>& tree() {
  static const std::vector<Root> roots = {
      {"Electronics",
       15,
       1800,
       false,
       {"Sonora", "Voltix", "TechBrand", "Lumina", "Arcwave", "Northpeak", "Kestrel", "Pixelon"},
       {"Wireless", "Pro", "Compact", "Ultra", "Smart", "Portable", "Studio", "Elite"},
       {{"Color", {"Black", "White", "Silver", "Midnight Blue", "Graphite"}},
        {"Connectivity", {"Bluetooth 5.3", "USB-C", "Wi-Fi 6", "Bluetooth 5.0", "Wired"}},
        {"Battery Life", {"8 hours", "12 hours", "20 hours", "30 hours", "40 hours"}},
        {"Warranty", {"1 year", "2 years", "3 years"}}},
       {{"Audio",
         {{"Headphones", {"Headphones", "Over-Ear Headphones", "Noise-Cancelling Headphones"}},
          {"Speakers", {"Speaker", "Bookshelf Speaker", "Soundbar"}},
          {"Earbuds", {"Earbuds", "True Wireless Earbuds", "Sport Earbuds"}}}},
        {"Computers",
         {{"Laptops", {"Laptop", "Ultrabook", "Gaming Laptop"}},
          {"Monitors", {"Monitor", "4K Monitor", "Curved Monitor"}},
          {"Keyboards", {"Keyboard", "Mechanical Keyboard", "Wireless Keyboard"}}}},
        {"Cameras",
         {{"Digital Cameras", {"Mirrorless Camera", "Compact Camera", "Action Camera"}},
          {"Lenses", {"Prime Lens", "Zoom Lens", "Wide-Angle Lens"}},
          {"Drones", {"Drone", "Camera Drone", "Mini Drone"}}}}}},
      {"Home & Kitchen",
       8,
       900,
       false,
       {"Hearthline", "Casa Verde", "Oakmere", "Copperleaf", "Nordhem", "Brightside", "Kitchenary"},
       {"Classic", "Modern", "Stainless", "Nonstick", "Rustic", "Minimalist", "Deluxe", "Everyday"},
       {{"Material", {"Stainless steel", "Oak", "Ceramic", "Cast iron", "Bamboo", "Glass"}},
        {"Color", {"Natural", "Charcoal", "Cream", "Sage", "Terracotta"}},
        {"Dishwasher Safe", {"Yes", "No"}},
        {"Dimensions", {"30 x 20 x 10 cm", "45 x 45 x 80 cm", "120 x 60 x 75 cm", "25 cm diameter"}}},
       {{"Kitchen",
         {{"Cookware", {"Frying Pan", "Saucepan", "Dutch Oven"}},
          {"Small Appliances", {"Blender", "Coffee Maker", "Toaster"}},
          {"Cutlery", {"Chef's Knife", "Knife Set", "Cutting Board"}}}},
        {"Furniture",
         {{"Chairs", {"Armchair", "Dining Chair", "Office Chair"}},
          {"Desks", {"Standing Desk", "Writing Desk", "Corner Desk"}},
          {"Shelves", {"Bookshelf", "Wall Shelf", "Storage Cabinet"}}}},
        {"Decor",
         {{"Lamps", {"Table Lamp", "Floor Lamp", "Desk Lamp"}},
          {"Rugs", {"Area Rug", "Runner Rug", "Wool Rug"}},
          {"Wall Art", {"Canvas Print", "Framed Poster", "Wall Mirror"}}}}}},
      {"Clothing",
       9,
       350,
       false,
       {"Northfield", "Urban Thread", "Alder & Co", "Mistral", "Copper Fox", "Evergreen Apparel", "Stride"},
       {"Slim-Fit", "Organic", "Classic", "Relaxed", "Lightweight", "Waterproof", "Vintage", "Essential"},
       {{"Material", {"100% cotton", "Merino wool", "Linen", "Recycled polyester", "Denim"}},
        {"Color", {"Navy", "Black", "Olive", "Heather Grey", "Burgundy", "White"}},
        {"Fit", {"Slim", "Regular", "Relaxed"}},
        {"Care", {"Machine wash cold", "Hand wash", "Dry clean only"}}},
       {{"Men",
         {{"Shirts", {"Oxford Shirt", "Flannel Shirt", "Polo Shirt"}},
          {"Jackets", {"Bomber Jacket", "Rain Jacket", "Denim Jacket"}},
          {"Jeans", {"Jeans", "Selvedge Jeans", "Chinos"}}}},
        {"Women",
         {{"Dresses", {"Wrap Dress", "Midi Dress", "Shirt Dress"}},
          {"Tops", {"Blouse", "Knit Top", "Tank Top"}},
          {"Coats", {"Trench Coat", "Wool Coat", "Puffer Coat"}}}},
        {"Shoes",
         {{"Running Shoes", {"Running Shoes", "Trail Runners", "Racing Flats"}},
          {"Boots", {"Chelsea Boots", "Hiking Boots", "Winter Boots"}},
          {"Sandals", {"Sandals", "Slides", "Flip-Flops"}}}}}},
      {"Sports & Outdoors",
       6,
       1200,
       false,
       {"Summitline", "Ridgeback", "Peakform", "TrailCraft", "Velocity", "Bluewater", "IronPulse"},
       {"Ultralight", "All-Weather", "Pro", "Adjustable", "Foldable", "Expedition", "Training", "Compact"},
       {{"Weight", {"250 g", "800 g", "1.2 kg", "2.5 kg", "11 kg"}},
        {"Color", {"Forest Green", "Black", "Orange", "Slate", "Sky Blue"}},
        {"Material", {"Ripstop nylon", "Aluminium", "Natural rubber", "Steel", "Carbon fibre"}},
        {"Season", {"3-season", "4-season", "All year"}}},
       {{"Fitness",
         {{"Yoga Mats", {"Yoga Mat", "Travel Yoga Mat", "Cork Yoga Mat"}},
          {"Dumbbells", {"Dumbbell Set", "Adjustable Dumbbells", "Kettlebell"}},
          {"Resistance Bands", {"Resistance Bands", "Pull-Up Band", "Mini Band Set"}}}},
        {"Camping",
         {{"Tents", {"2-Person Tent", "Family Tent", "Backpacking Tent"}},
          {"Sleeping Bags", {"Sleeping Bag", "Down Sleeping Bag", "Sleeping Pad"}},
          {"Backpacks", {"Daypack", "Hiking Backpack", "Travel Pack"}}}},
        {"Cycling",
         {{"Bikes", {"Road Bike", "Gravel Bike", "City Bike"}},
          {"Helmets", {"Bike Helmet", "MIPS Helmet", "Commuter Helmet"}},
          {"Bike Lights", {"Bike Light Set", "Front Light", "Rear Light"}}}}}},
      {"Books",
       5,
       60,
       true,
       {"Harbor House", "Lantern Press", "Quillstone", "Northwind Books", "Paperfield", "Greyhound Publishing"},
       {"Silent", "Last", "Hidden", "Golden", "Winter", "Forgotten", "Midnight", "Endless", "Little", "Brave"},
       {{"Format", {"Paperback", "Hardcover", "Large print"}},
        {"Pages", {"128", "256", "320", "384", "512"}},
        {"Language", {"English"}},
        {"Publication Year", {"2019", "2020", "2021", "2022", "2023", "2024"}}},
       {{"Fiction",
         {{"Mystery", {"Harbor", "Witness", "Key", "Alibi"}},
          {"Science Fiction", {"Stars", "Colony", "Signal", "Orbit"}},
          {"Romance", {"Summer", "Letters", "Promise", "Garden"}}}},
        {"Non-Fiction",
         {{"History", {"Empire", "River", "Century", "Frontier"}},
          {"Biography", {"Life", "Journey", "Years", "Voice"}},
          {"Science", {"Universe", "Brain", "Atom", "Ocean"}}}},
        {"Children",
         {{"Picture Books", {"Bear", "Moon", "Dragon", "Fox"}},
          {"Young Adult", {"Academy", "Rebellion", "Crown", "Storm"}},
          {"Activity Books", {"Puzzle Book", "Sticker Book", "Coloring Book"}}}}}},
      {"Beauty & Personal Care",
       4,
       180,
       false,
       {"Lumière", "Pure Botanica", "Velvet & Vine", "Aurora Skin", "Clearwell", "Maison Rosa"},
       {"Hydrating", "Gentle", "Nourishing", "Daily", "Revitalizing", "Fragrance-Free", "Calming", "Radiance"},
       {{"Volume", {"30 ml", "50 ml", "100 ml", "250 ml", "500 ml"}},
        {"Skin Type", {"All skin types", "Dry", "Oily", "Sensitive"}},
        {"Scent", {"Unscented", "Lavender", "Citrus", "Sandalwood", "Rose"}},
        {"Vegan", {"Yes", "No"}}},
       {{"Skincare",
         {{"Moisturizers", {"Face Cream", "Moisturizer", "Night Cream"}},
          {"Cleansers", {"Foaming Cleanser", "Cleansing Oil", "Micellar Water"}},
          {"Sunscreen", {"Sunscreen SPF 30", "Sunscreen SPF 50", "Tinted Sunscreen"}}}},
        {"Hair Care",
         {{"Shampoo", {"Shampoo", "Conditioner", "Hair Mask"}},
          {"Hair Dryers", {"Hair Dryer", "Travel Hair Dryer", "Diffuser Dryer"}},
          {"Brushes", {"Paddle Brush", "Detangling Brush", "Round Brush"}}}},
        {"Fragrance",
         {{"Perfume", {"Eau de Parfum", "Perfume Oil", "Eau de Toilette"}},
          {"Cologne", {"Cologne", "Aftershave", "Body Spray"}},
          {"Candles", {"Scented Candle", "Soy Candle", "Candle Trio"}}}}}},
      {"Toys & Games",
       5,
       250,
       false,
       {"Playwell", "Brickhouse", "Funforge", "Tiny Titans", "Meeple & Co", "Skyward Toys"},
       {"Classic", "Deluxe", "Family", "Mini", "Giant", "Adventure", "Creative", "Junior"},
       {{"Age", {"3+", "6+", "8+", "12+", "14+"}},
        {"Players", {"1", "2-4", "2-6", "3-8"}},
        {"Pieces", {"24", "100", "250", "500", "1000"}},
        {"Batteries Required", {"No", "Yes"}}},
       {{"Board Games",
         {{"Strategy Games", {"Strategy Game", "Card Game", "Chess Set"}},
          {"Party Games", {"Party Game", "Trivia Game", "Word Game"}},
          {"Puzzles", {"Jigsaw Puzzle", "3D Puzzle", "Brain Teaser"}}}},
        {"Building",
         {{"Building Sets", {"Building Set", "Castle Set", "Space Station Set"}},
          {"Model Kits", {"Model Kit", "Ship Model", "Airplane Model"}},
          {"Magnetic Tiles", {"Magnetic Tiles", "Magnet Blocks", "Marble Run"}}}},
        {"Outdoor Play",
         {{"Water Toys", {"Water Blaster", "Pool Float", "Sprinkler"}},
          {"Kites", {"Kite", "Stunt Kite", "Box Kite"}},
          {"Scooters", {"Kick Scooter", "Balance Bike", "Skateboard"}}}}}},
      {"Garden & Tools",
       6,
       700,
       false,
       {"Ironwood", "GreenThumb", "Torque", "Fieldstone", "Hartwell", "Boltline"},
       {"Cordless", "Heavy-Duty", "Compact", "Professional", "Ergonomic", "Weatherproof", "Precision", "Folding"},
       {{"Power Source", {"18V battery", "Corded electric", "Manual"}},
        {"Material", {"Hardened steel", "Aluminium", "Fibreglass", "Recycled plastic", "Terracotta"}},
        {"Weight", {"0.4 kg", "1.1 kg", "2.3 kg", "4.5 kg"}},
        {"Warranty", {"1 year", "3 years", "Lifetime"}}},
       {{"Power Tools",
         {{"Drills", {"Drill Driver", "Hammer Drill", "Impact Driver"}},
          {"Saws", {"Circular Saw", "Jigsaw", "Reciprocating Saw"}},
          {"Sanders", {"Orbital Sander", "Detail Sander", "Belt Sander"}}}},
        {"Hand Tools",
         {{"Wrenches", {"Wrench Set", "Socket Set", "Adjustable Wrench"}},
          {"Screwdrivers", {"Screwdriver Set", "Precision Screwdrivers", "Ratchet Screwdriver"}},
          {"Hammers", {"Claw Hammer", "Rubber Mallet", "Sledgehammer"}}}},
        {"Gardening",
         {{"Planters", {"Planter", "Raised Garden Bed", "Hanging Planter"}},
          {"Hoses", {"Garden Hose", "Expandable Hose", "Hose Reel"}},
          {"Pruners", {"Pruning Shears", "Loppers", "Hedge Trimmer"}}}}}},
  };
  return roots;
}

// Typical price ranges (whole dollars) per leaf; others use the root's.
std::pair<int64_t, int64_t> leaf_price_range(const Root& root, const std::string& leaf) {
  static const std::map<std::string, std::pair<int64_t, int64_t>> ranges = {
      {"Headphones", {29, 399}},
      {"Speakers", {25, 600}},
      {"Earbuds", {19, 249}},
      {"Laptops", {449, 2499}},
      {"Monitors", {129, 1199}},
      {"Keyboards", {19, 229}},
      {"Digital Cameras", {199, 2199}},
      {"Lenses", {149, 1899}},
      {"Drones", {59, 1599}},
      {"Cookware", {19, 299}},
      {"Small Appliances", {24, 499}},
      {"Cutlery", {12, 349}},
      {"Chairs", {59, 899}},
      {"Desks", {99, 1199}},
      {"Shelves", {39, 499}},
      {"Lamps", {19, 299}},
      {"Rugs", {39, 799}},
      {"Wall Art", {15, 249}},
      {"Jackets", {49, 349}},
      {"Coats", {69, 399}},
      {"Boots", {59, 299}},
      {"Tents", {79, 699}},
      {"Sleeping Bags", {39, 399}},
      {"Bikes", {299, 2999}},
      {"Helmets", {29, 199}},
      {"Bike Lights", {12, 99}},
      {"Yoga Mats", {15, 129}},
      {"Hair Dryers", {29, 399}},
      {"Drills", {49, 349}},
      {"Saws", {59, 449}},
  };
  if (auto it = ranges.find(leaf); it != ranges.end()) return it->second;
  return {root.min_price, root.max_price};
}

struct LeafRef {
  const Root* root;
  const Sub* sub;
  const Leaf* leaf;
};

std::vector<LeafRef> all_leaves() {
  std::vector<LeafRef> out;
  for (const auto& r : tree())
    for (const auto& s : r.subs)
      for (const auto& l : s.leaves) out.push_back({&r, &s, &l});
  return out;
}

const std::array<const char*, 8> kPraise = {"Built to last and easy to love.",
                                            "A customer favourite for everyday use.",
                                            "Thoughtfully designed down to the last detail.",
                                            "Backed by our no-questions-asked returns.",
                                            "Tested by our team for months before it made the cut.",
                                            "Great value without cutting corners.",
                                            "Made with responsibly sourced materials.",
                                            "Ships in recyclable packaging."};

// A price that looks like a shop's: whole dollars ending in .99 or .49.
Cents shop_price(Rng& rng, int64_t lo, int64_t hi) {
  // Skew towards the low end: most products are cheap, a few are pricey.
  int64_t span = hi - lo;
  int64_t a = rng.range(0, span), b = rng.range(0, span);
  int64_t dollars = lo + std::min(a, b);
  return dollars * 100 + (rng.chance(75) ? 99 : 49);
}

}  // namespace

std::vector<ProductUpsert> demo_items(const DemoOptions& options) {
  std::vector<ProductUpsert> items;
  if (options.products <= 0) return items;
  items.reserve(static_cast<size_t>(options.products));
  const auto leaves = all_leaves();
  Rng rng(options.seed);
  // Created one minute apart ending at a fixed instant, so "newest" has a
  // meaning and the catalog does not depend on the clock.
  const int64_t end_time = 1767225600;  // 2026-01-01T00:00:00Z
  char buf[64];
  for (int64_t i = 1; i <= options.products; ++i) {
    const LeafRef& ref = leaves[static_cast<size_t>((i - 1) % static_cast<int64_t>(leaves.size()))];
    const Root& root = *ref.root;
    ProductUpsert item;
    Product& p = item.product;
    p.id = i;
    const char* noun = rng.pick(ref.leaf->nouns);
    const char* adjective = rng.pick(root.adjectives);
    p.brand = rng.pick(root.brands);
    if (root.titled) {
      p.name = std::string("The ") + adjective + " " + noun;
      if (rng.chance(40)) p.name += std::string(": A ") + ref.leaf->name + " Novel";
      std::snprintf(buf, sizeof buf, " (Vol. %d)", static_cast<int>(rng.range(1, 9)));
      if (rng.chance(30)) p.name += buf;
    } else {
      std::snprintf(buf, sizeof buf, " %c%d", static_cast<char>('A' + rng.range(0, 25)),
                    static_cast<int>(rng.range(1, 99) * 10));
      p.name = std::string(p.brand) + " " + adjective + " " + noun + buf;
    }
    std::snprintf(buf, sizeof buf, "SB-%06lld", static_cast<long long>(i));
    p.sku = buf;
    p.slug = Catalog::slugify(p.name) + "-" + std::to_string(i);
    item.slug_given = true;
    item.category_path = std::string(root.name) + "/" + ref.sub->name + "/" + ref.leaf->name;
    p.description = p.name + " from " + p.brand + ", in our " + ref.leaf->name + " range. " + rng.pick(kPraise) + " " +
                    rng.pick(kPraise);
    auto [lo, hi] = leaf_price_range(root, ref.leaf->name);
    p.price = shop_price(rng, lo, hi);
    if (rng.chance(25)) {
      static const std::array<int64_t, 6> off = {10, 15, 20, 25, 30, 40};
      int64_t pct = rng.pick(off);
      p.sale_price = apply_basis_points(p.price, (100 - pct) * 100);
    }
    p.currency = "USD";
    nlohmann::json specs = nlohmann::json::object();
    for (const auto& spec : root.specs)
      if (rng.chance(85)) specs[spec.key] = rng.pick(spec.values);
    p.specs = specs;
    p.weight_grams = rng.range(50, 15000);
    // Ratings: a third unrated, the rest averaging 3.0-5.0 from 1 to
    // kDemoMaxRatings reviews (reviews/demo_reviews.h writes them). The two
    // draws stay as they were, so everything after them in the stream too.
    if (!rng.chance(30)) {
      p.rating_count = 1 + (rng.range(1, 40) * rng.range(1, 25)) % kDemoMaxRatings;
      int64_t avg_tenths = rng.range(30, 50);
      p.rating_sum = (p.rating_count * avg_tenths + 5) / 10;
    }
    p.featured = rng.chance(3);
    p.created_at = end_time - (options.products - i) * 60;
    int images = static_cast<int>(rng.range(1, 3));
    for (int n = 1; n <= images; ++n) {
      ProductImage im;
      im.url = "/images/products/" + std::to_string(i) + "/" + std::to_string(n) + ".svg";
      im.alt = p.name + (n == 1 ? "" : " (view " + std::to_string(n) + ")");
      im.primary = n == 1;
      p.images.push_back(im);
    }
    // Stock: about 8 % sold out, 12 % low (1-9), the rest plenty.
    int64_t roll = rng.range(1, 100);
    item.stock = roll <= 8 ? 0 : roll <= 20 ? rng.range(1, 9) : rng.range(10, 500);
    items.push_back(std::move(item));
  }
  return items;
}

std::vector<ProductUpsert> demo_variant_items(const std::vector<ProductUpsert>& items, uint64_t seed) {
  std::vector<ProductUpsert> out;
  Rng rng(seed ^ 0x5eedf00dULL);  // its own stream: the simple catalog stays as it was
  static const std::vector<const char*> apparel = {"XS", "S", "M", "L", "XL"};
  static const std::vector<const char*> shoes = {"7", "8", "9", "10", "11", "12"};
  static const std::vector<const char*> colors = {"Black", "Navy", "Olive", "Grey", "Burgundy", "White", "Sky Blue"};
  for (const auto& base : items) {
    const std::string& path = base.category_path;
    // Clothing and shoes, and the outdoor gear that comes in sizes.
    static const std::vector<const char*> sized_gear = {"/Bikes", "/Helmets", "/Yoga Mats", "/Sleeping Bags",
                                                        "/Backpacks"};
    bool clothing = path.rfind("Clothing/", 0) == 0;
    bool gear = path.rfind("Sports & Outdoors/", 0) == 0 &&
                std::any_of(sized_gear.begin(), sized_gear.end(),
                            [&](const char* leaf) { return path.find(leaf) != std::string::npos; });
    if (!clothing && !gear) continue;
    ProductUpsert item = base;
    Product& p = item.product;
    const auto& sizes = path.find("/Shoes/") != std::string::npos ? shoes : apparel;
    // 2-3 colours x 3-4 consecutive sizes: 6 to 12 variants.
    size_t ncolors = static_cast<size_t>(rng.range(2, 3)), nsizes = static_cast<size_t>(rng.range(3, 4));
    size_t first_color = static_cast<size_t>(rng.range(0, static_cast<int64_t>(colors.size() - ncolors)));
    size_t first_size = static_cast<size_t>(rng.range(0, static_cast<int64_t>(sizes.size() - nsizes)));
    ProductOption color{"Color", {}}, size{"Size", {}};
    for (size_t c = 0; c < ncolors; ++c) color.values.push_back(colors[first_color + c]);
    for (size_t z = 0; z < nsizes; ++z) size.values.push_back(sizes[first_size + z]);
    p.options = {color, size};
    p.variants.clear();
    for (size_t c = 0; c < ncolors; ++c)
      for (size_t z = 0; z < nsizes; ++z) {
        Variant v;
        // The first keeps the simple product's SKU, so the upsert matches it
        // and it keeps the product's id and stock record.
        v.sku = c == 0 && z == 0 ? p.sku : p.sku + "-" + std::to_string(c + 1) + std::to_string(z + 1);
        v.option_values = {color.values[c], size.values[z]};
        v.price = p.price + (z + 1 == nsizes && rng.chance(40) ? 200 : 0);  // the largest size may cost more
        v.sale_price = p.sale_price;
        if (v.sale_price && *v.sale_price > v.price) v.sale_price = v.price;
        v.weight_grams = p.weight_grams;
        // Stock: about one variant in six sold out, the rest 1-40.
        v.stock_to_set = rng.chance(17) ? 0 : rng.range(1, 40);
        p.variants.push_back(std::move(v));
      }
    item.stock.reset();
    out.push_back(std::move(item));
  }
  return out;
}

Result<DemoResult> load_demo_catalog(Catalog& catalog, const DemoOptions& options) {
  DemoResult out;
  // An unreadable count must not pass for an empty shop (and duplicate it).
  auto before = catalog.product_count();
  if (!before.ok()) return before.status();
  if (*before == 0 && options.products > 0) {
    // Two loads: every product as a simple one first (ids 1..N, so image
    // URLs and benchmarks can name them), then clothing and outdoor gear
    // again with colours and sizes; their extra variants take the ids
    // after N.
    auto items = demo_items(options);
    auto summary = catalog.upsert_products(items, "demo");
    if (!summary.ok()) return summary.status();
    auto with_variants = catalog.upsert_products(demo_variant_items(items, options.seed), "demo");
    if (!with_variants.ok()) return with_variants.status();
    out.generated = true;
  }
  auto after = catalog.product_count();
  if (!after.ok()) return after.status();
  out.products = *after;
  out.categories = static_cast<int64_t>(catalog.categories().size());
  return out;
}

}  // namespace shopbox
