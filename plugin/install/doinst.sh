# Run by installpkg from / once the package is unpacked (paths are relative to /).
# The command line goes on the PATH as a link, the Slackware way: removepkg removes links made here.
mkdir -p usr/local/bin
( cd usr/local/bin ; rm -rf unraid-mcp )
( cd usr/local/bin ; ln -sf ../lib/unraid-mcp/bin/unraid-mcp unraid-mcp )
# The service script is linked into /etc/rc.d rather than packed there: on Unraid 7 /etc/rc.d is itself
# a link (to /usr/local/etc/rc.d), which unpacking a directory of that name could replace. An absolute
# target, so the link works from either place.
mkdir -p etc/rc.d
( cd etc/rc.d ; rm -rf rc.unraid-mcp )
( cd etc/rc.d ; ln -sf /usr/local/lib/unraid-mcp/rc.unraid-mcp rc.unraid-mcp )
