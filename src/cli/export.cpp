// `shopbox export FILE`: the catalog in Shopify's product CSV layout
// (catalog/product_export.h), the file `shopbox import` reads back. Written
// beside the target and renamed over it once complete, so a failed export
// never leaves half a file where a good one was.
#include <cstdio>
#include <fstream>

#include "catalog/product_export.h"
#include "cli/commands.h"

namespace shopbox::cli {

void add_export_commands(CLI::App& cli) {
  struct Opts {
    CommonFlags flags;
    std::string file;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = cli.add_subcommand("export",
                                 "Export every product with its variants, stock and images as a Shopify product CSV "
                                 "(`shopbox export products.csv`; `-` writes to stdout)");
  add_common_flags(*cmd, o->flags, false);
  cmd->add_option("file", o->file, "the CSV file to write (replaced when it exists), or - for stdout")->required();
  cmd->callback([o] {
    auto app = open_app(o->flags);
    if (!app.ok()) return fail(app.status());
    App& a = **app;
    int64_t rows = 0;
    if (o->file == "-") {
      Status st = export_products_csv(*a.db, *a.catalog, *a.inventory, [&](std::string_view piece) {
        if (std::fwrite(piece.data(), 1, piece.size(), stdout) != piece.size())
          return Status::Internal("cannot write to stdout");
        return Status::Ok();
      });
      if (!st.ok()) return fail(st);
      return;
    }
    const std::string tmp = o->file + ".partial";
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(Status::Invalid("cannot write " + tmp));
    Status st = export_products_csv(*a.db, *a.catalog, *a.inventory, [&](std::string_view piece) {
      out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
      ++rows;
      return out ? Status::Ok() : Status::Internal("cannot write " + tmp);
    });
    out.close();
    if (st.ok() && !out) st = Status::Internal("cannot write " + tmp);
    if (st.ok() && std::rename(tmp.c_str(), o->file.c_str()) != 0)
      st = Status::Internal("cannot rename " + tmp + " to " + o->file);
    if (!st.ok()) {
      std::remove(tmp.c_str());
      return fail(st);
    }
    // One piece is the header, each other one product.
    std::printf("%s: exported %lld products\n", o->file.c_str(), static_cast<long long>(rows > 0 ? rows - 1 : 0));
  });
}

}  // namespace shopbox::cli
