import http from "node:http";
import { PassThrough } from "node:stream";
import { KubeConfig, Log } from "@kubernetes/client-node";
process.on("uncaughtException", (e) => { console.log("UNCAUGHT", e.name, e.message); });
const server = http.createServer((req, res) => {
  console.log("request", req.url);
  res.writeHead(200, { "content-type": "text/plain" });
  res.write("2026-11-25T10:00:00Z hello\n");
  setTimeout(() => { if (process.argv[2] === "reset") req.socket.destroy(); }, 200);
});
server.listen(0, async () => {
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [{ name: "c", server: `http://127.0.0.1:${server.address().port}`, skipTLSVerify: true }], users: [{ name: "u" }], contexts: [{ name: "x", cluster: "c", user: "u" }], currentContext: "x" });
  const out = new PassThrough();
  out.on("data", (d) => console.log("data", JSON.stringify(String(d))));
  out.on("end", () => console.log("end")); out.on("finish", () => console.log("finish")); out.on("error", (e) => console.log("out error", e.message));
  const controller = await new Log(kc).log("ns", "pod", "c", out, { follow: true, timestamps: true });
  if (process.argv[2] === "abort") setTimeout(() => { console.log("aborting"); controller.abort(); }, 300);
  setTimeout(() => { console.log("done"); process.exit(0); }, 1000);
});
