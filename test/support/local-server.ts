// An HTTP server of a test on a free loopback port, and its end: the stand-ins for Prometheus,
// registries and health endpoints that the provider tests talk to over real sockets.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

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

/** A server whose handler may be async: a handler that throws ends its connection, not the test run. */
export function serveLocally(
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
): Promise<Server> {
  return listenLocally(
    createServer((request, response) => {
      handle(request, response).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    }),
  );
}

/** `http://127.0.0.1:<port>` of a listening server. */
export function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The URL of a port nothing listens on: taken, then given back. */
export async function refusedUrl(): Promise<string> {
  const spare = await listenLocally(createServer());
  const url = urlOf(spare);
  await closeServer(spare);
  return url;
}
