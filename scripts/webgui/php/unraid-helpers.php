<?php
/*
 * The few WebGUI helpers a plugin page may call, written for the harness from their documented
 * behaviour: autov() echoes (or returns) the file's URL with ?v=<mtime> for cache busting, and _var()
 * reads an array key with a default.
 */
function autov($file, $ret = false) {
  global $docroot;
  $path = $docroot . $file;
  clearstatcache(true, $path);
  $url = $file . '?v=' . (file_exists($path) ? filemtime($path) : 'autov_fileDoesntExist');
  if ($ret) return $url;
  echo $url;
}

function _var(&$name, $key = null, $default = '') {
  return is_null($key) ? ($name ?? $default) : ($name[$key] ?? $default);
}
