# Run by installpkg from / once the package is unpacked (paths are relative to /).
# The command line goes on the PATH as a link, the Slackware way: removepkg removes links made here.
mkdir -p usr/local/bin
( cd usr/local/bin ; rm -rf unraid-mcp )
( cd usr/local/bin ; ln -sf ../lib/unraid-mcp/bin/unraid-mcp unraid-mcp )
