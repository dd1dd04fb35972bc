// The public surface, frozen: a change to what the package exports is a visible diff here.
import { describe, expect, it } from 'vitest';

describe('exports', () => {
  it('@diva-dvt/node exports exactly these names', async () => {
    expect(Object.keys(await import('../src/index.ts')).sort()).toMatchInlineSnapshot(`
      [
        "DivaNodeError",
        "LATENCY_BOUNDS_MS",
        "buildDashboardModel",
        "createDashboardHandler",
        "createDashboardRecorder",
        "createNodeDashboardSource",
        "createNodeMetrics",
        "createPinoLogger",
        "isDivaNodeError",
        "main",
        "parseNodeConfig",
        "parseRunArguments",
        "readNodeConfig",
        "renderChartSvg",
        "renderDashboardPage",
        "startHttpEndpoints",
        "startNode",
      ]
    `);
  });
});
