// What a hung or overdue script Job was doing when the operator stopped it: its Pod's state, the
// Events of the Job and the Pod, and its last lines of output. Read once, right before the Job is
// deleted, into the report; a snapshot that cannot be read says so instead of failing the stop.
import type { CoreV1Api, CoreV1Event, V1Pod } from "@kubernetes/client-node";
import { apiErrorMessage, isNotFound } from "../runtime/api-errors.js";

const MAX_EVENTS = 20;

function describePod(pod: V1Pod): string[] {
  const status = pod.status ?? {};
  const lines = [
    `Pod ${pod.metadata?.name ?? "?"} on node ${pod.spec?.nodeName ?? "(not scheduled)"}: phase ${status.phase ?? "?"}`,
  ];
  for (const condition of status.conditions ?? []) {
    lines.push(
      `  condition ${condition.type}=${condition.status}${condition.reason === undefined ? "" : ` (${condition.reason})`}`,
    );
  }
  for (const container of status.containerStatuses ?? []) {
    const state = container.state ?? {};
    const described =
      state.running !== undefined
        ? `running since ${new Date(state.running.startedAt ?? 0).toISOString()}`
        : state.waiting !== undefined
          ? `waiting: ${state.waiting.reason ?? "?"}${state.waiting.message === undefined ? "" : ` ${state.waiting.message}`}`
          : state.terminated !== undefined
            ? `terminated: exit code ${state.terminated.exitCode}${state.terminated.reason === undefined ? "" : ` (${state.terminated.reason})`}`
            : "state unknown";
    lines.push(`  container ${container.name}: ${described}, restarts ${container.restartCount}`);
  }
  return lines;
}

function describeEvent(event: CoreV1Event): string {
  const at = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp;
  const when = at === undefined ? "?" : new Date(at).toISOString();
  return `  ${when} ${event.type ?? "?"} ${event.reason ?? "?"} ${event.involvedObject.kind ?? ""}/${event.involvedObject.name ?? ""}: ${event.message ?? ""}`;
}

async function eventsOf(
  core: CoreV1Api,
  namespace: string,
  names: readonly string[],
): Promise<CoreV1Event[]> {
  const lists = await Promise.all(
    names.map((name) =>
      core
        .listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` })
        .then((list) => list.items),
    ),
  );
  return lists
    .flat()
    .sort((a, b) =>
      String(a.lastTimestamp ?? a.eventTime ?? "").localeCompare(
        String(b.lastTimestamp ?? b.eventTime ?? ""),
      ),
    )
    .slice(-MAX_EVENTS);
}

export async function captureSnapshot(
  core: CoreV1Api,
  input: {
    namespace: string;
    jobName: string;
    podName?: string;
    why: string;
    at: Date;
    lastLines: readonly string[];
  },
): Promise<string> {
  const { namespace, jobName, podName } = input;
  const lines = [`Snapshot of Job ${namespace}/${jobName} at ${input.at.toISOString()}: ${input.why}`, ""];
  if (podName === undefined) {
    lines.push("No Pod was found for the Job.");
  } else {
    try {
      lines.push(...describePod(await core.readNamespacedPod({ name: podName, namespace })));
    } catch (error) {
      lines.push(
        isNotFound(error)
          ? `Pod ${podName} is gone.`
          : `Pod ${podName} could not be read: ${apiErrorMessage(error)}`,
      );
    }
  }
  lines.push("", "Events:");
  try {
    const events = await eventsOf(core, namespace, podName === undefined ? [jobName] : [jobName, podName]);
    lines.push(...(events.length === 0 ? ["  (none)"] : events.map(describeEvent)));
  } catch (error) {
    lines.push(`  could not be listed: ${apiErrorMessage(error)}`);
  }
  lines.push(
    "",
    "Last lines of output:",
    ...(input.lastLines.length === 0 ? ["  (none)"] : input.lastLines.map((line) => `  ${line}`)),
  );
  return lines.join("\n");
}
