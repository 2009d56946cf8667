<?php
/*
 * unraid-mcp: the WebGUI page's bridge to the sidecar's admin API (a unix socket only root can open).
 * It runs behind the WebGUI login; it forwards only the calls listed in bridge-routes.php, checks the
 * CSRF token on every write itself (whether or not the WebGUI's prepend already did), and answers with
 * the sidecar's own status code and JSON. Its own refusals are {"error", "code"}.
 *
 *   GET  api.php?route=/status[&any=query]                          → GET /api/status?any=query
 *   POST api.php?route=/tokens  csrf_token, method, body, if_match   → METHOD /api/tokens (body as JSON)
 *   POST api.php?action=start   csrf_token                           → the rc script's "start"
 */
require_once __DIR__ . '/sidecar-client.php';
require_once __DIR__ . '/bridge-routes.php';

const UNRAID_MCP_MAX_BODY = 1048576;
const UNRAID_MCP_TIMEOUT = 5.0;
const UNRAID_MCP_EXPORT_IDLE = 30.0;
const UNRAID_MCP_DEFAULT_RC = '/etc/rc.d/rc.unraid-mcp';
const UNRAID_MCP_DEFAULT_VAR_INI = '/var/local/emhttp/var.ini';

function unraid_mcp_fail(int $status, string $code, string $message): never {
  http_response_code($status);
  header('Content-Type: application/json');
  header('Cache-Control: no-store');
  header('X-Content-Type-Options: nosniff');
  echo json_encode(['error' => $message, 'code' => $code], JSON_HEX_TAG | JSON_HEX_AMP);
  exit;
}

/** A setting the test harness may give through the php-fpm pool's environment, else Unraid's path. */
function unraid_mcp_env(string $name, string $default): string {
  $value = getenv($name);
  return is_string($value) && $value !== '' ? $value : $default;
}

/**
 * The write's CSRF token, read from the raw form body and the X-CSRF-Token header rather than $_POST /
 * $_SERVER: the WebGUI's prepend removes both after its own check, and this check must hold on every
 * version (6.12–7.2 checked only the form field; some older builds answered an empty 200 on failure).
 */
function unraid_mcp_csrf_ok(array $form): bool {
  $var = @parse_ini_file(unraid_mcp_env('UNRAID_MCP_VAR_INI', UNRAID_MCP_DEFAULT_VAR_INI));
  $expected = is_array($var) ? ($var['csrf_token'] ?? '') : '';
  if (!is_string($expected) || $expected === '') return false;
  $given = $form['csrf_token'] ?? null;
  if (!is_string($given)) {
    foreach (function_exists('getallheaders') ? getallheaders() : [] as $name => $value) {
      if (strcasecmp($name, 'X-CSRF-Token') === 0) $given = $value;
    }
  }
  return is_string($given) && hash_equals($expected, $given);
}

function unraid_mcp_start_service(): never {
  $rc = unraid_mcp_env('UNRAID_MCP_RC_SCRIPT', UNRAID_MCP_DEFAULT_RC);
  if (!is_executable($rc)) unraid_mcp_fail(500, 'start_failed', "The start script $rc is missing; reinstall the plugin.");
  $output = [];
  $exit = 0;
  exec('timeout 20 ' . escapeshellarg($rc) . ' start 2>&1', $output, $exit);
  if ($exit !== 0) {
    $said = trim(implode("\n", array_slice($output, -5)));
    unraid_mcp_fail(500, 'start_failed', 'The service did not start' . ($said !== '' ? ": $said" : " (exit code $exit)."));
  }
  header('Content-Type: application/json');
  header('Cache-Control: no-store');
  echo json_encode(['started' => true]);
  exit;
}

/** Passes the sidecar's answer through: status, the headers the page needs, the body as it arrives. */
function unraid_mcp_relay(array $conn, bool $stream): never {
  $pass = function () use ($conn) {
    http_response_code($conn['status']);
    header('Cache-Control: no-store');
    header('X-Content-Type-Options: nosniff');
    foreach (['content-type' => 'Content-Type', 'etag' => 'ETag', 'content-disposition' => 'Content-Disposition'] as $key => $name) {
      if (isset($conn['headers'][$key])) header("$name: " . str_replace(["\r", "\n"], '', $conn['headers'][$key]));
    }
  };
  if ($stream) {
    // Export: no buffering between the sidecar and the browser, so a large log never sits in memory.
    $pass();
    header('X-Accel-Buffering: no');
    while (ob_get_level() > 0) ob_end_flush();
    unraid_mcp_read_body($conn, function (string $data) {
      echo $data;
      flush();
    }, UNRAID_MCP_EXPORT_IDLE);
    exit;
  }
  $body = '';
  $complete = unraid_mcp_read_body($conn, function (string $data) use (&$body) {
    $body .= $data;
  }, UNRAID_MCP_TIMEOUT);
  if (!$complete) unraid_mcp_fail(504, 'timeout', 'The unraid-mcp service stopped answering midway; try again.');
  $pass();
  echo $body;
  exit;
}

$requestMethod = $_SERVER['REQUEST_METHOD'] ?? 'GET';
$query = $_GET;
$route = $query['route'] ?? null;
$action = $query['action'] ?? null;
unset($query['route'], $query['action']);

if ($requestMethod !== 'GET' && $requestMethod !== 'POST') unraid_mcp_fail(404, 'route', "Method $requestMethod is not accepted here.");

$form = [];
if ($requestMethod === 'POST') {
  if ((int)($_SERVER['CONTENT_LENGTH'] ?? 0) > UNRAID_MCP_MAX_BODY) unraid_mcp_fail(413, 'too_large', 'The request is larger than 1 MB.');
  $raw = (string)file_get_contents('php://input', false, null, 0, UNRAID_MCP_MAX_BODY + 1);
  if (strlen($raw) > UNRAID_MCP_MAX_BODY) unraid_mcp_fail(413, 'too_large', 'The request is larger than 1 MB.');
  parse_str($raw, $form);
  if (!unraid_mcp_csrf_ok($form)) unraid_mcp_fail(403, 'csrf', 'Missing or wrong csrf_token; reload the page.');
}

if ($action !== null) {
  if ($requestMethod === 'POST' && $action === 'start' && $route === null) unraid_mcp_start_service();
  unraid_mcp_fail(404, 'route', 'Unknown action; the only one is a POST of action=start.');
}

if (!is_string($route) || $route === '') unraid_mcp_fail(404, 'route', 'No route given.');
// A read is always GET; a write names its method in the form field (and GET is never a write).
$method = $requestMethod === 'GET' ? 'GET' : strtoupper((string)($form['method'] ?? 'POST'));
$allowed = ($requestMethod === 'GET') === ($method === 'GET') && unraid_mcp_route_allowed($method, $route);
if (!$allowed) unraid_mcp_fail(404, 'route', 'Route ' . substr($route, 0, 100) . " with method $method is not available to the page.");

$body = '';
$headers = [];
if ($requestMethod === 'POST') {
  $body = $form['body'] ?? '';
  if (!is_string($body)) unraid_mcp_fail(400, 'body', 'The body field must be JSON text.');
  if ($body === '') $body = '{}';
  $ifMatch = $form['if_match'] ?? '';
  if (is_string($ifMatch) && $ifMatch !== '') $headers['If-Match'] = str_replace(["\r", "\n"], '', $ifMatch);
}

$target = '/api' . $route . ($query ? '?' . http_build_query($query, '', '&', PHP_QUERY_RFC3986) : '');
$conn = unraid_mcp_open($method, $target, $headers, $body, UNRAID_MCP_TIMEOUT);
if (!$conn['ok']) {
  if ($conn['code'] === 'not_running') unraid_mcp_fail(503, 'not_running', 'The unraid-mcp service is not running.');
  if ($conn['code'] === 'timeout') unraid_mcp_fail(504, 'timeout', 'The unraid-mcp service did not answer within 5 seconds.');
  unraid_mcp_fail(502, 'bad_answer', 'The unraid-mcp service gave an answer the page cannot read.');
}
unraid_mcp_relay($conn, $method === 'GET' && $route === '/audit/export' && $conn['status'] === 200);
