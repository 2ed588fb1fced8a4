// Image repository names as Docker and the kubelet read them: an optional registry host, then a
// path; no host means Docker Hub, and a one-segment name on Docker Hub lives under `library/`.

export interface ImageRepository {
  /** `host[:port]` of the registry, e.g. `127.0.0.1:5000`; Docker Hub is `registry-1.docker.io`. */
  host: string;
  /** The repository's path on the registry, e.g. `demo/nav` or `library/nginx`. */
  name: string;
}

/** Where Docker Hub's distribution API answers (`docker.io` is only its name in references). */
export const DOCKER_HUB_REGISTRY = "registry-1.docker.io";
const DOCKER_HUB_NAMES: ReadonlySet<string> = new Set(["docker.io", "index.docker.io", DOCKER_HUB_REGISTRY]);

/** A path component (distribution's reference grammar): lower-case alphanumerics joined by `.`, `_`, `__` or dashes. */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** A DNS name or an IPv6 literal in brackets, with an optional port. */
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
/** distribution refuses longer repository names. */
const MAX_NAME_LENGTH = 255;

/** The first segment names a registry when it could not be a Docker Hub user: it has a `.` or `:`, or is `localhost`. */
function isRegistryHost(segment: string): boolean {
  return segment.includes(".") || segment.includes(":") || segment === "localhost";
}

/**
 * `127.0.0.1:5000/demo/nav` -> `{ host: "127.0.0.1:5000", name: "demo/nav" }`; `nginx` ->
 * `{ host: "registry-1.docker.io", name: "library/nginx" }`. Throws on a repository that no registry
 * would accept (upper case, a tag or digest, an empty segment), naming what is wrong.
 */
export function parseImageRepository(repository: string): ImageRepository {
  const invalid = (why: string): Error =>
    new Error(`image repository ${JSON.stringify(repository)} is not valid: ${why}`);
  if (repository === "") throw invalid("it is empty");
  if (repository.includes("@"))
    throw invalid("it holds a digest ('@'); give the repository without tag or digest");

  const segments = repository.split("/");
  const first = segments[0] ?? "";
  const hasHost = segments.length > 1 && isRegistryHost(first);
  const pathSegments = hasHost ? segments.slice(1) : segments;
  if (hasHost && !HOST.test(first)) throw invalid(`${JSON.stringify(first)} is not a registry host[:port]`);

  for (const segment of pathSegments) {
    if (PATH_COMPONENT.test(segment)) continue;
    if (segment.includes(":"))
      throw invalid("it holds a tag (':'); give the repository without tag or digest");
    if (segment === "") throw invalid("it has an empty path segment");
    throw invalid(
      `path segment ${JSON.stringify(segment)} must be lower-case letters and digits separated by '.', '_', '__' or '-'`,
    );
  }

  const host = hasHost ? first : DOCKER_HUB_REGISTRY;
  const onDockerHub = DOCKER_HUB_NAMES.has(host.toLowerCase());
  const name =
    onDockerHub && pathSegments.length === 1 ? `library/${pathSegments.join("/")}` : pathSegments.join("/");
  if (name.length > MAX_NAME_LENGTH) throw invalid(`the name is longer than ${MAX_NAME_LENGTH} characters`);
  return { host: onDockerHub ? DOCKER_HUB_REGISTRY : host, name };
}
