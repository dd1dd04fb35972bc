// Serves the dashboard under a path prefix (diva-node: `/dashboard`): the page, its sections alone
// (the page's refresh), the JSON model (`data.json`: also what a devnet collects from each node)
// and the charts as SVG. The model is rebuilt at most once per `cacheMs`, the charts once per model.
// The page may run only its own inline script (by hash) and load only from this server.
import type { ServerResponse } from 'node:http';
import { DivaNodeError } from '../errors.ts';
import { DASHBOARD_CHARTS, type DashboardChart, renderChartSvg } from './charts.ts';
import { buildDashboardModel, type DashboardModel, type DashboardSource } from './model.ts';
import { DASHBOARD_SCRIPT_SHA256, renderDashboardPage, renderDashboardSections } from './page.ts';

export interface DashboardHandlerOptions {
  readonly source: DashboardSource;
  /** Where it is served, without a trailing slash (default `/dashboard`). */
  readonly basePath?: string;
  readonly title?: string;
  /** Default Date.now. */
  readonly nowMs?: () => number;
  /** How long a model is reused (default 1,000 ms). */
  readonly cacheMs?: number;
}

/** Answers `path` when it is the dashboard's (true), else leaves `res` alone (false). */
export type DashboardHandler = (path: string, res: ServerResponse) => boolean;

const PAGE_CSP = [
  "default-src 'none'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${DASHBOARD_SCRIPT_SHA256}'`,
  "base-uri 'self'",
].join('; ');

export function createDashboardHandler(options: DashboardHandlerOptions): DashboardHandler {
  const base = options.basePath ?? '/dashboard';
  const now = options.nowMs ?? Date.now;
  const cacheMs = options.cacheMs ?? 1_000;
  let cached: { model: Promise<DashboardModel>; atMs: number } | undefined;
  const charts = new Map<DashboardChart, { model: DashboardModel; svg: Promise<string> }>();

  const model = (): Promise<DashboardModel> => {
    const t = now();
    if (cached === undefined || t - cached.atMs >= cacheMs) {
      const built = options.source.reports().then(
        (reports) => buildDashboardModel(Array.isArray(reports) ? reports : [], t),
        (cause: unknown) => {
          throw new DivaNodeError(
            {
              code: 'DASHBOARD_SOURCE_FAILED',
              reason: cause instanceof Error ? cause.message : String(cause),
            },
            { cause },
          );
        },
      );
      cached = { model: built, atMs: t };
      // a failure is not kept: the next request asks again
      built.catch(() => {
        if (cached?.model === built) cached = undefined;
      });
    }
    return cached.model;
  };

  const chartSvg = async (chart: DashboardChart): Promise<string> => {
    const m = await model();
    const hit = charts.get(chart);
    if (hit !== undefined && hit.model === m) return hit.svg;
    const svg = renderChartSvg(chart, m);
    charts.set(chart, { model: m, svg });
    return svg;
  };

  const send = (res: ServerResponse, type: string, body: Promise<string>, csp = "default-src 'none'") =>
    body.then(
      (text) => {
        res.writeHead(200, {
          'content-type': type,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          'content-security-policy': csp,
        });
        res.end(text);
      },
      (e: unknown) => {
        res.writeHead(503, { 'content-type': 'application/json' });
        const error =
          e instanceof DivaNodeError ? e.shortMessage : e instanceof Error ? e.message : String(e);
        res.end(JSON.stringify({ error }));
      },
    );

  return (path, res) => {
    if (path !== base && !path.startsWith(`${base}/`)) return false;
    const rest = path.slice(base.length);
    if (rest === '' || rest === '/') {
      const title = options.title;
      void send(
        res,
        'text/html; charset=utf-8',
        model().then((m) => renderDashboardPage(m, { basePath: base, ...(title ? { title } : {}) })),
        PAGE_CSP,
      );
    } else if (rest === '/sections') {
      void send(res, 'text/html; charset=utf-8', model().then(renderDashboardSections));
    } else if (rest === '/data.json') {
      void send(
        res,
        'application/json',
        model().then((m) => JSON.stringify(m)),
      );
    } else {
      const chart = /^\/charts\/([a-z]+)\.svg$/.exec(rest)?.[1] as DashboardChart | undefined;
      if (chart === undefined || !DASHBOARD_CHARTS.includes(chart)) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `no ${path}; try ${base}` }));
      } else {
        void send(res, 'image/svg+xml', chartSvg(chart));
      }
    }
    return true;
  };
}
