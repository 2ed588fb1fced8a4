// An HTTP server of a test on a free loopback port, and its end: the stand-ins for Prometheus,
// registries and health endpoints that the provider tests talk to over real sockets.
import type { Server } from "node:http";

/** Starts `server` on 127.0.0.1 at a free port; resolves once it listens. */
export function listenLocally(server: Server): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      resolve(server);
    });
  });
}

/** Stops `server`, keep-alive connections included, so a test run never waits for them to time out. */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}
