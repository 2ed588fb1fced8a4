import { readFileSync } from "node:fs";
import https from "node:https";

export interface TlsGetOptions {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Component health endpoints serve self-signed certificates. */
  readonly insecure?: boolean;
}

/** GET over TLS with optional client certificate; resolves with the status and body. */
export function httpsGet(url: string, options: TlsGetOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.get(
      url,
      {
        ...(options.ca ? { ca: readFileSync(options.ca) } : {}),
        ...(options.cert ? { cert: readFileSync(options.cert) } : {}),
        ...(options.key ? { key: readFileSync(options.key) } : {}),
        rejectUnauthorized: options.insecure !== true,
        // A fresh connection each time, so no TLS session of another identity is reused.
        agent: false,
        timeout: 5_000,
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => {
          resolve({ status: response.statusCode ?? 0, body });
        });
      },
    );
    request.on("timeout", () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on("error", reject);
  });
}
