import net from "node:net";

/** A TCP port on 127.0.0.1 that was free a moment ago, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("could not read the port the kernel chose"));
        return;
      }
      server.close(() => {
        resolve(address.port);
      });
    });
  });
}

/** Distinct free ports, one per name, so no two services of one cluster share a port. */
export async function freePorts<const Name extends string>(
  names: readonly Name[],
): Promise<Record<Name, number>> {
  const chosen = new Set<number>();
  const result: Partial<Record<Name, number>> = {};
  for (const name of names) {
    let port = await freePort();
    while (chosen.has(port)) port = await freePort();
    chosen.add(port);
    result[name] = port;
  }
  return result as Record<Name, number>;
}
