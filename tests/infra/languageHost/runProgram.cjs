// Loads the Pulumi program the way `pulumi up` does, under mocks: the installed @pulumi/pulumi's
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script plain node runs */
// cmd/run `run()` with the arguments the CLI's Node language host passes for `main: infra/`
// (working directory infra/, program "."), so its ts-node registration (the vendored ts-node,
// the tsconfig.json it finds in the working directory or its defaults) compiles and type-checks
// every file the program reaches. Usage: node runProgram.cjs <stack>; prints one JSON line.
/* global require, process, __dirname, setTimeout */
"use strict";
const { readFileSync } = require("node:fs");
const { join, resolve } = require("node:path");

const repoRoot = resolve(__dirname, "../../..");
const stack = process.argv[2];
const project = "eum-sms-stack";
const account = "123456789012";

// A resolver rooted at the repository, as the language host's own require would be.
const rootRequire = require("node:module").createRequire(join(repoRoot, "package.json"));
const { parse } = rootRequire("yaml");
const file = parse(readFileSync(join(repoRoot, `Pulumi.${stack}.yaml`), "utf8"));
const config = {};
for (const [key, value] of Object.entries(file.config)) {
  config[key] = typeof value === "string" ? value : JSON.stringify(value);
}
// What the language host hands the program: the stack's config, project and stack names.
process.env.PULUMI_CONFIG = JSON.stringify(config);
process.env.PULUMI_NODEJS_PROJECT = project;
process.env.PULUMI_NODEJS_STACK = stack;
// `runtime: {name: nodejs, options: {typescript: true}}` in Pulumi.yaml sets this.
process.env.PULUMI_NODEJS_TYPESCRIPT = "true";
delete process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
delete process.env.PULUMI_NODEJS_TSCONFIG_PATH;
delete process.env.TS_NODE_PROJECT;

const pulumi = rootRequire("@pulumi/pulumi");
// run.js requires its directory's index.js, which is the language host's entry point and parses
// process.argv for --monitor at load; stand in for it with the one value run.js reads from it.
const runIndex = rootRequire.resolve("@pulumi/pulumi/cmd/run/index.js");
const indexModule = new (require("node:module"))(runIndex);
indexModule.filename = runIndex;
indexModule.loaded = true;
indexModule.exports = { nodeJSProcessExitedAfterLoggingUserActionableMessage: 32 };
require.cache[runIndex] = indexModule;
const { run } = rootRequire("@pulumi/pulumi/cmd/run/run");

const registered = [];
function fakeState(type, name, inputs) {
  const service = (type.split(":")[1] || "x").split("/")[0];
  const state = {
    ...inputs,
    arn: `arn:aws:${service}:us-east-1:${account}:${name}`,
    id: `${name}-id`,
  };
  switch (type) {
    case "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber":
      return { ...state, phoneNumber: "+12065550100", status: "ACTIVE" };
    case "aws:lb/loadBalancer:LoadBalancer":
      return {
        ...state,
        arnSuffix: `app/${name}/abc`,
        dnsName: `${name}.elb.amazonaws.com`,
        zoneId: "Z35SXDOTRQ7X7K",
      };
    case "aws:lb/targetGroup:TargetGroup":
      return { ...state, arnSuffix: `targetgroup/${name}/abc` };
    case "aws:ecr/repository:Repository":
      return {
        ...state,
        repositoryUrl: `${account}.dkr.ecr.us-east-1.amazonaws.com/${inputs.name}`,
        registryId: account,
      };
    case "docker-build:index:Image":
      return { ...state, digest: "sha256:" + "a".repeat(64) };
    case "random:index/randomPassword:RandomPassword":
      return { ...state, result: `secret-${name}` };
    default:
      return state;
  }
}

pulumi.runtime
  .setMocks(
    {
      newResource(args) {
        registered.push(args.type);
        return { id: `${args.name}-id`, state: fakeState(args.type, args.name, args.inputs) };
      },
      call(args) {
        switch (args.token) {
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: account, arn: `arn:aws:iam::${account}:user/test`, userId: "AID" };
          case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com" };
          case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { names: ["us-east-1a", "us-east-1b"], zoneIds: ["use1-az1", "use1-az2"] };
          case "aws:iam/getPolicyDocument:getPolicyDocument":
            return { json: JSON.stringify({ Version: "2012-10-17", Statement: [] }), id: "policy" };
          case "aws:elb/getServiceAccount:getServiceAccount":
            return { arn: "arn:aws:iam::127311923021:root", id: "127311923021" };
          case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return {
              userName: "AWS",
              password: "token",
              proxyEndpoint: "https://ecr",
              authorizationToken: "x",
              expiresAt: "",
              id: "x",
            };
          case "aws:ec2/getVpc:getVpc":
            return { cidrBlock: "10.99.0.0/16", id: args.inputs.id };
          default:
            throw new Error(`unmocked invoke ${args.token}`);
        }
      },
    },
    project,
    stack,
    false,
  )
  .then(() => {
    let failure;
    const report = (err) => {
      failure = failure || err;
    };
    // The CLI's language host: `--pwd <root>/infra .` (Pulumi.yaml `main: infra/` is a directory).
    return run(
      { _: ["."], pwd: join(repoRoot, "infra") },
      () => {},
      report,
      () => false,
    ).then((outputs) => {
      if (failure) throw failure;
      return outputs;
    });
  })
  .then(
    async (outputs) => {
      await new Promise((r) => setTimeout(r, 200));
      const keys = Object.keys(outputs || {}).sort();
      process.stdout.write(
        JSON.stringify({
          ok: true,
          cwd: process.cwd(),
          resources: registered.length,
          outputs: keys,
        }) + "\n",
      );
      process.exit(0);
    },
    (err) => {
      process.stdout.write(
        JSON.stringify({ ok: false, error: String((err && err.message) || err) }) + "\n",
      );
      process.exit(1);
    },
  );
