// An HTTP server on loopback standing in for the API server where a unit test checks what a client
// sends and how it reads an answer (the e2e tests use the real one), with a kubeconfig pointing at it.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";

export const STAND_IN_TOKEN = "not-a-real-token";

export interface ApiStandIn {
  kubeConfig: KubeConfig;
  /** Every request received, in order. */
  requests: http.IncomingMessage[];
  close: () => Promise<void>;
}

/** Answers every request with `answer`; the kubeconfig's user sends STAND_IN_TOKEN as a bearer token. */
export async function apiStandIn(
  answer: (request: http.IncomingMessage, response: http.ServerResponse) => void,
): Promise<ApiStandIn> {
  const requests: http.IncomingMessage[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request);
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "local", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "admin", token: STAND_IN_TOKEN }],
    contexts: [{ name: "local", cluster: "local", user: "admin" }],
    currentContext: "local",
  });
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        resolve();
      });
    });
  return { kubeConfig, requests, close };
}
