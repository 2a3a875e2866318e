import type { Registered } from "./mockProgram";

export interface ComponentGroup {
  /** The component's logical name, e.g. eum-sms-dev-sms. */
  name: string;
  type: string;
  resources: Registered[];
}

/**
 * Groups resources under the component that owns them. Children are named after their component
 * (`${name}-dlq`, STYLE.md), so the owner is the component with the longest name that prefixes
 * the child's.
 */
export function groupByComponent(resources: Registered[]): ComponentGroup[] {
  const components = resources
    .filter((r) => !r.custom)
    .sort((a, b) => b.name.length - a.name.length);
  const groups = new Map<string, ComponentGroup>(
    components.map((c) => [c.name, { name: c.name, type: c.type, resources: [] }]),
  );
  for (const r of resources.filter((x) => x.custom)) {
    const owner = components.find((c) => r.name === c.name || r.name.startsWith(`${c.name}-`));
    const key = owner?.name ?? "(stack)";
    if (!groups.has(key)) groups.set(key, { name: key, type: "stack", resources: [] });
    groups.get(key)!.resources.push(r);
  }
  return [...groups.values()]
    .filter((g) => g.resources.length > 0)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Every string inside a value, including inside JSON documents kept as strings. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === "object")
    for (const v of Object.values(value)) strings(v, out);
  return out;
}

/**
 * The component-level edges of the resource graph: A → B when a resource of A takes as input an
 * identifier (ARN, id or URL) that a resource of B produced.
 */
export function componentEdges(groups: ComponentGroup[]): [string, string][] {
  const ownerOf = new Map<string, string>();
  for (const g of groups) {
    for (const r of g.resources) {
      for (const key of ["arn", "arnSuffix", "id", "url", "repositoryUrl"]) {
        const v = r.state[key];
        if (typeof v === "string" && v.length >= 12) ownerOf.set(v, g.name);
      }
    }
  }
  const identifiers = [...ownerOf.keys()];
  const edges = new Set<string>();
  for (const g of groups) {
    for (const r of g.resources) {
      for (const s of strings(r.inputs)) {
        for (const id of identifiers) {
          const target = ownerOf.get(id)!;
          if (target !== g.name && (s === id || s.includes(id)))
            edges.add(`${g.name}\u0000${target}`);
        }
      }
    }
  }
  return [...edges].map((e) => e.split("\u0000") as [string, string]).sort();
}

export function mermaid(groups: ComponentGroup[], prefix: string): string {
  const id = (name: string) =>
    name
      .replace(prefix, "")
      .replace(/^-/, "")
      .replace(/[^A-Za-z0-9]/g, "_") || "stack";
  const lines = ["flowchart LR"];
  for (const g of groups) {
    lines.push(
      `  ${id(g.name)}["${g.name.replace(`${prefix}-`, "")}<br/><small>${g.type.split(":").pop()} · ${g.resources.length} resources</small>"]`,
    );
  }
  for (const [from, to] of componentEdges(groups)) lines.push(`  ${id(from)} --> ${id(to)}`);
  return lines.join("\n");
}
