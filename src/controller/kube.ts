// Talking to the API server: the clients the operator uses, each request counted for /metrics.
import {
  BatchV1Api,
  CoreV1Api,
  createConfiguration,
  CustomObjectsApi,
  KubeConfig,
  ServerConfiguration,
  type Middleware,
} from "@kubernetes/client-node";

export interface KubeClients {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  batch: BatchV1Api;
  custom: CustomObjectsApi;
}

/** From a kubeconfig file, else in-cluster, else ~/.kube/config (client-node's loadFromDefault). */
export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path === undefined) kubeConfig.loadFromDefault();
  else kubeConfig.loadFromFile(path);
  return kubeConfig;
}

/** Told of every request the clients send (not of watches and log streams, which go around them). */
export type RequestObserver = (method: string) => void;

/** Names the operator in the API server's audit log and request metrics. */
export const USER_AGENT = "release-operator";

/**
 * The clients, as client-node's makeApiClient builds them, with one middleware that sets the user
 * agent and tells `observe` of each request.
 */
export function kubeClients(kubeConfig: KubeConfig, observe: RequestObserver = () => undefined): KubeClients {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null) throw new Error("the kubeconfig has no current cluster");
  const counting: Middleware = {
    pre: (context) => {
      context.setHeaderParam("User-Agent", USER_AGENT);
      observe(context.getHttpMethod());
      return Promise.resolve(context);
    },
    post: (response) => Promise.resolve(response),
  };
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kubeConfig },
    promiseMiddleware: [counting],
  });
  return {
    kubeConfig,
    core: new CoreV1Api(configuration),
    batch: new BatchV1Api(configuration),
    custom: new CustomObjectsApi(configuration),
  };
}
