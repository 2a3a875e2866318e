/**
 * Worker thread of `SignedBodyStream`: signs batches of inbound notifications on request, so the
 * load generator's own thread only sends. workerData: `{ keyPem, prefix }`; each message
 * `{ first, count }` is answered with the `count` bodies from index `first`.
 */
import { createPrivateKey } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { signedInboundBodies } from "./benchServer";

export interface SigningWorkerData {
  keyPem: string;
  prefix: string;
}

export interface SigningRequest {
  first: number;
  count: number;
}

const { keyPem, prefix } = workerData as SigningWorkerData;
const key = createPrivateKey(keyPem);
parentPort!.on("message", ({ first, count }: SigningRequest) => {
  parentPort!.postMessage(signedInboundBodies(count, prefix, { first, key }));
});
