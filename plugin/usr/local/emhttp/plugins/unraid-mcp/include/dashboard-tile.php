<?php
/*
 * unraid-mcp: the dashboard tile's HTML (one <tbody> for $mytiles). Asks the sidecar for its status
 * with a 1 s budget; the dashboard must never wait on a hung service.
 */
require_once __DIR__ . '/sidecar-client.php';

/** What the tile says: [state text, state colour class, pending approvals or null when unknown]. */
function unraid_mcp_tile_state(): array {
  $answer = unraid_mcp_request('GET', '/api/status', [], '', 1.0);
  if (!$answer['ok']) {
    return $answer['code'] === 'not_running' ? ['Not running', 'red-text', null] : ['Not answering', 'orange-text', null];
  }
  $status = json_decode($answer['body'], true);
  if ($answer['status'] !== 200 || !is_array($status)) return ['Not answering', 'orange-text', null];
  $pending = is_int($status['pendingConfirmations'] ?? null) ? $status['pendingConfirmations'] : null;
  if (is_array($status['settings'] ?? null) && ($status['settings']['valid'] ?? true) === false) {
    return ['Settings file invalid', 'orange-text', $pending];
  }
  if (is_array($status['mcp'] ?? null) && ($status['mcp']['serving'] ?? true) === false) {
    return ['Not serving MCP', 'orange-text', $pending];
  }
  $version = is_string($status['version'] ?? null) ? ' ' . $status['version'] : '';
  return ["Running$version", 'green-text', $pending];
}

function unraid_mcp_dashboard_tile(): string {
  [$state, $class, $pending] = unraid_mcp_tile_state();
  $h = fn(string $text): string => htmlspecialchars($text, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
  $waiting = $pending === null ? 'unknown' : ($pending === 1 ? '1 call waiting' : "$pending calls waiting");
  $link = '/Settings/UnraidMCP#approvals';
  return '<tbody title="Unraid MCP" id="unraid-mcp-tile">'
    . '<tr><td><i class="fa fa-plug f32" aria-hidden="true"></i><div class="section">Unraid MCP<br>'
    . '<span class="' . $h($class) . '" data-unraid-mcp="state">' . $h($state) . '</span></div>'
    . '<a href="/Settings/UnraidMCP" title="Unraid MCP settings"><i class="fa fa-fw fa-cog control" aria-hidden="true"></i></a></td></tr>'
    . '<tr><td><span class="w44">Pending approvals</span>'
    . '<span class="w36"><a href="' . $h($link) . '" data-unraid-mcp="pending">' . $h($waiting) . '</a></span></td></tr>'
    . '</tbody>';
}
