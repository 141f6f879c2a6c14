# shopbox %postun ($1: 0 = erase, 1 = upgrade). RPM has no purge: the data
# in /var/lib/shopbox and the shopbox user stay after an erase.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl daemon-reload || :
    if [ "$1" -ge 1 ]; then
        systemctl try-restart shopbox.service || :
    fi
fi
exit 0
