import type { Registered } from "../../infra/review/mockProgram";

/** The resources of one type, from a run of the program under mocks. */
export const ofType = (resources: Registered[], type: string) =>
  resources.filter((r) => r.type === type);

/** The one resource of a type whose name contains `nameIncludes`; throws unless exactly one. */
export const one = (resources: Registered[], type: string, nameIncludes = "") => {
  const found = resources.filter((r) => r.type === type && r.name.includes(nameIncludes));
  if (found.length !== 1)
    throw new Error(`expected one ${type} named *${nameIncludes}*, found ${found.length}`);
  return found[0]!;
};
