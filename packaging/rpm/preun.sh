# shopbox %preun ($1: 0 = erase, 1 = upgrade)
if [ "$1" -eq 0 ] && command -v systemctl >/dev/null 2>&1; then
    if [ -d /run/systemd/system ]; then
        systemctl stop shopbox.service || :
    fi
    systemctl disable shopbox.service >/dev/null 2>&1 || :
fi
exit 0
