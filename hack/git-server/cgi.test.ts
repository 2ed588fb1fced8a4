import { describe, expect, it } from "vitest";
import { cgiEnvironment, findHeadEnd, parseCgiHead, routeOf } from "./cgi.js";

describe("routeOf", () => {
  it.each([
    {
      situation: "the ref advertisement",
      path: "/git/nav.git/info/refs",
      route: { repository: "nav.git", pathInfo: "/nav.git/info/refs" },
    },
    {
      situation: "a push",
      path: "/git/reports.git/git-receive-pack",
      route: { repository: "reports.git", pathInfo: "/reports.git/git-receive-pack" },
    },
    {
      situation: "a pack file (dumb protocol)",
      path: "/git/nav.git/objects/pack/pack-0a1b.pack",
      route: { repository: "nav.git", pathInfo: "/nav.git/objects/pack/pack-0a1b.pack" },
    },
    { situation: "outside /git/", path: "/nav.git/info/refs", route: undefined },
    { situation: "a repository without .git", path: "/git/nav/info/refs", route: undefined },
    { situation: "the repository alone", path: "/git/nav.git", route: undefined },
    { situation: "a parent segment", path: "/git/nav.git/../../etc/passwd", route: undefined },
    { situation: "a repository named ..git", path: "/git/..git/info/refs", route: undefined },
    { situation: "an encoded character", path: "/git/nav.git/info%2Frefs", route: undefined },
    { situation: "an empty segment", path: "/git/nav.git//info/refs", route: undefined },
  ])("$situation: $path", ({ path, route }) => {
    expect(routeOf(path)).toEqual(route);
  });
});

describe("cgiEnvironment", () => {
  const env = cgiEnvironment({
    method: "POST",
    route: { repository: "nav.git", pathInfo: "/nav.git/git-upload-pack" },
    query: "",
    headers: {
      authorization: "Basic cmVsZWFzZTpzZWNyZXQ=",
      "content-type": "application/x-git-upload-pack-request",
      "content-encoding": "gzip",
      "git-protocol": "version=2",
      "user-agent": "git/2.39.5",
    },
    remoteUser: "release-operator",
    remoteAddress: "127.0.0.1",
    projectRoot: "/state/data/git",
  });

  it.each([
    { variable: "GIT_PROJECT_ROOT", value: "/state/data/git" },
    { variable: "GIT_HTTP_EXPORT_ALL", value: "1" },
    { variable: "PATH_INFO", value: "/nav.git/git-upload-pack" },
    { variable: "QUERY_STRING", value: "" },
    { variable: "REQUEST_METHOD", value: "POST" },
    { variable: "CONTENT_TYPE", value: "application/x-git-upload-pack-request" },
    { variable: "REMOTE_USER", value: "release-operator" },
    { variable: "GIT_PROTOCOL", value: "version=2" },
    { variable: "HTTP_CONTENT_ENCODING", value: "gzip" },
    { variable: "HTTP_USER_AGENT", value: "git/2.39.5" },
    { variable: "CONTENT_LENGTH", value: undefined },
  ])("sets $variable", ({ variable, value }) => {
    expect(env[variable]).toBe(value);
  });

  it("never hands the Authorization header to the backend", () => {
    expect(env.HTTP_AUTHORIZATION).toBeUndefined();
    expect(Object.values(env).join("\n")).not.toContain("cmVsZWFzZTpzZWNyZXQ=");
  });
});

describe("findHeadEnd", () => {
  it.each([
    { situation: "CRLF lines", text: "Status: 200\r\nA: b\r\n\r\nbody", end: { headEnd: 17, bodyStart: 21 } },
    { situation: "LF lines", text: "A: b\n\nbody", end: { headEnd: 4, bodyStart: 6 } },
    { situation: "a head not finished yet", text: "Status: 200\r\nA: b\r\n", end: undefined },
    {
      situation: "a CRLF head whose body holds a blank LF line",
      text: "A: b\r\n\r\nx\n\ny",
      end: { headEnd: 4, bodyStart: 8 },
    },
  ])("$situation", ({ text, end }) => {
    expect(findHeadEnd(Buffer.from(text))).toEqual(end);
  });
});

describe("parseCgiHead", () => {
  it.each([
    {
      situation: "no Status: 200",
      head: "Content-Type: application/x-git-upload-pack-advertisement\r\nCache-Control: no-cache",
      status: 200,
      headers: [
        ["Content-Type", "application/x-git-upload-pack-advertisement"],
        ["Cache-Control", "no-cache"],
      ],
    },
    {
      situation: "a Status with its reason",
      head: "Status: 404 Not Found\r\nContent-Type: text/plain",
      status: 404,
      headers: [["Content-Type", "text/plain"]],
    },
    { situation: "a lower-case status header", head: "status: 403 Forbidden", status: 403, headers: [] },
    {
      situation: "a repeated header, kept twice",
      head: "Expires: 0\nPragma: no-cache\nPragma: x",
      status: 200,
      headers: [
        ["Expires", "0"],
        ["Pragma", "no-cache"],
        ["Pragma", "x"],
      ],
    },
  ])("$situation", ({ head, status, headers }) => {
    expect(parseCgiHead(head)).toEqual({ status, headers });
  });

  it.each([
    { situation: "a line without a name", head: "no colon here", message: /without a name/ },
    { situation: "a Status that is not a code", head: "Status: fine", message: /not an HTTP status/ },
    { situation: "a Status out of range", head: "Status: 999", message: /not an HTTP status/ },
  ])("refuses $situation", ({ head, message }) => {
    expect(() => parseCgiHead(head)).toThrow(message);
  });
});
