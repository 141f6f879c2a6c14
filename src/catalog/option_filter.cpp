#include "catalog/option_filter.h"

#include <algorithm>
#include <set>

#include "base/text.h"
#include "base/utf8.h"
#include "catalog/catalog.h"
#include "catalog/browse_table.h"
#include "catalog/variants.h"
#include "inventory/inventory.h"
#include "storage/rows.h"

namespace shopbox {

Result<OptionChoices> option_choices(const std::multimap<std::string, std::string>& params) {
  static const std::string kPrefix = "option.";
  OptionChoices out;
  for (const auto& [key, value] : params) {
    if (key.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    const std::string name = trim(std::string_view(key).substr(kPrefix.size()));
    const std::string field = key.size() > 120 ? key.substr(0, 120) : key;
    if (out.size() == kMaxOptionFilters)
      return field_error(field, "at most " + std::to_string(kMaxOptionFilters) + " option filters");
    if (name.empty()) return field_error(field, "an option filter needs a name: option.<Name>=<value>");
    if (name.size() > kMaxOptionFilterText || !valid_utf8(name))
      return field_error(field, "an option name is at most " + std::to_string(kMaxOptionFilterText) + " characters");
    const std::string v = trim(value);
    if (v.empty()) return field_error(field, "option filter '" + name + "' needs a value");
    if (v.size() > kMaxOptionFilterText || !valid_utf8(v))
      return field_error(field, "an option value is at most " + std::to_string(kMaxOptionFilterText) + " characters");
    out.emplace_back(name, v);
  }
  return out;
}

std::vector<OptionFacet> group_option_facets(const std::vector<OptionValueCount>& raw) {
  struct Value {
    std::string value;
    int position = 0;
    int64_t count = 0;
  };
  struct Name {
    std::string name;
    int64_t most = 0;  // the largest value count: how the names are ordered
    std::vector<Value> values;
    std::unordered_map<std::string, size_t> at;  // folded value -> index
  };
  std::vector<Name> names;
  std::unordered_map<std::string, size_t> name_at;
  for (const auto& r : raw) {
    if (r.count <= 0) continue;
    auto [it, added] = name_at.emplace(fold_option_text(r.name), names.size());
    if (added) names.push_back({r.name, 0, {}, {}});
    Name& n = names[it->second];
    auto [vit, vadded] = n.at.emplace(fold_option_text(r.value), n.values.size());
    if (vadded) n.values.push_back({r.value, r.position, 0});
    Value& v = n.values[vit->second];
    v.count += r.count;
    v.position = std::min(v.position, r.position);
    n.most = std::max(n.most, v.count);
  }
  std::sort(names.begin(), names.end(), [](const Name& a, const Name& b) {
    return a.most != b.most ? a.most > b.most : a.name < b.name;
  });
  std::vector<OptionFacet> out;
  for (auto& n : names) {
    if (out.size() == kMaxFacetNames) break;
    std::sort(n.values.begin(), n.values.end(), [](const Value& a, const Value& b) {
      if (a.position != b.position) return a.position < b.position;
      return a.count != b.count ? a.count > b.count : a.value < b.value;
    });
    OptionFacet f{n.name, {}};
    for (size_t i = 0; i < n.values.size() && i < kMaxFacetValues; ++i)
      f.values.emplace_back(n.values[i].value, n.values[i].count);
    out.push_back(std::move(f));
  }
  return out;
}

nlohmann::json option_facets_json(const std::vector<OptionFacet>& facets) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : facets) {
    nlohmann::json values = nlohmann::json::array();
    for (const auto& [value, count] : f.values) values.push_back({{"value", value}, {"count", count}});
    out.push_back({{"name", f.name}, {"values", values}});
  }
  return out;
}

nlohmann::json option_choices_json(const OptionChoices& choices) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : choices) {
    auto it = out.find(name);
    if (it == out.end())
      out[name] = value;
    else if (it->is_array())
      it->push_back(value);
    else
      *it = nlohmann::json::array({*it, value});
  }
  return out;
}

std::vector<OptionValueCount> offered_option_values(const Product& p) {
  std::vector<OptionValueCount> out;
  for (size_t i = 0; i < p.options.size(); ++i) {
    const auto& opt = p.options[i];
    for (size_t k = 0; k < opt.values.size(); ++k) {
      const std::string want = fold_option_text(opt.values[k]);
      bool used = std::any_of(p.variants.begin(), p.variants.end(), [&](const Variant& v) {
        return i < v.option_values.size() && fold_option_text(v.option_values[i]) == want;
      });
      if (used) out.push_back({opt.name, opt.values[k], static_cast<int>(k), 1});
    }
  }
  return out;
}

// ---- OptionTable ----

uint32_t OptionTable::intern_name(const std::string& name) {
  auto [it, added] = name_ids_.emplace(fold_option_text(name), static_cast<uint32_t>(names_.size()));
  if (added) names_.push_back(name);
  return it->second;
}

uint32_t OptionTable::intern_value(uint32_t name, const std::string& value, int position) {
  std::string key = std::to_string(name) + '\x1f' + fold_option_text(value);
  auto [it, added] = value_ids_.emplace(std::move(key), static_cast<uint32_t>(values_.size()));
  if (added) {
    values_.push_back({name, value, position});
    postings_.emplace_back();
  } else {
    values_[it->second].position = std::min(values_[it->second].position, position);
  }
  return it->second;
}

OptionTable OptionTable::load(Connection& c) {
  OptionTable t;
  // The options, with each value's position: variants store values as the
  // option spells them (variants.cpp), so the stored text finds its place.
  std::vector<std::vector<std::unordered_map<std::string, int>>> positions;  // by product index, option
  auto o = c.prepare("SELECT product_id, position, name, option_values FROM product_options ORDER BY product_id, position");
  while (o.step()) {
    const int64_t id = o.int64(0);
    const int64_t pos = o.int64(1);
    if (pos < 0 || pos >= static_cast<int64_t>(Product::kMaxOptions)) continue;
    if (t.products_.empty() || t.products_.back().id != id) {
      t.products_.push_back({});
      t.products_.back().id = id;
      positions.emplace_back(Product::kMaxOptions);
    }
    ProductEntry& p = t.products_.back();
    p.names[pos] = t.intern_name(o.text(2));
    p.option_count = std::max<uint32_t>(p.option_count, static_cast<uint32_t>(pos + 1));
    auto values = stored_json(o.text(3), nlohmann::json::array());
    int k = 0;
    if (values.is_array())
      for (const auto& v : values)
        if (v.is_string()) positions.back()[static_cast<size_t>(pos)].emplace(v.get<std::string>(), k++);
  }
  // Only products with options have a non-empty option1: a default
  // variant's is ''. Ordered as the products, so one merge pass places them.
  auto v = c.prepare(
      "SELECT variant_id, product_id, option1, option2, option3 FROM variants WHERE option1 <> '' "
      "ORDER BY product_id, position, variant_id");
  size_t at = 0;
  std::vector<std::set<uint32_t>> offered(t.products_.size());
  while (v.step()) {
    const int64_t pid = v.int64(1);
    while (at < t.products_.size() && t.products_[at].id < pid) ++at;
    if (at == t.products_.size()) break;
    ProductEntry& p = t.products_[at];
    if (p.id != pid) continue;
    if (p.variant_count == 0) p.first_variant = static_cast<uint32_t>(t.variants_.size());
    VariantEntry e;
    e.id = v.int64(0);
    for (uint32_t i = 0; i < p.option_count; ++i) {
      std::string value = v.text(static_cast<int>(2 + i));
      auto pos = positions[at][i].find(value);
      e.values[i] = t.intern_value(p.names[i], value, pos == positions[at][i].end() ? 0 : pos->second);
      offered[at].insert(e.values[i]);
    }
    t.variants_.push_back(e);
    ++p.variant_count;
  }
  for (size_t i = 0; i < t.products_.size(); ++i) {
    ProductEntry& p = t.products_[i];
    p.first_offered = static_cast<uint32_t>(t.offered_.size());
    p.offered_count = static_cast<uint32_t>(offered[i].size());
    for (uint32_t value : offered[i]) {
      t.offered_.push_back(value);
      t.postings_[value].push_back(static_cast<uint32_t>(i));
    }
  }
  return t;
}

int32_t OptionTable::product_index(int64_t product_id) const {
  auto it = std::lower_bound(products_.begin(), products_.end(), product_id,
                             [](const ProductEntry& p, int64_t id) { return p.id < id; });
  if (it == products_.end() || it->id != product_id) return -1;
  return static_cast<int32_t>(it - products_.begin());
}

void OptionTable::count_offered(size_t index, std::vector<int64_t>& counts) const {
  const ProductEntry& p = products_[index];
  for (uint32_t k = p.first_offered; k < p.first_offered + p.offered_count; ++k) ++counts[offered_[k]];
}

std::vector<OptionFacet> OptionTable::facets(const std::vector<int64_t>& counts) const {
  std::vector<OptionValueCount> raw;
  for (size_t i = 0; i < values_.size() && i < counts.size(); ++i)
    if (counts[i] > 0) raw.push_back({names_[values_[i].name], values_[i].value, values_[i].position, counts[i]});
  return group_option_facets(raw);
}

std::vector<int64_t> OptionTable::in_stock_matching(const OptionChoices& choices, Inventory& inventory,
                                                    const std::vector<int64_t>* candidates) const {
  std::vector<int64_t> out;
  if (choices.empty()) return out;
  // Each choice as (name id, value id); a name or value no product has
  // matches nothing.
  std::vector<std::pair<uint32_t, uint32_t>> want;
  for (const auto& [name, value] : choices) {
    auto n = name_ids_.find(fold_option_text(name));
    if (n == name_ids_.end()) return out;
    auto v = value_ids_.find(std::to_string(n->second) + '\x1f' + fold_option_text(value));
    if (v == value_ids_.end()) return out;
    want.emplace_back(n->second, v->second);
  }
  // Walk the products offering the rarest chosen value; collect their
  // variants that have every chosen value, then read all their stock at once.
  auto rarest = std::min_element(want.begin(), want.end(), [&](const auto& a, const auto& b) {
    return postings_[a.second].size() < postings_[b.second].size();
  });
  std::vector<int64_t> variant_ids, owners;
  std::vector<uint32_t> pos(want.size());  // each choice's option position in this product
  for (uint32_t index : postings_[rarest->second]) {
    const ProductEntry& p = products_[index];
    if (candidates && !std::binary_search(candidates->begin(), candidates->end(), p.id)) continue;
    bool has_all = true;
    for (size_t k = 0; k < want.size() && has_all; ++k) {
      has_all = false;
      for (uint32_t i = 0; i < p.option_count; ++i)
        if (p.names[i] == want[k].first) {
          pos[k] = i;
          has_all = true;
        }
    }
    if (!has_all) continue;
    for (uint32_t j = p.first_variant; j < p.first_variant + p.variant_count; ++j) {
      const VariantEntry& v = variants_[j];
      bool match = true;
      for (size_t k = 0; k < want.size() && match; ++k) match = v.values[pos[k]] == want[k].second;
      if (match) {
        variant_ids.push_back(v.id);
        owners.push_back(p.id);
      }
    }
  }
  auto levels = inventory.levels(variant_ids);
  for (size_t i = 0; i < owners.size() && i < levels.size(); ++i)
    if (levels[i].available() > 0 && (out.empty() || out.back() != owners[i])) out.push_back(owners[i]);
  // Postings are in product-index order, which is ascending id.
  return out;
}

// ---- the catalog's option table (declared in catalog.h) ----
// Kept with the browse table, whose lifetime already follows every catalog
// write (Catalog::notify drops it before the writer returns), so the option
// table needs no invalidation of its own.

Result<OptionTable> Catalog::load_option_table() {
  OptionTable table;
  Status st = db_.read([&](Connection& c) {
    table = OptionTable::load(c);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return table;
}

Result<std::shared_ptr<const OptionTable>> Catalog::option_table() {
  auto table = browse_table();
  if (!table.ok()) return table.status();
  auto options = (*table)->options([this] { return load_option_table(); });
  if (!options.ok()) return options.status();
  // Shares ownership of the BrowseOptions that holds the table.
  return std::shared_ptr<const OptionTable>(*options, &(*options)->table);
}

}  // namespace shopbox
