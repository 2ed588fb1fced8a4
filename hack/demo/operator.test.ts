import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { activeOtherLeader, DEMO_IDENTITY, operatorFlags, type LeaseSpec } from "./operator.js";

const NOW = new Date("2026-12-04T22:51:10.000Z");

describe("activeOtherLeader: whether another operator leads on the cluster now", () => {
  const cases: { situation: string; lease: LeaseSpec | undefined; leader: string | undefined }[] = [
    { situation: "no operator ever ran: no Lease", lease: undefined, leader: undefined },
    {
      situation: "a released Lease",
      lease: { holderIdentity: "", renewTime: "2026-12-04T22:51:09Z" },
      leader: undefined,
    },
    {
      situation: "an e2e operator renewed its Lease a second ago",
      lease: { holderIdentity: "report-e2e", renewTime: "2026-12-04T22:51:08.445Z", leaseDurationSeconds: 4 },
      leader: "report-e2e",
    },
    {
      situation: "a holder killed without releasing its Lease, past its duration: stale",
      lease: { holderIdentity: "watch-e2e", renewTime: "2026-12-04T22:51:05.000Z", leaseDurationSeconds: 4 },
      leader: undefined,
    },
    {
      situation: "the demo's own operator from an interrupted run",
      lease: { holderIdentity: DEMO_IDENTITY, renewTime: "2026-12-04T22:51:09Z", leaseDurationSeconds: 4 },
      leader: undefined,
    },
    {
      situation: "a Lease without a renew time",
      lease: { holderIdentity: "someone" },
      leader: undefined,
    },
  ];

  it.each(cases)("$situation", ({ lease, leader }) => {
    expect(activeOtherLeader(lease, NOW)).toBe(leader);
  });
});

describe("operatorFlags", () => {
  it("are flags the operator accepts, with the demo's identity, Lease namespace and git cache", () => {
    const loaded = loadConfig(["--kubeconfig=/k", ...operatorFlags("/repo/.local/demo/git-cache")], {});
    expect(loaded.ok, loaded.ok ? "" : loaded.message).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.config.identity).toBe(DEMO_IDENTITY);
    expect(loaded.config.leaderElection).toMatchObject({
      namespace: "release-operator-system",
      name: "release-operator",
    });
    expect(loaded.config.gitCacheDir).toBe("/repo/.local/demo/git-cache");
  });
});
