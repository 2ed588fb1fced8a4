/** Node agents first (they stop their pods), then what depends on the apiserver, etcd last. */
const STOP_ORDER = [
  "node-agent-",
  "prometheus",
  "demo-app",
  "registry",
  "git-server",
  "kube-scheduler",
  "kube-controller-manager",
  "kube-apiserver",
  "etcd",
];

export function stopRank(name: string): number {
  const rank = STOP_ORDER.findIndex((prefix) => name.startsWith(prefix));
  return rank === -1 ? 0 : rank;
}
