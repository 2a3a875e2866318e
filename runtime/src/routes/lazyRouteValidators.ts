import Ajv, { type ValidateFunction } from "ajv";
import type { FastifySchemaCompiler } from "fastify";

/**
 * The routes' JSON-schema validators, each compiled the first time its route is called rather
 * than while the service starts. Fastify compiles every route's schemas before it listens, and
 * Ajv's code generation for the agent API's took about a sixth of a start (a CPU profile of the
 * built service on Node 24: 200 of 1,300 ms); a webhook, which has no schema, never needs them.
 *
 * Ajv's options are Fastify's defaults (`@fastify/ajv-compiler`) with the service's own choices:
 * no coercion, nothing removed, the first error only (all errors is a denial-of-service risk).
 * A schema Ajv cannot compile would now fail at its route's first request rather than at start,
 * so `compileAll()` lets a test compile every one as Fastify did.
 */
export interface LazyRouteValidators {
  compiler: FastifySchemaCompiler<unknown>;
  /** Compiles every validator not yet compiled; throws what Ajv throws. */
  compileAll(): void;
}

const AJV_OPTIONS = {
  coerceTypes: false,
  useDefaults: true,
  removeAdditional: false,
  addUsedSchema: false,
  allErrors: false,
} as const;

export function lazyRouteValidators(): LazyRouteValidators {
  let ajv: Ajv | undefined;
  const pending: (() => void)[] = [];

  const compiler: FastifySchemaCompiler<unknown> = ({ schema }) => {
    let compiled: ValidateFunction | undefined;
    const compile = (): ValidateFunction => {
      ajv ??= new Ajv(AJV_OPTIONS);
      compiled ??= ajv.compile(schema as object);
      return compiled;
    };
    pending.push(compile);
    // Fastify reads a failed validation's reasons from the function's `errors`, as Ajv's own.
    const validate = (data: unknown): boolean => {
      const fn = compile();
      const valid = fn(data);
      validate.errors = fn.errors;
      return valid;
    };
    validate.errors = undefined as ValidateFunction["errors"];
    return validate;
  };

  return {
    compiler,
    compileAll: () => {
      for (const compile of pending) compile();
    },
  };
}
