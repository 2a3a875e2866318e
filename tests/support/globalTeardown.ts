import type { Emulator } from "./motoServer";

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __eumEmulator?: Emulator }).__eumEmulator?.stop();
}
