import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RecentCount } from './util/recent-count.js';

/**
 * Prometheus metrics. Labels are bounded on purpose: tool names come from the registry, outcomes and
 * rejection reasons from fixed lists — never container names, tokens or client-supplied strings.
 */
export interface Metrics {
  registry: Registry;
  toolCalls: Counter<'tool' | 'outcome'>;
  toolDuration: Histogram<'tool'>;
  sessions: Gauge;
  rejected: Counter<'reason'>;
  libvirtCalls: Counter<'op'>;
  protocolRequests: Counter<'era'>;
  /** Tool calls of the last hour, whatever their outcome (the WebGUI's status line). */
  callsLastHour: RecentCount;
}

export function createMetrics(opts: { defaultMetrics: boolean }): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'unraid_mcp_' });
  return {
    registry,
    toolCalls: new Counter({
      name: 'unraid_mcp_tool_calls_total',
      help: 'Tool calls by tool and outcome (ok, error, denied, invalid, confirmation, rate_limited, busy, audit_unavailable).',
      labelNames: ['tool', 'outcome'],
      registers: [registry],
    }),
    toolDuration: new Histogram({
      name: 'unraid_mcp_tool_call_duration_seconds',
      help: 'Tool call duration in seconds.',
      labelNames: ['tool'],
      buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10, 60],
      registers: [registry],
    }),
    sessions: new Gauge({
      name: 'unraid_mcp_sessions_active',
      help: 'Open MCP sessions.',
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'unraid_mcp_http_rejected_total',
      help: 'HTTP requests rejected before reaching MCP, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    libvirtCalls: new Counter({
      name: 'unraid_mcp_libvirt_calls_total',
      help: 'Calls into libvirt by operation (binding calls by API name, virsh by subcommand).',
      labelNames: ['op'],
      registers: [registry],
    }),
    protocolRequests: new Counter({
      name: 'unraid_mcp_protocol_requests_total',
      help: 'MCP POST requests by protocol era: "2025" (sessions: initialize, then calls) or "2026-07-28" (stateless).',
      labelNames: ['era'],
      registers: [registry],
    }),
    callsLastHour: new RecentCount(),
  };
}
