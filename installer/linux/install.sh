#!/bin/sh
# Put Prospector in your applications menu (for you only; no root needed):
#     ./install.sh              add the menu entry and the icon, for this folder's Prospector
#     ./install.sh --uninstall  remove them again
# Your data (~/.local/share/Prospector) is never touched. Move this folder first if you want it
# elsewhere: the menu entry points to where the folder is when you run this.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-"$HOME/.local/share"}
entry="$data/applications/prospector.desktop"

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$entry"
  for png in "$data"/icons/hicolor/*/apps/prospector.png; do
    [ -e "$png" ] && rm -f "$png"
  done
  echo "Removed Prospector from the applications menu (your data is still there)."
  exit 0
fi

mkdir -p "$data/applications"
for png in "$here"/_internal/resources/icons/prospector-*.png; do
  size=${png##*-}
  size=${size%.png}
  mkdir -p "$data/icons/hicolor/${size}x${size}/apps"
  cp "$png" "$data/icons/hicolor/${size}x${size}/apps/prospector.png"
done
sed "s|^Exec=.*|Exec=\"$here/prospector\"|" "$here/prospector.desktop" > "$entry"
chmod 644 "$entry"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "Prospector is in your applications menu. To remove it: $0 --uninstall"
