// Uploaded product pictures (docs/images.md): the admin uploads, orders,
// describes and removes a product's pictures; anyone fetches the stored
// WebP files.
//
//   POST   /api/v1/admin/products/{id}/images             multipart: file (1..8), alt
//   PATCH  /api/v1/admin/products/{id}/images             {images: [{image_id, alt?}], primary?}
//          (the first picture is the main one; primary moves one to the front)
//   DELETE /api/v1/admin/products/{id}/images/{image_id}
//   GET    /images/{key}-{width}.webp                     immutable, ETag
//
// An upload becomes an entry of the product's image list (its full-size
// address) through Catalog::update_product, so the search index, caches,
// replicas and every page follow as for any other product change.
#include <algorithm>
#include <memory>
#include <mutex>

#include "app.h"
#include "catalog/catalog.h"
#include "catalog/product_image.h"
#include "catalog/product_json.h"
#include "http/server.h"

namespace shopbox {
using namespace http;

namespace {

constexpr size_t kMaxFilesPerUpload = 8;
constexpr size_t kMaxImagesPerProduct = 50;
constexpr size_t kMaxAltLength = 500;

json product_image_json(const ProductImage& im, size_t position) {
  auto address = parse_image_address(im.url);
  std::string srcset = image_srcset(im.url);
  return {{"image_id", product_image_id(im.url)},
          {"url", im.url},
          {"alt", im.alt},
          {"primary", im.primary},
          {"position", position},
          {"uploaded", address.has_value()},
          {"width", address ? json(address->width) : json(nullptr)},
          {"srcset", srcset.empty() ? json(nullptr) : json(srcset)}};
}

json product_images_json(const Product& p) {
  json list = json::array();
  bool any_primary = false;
  for (const auto& im : p.images) any_primary |= im.primary;
  for (size_t i = 0; i < p.images.size(); ++i) {
    json one = product_image_json(p.images[i], i);
    if (!any_primary && i == 0) one["primary"] = true;  // the first stands in, as Product::image_url()
    list.push_back(std::move(one));
  }
  return list;
}

// Image edits are read-modify-write of the product's list; one at a time
// keeps two uploads to the same product from losing one another.
std::mutex& product_images_mutex() {
  static std::mutex mu;
  return mu;
}

// Saves `p` with its new image list and answers with the list as stored
// (fresh image ids: the catalog rewrites the rows).
void save_product_images(App& app, Res& res, Product p, const Principal& who, int status, json extra = {}) {
  // The main picture is the first: the catalog lists a product's primary
  // image first whatever its position, so the two are kept one.
  for (size_t i = 0; i < p.images.size(); ++i) {
    p.images[i].position = static_cast<int>(i);
    p.images[i].primary = i == 0;
  }
  auto updated = app.catalog->update_product(std::move(p), who.actor());
  if (!updated.ok()) return send_error(res, updated.status());
  auto stored = app.catalog->product(updated->id);
  if (!stored.ok()) return send_error(res, stored.status());
  json body = {{"product_id", std::to_string(stored->id)}, {"images", product_images_json(*stored)}};
  if (extra.is_object())
    for (auto& [k, v] : extra.items()) body[k] = v;
  send_json(res, status, body);
}

struct UploadParts {
  std::vector<const httplib::MultipartFormData*> files;
  std::string alt;
};

Result<UploadParts> upload_parts(const Req& req) {
  UploadParts parts;
  for (const auto& [name, part] : req.files) {
    if (name == "file") {
      parts.files.push_back(&part);
    } else if (name == "alt") {
      if (part.content.size() > kMaxAltLength)
        return field_error("alt", "The description is too long (at most 500 characters).");
      parts.alt = part.content;
    } else {
      return field_error(name.substr(0, 50),
                         "Unknown form field; send pictures as \"file\" and a description as "
                         "\"alt\".");
    }
  }
  if (parts.files.empty()) return field_error("file", "Choose at least one picture to upload.");
  if (parts.files.size() > kMaxFilesPerUpload)
    return field_error("file", "Upload at most " + std::to_string(kMaxFilesPerUpload) + " pictures at a time.");
  return parts;
}

// Every file is checked (type, size, pixels) before any is stored, so a bad
// one in a batch stores nothing.
void upload_images(App& app, ImageStore& store, const Req& req, Res& res, const Principal& who) {
  auto id = path_id(req, 1, "product");
  if (!id.ok()) return send_error(res, id.status());
  auto parts = upload_parts(req);
  if (!parts.ok()) return send_error(res, parts.status());
  for (size_t i = 0; i < parts->files.size(); ++i) {
    auto header = read_image_header(parts->files[i]->content, store.limits());
    if (!header.ok()) {
      json details = header.status().details();
      details["file"] = parts->files[i]->filename.substr(0, 200);
      details["index"] = i;
      return send_error(res,
                        Status(header.status().kind(), header.status().code(), header.status().message(), details));
    }
  }
  if (!app.catalog->product(*id).ok()) return send_error(res, Status::NotFound("product not found"));
  std::vector<StoredImage> stored;
  for (size_t i = 0; i < parts->files.size(); ++i) {
    auto s = store.put(parts->files[i]->content);
    if (!s.ok()) {
      json details = s.status().details();
      details["file"] = parts->files[i]->filename.substr(0, 200);
      details["index"] = i;
      return send_error(res, Status(s.status().kind(), s.status().code(), s.status().message(), details));
    }
    stored.push_back(std::move(*s));
  }
  std::lock_guard<std::mutex> lock(product_images_mutex());
  auto p = app.catalog->product(*id);
  if (!p.ok()) return send_error(res, Status::NotFound("product not found"));
  json uploaded = json::array();
  for (const auto& s : stored) {
    bool listed = std::any_of(p->images.begin(), p->images.end(), [&](const auto& im) { return im.url == s.url; });
    uploaded.push_back({{"url", s.url},
                        {"width", s.width},
                        {"height", s.height},
                        {"format", image_format_name(s.source_format)},
                        {"already_stored", s.already_stored},
                        {"already_listed", listed}});
    if (listed) continue;  // the same picture twice on one product is one entry
    ProductImage im;
    im.url = s.url;
    im.alt = parts->alt;
    im.position = static_cast<int>(p->images.size());
    p->images.push_back(std::move(im));
  }
  if (p->images.size() > kMaxImagesPerProduct)
    return send_error(
        res, field_error("file", "A product can have at most " + std::to_string(kMaxImagesPerProduct) + " pictures."));
  save_product_images(app, res, std::move(*p), who, 201, {{"uploaded", uploaded}});
}

// {images: [{image_id, alt?}, ...] (every picture once, in the new order),
//  primary: image_id? (moved to the front: the first picture is the main
//  one)}; each part optional, all checked before any change.
Status apply_image_edits(const json& body, Product& p) {
  for (const auto& item : body.items())
    if (item.key() != "images" && item.key() != "primary")
      return field_error(item.key().substr(0, 50), "Unknown field; send images and primary.");
  auto find = [&](const json& v) -> std::optional<size_t> {
    for (size_t i = 0; v.is_string() && i < p.images.size(); ++i)
      if (product_image_id(p.images[i].url) == v.get<std::string>()) return i;
    return std::nullopt;
  };
  std::vector<ProductImage> next = p.images;
  if (auto it = body.find("images"); it != body.end()) {
    if (!it->is_array() || it->size() != p.images.size())
      return field_error("images", "List every picture of the product once, in the new order.");
    std::vector<bool> seen(p.images.size(), false);
    next.clear();
    for (const auto& entry : *it) {
      if (!entry.is_object()) return field_error("images", "Each entry is {image_id, alt}.");
      auto at = find(entry.value("image_id", json()));
      if (!at || seen[*at]) return field_error("images", "List every picture of the product once, in the new order.");
      seen[*at] = true;
      ProductImage im = p.images[*at];
      if (auto alt = entry.find("alt"); alt != entry.end()) {
        if (!alt->is_string() || alt->get<std::string>().size() > kMaxAltLength)
          return field_error("images", "A description is text of at most 500 characters.");
        im.alt = alt->get<std::string>();
      }
      next.push_back(std::move(im));
    }
  }
  if (auto it = body.find("primary"); it != body.end()) {
    auto at = find(*it);
    if (!at) return field_error("primary", "The main picture must be one of the product's pictures.");
    const std::string main_url = p.images[*at].url;
    auto main = std::find_if(next.begin(), next.end(), [&](const ProductImage& im) { return im.url == main_url; });
    std::rotate(next.begin(), main, main + 1);  // to the front, the others keep their order
  }
  p.images = std::move(next);
  return Status::Ok();
}

void serve_image_file(ImageStore& store, const Req& req, Res& res) {
  auto address = parse_image_address("/images/" + req.matches[1].str());
  if (!address) return send_error(res, Status::NotFound("image not found"));
  // The address names the bytes for good: its key and width are the ETag.
  std::string etag = "\"";
  etag.append(address->key, 0, 32).append(1, '-').append(std::to_string(address->width)).append(1, '"');
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", "public, max-age=31536000, immutable");
  if (req.get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return;
  }
  auto data = store.read(address->key, address->width);
  if (!data) {
    res.headers.erase("ETag");
    res.headers.erase("Cache-Control");
    return send_error(res, Status::NotFound("image not found"));
  }
  res.set_content(std::move(*data), "image/webp");
}

}  // namespace

void register_image_routes(HttpServer& server, App& app) {
  ImageLimits limits;
  limits.max_bytes = static_cast<size_t>(app.config.image_max_upload_mb) * 1024 * 1024;
  limits.max_pixels = int64_t{app.config.image_max_megapixels} * 1'000'000;
  limits.max_side = app.config.image_max_side_px;
  auto store = std::make_shared<ImageStore>(*app.db, app.config.data_dir + "/images", limits);
  // Two full-size pictures (or more smaller ones) per request: every body
  // up to the widest route limit is read into memory before a route runs.
  size_t upload_limit = 2 * store->limits().max_bytes + (1 << 20);

  server.add(
      {"POST", "/api/v1/admin/products/{id}/images", Access::admin, "admin",
       "Upload pictures (multipart/form-data: file, one or more; alt): JPEG, PNG or WebP", Body::multipart,
       upload_limit},
      [&app, store](const Req& req, Res& res, const Principal& who) { upload_images(app, *store, req, res, who); });

  server.add({"PATCH", "/api/v1/admin/products/{id}/images", Access::admin, "admin",
              "Reorder pictures, set their descriptions and the main one {images: [{image_id, alt}], primary}"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto id = path_id(req, 1, "product");
               if (!id.ok()) return send_error(res, id.status());
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               std::lock_guard<std::mutex> lock(product_images_mutex());
               auto p = app.catalog->product(*id);
               if (!p.ok()) return send_error(res, p.status());
               if (Status st = apply_image_edits(*body, *p); !st.ok()) return send_error(res, st);
               save_product_images(app, res, std::move(*p), who, 200);
             });

  server.add({"DELETE", "/api/v1/admin/products/{id}/images/{image_id}", Access::admin, "admin",
              "Remove a picture from a product"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto id = path_id(req, 1, "product");
               if (!id.ok()) return send_error(res, id.status());
               const std::string image_id = req.matches[2].str();
               std::lock_guard<std::mutex> lock(product_images_mutex());
               auto p = app.catalog->product(*id);
               if (!p.ok()) return send_error(res, p.status());
               auto it = std::find_if(p->images.begin(), p->images.end(),
                                      [&](const ProductImage& im) { return product_image_id(im.url) == image_id; });
               if (it == p->images.end()) return send_error(res, Status::NotFound("image not found"));
               p->images.erase(it);
               for (size_t i = 0; i < p->images.size(); ++i) p->images[i].position = static_cast<int>(i);
               save_product_images(app, res, std::move(*p), who, 200);
             });

  server.add({"GET", "/images/{file}", Access::anyone, "catalog", "An uploaded picture: <key>-<width>.webp"},
             [store](const Req& req, Res& res, const Principal&) { serve_image_file(*store, req, res); });
}

}  // namespace shopbox
