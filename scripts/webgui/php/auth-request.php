<?php
/*
 * nginx's auth_request for every page, script and asset except the login, as the WebGUI's own
 * auth-request.php does: 200 with a logged-in session, 401 otherwise (nginx then sends the browser to
 * /login).
 */
require __DIR__ . '/harness-session.php';
if (isset($_COOKIE[session_name()])) {
  session_start();
  $in = isset($_SESSION['unraid_login']);
  session_write_close();
  if ($in) {
    http_response_code(200);
    exit;
  }
}
http_response_code(401);
