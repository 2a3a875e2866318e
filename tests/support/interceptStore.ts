import type { ConversationStore } from "../../runtime/src/store/conversationStore";

/**
 * Wraps a store so a test can fail, delay or count its calls: `intercept` gets the method name
 * and a function that performs the real call.
 */
export function interceptStore<S extends ConversationStore>(
  real: S,
  intercept: (method: string, call: () => Promise<unknown>) => Promise<unknown>,
): S {
  return new Proxy(real, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) =>
        intercept(String(prop), () =>
          Promise.resolve((value as (...a: unknown[]) => unknown).apply(target, args)),
        );
    },
  });
}
