"""phonenumbers loads each country's metadata by name at run time, so every data module is a
hidden import; this replaces the contributed hook, which also takes the geocoder and carrier
tables (~42 MB of source) that Prospector never reads (see prospector.spec's excludes)."""

from PyInstaller.utils.hooks import collect_submodules

_UNUSED = ("phonenumbers.geocoder", "phonenumbers.geodata", "phonenumbers.carrier")

hiddenimports = collect_submodules("phonenumbers", filter=lambda name: not name.startswith(_UNUSED))
