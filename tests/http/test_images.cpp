// Uploaded product pictures: upload, checks, thumbnails, metadata
// stripping, storage, serving, edits, backup and check (docs/images.md).
#include <vips/vips.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "catalog/product_image.h"
#include "config_file.h"
#include "ops/backup.h"
#include "ops/check.h"
#include "ops/image_prune.h"
#include "support/fixtures.h"
#include "support/test_shop.h"

using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace images_test {

// A real picture made by libvips: a colour gradient w x h, saved as
// `format` ("jpeg", "png", "webp"). `exif` is attached as the file's EXIF.
std::string make_picture(int w, int h, const std::string& format, const std::string& exif = "") {
  REQUIRE(VIPS_INIT("shopbox-tests") == 0);
  VipsImage* xyz = nullptr;
  REQUIRE(vips_xyz(&xyz, w, h, nullptr) == 0);
  VipsImage* band = nullptr;
  REQUIRE(vips_extract_band(xyz, &band, 0, nullptr) == 0);
  VipsImage* rgb = nullptr;
  VipsImage* parts[3] = {band, band, band};
  REQUIRE(vips_bandjoin(parts, &rgb, 3, nullptr) == 0);
  VipsImage* img = nullptr;
  REQUIRE(vips_cast_uchar(rgb, &img, nullptr) == 0);
  if (!exif.empty()) {
    VipsImage* copy = nullptr;
    REQUIRE(vips_copy(img, &copy, nullptr) == 0);
    g_object_unref(img);
    img = copy;
    vips_image_set_blob_copy(img, VIPS_META_EXIF_NAME, exif.data(), exif.size());
  }
  void* buf = nullptr;
  size_t len = 0;
  int rc = format == "jpeg"  ? vips_jpegsave_buffer(img, &buf, &len, nullptr)
           : format == "png" ? vips_pngsave_buffer(img, &buf, &len, nullptr)
                             : vips_webpsave_buffer(img, &buf, &len, nullptr);
  REQUIRE(rc == 0);
  std::string out(static_cast<char*>(buf), len);
  g_free(buf);
  for (VipsImage* i : {xyz, band, rgb, img}) g_object_unref(i);
  return out;
}

void put16(std::string& s, uint16_t v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>(v >> 8);
}
void put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
}

// EXIF with a GPS position (GPSLatitudeRef "N", GPSLatitude 48/1 51/1 29/1):
// what a phone writes into every photo.
std::string gps_exif() {
  std::string t = "Exif";
  t += std::string(2, '\0');
  std::string tiff = "II";
  put16(tiff, 42);
  put32(tiff, 8);
  put16(tiff, 1);  // IFD0: one entry, the GPS IFD pointer
  put16(tiff, 0x8825);
  put16(tiff, 4);
  put32(tiff, 1);
  put32(tiff, 26);
  put32(tiff, 0);
  put16(tiff, 2);  // GPS IFD at 26: two entries
  put16(tiff, 0x0001);
  put16(tiff, 2);
  put32(tiff, 2);
  tiff += std::string("N\0\0\0", 4);
  put16(tiff, 0x0002);
  put16(tiff, 5);
  put32(tiff, 3);
  put32(tiff, 26 + 2 + 24 + 4);
  put32(tiff, 0);
  for (uint32_t v : {48u, 1u, 51u, 1u, 29u, 1u}) put32(tiff, v);
  return t + tiff;
}

uint32_t crc32_of(const std::string& data) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : data) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
  }
  return ~c;
}

// A PNG signature and a valid IHDR claiming 100000 x 100000 pixels: a
// decompression bomb's header.
std::string png_bomb_header() {
  std::string ihdr = "IHDR";
  for (uint32_t v : {100000u, 100000u})
    for (int i = 3; i >= 0; --i) ihdr += static_cast<char>((v >> (8 * i)) & 0xFF);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);
  std::string out("\x89PNG\r\n\x1A\n", 8);
  out += std::string("\x00\x00\x00\x0D", 4) + ihdr;
  uint32_t crc = crc32_of(ihdr);
  for (int i = 3; i >= 0; --i) out += static_cast<char>((crc >> (8 * i)) & 0xFF);
  return out + std::string(64, '\0');
}

struct Upload {
  std::string name, content, filename, type;
};

shopbox::testing::Reply upload(TestShop& shop, const std::string& product_id, const std::vector<Upload>& parts,
                               const httplib::Headers& headers) {
  httplib::Client cli("127.0.0.1", shop.port());
  cli.set_read_timeout(60, 0);
  httplib::MultipartFormDataItems items;
  for (const auto& p : parts) items.push_back({p.name, p.content, p.filename, p.type});
  auto r = cli.Post(("/api/v1/admin/products/" + product_id + "/images").c_str(), headers, items);
  shopbox::testing::Reply out;
  REQUIRE(r);
  out.status = r->status;
  out.text = r->body;
  out.headers = r->headers;
  out.body = json::parse(r->body, nullptr, false);
  if (out.body.is_discarded()) out.body = nullptr;
  return out;
}

std::string new_product(TestShop& shop, const std::string& sku) {
  return shop.create_product({{"name", "Camp Mug " + sku}, {"sku", sku}, {"price", 12.5}, {"brand", "Trail"}});
}

// Loads a served WebP and reports its width and whether it still holds EXIF.
struct Decoded {
  int width = 0, height = 0;
  bool exif = false;
};
Decoded decode_webp(const std::string& bytes) {
  VipsImage* img = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr);
  REQUIRE(img != nullptr);
  Decoded d{vips_image_get_width(img), vips_image_get_height(img),
            vips_image_get_typeof(img, VIPS_META_EXIF_NAME) != 0};
  g_object_unref(img);
  return d;
}

}  // namespace images_test

using namespace images_test;

TEST_CASE("uploaded JPEG, PNG and WebP become WebP thumbnails of the right widths", "[images]") {
  TestShop shop;
  std::string id = new_product(shop, "MUG-1");
  auto r = upload(shop, id,
                  {{"file", make_picture(1500, 1000, "jpeg"), "photo.jpg", "image/jpeg"},
                   {"file", make_picture(700, 500, "png"), "side.png", "image/png"},
                   {"file", make_picture(400, 400, "webp"), "top.webp", "image/webp"},
                   {"alt", "Blue enamel mug", "", ""}},
                  shop.admin());
  REQUIRE(r.status == 201);
  REQUIRE(r.body["images"].size() == 3);
  CHECK(r.body["uploaded"][0]["format"] == "jpeg");
  CHECK(r.body["uploaded"][1]["format"] == "png");
  CHECK(r.body["uploaded"][2]["format"] == "webp");
  const json& first = r.body["images"][0];
  CHECK(first["alt"] == "Blue enamel mug");
  CHECK(first["width"] == 1500);
  std::string url = first["url"];
  auto address = shopbox::parse_image_address(url);
  REQUIRE(address);
  CHECK(first["srcset"] == "/images/" + address->key + "-320.webp 320w, /images/" + address->key +
                               "-640.webp 640w, /images/" + address->key + "-1280.webp 1280w, " + url + " 1500w");
  // Each width is a real WebP that wide; no width above the original.
  for (int w : {320, 640, 1280, 1500}) {
    auto img = shop.get("/images/" + address->key + "-" + std::to_string(w) + ".webp");
    REQUIRE(img.status == 200);
    CHECK(img.header("Content-Type") == "image/webp");
    CHECK(img.header("Cache-Control") == "public, max-age=31536000, immutable");
    CHECK(decode_webp(img.text).width == w);
  }
  std::string side = r.body["images"][1]["url"];
  auto side_address = shopbox::parse_image_address(side);
  REQUIRE(side_address);
  CHECK(side_address->width == 700);
  CHECK(shop.get("/images/" + side_address->key + "-640.webp").status == 200);
  CHECK(shop.get("/images/" + side_address->key + "-1280.webp").status == 404);  // never upscaled
  std::string top = r.body["images"][2]["url"];
  CHECK(r.body["images"][2]["srcset"] == top.substr(0, top.size() - 8) + "320.webp 320w, " + top + " 400w");

  // The product, as shoppers get it, lists the pictures in order.
  auto p = shop.get("/api/v1/products/" + id);
  REQUIRE(p.status == 200);
  REQUIRE(p.body["images"].size() == 3);
  CHECK(p.body["images"][0] == url);
  CHECK(p.body["image_details"][0]["srcset"].get<std::string>().find("320w") != std::string::npos);
}

TEST_CASE("served pictures have an ETag and unknown ones are a JSON 404", "[images]") {
  TestShop shop;
  std::string id = new_product(shop, "MUG-2");
  auto r = upload(shop, id, {{"file", make_picture(800, 600, "png"), "a.png", "image/png"}}, shop.admin());
  REQUIRE(r.status == 201);
  std::string url = r.body["images"][0]["url"];
  auto first = shop.get(url);
  REQUIRE(first.status == 200);
  std::string etag = first.header("ETag");
  REQUIRE(!etag.empty());
  auto again = shop.get(url, {{"If-None-Match", etag}});
  CHECK(again.status == 304);
  const std::string unknown = "/images/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-320.webp";
  auto missing = shop.get(unknown);
  CHECK(missing.status == 404);
  CHECK(missing.body["error"]["code"] == "not_found");
  CHECK(shop.get("/images/not-a-picture.webp").status == 404);
}

TEST_CASE("EXIF with GPS is stripped from every stored file", "[images]") {
  std::string jpeg = make_picture(900, 600, "jpeg", gps_exif());
  // The upload really carries the position (so the test can fail).
  {
    VipsImage* in = vips_image_new_from_buffer(jpeg.data(), jpeg.size(), "", nullptr);
    REQUIRE(in != nullptr);
    CHECK(vips_image_get_typeof(in, VIPS_META_EXIF_NAME) != 0);
    CHECK(vips_image_get_typeof(in, "exif-ifd3-GPSLatitudeRef") != 0);
    g_object_unref(in);
  }
  TestShop shop;
  std::string id = new_product(shop, "MUG-3");
  auto r = upload(shop, id, {{"file", jpeg, "gps.jpg", "image/jpeg"}}, shop.admin());
  REQUIRE(r.status == 201);
  auto address = shopbox::parse_image_address(r.body["images"][0]["url"].get<std::string>());
  REQUIRE(address);
  for (int w : {320, 640, 900}) {
    auto img = shop.get("/images/" + address->key + "-" + std::to_string(w) + ".webp");
    REQUIRE(img.status == 200);
    CHECK(img.text.find("EXIF") == std::string::npos);
    CHECK(img.text.find("Exif") == std::string::npos);
    CHECK(img.text.find("XMP ") == std::string::npos);
    CHECK_FALSE(decode_webp(img.text).exif);
  }
}

TEST_CASE("strip_webp_metadata removes EXIF and XMP chunks and their flags", "[images]") {
  std::string vp8x = "VP8X";
  images_test::put32(vp8x, 10);
  vp8x += std::string("\x0C\0\0\0", 4) + std::string(6, '\0');
  std::string exif = "EXIF";
  images_test::put32(exif, 3);
  exif += std::string("abc\0", 4);  // padded to even
  std::string body = vp8x + exif;
  std::string file = "RIFF";
  images_test::put32(file, static_cast<uint32_t>(4 + body.size()));
  file += "WEBP" + body;
  std::string out = shopbox::strip_webp_metadata(file);
  CHECK(out.find("EXIF") == std::string::npos);
  CHECK(out.size() == 12 + 18);
  CHECK((static_cast<unsigned char>(out[20]) & 0x0C) == 0);
}

TEST_CASE("the same file uploaded twice is stored once", "[images]") {
  TestShop shop;
  std::string a = new_product(shop, "MUG-4"), b = new_product(shop, "MUG-5");
  std::string png = make_picture(500, 300, "png");
  auto first = upload(shop, a, {{"file", png, "x.png", "image/png"}}, shop.admin());
  REQUIRE(first.status == 201);
  CHECK(first.body["uploaded"][0]["already_stored"] == false);
  auto second = upload(shop, b, {{"file", png, "copy.png", "image/png"}}, shop.admin());
  REQUIRE(second.status == 201);
  CHECK(second.body["uploaded"][0]["already_stored"] == true);
  CHECK(second.body["images"][0]["url"] == first.body["images"][0]["url"]);
  // Once more on the same product: still one entry.
  auto third = upload(shop, a, {{"file", png, "x.png", "image/png"}}, shop.admin());
  REQUIRE(third.status == 201);
  CHECK(third.body["images"].size() == 1);
  size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(shop.data_dir() + "/images"))
    if (e.is_regular_file()) ++files;
  CHECK(files == 2);  // the 500 px picture and its 320 px thumbnail
}

TEST_CASE("damaged, foreign and bomb files are refused and the shop keeps answering", "[images]") {
  TestShop shop;
  std::string id = new_product(shop, "MUG-6");
  std::string jpeg = make_picture(600, 400, "jpeg");
  auto truncated =
      upload(shop, id, {{"file", jpeg.substr(0, jpeg.size() / 2), "half.jpg", "image/jpeg"}}, shop.admin());
  CHECK(truncated.status == 400);
  CHECK(truncated.body["error"]["code"] == "invalid_image");
  CHECK(truncated.body["error"]["details"]["file"] == "half.jpg");

  std::string noise(5000, '\0');
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 7919 + 13) % 251);
  auto random = upload(shop, id, {{"file", noise, "photo.jpg", "image/jpeg"}}, shop.admin());
  CHECK(random.status == 400);
  CHECK(random.body["error"]["code"] == "unsupported_image");

  auto bomb = upload(shop, id, {{"file", png_bomb_header(), "big.png", "image/png"}}, shop.admin());
  CHECK(bomb.status == 400);
  CHECK(bomb.body["error"]["code"] == "image_too_many_pixels");

  // A good file beside a bad one: nothing of the batch is added.
  auto mixed =
      upload(shop, id,
             {{"file", make_picture(300, 300, "png"), "ok.png", "image/png"}, {"file", noise, "bad.jpg", "image/jpeg"}},
             shop.admin());
  CHECK(mixed.status == 400);
  CHECK(mixed.body["error"]["details"]["index"] == 1);

  CHECK(shop.get("/healthz").status == 200);
  auto p = shop.get("/api/v1/products/" + id);
  REQUIRE(p.status == 200);
  CHECK(p.body["images"].empty());
}

TEST_CASE("uploads over the byte limit are 413, other bodies 415", "[images]") {
  TestShop shop;
  std::string id = new_product(shop, "MUG-7");
  std::string big = make_picture(64, 64, "jpeg");
  big.resize(11 * 1024 * 1024, '\0');
  auto r = upload(shop, id, {{"file", big, "huge.jpg", "image/jpeg"}}, shop.admin());
  CHECK(r.status == 413);
  CHECK(r.body["error"]["code"] == "image_too_large");
  // Over the route's whole-body limit (two full-size pictures): refused
  // without the body being read.
  std::string huge(24 * 1024 * 1024, 'x');
  auto whole = upload(shop, id, {{"file", huge, "h.jpg", "image/jpeg"}}, shop.admin());
  CHECK(whole.status == 413);
  CHECK(whole.body["error"]["code"] == "payload_too_large");
  auto json_body = shop.post("/api/v1/admin/products/" + id + "/images", {{"file", "x"}}, shop.admin());
  CHECK(json_body.status == 415);
  CHECK(shop.get("/healthz").status == 200);
}

TEST_CASE("the [images] limits come from the config", "[images]") {
  TestShop shop([](shopbox::Config& c) {
    c.image_max_upload_mb = 1;
    c.image_max_side_px = 500;
    c.image_max_megapixels = 1;
  });
  std::string id = new_product(shop, "MUG-8");
  std::string big = make_picture(64, 64, "jpeg");
  big.resize(1024 * 1024 + 1, '\0');
  auto bytes = upload(shop, id, {{"file", big, "big.jpg", "image/jpeg"}}, shop.admin());
  CHECK(bytes.status == 413);
  CHECK(bytes.body["error"]["details"]["max_bytes"] == 1024 * 1024);
  auto wide = upload(shop, id, {{"file", make_picture(600, 100, "png"), "wide.png", "image/png"}}, shop.admin());
  CHECK(wide.status == 400);
  CHECK(wide.body["error"]["code"] == "image_too_many_pixels");
  auto fits = upload(shop, id, {{"file", make_picture(500, 400, "png"), "fits.png", "image/png"}}, shop.admin());
  CHECK(fits.status == 201);
  CHECK_FALSE(shopbox::parse_config_toml("[images]\nmax_megapixels = 0\n", "shop.toml").ok());
  CHECK(shopbox::parse_config_toml("[images]\nmax_upload_mb = 25\n", "shop.toml").ok());
}

TEST_CASE("only admins upload, edit and remove pictures", "[images]") {
  TestShop shop;
  std::string id = new_product(shop, "MUG-8");
  std::string png = make_picture(200, 200, "png");
  auto anonymous = upload(shop, id, {{"file", png, "a.png", "image/png"}}, {});
  CHECK(anonymous.status == 401);
  auto customer = shop.register_user("pat@example.com");
  auto shopper = upload(shop, id, {{"file", png, "a.png", "image/png"}}, customer.auth);
  CHECK(shopper.status == 403);
  CHECK(
      shop.patch("/api/v1/admin/products/" + id + "/images", {{"primary", "0123456789abcdef"}}, customer.auth).status ==
      403);
  CHECK(shop.del("/api/v1/admin/products/" + id + "/images/0123456789abcdef").status == 401);
  CHECK(!std::filesystem::exists(shop.data_dir() + "/images"));
  CHECK(upload(shop, "999999", {{"file", png, "a.png", "image/png"}}, shop.admin()).status == 404);
}

TEST_CASE("pictures are reordered, described, made primary and removed", "[images]") {
  TestShop shop;
  std::string id = new_product(shop, "MUG-9");
  auto r = upload(shop, id,
                  {{"file", make_picture(330, 200, "png"), "a.png", "image/png"},
                   {"file", make_picture(340, 200, "png"), "b.png", "image/png"},
                   {"file", make_picture(350, 200, "png"), "c.png", "image/png"}},
                  shop.admin());
  REQUIRE(r.status == 201);
  auto ids = [](const json& images) {
    std::vector<std::string> out;
    for (const auto& im : images) out.push_back(im["image_id"]);
    return out;
  };
  auto urls = [](const json& images) {
    std::vector<std::string> out;
    for (const auto& im : images) out.push_back(im["url"]);
    return out;
  };
  auto before = ids(r.body["images"]);
  auto before_urls = urls(r.body["images"]);
  std::string path = "/api/v1/admin/products/" + id + "/images";
  auto moved = shop.patch(path,
                          {{"images",
                            {{{"image_id", before[2]}, {"alt", "Handle"}},
                             {{"image_id", before[0]}},
                             {{"image_id", before[1]}, {"alt", "Base"}}}}},
                          shop.admin());
  REQUIRE(moved.status == 200);
  auto moved_urls = urls(moved.body["images"]);
  CHECK(moved_urls == std::vector<std::string>{before_urls[2], before_urls[0], before_urls[1]});
  CHECK(moved.body["images"][0]["alt"] == "Handle");
  CHECK(moved.body["images"][2]["alt"] == "Base");
  CHECK(moved.body["images"][0]["primary"] == true);  // the first is the main picture
  CHECK(moved.body["images"][2]["primary"] == false);
  // Making one the main picture moves it to the front; the others keep their order.
  moved = shop.patch(path, {{"primary", ids(moved.body["images"])[2]}}, shop.admin());
  REQUIRE(moved.status == 200);
  CHECK(urls(moved.body["images"]) == std::vector<std::string>{before_urls[1], before_urls[2], before_urls[0]});
  CHECK(moved.body["images"][0]["primary"] == true);
  CHECK(moved.body["images"][0]["alt"] == "Base");

  // The product page's picture is the primary one.
  auto p = shop.get("/api/v1/products/" + id);
  REQUIRE(p.status == 200);
  bool primary_found = false;
  for (const auto& d : p.body["image_details"])
    if (d["primary"] == true) primary_found = d["url"] == before_urls[1];
  CHECK(primary_found);

  // Bad edits change nothing.
  auto now = ids(moved.body["images"]);
  CHECK(shop.patch(path, {{"images", {{{"image_id", now[0]}}}}}, shop.admin()).status == 400);
  CHECK(shop.patch(path, {{"primary", "987654"}}, shop.admin()).status == 400);
  CHECK(shop.patch(path, {{"color", "red"}}, shop.admin()).status == 400);
  CHECK(shop.patch(path, {{"images", {{{"image_id", now[0]}}, {{"image_id", now[0]}}, {{"image_id", now[1]}}}}},
                   shop.admin())
            .status == 400);
  auto unchanged = shop.get("/api/v1/products/" + id);
  CHECK(unchanged.body["images"] == p.body["images"]);

  auto removed = shop.del(path + "/" + now[0], shop.admin());
  REQUIRE(removed.status == 200);
  CHECK(urls(removed.body["images"]) == std::vector<std::string>{before_urls[2], before_urls[0]});
  CHECK(removed.body["images"][0]["primary"] == true);
  CHECK(shop.del(path + "/" + now[0], shop.admin()).status == 404);
  CHECK(shop.del(path + "/abc", shop.admin()).status == 404);
}

TEST_CASE("the storefront product page shows uploaded pictures with srcset", "[images]") {
  TestShop shop;
  std::string id = new_product(shop, "MUG-10");
  auto r = upload(shop, id,
                  {{"file", make_picture(1400, 1000, "jpeg"), "a.jpg", "image/jpeg"}, {"alt", "Mug on a rock", "", ""}},
                  shop.admin());
  REQUIRE(r.status == 201);
  auto p = shop.get("/api/v1/products/" + id);
  REQUIRE(p.status == 200);
  auto page = shop.get("/p/" + id);
  REQUIRE(page.status == 200);
  CHECK(page.text.find("srcset=\"") != std::string::npos);
  CHECK(page.text.find("-320.webp 320w") != std::string::npos);
  CHECK(page.text.find("sizes=\"") != std::string::npos);
  CHECK(page.text.find("alt=\"Mug on a rock\"") != std::string::npos);
}

TEST_CASE("backup carries the pictures, restore brings them back, check finds damage", "[images]") {
  shopbox::testing::TempDir out;
  std::string backup_dir = out.path() + "/b1";
  std::string url;
  std::string restored = out.path() + "/restored";
  {
    TestShop shop;
    std::string id = new_product(shop, "MUG-11");
    auto r = upload(shop, id, {{"file", make_picture(700, 400, "png"), "a.png", "image/png"}}, shop.admin());
    REQUIRE(r.status == 201);
    url = r.body["images"][0]["url"];
    CHECK(shopbox::ops::run_checks(shop.app()).ok());
    auto m = shopbox::ops::backup(shop.app().db->path(), *shop.app().kv, backup_dir);
    REQUIRE(m.ok());
    size_t listed = 0;
    for (const auto& f : (*m)["files"])
      if (f["path"].get<std::string>().rfind("images/", 0) == 0) ++listed;
    CHECK(listed == 3);  // 700 px, 640 px, 320 px

    // A damaged and a missing file are check problems.
    auto address = shopbox::parse_image_address(url);
    REQUIRE(address);
    std::string dir = shop.data_dir() + "/images/" + address->key.substr(0, 2) + "/" + address->key;
    { std::ofstream(dir + "-640.webp", std::ios::binary | std::ios::trunc) << "not a picture"; }
    std::filesystem::remove(dir + "-320.webp");
    auto report = shopbox::ops::run_checks(shop.app());
    REQUIRE(report.problems.size() == 2);
    CHECK(report.problems[0] == "images: " + address->key.substr(0, 2) + "/" + address->key + "-320.webp is missing");
    CHECK(report.problems[1] == "images: " + address->key.substr(0, 2) + "/" + address->key + "-640.webp is damaged");
  }
  auto restoredm = shopbox::ops::restore(backup_dir, restored, {});
  REQUIRE(restoredm.ok());
  auto address = shopbox::parse_image_address(url);
  std::string file = restored + "/images/" + address->key.substr(0, 2) + "/" + address->key + "-320.webp";
  CHECK(std::filesystem::exists(file));
}

TEST_CASE("prune removes only pictures nothing shows, after the grace", "[images]") {
  shopbox::testing::ClockReset reset;
  TestShop shop;
  std::string kept_id = new_product(shop, "MUG-21"), dropped_id = new_product(shop, "MUG-22");
  auto kept = upload(shop, kept_id, {{"file", make_picture(400, 300, "png"), "k.png", "image/png"}}, shop.admin());
  auto dropped =
      upload(shop, dropped_id, {{"file", make_picture(500, 300, "jpeg"), "d.jpg", "image/jpeg"}}, shop.admin());
  auto ordered =
      upload(shop, dropped_id, {{"file", make_picture(200, 200, "png"), "o.png", "image/png"}}, shop.admin());
  REQUIRE((kept.status == 201 && dropped.status == 201 && ordered.status == 201));
  // An order of the product while "o.png" is its main picture: the order
  // line keeps that picture after the product loses it.
  std::string o_image = ordered.body["uploaded"][0]["url"], d_image = dropped.body["uploaded"][0]["url"];
  std::string o_iid = shopbox::product_image_id(o_image);
  REQUIRE(shop.patch("/api/v1/admin/products/" + dropped_id + "/images", {{"primary", o_iid}}, shop.admin()).status ==
          200);
  auto buyer = shop.register_user("prune@example.com");
  buyer.auth.emplace("Idempotency-Key", "prune-order-1");
  auto order = shop.post("/api/v1/orders",
                         {{"items", {{{"product_id", dropped_id}, {"quantity", 1}}}},
                          {"shipping_address", shopbox::testing::address()},
                          {"payment_method", shopbox::testing::card()}},
                         buyer.auth);
  INFO(order.text);
  REQUIRE(order.status == 201);
  for (const auto& url : {o_image, d_image})
    REQUIRE(shop.del("/api/v1/admin/products/" + dropped_id + "/images/" + shopbox::product_image_id(url), shop.admin())
                .status == 200);
  std::string dir = shop.data_dir() + "/images";
  // Within the grace nothing goes (an upload may be about to be listed).
  auto early = shopbox::ops::prune_unused_images(*shop.app().db, dir, 3600);
  REQUIRE(early.ok());
  CHECK(early->files.empty());
  shopbox::set_clock_offset(7200);
  auto unused = shopbox::ops::find_unused_images(*shop.app().db, dir, 3600);
  REQUIRE(unused.ok());
  CHECK(unused->files.size() == 2);  // d.jpg's 500 and 320 px: nothing of the kept or the ordered one
  auto gone = shopbox::ops::prune_unused_images(*shop.app().db, dir, 3600);
  REQUIRE(gone.ok());
  CHECK(gone->files == unused->files);
  CHECK(gone->bytes > 0);
  CHECK(shop.get(d_image).status == 404);
  CHECK(shop.get(o_image).status == 200);
  CHECK(shop.get(kept.body["uploaded"][0]["url"].get<std::string>()).status == 200);
  CHECK(shopbox::ops::run_checks(shop.app()).ok());
  // Uploading the same bytes again stores them again.
  auto again = upload(shop, kept_id, {{"file", make_picture(500, 300, "jpeg"), "d.jpg", "image/jpeg"}}, shop.admin());
  REQUIRE(again.status == 201);
  CHECK(again.body["uploaded"][0]["already_stored"] == false);
  CHECK(shop.get(d_image).status == 200);
}
