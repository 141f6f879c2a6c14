# shopbox %post ($1: 1 = install, 2 = upgrade)
if ! getent group shopbox >/dev/null; then
    groupadd --system shopbox
fi
if ! getent passwd shopbox >/dev/null; then
    useradd --system --gid shopbox --home-dir /var/lib/shopbox --no-create-home \
        --shell /sbin/nologin --comment "shopbox service" shopbox
fi
install -d -o shopbox -g shopbox -m 0750 /var/lib/shopbox
install -d -o shopbox -g shopbox -m 0750 /var/backups/shopbox
chown root:shopbox /etc/shopbox/shopbox.toml
chmod 0640 /etc/shopbox/shopbox.toml
if command -v systemctl >/dev/null 2>&1; then
    if [ "$1" -eq 1 ]; then
        systemctl enable shopbox.service >/dev/null 2>&1 || :
    fi
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload || :
        if [ "$1" -eq 1 ]; then
            systemctl start shopbox.service || :
        fi
    fi
fi
exit 0
