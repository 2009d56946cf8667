<?php
/*
 * unraid-mcp: the only admin API calls the WebGUI page may make, as (method, path pattern) pairs.
 * Anything else is refused by the bridge before it touches the socket. Left out on purpose:
 * /confirmations/events (a never-ending stream would hold a php-fpm worker; the page polls) and
 * /storage and /audit/relocate (the array start/stop event hooks move the audit log and approvals
 * through `unraid-mcp storage`, straight to the admin socket; the owner never does).
 */

/** A token name, session id or confirmation id: one path segment, never "/", "?" or "%". */
const UNRAID_MCP_SEGMENT = '[A-Za-z0-9][A-Za-z0-9._~-]{0,127}';

const UNRAID_MCP_ROUTES = [
  ['GET', '/status'],
  ['GET', '/tools'],
  ['GET', '/tokens'],
  ['POST', '/tokens'],
  ['PATCH', '/tokens/{id}'],
  ['DELETE', '/tokens/{id}'],
  ['GET', '/sessions'],
  ['DELETE', '/sessions/{id}'],
  ['GET', '/settings'],
  ['PUT', '/settings'],
  ['POST', '/filters/preview'],
  ['GET', '/confirmations'],
  ['POST', '/confirmations/{id}/approve'],
  ['POST', '/confirmations/{id}/deny'],
  ['GET', '/audit'],
  ['GET', '/audit/record/{id}'],
  ['GET', '/audit/verify'],
  ['GET', '/audit/export'],
];

/** True when $method $route is one of the pairs above. */
function unraid_mcp_route_allowed(string $method, string $route): bool {
  foreach (UNRAID_MCP_ROUTES as [$allowedMethod, $pattern]) {
    if ($allowedMethod !== $method) continue;
    $regex = '#^' . str_replace('\{id\}', UNRAID_MCP_SEGMENT, preg_quote($pattern, '#')) . '$#D';
    if (preg_match($regex, $route)) return true;
  }
  return false;
}
