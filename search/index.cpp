#include "search/index.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "base/crypto.h"

namespace shopbox::search {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

enum Slot : Xapian::valueno {
  kPrice = 0,
  kRating = 1,
  kRatingCount = 2,
  kCreated = 3,
  kBrand = 4,
  kCategoryChain = 5,
  kInStock = 6,
  kHash = 7,
  kId = 8,
  kOptions = 9,   // offered option values: name \x1f value \x1f position, \x1e between
  kVariants = 10, // variant ids, comma-separated
};

constexpr Xapian::termcount kNameWeight = 6;
constexpr Xapian::termcount kBrandWeight = 3;
constexpr Xapian::termcount kCategoryWeight = 2;
constexpr size_t kStoredDescription = 2000;  // chars of description kept for snippets

std::string lower(const std::string& s) {
  std::string out = s;
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

std::string brand_term(const std::string& brand) {
  // Xapian terms are at most ~245 bytes; brands are limited to 200 by the catalog.
  return "XB" + lower(brand).substr(0, 200);
}
std::string category_term(int64_t id) {
  return "XC" + std::to_string(id);
}
// A SKU or a barcode as typed into the search box finds its product.
std::string sku_term(const std::string& sku) {
  return "XK" + lower(sku).substr(0, 200);
}
std::string barcode_term(const std::string& code) {
  return "XG" + lower(code).substr(0, 200);
}

std::string options_value(const std::vector<OptionValue>& options) {
  std::string out;
  for (const auto& o : options) {
    if (!out.empty()) out += '\x1e';
    out += o.name + '\x1f' + o.value + '\x1f' + std::to_string(o.position);
  }
  return out;
}

std::vector<OptionValue> parse_options_value(const std::string& v) {
  std::vector<OptionValue> out;
  size_t start = 0;
  while (start < v.size()) {
    size_t end = v.find('\x1e', start);
    if (end == std::string::npos) end = v.size();
    std::string item = v.substr(start, end - start);
    size_t a = item.find('\x1f');
    size_t b = a == std::string::npos ? a : item.find('\x1f', a + 1);
    if (b != std::string::npos)
      out.push_back({item.substr(0, a), item.substr(a + 1, b - a - 1), std::atoi(item.c_str() + b + 1)});
    start = end + 1;
  }
  return out;
}

std::vector<int64_t> parse_ids(const std::string& v) {
  std::vector<int64_t> out;
  size_t start = 0;
  while (start < v.size()) {
    size_t comma = v.find(',', start);
    if (comma == std::string::npos) comma = v.size();
    out.push_back(std::strtoll(v.c_str() + start, nullptr, 10));
    start = comma + 1;
  }
  return out;
}

double rating_average(int64_t sum, int64_t count) {
  return count > 0 ? static_cast<double>(sum) / static_cast<double>(count) : 0.0;
}

Cents unserialise_cents(const std::string& v) {
  if (v.empty()) return 0;
  return static_cast<Cents>(Xapian::sortable_unserialise(v));
}

bool valid_docid(int64_t id) {
  return id > 0 && id <= static_cast<int64_t>(UINT32_MAX);
}

Xapian::Stem& stemmer() {
  thread_local Xapian::Stem s("english");
  return s;
}

Xapian::Document make_document(const IndexDoc& d, Xapian::TermGenerator& tg) {
  Xapian::Document doc;
  tg.set_document(doc);
  const auto spelling = Xapian::TermGenerator::FLAG_SPELLING;  // set on entry (make_termgenerator)
  // Name, brand and category names feed the spelling dictionary (the words
  // shoppers type); descriptions and specs do not, to keep it clean.
  tg.index_text(d.name, kNameWeight);
  tg.increase_termpos();
  tg.set_flags(static_cast<Xapian::TermGenerator::flags>(0));
  tg.index_text(d.name, 1, "N");  // name-only terms for autocomplete
  tg.set_flags(spelling);
  tg.increase_termpos();
  if (!d.brand.empty()) {
    tg.index_text(d.brand, kBrandWeight);
    tg.increase_termpos();
    doc.add_boolean_term(brand_term(d.brand));
  }
  for (const auto& name : d.category_names) {
    tg.index_text(name, kCategoryWeight);
    tg.increase_termpos();
  }
  tg.set_flags(static_cast<Xapian::TermGenerator::flags>(0));
  tg.index_text(d.description);
  tg.increase_termpos();
  for (const auto& [k, v] : d.specs) {
    tg.index_text(k);
    tg.index_text(v);
    tg.increase_termpos();
  }
  for (const auto& o : d.options) {
    tg.index_text(o.value);
    tg.increase_termpos();
  }
  // Codes carry a wdf (add_term, not add_boolean_term) so a match on one
  // has a weight and ranks above products that merely mention the words.
  if (!d.sku.empty()) doc.add_term(sku_term(d.sku));
  for (const auto& sku : d.variant_skus)
    if (!sku.empty()) doc.add_term(sku_term(sku));
  for (const auto& code : d.barcodes)
    if (!code.empty()) doc.add_term(barcode_term(code));
  tg.set_flags(spelling);

  std::string chain;
  for (auto cid : d.category_ids) {
    doc.add_boolean_term(category_term(cid));
    if (!chain.empty()) chain += '/';
    chain += std::to_string(cid);
  }
  doc.add_boolean_term(d.in_stock ? "XS1" : "XS0");

  doc.add_value(kPrice, Xapian::sortable_serialise(static_cast<double>(d.price)));
  doc.add_value(kRating, Xapian::sortable_serialise(rating_average(d.rating_sum, d.rating_count)));
  doc.add_value(kRatingCount, Xapian::sortable_serialise(static_cast<double>(d.rating_count)));
  doc.add_value(kCreated, Xapian::sortable_serialise(static_cast<double>(d.created_at)));
  doc.add_value(kBrand, d.brand);
  doc.add_value(kCategoryChain, chain);
  doc.add_value(kInStock, d.in_stock ? "1" : "0");
  doc.add_value(kHash, d.content_hash());
  doc.add_value(kId, Xapian::sortable_serialise(static_cast<double>(d.id)));
  if (!d.options.empty()) doc.add_value(kOptions, options_value(d.options));
  std::string vids;
  for (auto v : d.variant_ids) {
    if (!vids.empty()) vids += ',';
    vids += std::to_string(v);
  }
  doc.add_value(kVariants, vids);

  json data = {{"name", d.name},
               {"brand", d.brand},
               {"sku", d.sku},
               {"slug", d.slug},
               {"cur", d.currency},
               {"img", d.image},
               {"cat", d.category_ids.empty() ? json(nullptr) : json(d.category_ids.back())},
               {"p", d.price},
               {"op", d.original_price},
               {"rs", d.rating_sum},
               {"rc", d.rating_count},
               {"ca", d.created_at},
               {"st", d.in_stock},
               {"pm", d.price_max ? json(*d.price_max) : json(nullptr)},
               {"vids", d.variant_ids},
               {"desc", d.description.substr(0, kStoredDescription)}};
  doc.set_data(data.dump(-1, ' ', false, json::error_handler_t::replace));
  return doc;
}

Xapian::TermGenerator make_termgenerator(Xapian::WritableDatabase& db) {
  Xapian::TermGenerator tg;
  tg.set_stemmer(Xapian::Stem("english"));
  tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
  tg.set_database(db);
  tg.set_flags(Xapian::TermGenerator::FLAG_SPELLING);
  return tg;
}

Hit hit_from(const Xapian::Document& doc, Xapian::docid did) {
  Hit h;
  h.id = did;
  json data = json::parse(doc.get_data(), nullptr, false);
  if (!data.is_object()) return h;
  h.name = data.value("name", "");
  h.brand = data.value("brand", "");
  h.sku = data.value("sku", "");
  h.slug = data.value("slug", "");
  h.currency = data.value("cur", "USD");
  h.image = data.value("img", "");
  if (data.contains("cat") && data["cat"].is_number_integer()) h.category_id = data["cat"].get<int64_t>();
  h.price = data.value("p", int64_t{0});
  h.original_price = data.value("op", int64_t{0});
  h.rating_sum = data.value("rs", int64_t{0});
  h.rating_count = data.value("rc", int64_t{0});
  h.created_at = data.value("ca", int64_t{0});
  h.in_stock = data.value("st", false);
  if (auto pm = data.find("pm"); pm != data.end() && pm->is_number_integer()) h.price_max = pm->get<Cents>();
  if (auto v = data.find("vids"); v != data.end() && v->is_array())
    for (const auto& id : *v)
      if (id.is_number_integer()) h.variant_ids.push_back(id.get<int64_t>());
  // A document indexed before variants existed: its product is its only variant.
  if (h.variant_ids.empty()) h.variant_ids.push_back(h.id);
  h.snippet = data.value("desc", "");  // replaced by the highlighted excerpt
  return h;
}

std::string new_index_name() {
  auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return "idx-" + std::to_string(ns);
}

std::string read_current(const std::string& dir) {
  std::error_code ec;
  auto target = fs::read_symlink(fs::path(dir) / "current", ec);
  if (ec) return "";
  return target.string();
}

void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// Points <dir>/current at `name` atomically, then removes index
// directories older than the one it replaced (another process may still
// read the previous one for a moment).
Status swap_current(const std::string& dir, const std::string& name) {
  std::string previous = read_current(dir);
  std::string tmp = dir + "/current.tmp." + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  if (::symlink(name.c_str(), tmp.c_str()) != 0) return Status::Internal("cannot create symlink " + tmp);
  if (::rename(tmp.c_str(), (dir + "/current").c_str()) != 0) return Status::Internal("cannot swap search index");
  fsync_dir(dir);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string n = entry.path().filename().string();
    if (n.rfind("idx-", 0) == 0 && n != name && n != previous) fs::remove_all(entry.path(), ec);
  }
  return Status::Ok();
}

}  // namespace

std::string IndexDoc::content_hash() const {
  json options_j = json::array();
  for (const auto& o : options) options_j.push_back({o.name, o.value, o.position});
  json j = {id,         name,     brand,          description, sku,          slug,        category_ids, category_names,
            specs,      price,    original_price, currency,    rating_sum,   rating_count, created_at,  in_stock,
            image,      price_max ? json(*price_max) : json(nullptr), variant_ids, variant_skus, barcodes, options_j};
  return sha256_hex(j.dump(-1, ' ', false, json::error_handler_t::replace)).substr(0, 32);
}

std::vector<PriceBucket> Index::price_buckets() {
  return {{"0-50", 0, 5000, 0},         {"50-100", 5000, 10000, 0},     {"100-200", 10000, 20000, 0},
          {"200-500", 20000, 50000, 0}, {"500-1000", 50000, 100000, 0}, {"1000+", 100000, std::nullopt, 0}};
}

struct Index::Reader {
  Xapian::Database db;
  uint64_t generation = 0;
  uint64_t epoch = 0;
};

struct Index::Lease {
  Index* owner = nullptr;
  Reader* r = nullptr;
  Lease(Index* o, Reader* rd) : owner(o), r(rd) {}
  Lease(Lease&& other) noexcept : owner(other.owner), r(other.r) { other.r = nullptr; }
  Lease(const Lease&) = delete;
  ~Lease() {
    if (r) owner->release(r);
  }
  Xapian::Database& db() { return r->db; }
};

// ---- the in-memory facet and sort table ----

namespace {

struct Row {
  Cents price = 0;
  double rating = 0;
  int64_t rating_count = 0;
  int64_t created = 0;
  int32_t brand = -1;  // index into Table::brands
  int32_t chain = -1;  // index into Table::chains
  uint32_t options_first = 0, options_count = 0;  // into Table::option_refs
  bool in_stock = false;
  bool present = false;
};

// Order-preserving fixed-width encodings for sort keys (byte order ==
// numeric order; `desc` inverts).
void put_u64(std::string& key, uint64_t v, bool desc) {
  if (desc) v = ~v;
  for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_i64(std::string& key, int64_t v, bool desc) {
  put_u64(key, static_cast<uint64_t>(v) ^ (uint64_t{1} << 63), desc);
}
void put_double(std::string& key, double d, bool desc) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  bits = (bits & (uint64_t{1} << 63)) ? ~bits : bits | (uint64_t{1} << 63);
  put_u64(key, bits, desc);
}

}  // namespace

struct Index::Table {
  uint64_t epoch = 0, generation = 0;
  std::vector<Row> rows;                     // by docid
  std::vector<std::string> brands;           // Row::brand -> name
  std::vector<std::vector<int64_t>> chains;  // Row::chain -> category ids, root first
  std::vector<uint32_t> option_refs;         // rows' option values, as indexes into option_values
  std::vector<OptionValue> option_values;    // each distinct (name, value) once; lowest position
};

std::shared_ptr<const Index::Table> Index::table_for(Xapian::Database& db, uint64_t epoch, uint64_t generation) {
  std::lock_guard<std::mutex> lock(table_mu_);
  if (table_ && table_->epoch == epoch && table_->generation == generation) return table_;
  auto t = std::make_shared<Table>();
  t->epoch = epoch;
  t->generation = generation;
  Xapian::docid last = db.get_lastdocid();
  t->rows.resize(static_cast<size_t>(last) + 1);
  auto each = [&](Slot slot, const std::function<void(Row&, const std::string&)>& fn) {
    for (auto it = db.valuestream_begin(slot); it != db.valuestream_end(slot); ++it) {
      Xapian::docid did = it.get_docid();
      if (did < t->rows.size()) fn(t->rows[did], *it);
    }
  };
  each(kPrice, [](Row& r, const std::string& v) {
    r.price = unserialise_cents(v);
    r.present = true;  // every document has a price
  });
  each(kRating, [](Row& r, const std::string& v) { r.rating = Xapian::sortable_unserialise(v); });
  each(kRatingCount,
       [](Row& r, const std::string& v) { r.rating_count = static_cast<int64_t>(Xapian::sortable_unserialise(v)); });
  each(kCreated,
       [](Row& r, const std::string& v) { r.created = static_cast<int64_t>(Xapian::sortable_unserialise(v)); });
  each(kInStock, [](Row& r, const std::string& v) { r.in_stock = v == "1"; });
  std::unordered_map<std::string, int32_t> brand_ids, chain_ids;
  each(kBrand, [&](Row& r, const std::string& v) {
    auto [it, added] = brand_ids.emplace(v, static_cast<int32_t>(t->brands.size()));
    if (added) t->brands.push_back(v);
    r.brand = it->second;
  });
  each(kCategoryChain, [&](Row& r, const std::string& v) {
    auto [it, added] = chain_ids.emplace(v, static_cast<int32_t>(t->chains.size()));
    if (added) {
      std::vector<int64_t> ids;
      size_t start = 0;
      while (start < v.size()) {
        size_t slash = v.find('/', start);
        if (slash == std::string::npos) slash = v.size();
        ids.push_back(std::strtoll(v.c_str() + start, nullptr, 10));
        start = slash + 1;
      }
      t->chains.push_back(std::move(ids));
    }
    r.chain = it->second;
  });
  std::unordered_map<std::string, uint32_t> option_ids;  // name \x1f value -> index
  each(kOptions, [&](Row& r, const std::string& v) {
    r.options_first = static_cast<uint32_t>(t->option_refs.size());
    for (auto& o : parse_options_value(v)) {
      auto [it, added] = option_ids.emplace(o.name + '\x1f' + o.value, static_cast<uint32_t>(t->option_values.size()));
      if (added)
        t->option_values.push_back(o);
      else
        t->option_values[it->second].position = std::min(t->option_values[it->second].position, o.position);
      t->option_refs.push_back(it->second);
    }
    r.options_count = static_cast<uint32_t>(t->option_refs.size()) - r.options_first;
  });
  table_ = t;
  return table_;
}

namespace {

// A document's row read from its own values: for a document the table
// does not know (it cannot happen for a table of the same index version,
// but a wrong count must never be the fallback).
Row row_from_doc(const Xapian::Document& doc) {
  Row r;
  r.price = unserialise_cents(doc.get_value(kPrice));
  r.rating = Xapian::sortable_unserialise(doc.get_value(kRating));
  r.rating_count = static_cast<int64_t>(Xapian::sortable_unserialise(doc.get_value(kRatingCount)));
  r.created = static_cast<int64_t>(Xapian::sortable_unserialise(doc.get_value(kCreated)));
  r.in_stock = doc.get_value(kInStock) == "1";
  r.present = true;
  return r;
}

template <typename T>
const Row* table_row(const T& table, Xapian::docid did) {
  if (did < table.rows.size() && table.rows[did].present) return &table.rows[did];
  return nullptr;
}

// All facets in one pass over the matching documents: counts by index
// into the table, names resolved once at the end. Exact.
template <typename T>
class FacetSpy : public Xapian::MatchSpy {
 public:
  explicit FacetSpy(const T& t)
      : t_(t), brand_counts(t.brands.size()), chain_counts(t.chains.size()), option_counts(t.option_values.size()) {}
  const T& t_;
  std::vector<int64_t> brand_counts, chain_counts, option_counts;
  std::unordered_map<std::string, int64_t> other_brands, other_chains;  // documents not in the table
  std::vector<OptionValue> other_options;                               // documents not in the table, one each
  std::vector<PriceBucket> buckets = Index::price_buckets();
  int64_t ratings[6] = {0, 0, 0, 0, 0, 0};  // ratings[k]: average >= k
  int64_t in_stock = 0;

  void operator()(const Xapian::Document& doc, double) override {
    Row own;
    const Row* r = table_row(t_, doc.get_docid());
    if (r) {
      if (r->brand >= 0) ++brand_counts[static_cast<size_t>(r->brand)];
      if (r->chain >= 0) ++chain_counts[static_cast<size_t>(r->chain)];
      for (uint32_t k = r->options_first; k < r->options_first + r->options_count; ++k)
        ++option_counts[t_.option_refs[k]];
    } else {
      own = row_from_doc(doc);
      r = &own;
      if (auto b = doc.get_value(kBrand); !b.empty()) ++other_brands[b];
      if (auto c = doc.get_value(kCategoryChain); !c.empty()) ++other_chains[c];
      for (auto& o : parse_options_value(doc.get_value(kOptions))) other_options.push_back(std::move(o));
    }
    for (auto& b : buckets) {
      if (r->price >= b.lo && (!b.hi || r->price < *b.hi)) {
        ++b.count;
        break;
      }
    }
    for (int k = 1; k <= 5; ++k)
      if (r->rating >= k) ++ratings[k];
    if (r->in_stock) ++in_stock;
  }
  std::string name() const override { return "shopbox.FacetSpy"; }
};

// Sort keys from the table: the same orders the value slots gave, without
// reading a value per matching document.
template <typename T>
class TableKeyMaker : public Xapian::KeyMaker {
 public:
  TableKeyMaker(const T& t, Sort sort) : t_(t), sort_(sort) {}
  std::string operator()(const Xapian::Document& doc) const override {
    Xapian::docid did = doc.get_docid();
    Row own;
    const Row* r = table_row(t_, did);
    if (!r) {
      own = row_from_doc(doc);
      r = &own;
    }
    std::string key;
    key.reserve(32);
    switch (sort_) {
      case Sort::price_asc:
        put_i64(key, r->price, false);
        put_u64(key, did, false);
        break;
      case Sort::price_desc:
        put_i64(key, r->price, true);
        put_u64(key, did, false);
        break;
      case Sort::rating:
        put_double(key, r->rating, true);
        put_i64(key, r->rating_count, true);
        put_u64(key, did, false);
        break;
      case Sort::popularity:  // most reviewed, then best rated
        put_i64(key, r->rating_count, true);
        put_double(key, r->rating, true);
        put_u64(key, did, false);
        break;
      case Sort::newest:
        put_i64(key, r->created, true);
        put_u64(key, did, true);
        break;
      case Sort::relevance:
        put_u64(key, did, false);
        break;
    }
    return key;
  }

 private:
  const T& t_;
  Sort sort_;
};

}  // namespace

Index::Lease Index::lease() {
  Reader* r = nullptr;
  std::string path;
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    path = path_;
    if (!free_.empty()) {
      r = free_.back();
      free_.pop_back();
    } else {
      all_.push_back(std::make_unique<Reader>());
      r = all_.back().get();
    }
  }
  uint64_t epoch = epoch_.load();
  uint64_t gen = generation_.load();
  try {
    if (r->epoch != epoch) {
      r->db = Xapian::Database(path);
      r->epoch = epoch;
      r->generation = gen;
    } else if (r->generation != gen) {
      r->db.reopen();
      r->generation = gen;
    }
  } catch (...) {
    r->epoch = 0;  // reopen from scratch next time
    release(r);
    throw;
  }
  return Lease(this, r);
}

void Index::release(Reader* r) {
  std::lock_guard<std::mutex> lock(pool_mu_);
  free_.push_back(r);
}

Result<std::unique_ptr<Index>> Index::open(const std::string& dir) {
  std::unique_ptr<Index> idx(new Index(dir));
  if (auto st = idx->open_current(); !st.ok()) return st;
  return idx;
}

Index::Index(std::string dir) : dir_(std::move(dir)) {}

Index::~Index() {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (writer_) {
    try {
      writer_->close();
    } catch (...) {
    }
  }
}

Status Index::open_current() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return Status::Internal("cannot create " + dir_ + ": " + ec.message());
  std::string name = read_current(dir_);
  if (name.empty() || !fs::exists(fs::path(dir_) / name)) {
    name = new_index_name();
    try {
      Xapian::WritableDatabase fresh(dir_ + "/" + name, Xapian::DB_CREATE_OR_OPEN);
      fresh.commit();
      fresh.close();
    } catch (const Xapian::Error& e) {
      return Status::Internal("cannot create search index: " + e.get_description());
    }
    if (auto st = swap_current(dir_, name); !st.ok()) return st;
  }
  std::string path = dir_ + "/" + name;
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    writer_.reset();
    try {
      writer_ = std::make_unique<Xapian::WritableDatabase>(path, Xapian::DB_CREATE_OR_OPEN);
    } catch (const Xapian::DatabaseLockError&) {
      // Another process (a running server) owns the writer; this one can
      // still read and rebuild aside.
    } catch (const Xapian::Error& e) {
      return Status::Internal("cannot open search index: " + e.get_description());
    }
  }
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    path_ = path;
  }
  ++epoch_;
  return Status::Ok();
}

bool Index::refresh() {
  std::string name = read_current(dir_);
  std::string path;
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    path = path_;
  }
  if (name.empty() || dir_ + "/" + name == path) {
    // Same directory; another process may have committed to it.
    std::lock_guard<std::mutex> lock(write_mu_);
    if (!writer_) ++generation_;
    return false;
  }
  // A directory that cannot be opened keeps the current one serving; the
  // next refresh tries again.
  if (Status st = open_current(); !st.ok()) {
    log_if_failed(st, "search: opening the swapped-in index");
    return false;
  }
  return true;
}

Status Index::write(const std::vector<IndexDoc>& upserts, const std::vector<int64_t>& deletes) {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (!writer_) {
    // Retry: the process that held the lock may have gone.
    std::string path;
    {
      std::lock_guard<std::mutex> plock(pool_mu_);
      path = path_;
    }
    try {
      writer_ = std::make_unique<Xapian::WritableDatabase>(path, Xapian::DB_CREATE_OR_OPEN);
    } catch (const Xapian::Error& e) {
      return Status(Kind::unavailable, "unavailable", "search index is locked by another process");
    }
  }
  try {
    auto tg = make_termgenerator(*writer_);
    for (const auto& d : upserts) {
      if (!valid_docid(d.id)) continue;
      writer_->replace_document(static_cast<Xapian::docid>(d.id), make_document(d, tg));
    }
    for (auto id : deletes) {
      if (!valid_docid(id)) continue;
      try {
        writer_->delete_document(static_cast<Xapian::docid>(id));
      } catch (const Xapian::DocNotFoundError&) {
      }
    }
    writer_->commit();
  } catch (const Xapian::Error& e) {
    return Status::Internal("search index write failed: " + e.get_description());
  }
  ++generation_;
  return Status::Ok();
}

namespace {

Xapian::QueryParser make_parser(Xapian::Database& db) {
  Xapian::QueryParser qp;
  qp.set_stemmer(Xapian::Stem("english"));
  qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  qp.set_default_op(Xapian::Query::OP_AND);
  qp.set_database(db);
  return qp;
}

// User words as a query. Valid syntax (phrases in quotes, +must, -not,
// AND/OR/NOT) is honoured; anything the parser rejects is read again as
// plain words, so no input is an error.
Xapian::Query parse_words(Xapian::QueryParser& qp, const std::string& text, unsigned extra_flags,
                          const std::string& prefix = "") {
  unsigned flags = Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_LOVEHATE |
                   Xapian::QueryParser::FLAG_BOOLEAN | extra_flags;
  try {
    return qp.parse_query(text, flags, prefix);
  } catch (const Xapian::QueryParserError&) {
  }
  try {
    return qp.parse_query(text, extra_flags, prefix);
  } catch (const Xapian::QueryParserError&) {
  }
  // Last resort: keep only letters and digits.
  std::string plain;
  for (unsigned char ch : text) plain += (std::isalnum(ch) || ch >= 0x80) ? static_cast<char>(ch) : ' ';
  return qp.parse_query(plain, 0, prefix);
}

// The documents of a given ascending id list, as a posting list (weight
// 0): a filter on ids the caller decided, e.g. the products whose chosen
// variant is in stock.
class IdListSource : public Xapian::PostingSource {
 public:
  explicit IdListSource(const std::vector<int64_t>& ids) : ids_(ids) {}
  void init(const Xapian::Database& db) override {
    pos_ = 0;
    started_ = false;
    Xapian::doccount n = std::min<Xapian::doccount>(static_cast<Xapian::doccount>(ids_.size()), db.get_doccount());
    set_maxweight(0);
    termfreq_max_ = n;
  }
  Xapian::doccount get_termfreq_min() const override { return 0; }
  Xapian::doccount get_termfreq_est() const override { return termfreq_max_; }
  Xapian::doccount get_termfreq_max() const override { return termfreq_max_; }
  void next(double) override {
    if (started_) ++pos_;
    started_ = true;
    skip_invalid();
  }
  void skip_to(Xapian::docid did, double) override {
    started_ = true;
    auto it = std::lower_bound(ids_.begin() + static_cast<long>(pos_), ids_.end(), static_cast<int64_t>(did));
    pos_ = static_cast<size_t>(it - ids_.begin());
    skip_invalid();
  }
  bool at_end() const override { return started_ && pos_ >= ids_.size(); }
  Xapian::docid get_docid() const override { return static_cast<Xapian::docid>(ids_[pos_]); }
  IdListSource* clone() const override { return new IdListSource(ids_); }
  std::string name() const override { return "shopbox.IdListSource"; }

 private:
  void skip_invalid() {
    while (pos_ < ids_.size() && !valid_docid(ids_[pos_])) ++pos_;
  }
  const std::vector<int64_t>& ids_;  // the Query's, which outlives the match
  size_t pos_ = 0;
  bool started_ = false;
  Xapian::doccount termfreq_max_ = 0;
};

Xapian::Query filters_for(const Query& q) {
  std::vector<Xapian::Query> f;
  if (q.category_id) f.emplace_back(category_term(*q.category_id));
  if (!q.brands.empty()) {
    std::vector<Xapian::Query> any;
    for (const auto& b : q.brands) any.emplace_back(brand_term(b));
    f.emplace_back(Xapian::Query::OP_OR, any.begin(), any.end());
  }
  if (q.min_price && q.max_price)
    f.emplace_back(Xapian::Query::OP_VALUE_RANGE, kPrice, Xapian::sortable_serialise(static_cast<double>(*q.min_price)),
                   Xapian::sortable_serialise(static_cast<double>(*q.max_price)));
  else if (q.min_price)
    f.emplace_back(Xapian::Query::OP_VALUE_GE, kPrice, Xapian::sortable_serialise(static_cast<double>(*q.min_price)));
  else if (q.max_price)
    f.emplace_back(Xapian::Query::OP_VALUE_LE, kPrice, Xapian::sortable_serialise(static_cast<double>(*q.max_price)));
  if (q.min_rating)
    f.emplace_back(Xapian::Query::OP_VALUE_GE, kRating, Xapian::sortable_serialise(static_cast<double>(*q.min_rating)));
  if (q.in_stock) f.emplace_back(*q.in_stock ? "XS1" : "XS0");
  if (f.empty()) return Xapian::Query();
  return Xapian::Query(Xapian::Query::OP_AND, f.begin(), f.end());
}

}  // namespace

namespace {

// Everything that changes a search's answer, as one string.
std::string cache_key(const Query& q) {
  std::string k;
  k.reserve(q.text.size() + 64);
  k += q.text;
  k += '\x1f';
  if (q.category_id) k += std::to_string(*q.category_id);
  k += '\x1f';
  for (const auto& b : q.brands) {
    k += b;
    k += '\x1e';
  }
  k += '\x1f';
  if (q.min_price) k += std::to_string(*q.min_price);
  k += '\x1f';
  if (q.max_price) k += std::to_string(*q.max_price);
  k += '\x1f';
  if (q.min_rating) k += std::to_string(*q.min_rating);
  k += '\x1f';
  if (q.in_stock) k += *q.in_stock ? '1' : '0';
  k += '\x1f';
  if (q.restrict_ids) {
    // A digest, not the list: an option filter may keep thousands of ids.
    std::string ids;
    ids.reserve(q.ids.size() * 7);
    for (auto id : q.ids) ids += std::to_string(id) + ',';
    k += sha256_hex(ids);
  }
  k += '\x1f';
  k += std::to_string(static_cast<int>(q.sort)) + '/' + std::to_string(q.page) + '/' + std::to_string(q.size) + '/' +
       (q.facets ? '1' : '0') + (q.spelling ? '1' : '0');
  return k;
}

}  // namespace

Result<Results> Index::search(const Query& q) {
  std::string key = cache_key(q);
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (auto it = cache_.find(key); it != cache_.end()) {
      if (it->second->second.epoch == epoch_.load() && it->second->second.generation == generation_.load()) {
        lru_.splice(lru_.begin(), lru_, it->second);
        return it->second->second.results;
      }
      lru_.erase(it->second);
      cache_.erase(it);
    }
  }
  // The version the answer is for: read before searching, so a change that
  // lands meanwhile makes the entry stale rather than wrongly fresh.
  uint64_t epoch = epoch_.load(), generation = generation_.load();
  auto r = search_uncached(q);
  if (!r.ok()) return r;
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (!cache_.count(key)) {
    lru_.emplace_front(key, Cached{epoch, generation, *r});
    cache_[key] = lru_.begin();
    while (lru_.size() > kCacheEntries) {
      cache_.erase(lru_.back().first);
      lru_.pop_back();
    }
  }
  return r;
}

Result<Results> Index::search_uncached(const Query& q) {
  for (int attempt = 0;; ++attempt) {
    try {
      auto lease_ = lease();
      Xapian::Database& db = lease_.db();
      Results out;
      auto qp = make_parser(db);
      bool has_text = q.text.find_first_not_of(" \t\r\n") != std::string::npos;
      Xapian::Query main = has_text
                               ? parse_words(qp, q.text, q.spelling ? Xapian::QueryParser::FLAG_SPELLING_CORRECTION : 0)
                               : Xapian::Query::MatchAll;
      if (has_text && q.spelling) out.did_you_mean = qp.get_corrected_query_string();
      if (has_text) {
        // The whole text as a SKU or barcode (any variant's) finds its product.
        std::string code = lower(q.text.substr(q.text.find_first_not_of(" \t\r\n")));
        code.erase(code.find_last_not_of(" \t\r\n") + 1);
        const std::string sku = sku_term(code), barcode = barcode_term(code);
        if (db.term_exists(sku) || db.term_exists(barcode)) {
          main = Xapian::Query(Xapian::Query::OP_OR, main,
                               Xapian::Query(Xapian::Query::OP_OR, Xapian::Query(sku), Xapian::Query(barcode)));
          out.did_you_mean.clear();  // a code is not a typo
        }
      }
      Xapian::Query filter = filters_for(q);
      IdListSource id_source(q.ids);
      if (q.restrict_ids) {
        Xapian::Query only(&id_source);
        filter = filter.empty() ? only : Xapian::Query(Xapian::Query::OP_AND, filter, only);
      }
      Xapian::Query full = filter.empty() ? main : Xapian::Query(Xapian::Query::OP_FILTER, main, filter);

      Xapian::Enquire enquire(db);
      enquire.set_query(full);
      auto table = table_for(db, lease_.r->epoch, lease_.r->generation);
      Sort sort = q.sort;
      if (sort == Sort::relevance && !has_text) sort = Sort::newest;
      // Relevance ties go by ascending docid (== product id), Xapian's default.
      TableKeyMaker<Table> keys(*table, sort);
      if (sort != Sort::relevance) enquire.set_sort_by_key(&keys, false);
      FacetSpy<Table> spy(*table);
      if (q.facets) enquire.add_matchspy(&spy);
      Xapian::doccount offset =
          static_cast<Xapian::doccount>(std::max(0, q.page - 1)) * static_cast<Xapian::doccount>(q.size);
      // Count every match exactly: totals and facets must be exact.
      Xapian::MSet mset = enquire.get_mset(offset, static_cast<Xapian::doccount>(q.size), db.get_doccount() + 1);
      out.total = mset.get_matches_estimated();
      for (auto it = mset.begin(); it != mset.end(); ++it) {
        Xapian::Document doc = it.get_document();
        Hit h = hit_from(doc, *it);
        h.score = has_text ? it.get_percent() : 0;
        std::string desc = h.snippet;
        h.name_highlight = mset.snippet(h.name, h.name.size() + 16, stemmer(), Xapian::MSet::SNIPPET_EXHAUSTIVE,
                                        "<mark>", "</mark>", "");
        h.snippet = mset.snippet(desc, 200, stemmer(),
                                 Xapian::MSet::SNIPPET_BACKGROUND_MODEL | Xapian::MSet::SNIPPET_EXHAUSTIVE, "<mark>",
                                 "</mark>", "…");
        out.hits.push_back(std::move(h));
      }
      if (q.facets) {
        std::unordered_map<std::string, int64_t> brands = std::move(spy.other_brands);
        for (size_t i = 0; i < spy.brand_counts.size(); ++i)
          if (spy.brand_counts[i] > 0) brands[table->brands[i]] += spy.brand_counts[i];
        for (auto& [b, n] : brands) out.facets.brands.emplace_back(b, n);
        std::sort(out.facets.brands.begin(), out.facets.brands.end(), [](const auto& a, const auto& b) {
          return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        std::unordered_map<int64_t, int64_t> cats;
        for (size_t i = 0; i < spy.chain_counts.size(); ++i)
          if (spy.chain_counts[i] > 0)
            for (int64_t c : table->chains[i]) cats[c] += spy.chain_counts[i];
        for (auto& [chain, n] : spy.other_chains) {
          size_t start = 0;
          while (start < chain.size()) {
            size_t slash = chain.find('/', start);
            if (slash == std::string::npos) slash = chain.size();
            cats[std::strtoll(chain.c_str() + start, nullptr, 10)] += n;
            start = slash + 1;
          }
        }
        for (auto& [c, n] : cats) out.facets.categories.emplace_back(c, n);
        std::sort(out.facets.categories.begin(), out.facets.categories.end(), [](const auto& a, const auto& b) {
          return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        out.facets.price_ranges = spy.buckets;
        for (int k = 4; k >= 1; --k) out.facets.ratings.emplace_back(k, spy.ratings[k]);
        out.facets.in_stock = spy.in_stock;
        for (size_t i = 0; i < spy.option_counts.size(); ++i)
          if (spy.option_counts[i] > 0) out.facets.options.emplace_back(table->option_values[i], spy.option_counts[i]);
        for (auto& o : spy.other_options) out.facets.options.emplace_back(std::move(o), 1);
      }
      if (out.total == 0 && has_text && !out.did_you_mean.empty()) {
        // Nothing matched: answer the corrected query instead (typo tolerance).
        Query again = q;
        again.text = out.did_you_mean;
        again.spelling = false;
        auto second = search_uncached(again);
        if (second.ok() && second->total > 0) {
          second->did_you_mean = out.did_you_mean;
          second->corrected = true;
          return second;
        }
      }
      return out;
    } catch (const Xapian::DatabaseModifiedError&) {
      if (attempt >= 2) return Status(Kind::unavailable, "unavailable", "search index is busy, try again");
      ++generation_;  // force a reopen of every pooled handle
    } catch (const Xapian::Error& e) {
      if (attempt >= 1) return Status::Internal("search failed: " + e.get_description());
      ++epoch_;  // reopen from scratch (e.g. the directory was swapped)
    }
  }
}

std::vector<Suggestion> Index::suggest(const std::string& prefix, size_t limit) {
  std::vector<Suggestion> out;
  if (prefix.find_first_not_of(" \t\r\n") == std::string::npos) return out;
  try {
    auto lease_ = lease();
    Xapian::Database& db = lease_.db();
    auto qp = make_parser(db);
    qp.set_max_expansion(64, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT, Xapian::QueryParser::FLAG_PARTIAL);
    Xapian::Query query;
    try {
      query = qp.parse_query(prefix, Xapian::QueryParser::FLAG_PARTIAL, "N");
    } catch (const Xapian::QueryParserError&) {
      return out;
    }
    Xapian::Enquire enquire(db);
    enquire.set_query(query);
    enquire.set_weighting_scheme(Xapian::BM25Weight(1, 0, 1, 0.9, 0.5));
    Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(limit * 4));
    std::vector<std::string> seen;
    for (auto it = mset.begin(); it != mset.end() && out.size() < limit; ++it) {
      json data = json::parse(it.get_document().get_data(), nullptr, false);
      if (!data.is_object()) continue;
      std::string name = data.value("name", "");
      std::string key = lower(name);
      if (name.empty() || std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
      seen.push_back(key);
      out.push_back({name, static_cast<int64_t>(*it)});
    }
  } catch (const Xapian::Error&) {
    ++epoch_;
  }
  return out;
}

Result<std::vector<Hit>> Index::similar(int64_t id, size_t limit) {
  if (!valid_docid(id)) return Status::NotFound("product not found");
  try {
    auto lease_ = lease();
    Xapian::Database& db = lease_.db();
    Xapian::Document self;
    try {
      self = db.get_document(static_cast<Xapian::docid>(id));
    } catch (const Xapian::DocNotFoundError&) {
      return Status::NotFound("product not found");
    }
    struct WordsOnly : Xapian::ExpandDecider {
      bool operator()(const std::string& t) const override {
        if (t.empty()) return false;
        unsigned char c = static_cast<unsigned char>(t[0]);
        if (std::islower(c) || std::isdigit(c)) return t.size() > 2;
        return t[0] == 'Z' && t.size() > 3 && std::islower(static_cast<unsigned char>(t[1]));
      }
    } decider;
    Xapian::Enquire enquire(db);
    Xapian::RSet rset;
    rset.add_document(static_cast<Xapian::docid>(id));
    Xapian::ESet eset = enquire.get_eset(24, rset, &decider);
    std::vector<Xapian::Query> terms;
    for (auto it = eset.begin(); it != eset.end(); ++it) terms.emplace_back(*it);
    std::vector<Hit> out;
    if (terms.empty()) return out;
    Xapian::Query q(Xapian::Query::OP_OR, terms.begin(), terms.end());
    // Same category ranks higher among equally similar products.
    std::string chain = self.get_value(kCategoryChain);
    if (!chain.empty()) {
      auto leaf = chain.substr(chain.rfind('/') == std::string::npos ? 0 : chain.rfind('/') + 1);
      q = Xapian::Query(Xapian::Query::OP_AND_MAYBE, q,
                        Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query("XC" + leaf), 2.0));
    }
    enquire.set_query(q);
    Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(limit + 1));
    for (auto it = mset.begin(); it != mset.end() && out.size() < limit; ++it) {
      if (*it == static_cast<Xapian::docid>(id)) continue;
      Hit h = hit_from(it.get_document(), *it);
      h.score = it.get_percent();
      h.snippet.clear();
      out.push_back(std::move(h));
    }
    return out;
  } catch (const Xapian::Error& e) {
    ++epoch_;
    return Status::Internal("similar failed: " + e.get_description());
  }
}

void Index::for_each_hash(const std::function<void(int64_t, const std::string&)>& fn) {
  auto lease_ = lease();
  Xapian::Database& db = lease_.db();
  for (auto it = db.valuestream_begin(kHash); it != db.valuestream_end(kHash); ++it) fn(it.get_docid(), *it);
}

void Index::for_each_in_stock(const std::function<void(int64_t, bool, const std::vector<int64_t>&)>& fn) {
  auto lease_ = lease();
  Xapian::Database& db = lease_.db();
  // Both streams hold every document (kVariants may be empty for one
  // indexed before variants: its product id is its only variant).
  auto vit = db.valuestream_begin(kVariants);
  const auto vend = db.valuestream_end(kVariants);
  for (auto it = db.valuestream_begin(kInStock); it != db.valuestream_end(kInStock); ++it) {
    const Xapian::docid did = it.get_docid();
    if (vit != vend && vit.get_docid() < did) vit.skip_to(did);
    std::vector<int64_t> ids;
    if (vit != vend && vit.get_docid() == did) ids = parse_ids(*vit);
    if (ids.empty()) ids.push_back(did);
    fn(did, *it == "1", ids);
  }
}

Result<int64_t> Index::build_aside(const std::string& dir,
                                   const std::function<void(const std::function<void(const IndexDoc&)>&)>& produce) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::string name = new_index_name();
  std::string path = dir + "/" + name;
  int64_t count = 0;
  try {
    Xapian::WritableDatabase db(path, Xapian::DB_CREATE);
    auto tg = make_termgenerator(db);
    produce([&](const IndexDoc& d) {
      if (!valid_docid(d.id)) return;
      db.replace_document(static_cast<Xapian::docid>(d.id), make_document(d, tg));
      ++count;
    });
    db.commit();
    db.close();
  } catch (const Xapian::Error& e) {
    fs::remove_all(path, ec);
    return Status::Internal("search index build failed: " + e.get_description());
  } catch (...) {
    fs::remove_all(path, ec);
    throw;
  }
  if (auto st = swap_current(dir, name); !st.ok()) return st;
  return count;
}

Result<int64_t> Index::rebuild(const std::function<void(const std::function<void(const IndexDoc&)>&)>& produce) {
  auto n = build_aside(dir_, produce);
  if (!n.ok()) return n;
  refresh();
  return n;
}

IndexStats Index::stats() {
  IndexStats s;
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    s.path = path_;
  }
  s.generation = generation_.load();
  try {
    auto lease_ = lease();
    s.documents = lease_.db().get_doccount();
  } catch (const Xapian::Error&) {
  }
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(s.path, ec))
    if (e.is_regular_file(ec)) s.bytes += static_cast<int64_t>(e.file_size(ec));
  return s;
}

}  // namespace shopbox::search
