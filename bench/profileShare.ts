/**
 * A share of a process's CPU read from one V8 CPU profile (`--cpu-prof`): the time of the samples
 * whose stack passes through matching code, over the time of every sample that was not idle.
 * Unlike a difference of two runs' CPU (logging on, logging off), both figures come from the same
 * run, so the host's drift from one run to the next does not move it.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** V8's pseudo-frames for time spent waiting, not running. */
const IDLE = new Set(["(idle)"]);

export function profileShare(
  profilePath: string,
  matches: (frame: ProfileNode["callFrame"]) => boolean,
): { share: number; matchedMs: number; busyMs: number } {
  const profile = JSON.parse(readFileSync(profilePath, "utf8")) as CpuProfile;
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // Whether a node's stack (the node or any caller) matches, memoised per node.
  const inMatch = new Map<number, boolean>();
  const matchOf = (id: number): boolean => {
    const known = inMatch.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const parent = parentOf.get(id);
    const result = matches(node.callFrame) || (parent !== undefined && matchOf(parent));
    inMatch.set(id, result);
    return result;
  };
  let busy = 0;
  let matched = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    if (IDLE.has(byId.get(id)!.callFrame.functionName)) return;
    busy += us;
    if (matchOf(id)) matched += us;
  });
  return { share: busy > 0 ? matched / busy : NaN, matchedMs: matched / 1000, busyMs: busy / 1000 };
}
