<?php
/*
 * The page harness's stand-in for the WebGUI's local_prepend.php (php-fpm auto_prepend_file): every
 * POST except the login must carry var.ini's csrf_token as a form field or (7.3+) the X-CSRF-Token
 * header, compared in constant time; a failure is answered 403 {"error":"missing csrf_token"} or
 * {"error":"wrong csrf_token"} and the script never runs. Like the WebGUI, the token is removed from
 * $_POST and $_SERVER after a successful check.
 */
(function () {
  if (($_SERVER['REQUEST_METHOD'] ?? 'GET') !== 'POST') return;
  if (in_array($_SERVER['SCRIPT_NAME'] ?? '', ['/login.php', '/auth-request.php'], true)) return;
  $stop = function (string $reason) {
    error_log("webGUI: error: {$_SERVER['REQUEST_URI']} - $reason csrf_token");
    if (!headers_sent()) {
      http_response_code(403);
      header('Content-Type: application/json');
    }
    exit(json_encode(['error' => "$reason csrf_token"]));
  };
  $var = @parse_ini_file(getenv('UNRAID_MCP_VAR_INI') ?: '/var/local/emhttp/var.ini');
  if (!is_array($var) || !isset($var['csrf_token'])) $stop('uninitialized');
  $given = $_POST['csrf_token'] ?? ($_SERVER['HTTP_X_CSRF_TOKEN'] ?? null);
  if (!is_string($given)) $stop('missing');
  if (!hash_equals($var['csrf_token'], $given)) $stop('wrong');
  unset($_POST['csrf_token'], $_SERVER['HTTP_X_CSRF_TOKEN']);
})();
