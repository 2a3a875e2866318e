// Secrets Manager rotation for the runtime's bearer keys (agent API token, EventBridge API key),
// shipped inline to Lambda (nodejs22.x includes AWS SDK v3). Kept as plain CommonJS so the same
// file is the Lambda's code and the unit test's subject.
//
// Steps follow Secrets Manager's rotation contract
// (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html):
// createSecret puts a new value under AWSPENDING; finishSecret moves AWSCURRENT to it (Secrets
// Manager then labels the old one AWSPREVIOUS, which the runtime accepts for its overlap window)
// and, for the EventBridge key, gives the connection the new value.
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS is what the inline Lambda runs */
/* global process */
"use strict";
const { randomBytes } = require("node:crypto");

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** 48 characters from 62, by rejection sampling so every character is equally likely. */
function newKey(length = 48) {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(64)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

/**
 * @param {{SecretId: string, ClientRequestToken: string, Step: string}} event
 * @param {{
 *   sm: {
 *     describe(id: string): Promise<{RotationEnabled?: boolean, VersionIdsToStages?: Record<string, string[]>}>,
 *     getValue(id: string, versionId: string, stage: string): Promise<string | undefined>,
 *     putPending(id: string, versionId: string, value: string): Promise<void>,
 *     makeCurrent(id: string, versionId: string, fromVersionId: string | undefined): Promise<void>,
 *   },
 *   events: { updateApiKey(connectionName: string, header: string, value: string): Promise<void> },
 *   connection?: { secretArn: string, name: string, header: string },
 *   newKey?: () => string,
 * }} deps
 */
async function rotate(event, deps) {
  const { SecretId: id, ClientRequestToken: token, Step: step } = event;
  const meta = await deps.sm.describe(id);
  if (meta.RotationEnabled === false) throw new Error("rotation is not enabled for this secret");
  const versions = meta.VersionIdsToStages || {};
  if (!versions[token]) throw new Error("the rotation's version is not a version of this secret");
  const stages = versions[token];

  switch (step) {
    case "createSecret": {
      if (stages.includes("AWSCURRENT")) return "already current";
      const pending = await deps.sm.getValue(id, token, "AWSPENDING");
      if (pending !== undefined) return "already pending";
      await deps.sm.putPending(id, token, (deps.newKey || newKey)());
      return "created";
    }
    // Nothing to set or test before the switch: the runtime accepts whatever is AWSCURRENT, and
    // the EventBridge connection must not send the new key before it is current.
    case "setSecret":
    case "testSecret":
      return "nothing to do";
    case "finishSecret": {
      const current = Object.keys(versions).find((v) => versions[v].includes("AWSCURRENT"));
      if (current !== token) await deps.sm.makeCurrent(id, token, current);
      // Also when already current: a retried finish after a failed connection update lands here.
      if (deps.connection && deps.connection.secretArn === id) {
        const value = await deps.sm.getValue(id, token, "AWSCURRENT");
        if (value === undefined) throw new Error("the new version has no value");
        await deps.events.updateApiKey(deps.connection.name, deps.connection.header, value);
      }
      return "finished";
    }
    default:
      throw new Error(`unknown rotation step ${step}`);
  }
}

async function handler(event) {
  const sm = require("@aws-sdk/client-secrets-manager");
  const eb = require("@aws-sdk/client-eventbridge");
  const client = new sm.SecretsManagerClient({});
  const events = new eb.EventBridgeClient({});
  const env = process.env;
  return rotate(event, {
    sm: {
      describe: (id) => client.send(new sm.DescribeSecretCommand({ SecretId: id })),
      async getValue(id, versionId, stage) {
        try {
          const out = await client.send(
            new sm.GetSecretValueCommand({
              SecretId: id,
              VersionId: versionId,
              VersionStage: stage,
            }),
          );
          return out.SecretString;
        } catch (err) {
          if (err && err.name === "ResourceNotFoundException") return undefined;
          throw err;
        }
      },
      putPending: (id, versionId, value) =>
        client
          .send(
            new sm.PutSecretValueCommand({
              SecretId: id,
              ClientRequestToken: versionId,
              SecretString: value,
              VersionStages: ["AWSPENDING"],
            }),
          )
          .then(() => undefined),
      makeCurrent: (id, versionId, fromVersionId) =>
        client
          .send(
            new sm.UpdateSecretVersionStageCommand({
              SecretId: id,
              VersionStage: "AWSCURRENT",
              MoveToVersionId: versionId,
              ...(fromVersionId ? { RemoveFromVersionId: fromVersionId } : {}),
            }),
          )
          .then(() => undefined),
    },
    events: {
      updateApiKey: (name, header, value) =>
        events
          .send(
            new eb.UpdateConnectionCommand({
              Name: name,
              AuthorizationType: "API_KEY",
              AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: header, ApiKeyValue: value } },
            }),
          )
          .then(() => undefined),
    },
    ...(env.CONNECTION_SECRET_ARN
      ? {
          connection: {
            secretArn: env.CONNECTION_SECRET_ARN,
            name: env.CONNECTION_NAME,
            header: env.CONNECTION_API_KEY_HEADER,
          },
        }
      : {}),
  });
}

module.exports = { handler, rotate, newKey };
