import { Hono } from 'hono';
import { z } from 'zod';
import { valid } from '../http/request-validation.ts';
import { PROMETHEUS_CONTENT_TYPE, type MetricRegistry } from '../metrics.ts';

/**
 * GET /api/metrics: what the runtime counted since it started, by the metric catalog
 * (events/metrics.ts) — the numbers the Lambda functions write to CloudWatch on AWS.
 *
 *   GET /api/metrics                Prometheus text exposition format 0.0.4 (a Prometheus can scrape it)
 *   GET /api/metrics?format=json    the same values as JSON, for the console and scripts
 */

export interface MetricsDeps {
  metrics: MetricRegistry;
}

const formatQuery = z.object({ format: z.enum(['prometheus', 'json'], { message: 'must be prometheus or json' }).optional() });

export function metricsApi(deps: MetricsDeps): Hono {
  const api = new Hono({ strict: false });
  api.get('/metrics', valid('query', formatQuery), (c) => {
    if (c.req.valid('query').format === 'json') return c.json({ metrics: deps.metrics.snapshot() });
    return c.body(deps.metrics.exposition(), 200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Cache-Control': 'no-store' });
  });
  return api;
}
