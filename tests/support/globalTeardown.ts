import type { Emulator } from "./motoServer";

export default async function globalTeardown(): Promise<void> {
  const emulators = (globalThis as { __eumEmulators?: Emulator[] }).__eumEmulators ?? [];
  await Promise.all(emulators.map((e) => e.stop()));
}
