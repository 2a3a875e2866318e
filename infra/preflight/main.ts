import { StackConfigError, type StackConfig } from "../stackConfig";
import { loadStackFile } from "../review/mockProgram";
import {
  destroyClients,
  preflightClients,
  renderFindings,
  runPreflight,
  type PreflightClients,
} from "./runPreflight";

export interface PreflightIo {
  out: (text: string) => void;
  /** The stack file's config, by default Pulumi.<stack>.yaml (as the offline review reads it). */
  loadConfig?: (stack: string) => StackConfig;
  /** Clients for the region, by default the SDK's default credential chain. */
  clients?: (region: string) => PreflightClients;
}

/** `npm run preflight -- --stack <name>`: 0 when everything is in place, 1 when anything is missing, 2 on usage. */
export async function preflightMain(argv: string[], io: PreflightIo): Promise<number> {
  const at = argv.indexOf("--stack");
  const stack = at >= 0 ? argv[at + 1] : undefined;
  if (!stack || !/^[\w.-]+$/.test(stack)) {
    io.out("usage: npm run preflight -- --stack <name>   (reads Pulumi.<name>.yaml)");
    return 2;
  }
  let config: StackConfig;
  try {
    config = (io.loadConfig ?? ((s) => loadStackFile(s)))(stack);
  } catch (err) {
    if (err instanceof StackConfigError) {
      io.out(`preflight of ${stack} failed: ${err.message}`);
      return 1;
    }
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      io.out(`preflight of ${stack} failed: Pulumi.${stack}.yaml not found`);
      return 1;
    }
    throw err;
  }
  const clients = (io.clients ?? ((region) => preflightClients({ region })))(config.region);
  try {
    const findings = await runPreflight(config, clients);
    io.out(renderFindings(stack, findings));
    return findings.some((f) => f.status === "missing") ? 1 : 0;
  } finally {
    destroyClients(clients);
  }
}
