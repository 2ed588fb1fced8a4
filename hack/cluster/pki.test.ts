import { describe, expect, it } from "vitest";
import { extensionsOf, subjectOf } from "./pki.js";

describe("subjectOf", () => {
  it.each([
    {
      request: { commonName: "admin", organizations: ["system:masters"] },
      subject: "/CN=admin/O=system:masters",
    },
    {
      request: { commonName: "system:node:onboard", organizations: ["system:nodes"] },
      subject: "/CN=system:node:onboard/O=system:nodes",
    },
    {
      request: { commonName: "alice", organizations: ["release-approvers", "developers"] },
      subject: "/CN=alice/O=release-approvers/O=developers",
    },
    { request: { commonName: "a/b" }, subject: "/CN=a\\/b" },
  ])("$subject", ({ request, subject }) => {
    expect(subjectOf(request)).toBe(subject);
  });
});

describe("extensionsOf", () => {
  it.each([
    { usage: "server" as const, extended: "extendedKeyUsage=serverAuth" },
    { usage: "client" as const, extended: "extendedKeyUsage=clientAuth" },
    { usage: "both" as const, extended: "extendedKeyUsage=serverAuth,clientAuth" },
  ])("$usage certificates carry $extended", ({ usage, extended }) => {
    const text = extensionsOf({ name: "x", commonName: "x", usage });
    expect(text.split("\n")).toContain(extended);
    expect(text).toContain("CA:FALSE");
    expect(text).not.toContain("subjectAltName");
  });

  it("lists DNS names before IP addresses in the subject alternative names", () => {
    const text = extensionsOf({
      name: "apiserver",
      commonName: "kube-apiserver",
      usage: "server",
      dnsNames: ["localhost", "kubernetes.default"],
      ipAddresses: ["127.0.0.1", "10.0.0.1"],
    });
    expect(text).toContain("subjectAltName=DNS:localhost,DNS:kubernetes.default,IP:127.0.0.1,IP:10.0.0.1");
  });
});
