import { describe, expect, it } from "vitest";
import { parseImageRepository } from "./image-reference.js";

describe("parseImageRepository", () => {
  it.each([
    {
      situation: "a loopback registry with a port",
      repository: "127.0.0.1:5000/demo/nav",
      host: "127.0.0.1:5000",
      name: "demo/nav",
    },
    {
      situation: "a registry with a domain",
      repository: "registry.example.com/nav/onboard",
      host: "registry.example.com",
      name: "nav/onboard",
    },
    { situation: "localhost without a port", repository: "localhost/nav", host: "localhost", name: "nav" },
    {
      situation: "localhost with a port",
      repository: "localhost:5000/nav",
      host: "localhost:5000",
      name: "nav",
    },
    {
      situation: "an IPv6 registry",
      repository: "[::1]:5000/demo/nav",
      host: "[::1]:5000",
      name: "demo/nav",
    },
    {
      situation: "an official Docker Hub image",
      repository: "nginx",
      host: "registry-1.docker.io",
      name: "library/nginx",
    },
    {
      situation: "a Docker Hub user's image",
      repository: "bitnami/nginx",
      host: "registry-1.docker.io",
      name: "bitnami/nginx",
    },
    {
      situation: "docker.io named with a user",
      repository: "docker.io/x/y",
      host: "registry-1.docker.io",
      name: "x/y",
    },
    {
      situation: "docker.io named for an official image",
      repository: "docker.io/nginx",
      host: "registry-1.docker.io",
      name: "library/nginx",
    },
    {
      situation: "index.docker.io",
      repository: "index.docker.io/x/y",
      host: "registry-1.docker.io",
      name: "x/y",
    },
    {
      situation: "separators inside a segment",
      repository: "ghcr.io/team/my_app.v2--x",
      host: "ghcr.io",
      name: "team/my_app.v2--x",
    },
    {
      situation: "a first segment that is a user, not a host",
      repository: "team/app/sub",
      host: "registry-1.docker.io",
      name: "team/app/sub",
    },
  ])("reads $situation", ({ repository, host, name }) => {
    expect(parseImageRepository(repository)).toEqual({ host, name });
  });

  it.each([
    { situation: "an empty string", repository: "", problem: /it is empty/ },
    { situation: "a tag", repository: "127.0.0.1:5000/demo/nav:1.4.2", problem: /holds a tag/ },
    { situation: "a tag on a Docker Hub image", repository: "nginx:1.27", problem: /holds a tag/ },
    { situation: "a digest", repository: "demo/nav@sha256:abc", problem: /holds a digest/ },
    {
      situation: "upper-case letters",
      repository: "registry.example.com/Nav",
      problem: /path segment "Nav" must be lower-case/,
    },
    { situation: "an empty segment", repository: "registry.example.com//nav", problem: /empty path segment/ },
    { situation: "a trailing slash", repository: "registry.example.com/nav/", problem: /empty path segment/ },
    {
      situation: "a host with a bad port",
      repository: "registry.example.com:port/nav",
      problem: /not a registry host\[:port\]/,
    },
    {
      situation: "a leading separator",
      repository: "registry.example.com/-nav",
      problem: /path segment "-nav"/,
    },
    {
      situation: "a name over 255 characters",
      repository: `r.example.com/${"a".repeat(256)}`,
      problem: /longer than 255/,
    },
  ])("refuses $situation, naming the repository", ({ repository, problem }) => {
    expect(() => parseImageRepository(repository)).toThrow(problem);
    expect(() => parseImageRepository(repository)).toThrow(
      `image repository ${JSON.stringify(repository)} is not valid`,
    );
  });
});
