<?php
/*
 * unraid-mcp: HTTP/1.1 over the sidecar's admin unix socket, with PHP streams only (no curl needed).
 * Used by the bridge (api.php) and the dashboard tile. Every wait is bounded: a sidecar that accepts the
 * connection but never answers must not hold a php-fpm worker (or the page) for long.
 */

const UNRAID_MCP_DEFAULT_SOCKET = '/var/run/unraid-mcp/admin.sock';

/** The admin socket: the sidecar's default, or UNRAID_MCP_ADMIN_SOCKET from the php-fpm pool's environment. */
function unraid_mcp_socket_path(): string {
  $fromEnv = getenv('UNRAID_MCP_ADMIN_SOCKET');
  return is_string($fromEnv) && $fromEnv !== '' ? $fromEnv : UNRAID_MCP_DEFAULT_SOCKET;
}

/**
 * Sends one request and reads the status line and headers within $timeout seconds.
 * Returns ['ok' => true, 'stream', 'status', 'headers' (lower-case names)] or
 * ['ok' => false, 'code' => 'not_running'|'timeout'|'io', 'detail'].
 */
function unraid_mcp_open(string $method, string $target, array $headers, string $body, float $timeout): array {
  $socket = unraid_mcp_socket_path();
  $deadline = microtime(true) + $timeout;
  // A socket file left behind by a stopped service refuses the connection: that is "not running" too.
  if (!file_exists($socket)) return ['ok' => false, 'code' => 'not_running', 'detail' => 'no socket'];
  $errno = 0;
  $errstr = '';
  $stream = @stream_socket_client('unix://' . $socket, $errno, $errstr, $timeout);
  if ($stream === false) return ['ok' => false, 'code' => 'not_running', 'detail' => $errstr];
  $lines = [
    "$method $target HTTP/1.1",
    'Host: localhost',
    'Connection: close',
    'Accept: application/json',
    'X-Unraid-MCP-Actor: webgui',
  ];
  foreach ($headers as $name => $value) $lines[] = "$name: $value";
  if ($body !== '' || in_array($method, ['POST', 'PUT', 'PATCH'], true)) {
    $lines[] = 'Content-Type: application/json';
    $lines[] = 'Content-Length: ' . strlen($body);
  }
  $request = implode("\r\n", $lines) . "\r\n\r\n" . $body;
  stream_set_timeout($stream, max(1, (int)ceil($timeout)));
  if (!unraid_mcp_write_all($stream, $request, $deadline)) {
    fclose($stream);
    return ['ok' => false, 'code' => 'timeout', 'detail' => 'writing the request'];
  }
  $status = 0;
  $head = [];
  while (true) {
    $line = unraid_mcp_read_line($stream, $deadline);
    if ($line === null) {
      fclose($stream);
      return ['ok' => false, 'code' => microtime(true) >= $deadline ? 'timeout' : 'io', 'detail' => 'reading the answer'];
    }
    if ($status === 0) {
      if (!preg_match('#^HTTP/1\.[01] (\d{3})#', $line, $m)) {
        fclose($stream);
        return ['ok' => false, 'code' => 'io', 'detail' => 'not an HTTP answer'];
      }
      $status = (int)$m[1];
      continue;
    }
    if ($line === '') break;
    $colon = strpos($line, ':');
    if ($colon !== false) $head[strtolower(trim(substr($line, 0, $colon)))] = trim(substr($line, $colon + 1));
  }
  return ['ok' => true, 'stream' => $stream, 'status' => $status, 'headers' => $head];
}

function unraid_mcp_write_all($stream, string $data, float $deadline): bool {
  while ($data !== '') {
    if (microtime(true) >= $deadline) return false;
    $written = @fwrite($stream, $data);
    if ($written === false || $written === 0) {
      if (stream_get_meta_data($stream)['timed_out']) return false;
      if ($written === false) return false;
      usleep(1000);
      continue;
    }
    $data = substr($data, $written);
  }
  return true;
}

/**
 * One CRLF-terminated line without its terminator, or null once the deadline has passed or the
 * sidecar closed the connection.
 */
function unraid_mcp_read_line($stream, float $deadline): ?string {
  $line = '';
  while (!str_ends_with($line, "\n")) {
    $left = $deadline - microtime(true);
    if ($left <= 0) return null;
    stream_set_timeout($stream, (int)floor($left), (int)(($left - floor($left)) * 1e6));
    $part = fgets($stream, 8192);
    // The stream's timer can fire a little before the deadline (it counts in whole milliseconds):
    // wait out the rest, so the caller sees a timeout as a timeout and not as a broken answer.
    if ($part === false && stream_get_meta_data($stream)['timed_out']) continue;
    if ($part === false) return null;
    $line .= $part;
    if (strlen($line) > 65536) return null;
  }
  return rtrim($line, "\r\n");
}

/**
 * Reads the body (Content-Length, chunked, or until close) and hands each piece to $sink as it arrives,
 * so an export streams instead of being held in memory. $idle bounds each wait for more data.
 * Returns false when the sidecar stopped sending before the end.
 */
function unraid_mcp_read_body(array $conn, callable $sink, float $idle): bool {
  $stream = $conn['stream'];
  $headers = $conn['headers'];
  $read = function (int $max) use ($stream, $idle): ?string {
    stream_set_timeout($stream, (int)floor($idle), (int)(($idle - floor($idle)) * 1e6));
    $data = fread($stream, $max);
    if ($data === false || ($data === '' && (feof($stream) || stream_get_meta_data($stream)['timed_out']))) return null;
    return $data;
  };
  $ok = true;
  if (str_contains(strtolower($headers['transfer-encoding'] ?? ''), 'chunked')) {
    while (true) {
      $sizeLine = unraid_mcp_read_line($stream, microtime(true) + $idle);
      if ($sizeLine === null) { $ok = false; break; }
      $size = hexdec(trim(explode(';', $sizeLine)[0]));
      if ($size === 0) break;
      while ($size > 0) {
        $data = $read(min($size, 65536));
        if ($data === null) { $ok = false; break 2; }
        $size -= strlen($data);
        $sink($data);
      }
      unraid_mcp_read_line($stream, microtime(true) + $idle); // the CRLF after each chunk
    }
  } elseif (isset($headers['content-length'])) {
    $left = (int)$headers['content-length'];
    while ($left > 0) {
      $data = $read(min($left, 65536));
      if ($data === null) { $ok = false; break; }
      $left -= strlen($data);
      $sink($data);
    }
  } else {
    while (!feof($stream)) {
      $data = $read(65536);
      if ($data === null) break;
      $sink($data);
    }
  }
  fclose($stream);
  return $ok;
}

/** A whole request/answer as strings (for small JSON answers): ['ok', 'status', 'headers', 'body'] or the open() error. */
function unraid_mcp_request(string $method, string $target, array $headers, string $body, float $timeout): array {
  $conn = unraid_mcp_open($method, $target, $headers, $body, $timeout);
  if (!$conn['ok']) return $conn;
  $text = '';
  $complete = unraid_mcp_read_body($conn, function (string $d) use (&$text) {
    $text .= $d;
  }, $timeout);
  if (!$complete) return ['ok' => false, 'code' => 'timeout', 'detail' => 'the answer stopped midway'];
  return ['ok' => true, 'status' => $conn['status'], 'headers' => $conn['headers'], 'body' => $text];
}
