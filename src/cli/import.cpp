// `shopbox import FILE`: products from JSON or a Shopify product CSV.
// Nothing is written unless the whole file is valid; errors name lines.
#include "catalog/import.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/commands.h"

namespace shopbox::cli {

void add_import_commands(CLI::App& cli) {
  struct Opts {
    CommonFlags flags;
    std::string file;
    std::string format = "auto";
    bool dry_run = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = cli.add_subcommand("import",
                                 "Import products with their variants from a JSON array or a Shopify product CSV (all "
                                 "or nothing; upserts by product or variant SKU; errors name the line)");
  add_common_flags(*cmd, o->flags, false);
  cmd->add_option("file", o->file, "the file to import (.json or .csv)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--format", o->format, "auto (by extension or content), json or shopify")
      ->check(CLI::IsMember({"auto", "json", "shopify", "csv"}));
  cmd->add_flag("--dry-run", o->dry_run, "check the file and report, write nothing");
  cmd->callback([o] {
    std::ifstream in(o->file, std::ios::binary);
    if (!in) return fail(Status::Invalid("cannot read " + o->file));
    std::stringstream buf;
    buf << in.rdbuf();
    std::string text = buf.str();
    ImportFormat format = o->format == "json"   ? ImportFormat::json
                          : o->format == "auto" ? detect_import_format(o->file, text)
                                                : ImportFormat::shopify_csv;
    auto app = open_app(o->flags);
    if (!app.ok()) return fail(app.status());
    auto print_errors = [&](const std::vector<ImportError>& errors) {
      for (const auto& e : errors)
        std::fprintf(stderr, "%s:%lld: %s\n", o->file.c_str(), static_cast<long long>(e.line), e.message.c_str());
      std::fprintf(stderr, "error: nothing imported (%zu error%s)\n", errors.size(), errors.size() == 1 ? "" : "s");
      set_exit_code(1);
    };
    if (o->dry_run) {
      auto parsed = parse_import(text, format, (*app)->config);
      if (!parsed.errors.empty()) return print_errors(parsed.errors);
      size_t variants = 0;
      for (const auto& item : parsed.items) variants += item.product.variants.size();
      std::printf("%s: %zu products with %zu variants, no errors (dry run: nothing written)\n", o->file.c_str(),
                  parsed.items.size(), variants);
      return;
    }
    auto report = import_products(*(*app)->catalog, text, format, (*app)->config, "import");
    if (!report.ok) return print_errors(report.errors);
    const auto& s = report.summary;
    std::printf(
        "%s: imported %lld products (%lld created, %lld updated), variants %lld created, %lld updated, %lld "
        "deleted, %lld new categories\n",
        o->file.c_str(), static_cast<long long>(report.items), static_cast<long long>(s.created),
        static_cast<long long>(s.updated), static_cast<long long>(s.variants_created),
        static_cast<long long>(s.variants_updated), static_cast<long long>(s.variants_deleted),
        static_cast<long long>(s.categories_created));
  });
}

}  // namespace shopbox::cli
