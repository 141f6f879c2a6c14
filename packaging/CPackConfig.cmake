# Packages: shopbox_<version>_amd64.deb and shopbox-<version>.x86_64.rpm.
# Included (OPTIONAL) at the end of CMakeLists.txt; `scripts/package`
# builds the release binary and runs cpack.
#
# Installed layout:
#   /usr/bin/shopbox
#   /etc/shopbox/shopbox.toml                 commented defaults, a conffile
#   /usr/lib/systemd/system/shopbox.service   hardened unit (Type=notify)
#   /usr/share/doc/shopbox/install.md, scale-out.md, examples/haproxy.cfg.in
#   /var/lib/shopbox, /var/backups/shopbox    made by the maintainer scripts,
#                                             owned by the `shopbox` user

set(SHOPBOX_PKG_DIR ${CMAKE_CURRENT_LIST_DIR})

install(TARGETS shopbox RUNTIME DESTINATION bin)

# The default config is written by the binary itself, so it always lists
# exactly the settings this build knows (src/config.cpp).
set(SHOPBOX_CONF ${CMAKE_BINARY_DIR}/packaging/shopbox.toml)
add_custom_command(
  OUTPUT ${SHOPBOX_CONF}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND $<TARGET_FILE:shopbox> config default --data-dir /var/lib/shopbox --backup-dir /var/backups/shopbox --output ${SHOPBOX_CONF}
  DEPENDS shopbox
  COMMENT "Writing the packaged default config"
  VERBATIM)
add_custom_target(shopbox_default_config ALL DEPENDS ${SHOPBOX_CONF})

install(FILES ${SHOPBOX_CONF} DESTINATION /etc/shopbox
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${SHOPBOX_PKG_DIR}/systemd/shopbox.service DESTINATION lib/systemd/system
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
# The install guide and, for merchants who outgrow one machine, the
# scale-out guide with the HAProxy router template it explains.
install(FILES ${CMAKE_SOURCE_DIR}/docs/install.md ${CMAKE_SOURCE_DIR}/docs/scale-out.md DESTINATION share/doc/shopbox
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${SHOPBOX_PKG_DIR}/router/haproxy.cfg.in DESTINATION share/doc/shopbox/examples
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

set(CPACK_GENERATOR "DEB;RPM")
set(CPACK_PACKAGE_NAME "shopbox")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "shopbox")
set(CPACK_PACKAGE_CONTACT "shopbox maintainers <shopbox@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "A complete e-commerce platform in one binary")
set(CPACK_PACKAGE_DESCRIPTION
    "shopbox is a shop in one self-contained server: catalog, search, carts, checkout with payments, orders, and a storefront, with SQLite, LMDB and Xapian embedded. It runs as the systemd service shopbox.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/packages")
set(CPACK_STRIP_FILES TRUE)
set(CPACK_SOURCE_IGNORE_FILES "/build/;/\\\\.git/")

# ---- .deb ----
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")   # shopbox_<version>_amd64.deb
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "amd64")
set(CPACK_DEBIAN_PACKAGE_SECTION "web")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Runtime libraries from the binary's ELF NEEDED entries (dpkg-shlibdeps):
# libsqlite3-0, liblmdb0, libssl3, libcpp-httplib0.11, libxapian30, ...
# and no build tools.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")  # useradd/groupadd in postinst
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${SHOPBOX_PKG_DIR}/deb/conffiles;${SHOPBOX_PKG_DIR}/deb/postinst;${SHOPBOX_PKG_DIR}/deb/prerm;${SHOPBOX_PKG_DIR}/deb/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

# ---- .rpm ----
set(CPACK_RPM_FILE_NAME "shopbox-${PROJECT_VERSION}.x86_64.rpm")
set(CPACK_RPM_PACKAGE_ARCHITECTURE "x86_64")
set(CPACK_RPM_PACKAGE_RELEASE "1")
set(CPACK_RPM_PACKAGE_LICENSE "Proprietary")
set(CPACK_RPM_PACKAGE_GROUP "Applications/Internet")
# Requires come from rpmbuild's ELF dependency generator (libsqlite3.so.0,
# liblmdb.so.0, libssl.so.3, ...), which fits any RPM distribution's names.
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_PACKAGE_AUTOPROV OFF)
set(CPACK_RPM_PACKAGE_REQUIRES_POST "shadow-utils, systemd")
set(CPACK_RPM_PACKAGE_REQUIRES_PREUN "systemd")
set(CPACK_RPM_PACKAGE_REQUIRES_POSTUN "systemd")
set(CPACK_RPM_USER_FILELIST "%config(noreplace) /etc/shopbox/shopbox.toml")
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/lib/systemd /usr/lib/systemd/system /usr/share/doc)
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE "${SHOPBOX_PKG_DIR}/rpm/post.sh")
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE "${SHOPBOX_PKG_DIR}/rpm/preun.sh")
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE "${SHOPBOX_PKG_DIR}/rpm/postun.sh")
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")

include(CPack)
