import { describe, expect, it } from "vitest";
import { parseAuthenticateHeader } from "./www-authenticate.js";

describe("parseAuthenticateHeader", () => {
  it.each([
    {
      situation: "distribution's htpasswd challenge",
      header: 'Basic realm="release-operator local registry"',
      challenges: [{ scheme: "basic", params: { realm: "release-operator local registry" } }],
    },
    {
      situation: "Docker Hub's token challenge",
      header:
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      challenges: [
        {
          scheme: "bearer",
          params: {
            realm: "https://auth.docker.io/token",
            service: "registry.docker.io",
            scope: "repository:library/nginx:pull",
          },
        },
      ],
    },
    {
      situation: "spaces after commas and around '=', upper-case names",
      header: 'BEARER Realm = "https://r/token" , Service=reg',
      challenges: [{ scheme: "bearer", params: { realm: "https://r/token", service: "reg" } }],
    },
    {
      situation: "two challenges in one header",
      header: 'Basic realm="a", Bearer realm="https://r/token",service="reg"',
      challenges: [
        { scheme: "basic", params: { realm: "a" } },
        { scheme: "bearer", params: { realm: "https://r/token", service: "reg" } },
      ],
    },
    {
      situation: "two headers",
      header: ['Basic realm="a"', 'Bearer realm="b"'],
      challenges: [
        { scheme: "basic", params: { realm: "a" } },
        { scheme: "bearer", params: { realm: "b" } },
      ],
    },
    {
      situation: "escaped quotes and a comma inside a quoted value",
      header: 'Basic realm="say \\"hi\\", please"',
      challenges: [{ scheme: "basic", params: { realm: 'say "hi", please' } }],
    },
    {
      situation: "a scope listing several actions",
      header: 'Bearer realm="https://r/token",scope="repository:a/b:pull,push"',
      challenges: [
        { scheme: "bearer", params: { realm: "https://r/token", scope: "repository:a/b:pull,push" } },
      ],
    },
    {
      situation: "a scheme without params",
      header: "Negotiate",
      challenges: [{ scheme: "negotiate", params: {} }],
    },
    { situation: "an empty header", header: "", challenges: [] },
    {
      situation: "an unterminated quote",
      header: 'Basic realm="never closed',
      challenges: [{ scheme: "basic", params: { realm: "never closed" } }],
    },
  ])("reads $situation", ({ header, challenges }) => {
    expect(parseAuthenticateHeader(header)).toEqual(challenges);
  });

  it.each([
    { situation: "a token68 credential", header: "Negotiate YIIB==" },
    { situation: "stray separators", header: ',,, = "x" ,' },
    { situation: "a lone quote", header: '"' },
  ])("ends on $situation without inventing a realm", ({ header }) => {
    const challenges = parseAuthenticateHeader(header);
    expect(challenges.every((challenge) => challenge.params.realm === undefined)).toBe(true);
  });
});
