// The one list of route groups. Each feature registers its routes in its
// own routes_<feature>.cpp; add one line here for a new feature.
#include "http/server.h"

namespace shopbox {

void register_system_routes(HttpServer&, App&);
void register_catalog_routes(HttpServer&, App&);
void register_inventory_routes(HttpServer&, App&);
void register_ops_routes(HttpServer&, App&);
void register_user_routes(HttpServer&, App&);
void register_cart_routes(HttpServer&, App&);
void register_order_routes(HttpServer&, App&);
void register_payment_routes(HttpServer&, App&);
void register_account_email_routes(HttpServer&, App&);
void register_admin_order_routes(HttpServer&, App&);
void register_admin_customer_routes(HttpServer&, App&);
void register_admin_dashboard_routes(HttpServer&, App&);
void register_admin_staff_routes(HttpServer&, App&);  // [staff]
void register_admin_report_routes(HttpServer&, App&);
void register_webhook_routes(HttpServer&, App&);
void register_search_routes(HttpServer&, App&);
void register_review_routes(HttpServer&, App&);
void register_wishlist_routes(HttpServer&, App&);
void register_recommendation_routes(HttpServer&, App&);
void register_flash_routes(HttpServer&, App&);
void register_import_routes(HttpServer&, App&);
void register_cluster_routes(HttpServer&, App&);
void register_pricing_admin_routes(HttpServer&, App&);
void register_email_routes(HttpServer&, App&);
void register_image_routes(HttpServer&, App&);
void register_settings_routes(HttpServer&, App&);  // [settings]

void register_all_routes(HttpServer& server, App& app) {
  register_catalog_routes(server, app);
  register_inventory_routes(server, app);
  register_ops_routes(server, app);
  register_user_routes(server, app);
  register_cart_routes(server, app);
  register_account_email_routes(server, app);  // before /orders/{id}: /orders/lookup is not an order id
  register_payment_routes(server, app);
  register_order_routes(server, app);
  register_admin_order_routes(server, app);
  register_admin_customer_routes(server, app);
  register_admin_dashboard_routes(server, app);
  register_admin_staff_routes(server, app);  // [staff]
  register_admin_report_routes(server, app);
  register_webhook_routes(server, app);
  register_search_routes(server, app);
  register_review_routes(server, app);
  register_wishlist_routes(server, app);
  register_recommendation_routes(server, app);
  register_flash_routes(server, app);
  register_import_routes(server, app);
  register_cluster_routes(server, app);
  register_pricing_admin_routes(server, app);
  register_email_routes(server, app);
  register_settings_routes(server, app);  // [settings]
  register_image_routes(server, app);  // before system: /images/{file} is not a static file
  register_system_routes(server, app);  // last: its static-file route catches the rest
}

}  // namespace shopbox
