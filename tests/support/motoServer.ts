import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface Emulator {
  endpoint: string;
  stop(): Promise<void>;
}

const INSTALL_HINT = "python3 -m pip install 'moto[server]==5.2.1'";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The AWS emulator for integration tests: `AWS_ENDPOINT_URL` when given (LocalStack, or a moto
 * started by hand), the run's shared one (globalSetup), or a `moto_server` of our own on a free
 * loopback port.
 */
export function startEmulator(options: OwnEmulator = {}): Promise<Emulator> {
  return givenOrSpawned(process.env.EUM_TEST_EMULATOR, { serial: false }, options);
}

export interface OwnEmulator {
  /**
   * A moto of the caller's own even when the run has a shared one: for a suite whose load would
   * make every other suite's requests wait behind its own.
   */
  own?: boolean;
}

/**
 * The emulator for DynamoDB: moto serving one request at a time. moto's TransactWriteItems is
 * not isolated (it snapshots the whole table and, on a failed condition, restores the snapshot
 * without a lock), so concurrent transactions on a threaded moto lose each other's writes. Real
 * DynamoDB isolates transactions; a serial moto is the faithful stand-in.
 */
export function startDynamoDbEmulator(options: OwnEmulator = {}): Promise<Emulator> {
  return givenOrSpawned(process.env.EUM_TEST_DYNAMODB_EMULATOR, { serial: true }, options);
}

/** A user's emulator, or the one jest's globalSetup started for the whole run, or a new moto. */
async function givenOrSpawned(
  shared: string | undefined,
  moto: { serial: boolean },
  options: OwnEmulator,
): Promise<Emulator> {
  const given = process.env.AWS_ENDPOINT_URL ?? (options.own ? undefined : shared);
  if (given) return { endpoint: given, stop: async () => undefined };
  return spawnMoto(moto);
}

const SERIAL_MOTO = [
  "import sys",
  "from werkzeug.serving import run_simple",
  "from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app",
  "run_simple('127.0.0.1', int(sys.argv[1]), DomainDispatcherApplication(create_backend_app), threaded=False, use_reloader=False)",
].join("\n");

async function spawnMoto(options: { serial: boolean }): Promise<Emulator> {
  const probe = spawnSync("python3", ["-c", "import moto.server"], { stdio: "ignore" });
  if (probe.error || probe.status !== 0) {
    throw new Error(`moto is not installed for python3; install it with: ${INSTALL_HINT}`);
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    "python3",
    options.serial
      ? ["-c", SERIAL_MOTO, String(port)]
      : ["-c", "from moto.server import main; main()", "-H", "127.0.0.1", "-p", String(port)],
    {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, MOTO_EVENTS_INVOKE_HTTP: "false" },
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited: ${stderr}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (response.ok || response.status === 404) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`moto_server did not start within 20 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export const TEST_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };
