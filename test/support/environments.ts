// Environment specs shared by the tests.
import type { EnvironmentSpec } from "../../src/api/v1alpha1/index.js";

/**
 * The smallest Environment the operator accepts: everything else has a default. Its query uses
 * `{version}`, so it stays valid under either baseline mode.
 */
export const minimalEnvironment: EnvironmentSpec = {
  tier: "staging",
  deploy: {
    image: "registry.example.com/nav/deploy-tools:2.3.0",
    script: { path: "/app/scripts/deploy.sh" },
  },
  watch: {
    prometheus: { url: "http://prometheus.monitoring:9090" },
    metrics: [
      { name: "error-rate", query: 'sum(rate(http_requests_total{code=~"5..",version="{version}"}[5m]))' },
    ],
  },
};
