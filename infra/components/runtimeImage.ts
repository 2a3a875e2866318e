import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { findRepoRoot } from "../repoRoot";
import type { AwsContext } from "./awsContext";

export interface RuntimeImageArgs {
  context: AwsContext;
  dataKeyArn: pulumi.Input<string>;
  /**
   * A prebuilt image to run instead of building runtime/Dockerfile.
   * @default runtime/Dockerfile, built and pushed to this stack's ECR repository
   */
  image?: string;
}

const repoRoot = findRepoRoot();

/**
 * The runtime's container image: `runtime/Dockerfile` built and pushed to a KMS-encrypted,
 * scan-on-push, immutable ECR repository, tagged by a hash of what goes into it so an unchanged
 * source is not rebuilt; or, with `image`, a prebuilt reference used as given.
 */
export class RuntimeImage extends pulumi.ComponentResource {
  readonly imageRef: pulumi.Output<string>;
  readonly repository?: aws.ecr.Repository;
  /**
   * The ECR repository the task pulls from, which the execution role must be allowed to read:
   * the one built here, or the one an `image` in ECR names. Undefined for a public registry.
   */
  readonly pullRepositoryArn?: pulumi.Output<string>;

  constructor(name: string, args: RuntimeImageArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("eum-sms:service:RuntimeImage", name, {}, opts);
    if (args.image) {
      this.imageRef = pulumi.output(args.image);
      const ecr = ecrRepositoryOf(args.image);
      if (ecr) {
        this.pullRepositoryArn = pulumi.interpolate`arn:${args.context.partition}:ecr:${ecr.region}:${ecr.accountId}:repository/${ecr.repository}`;
      }
      this.registerOutputs({ imageRef: this.imageRef });
      return;
    }
    const repository = new aws.ecr.Repository(
      `${name}-repo`,
      {
        name: `${args.context.namePrefix}-runtime`,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.dataKeyArn }],
        forceDelete: false,
        tags: args.context.tags,
      },
      { parent: this },
    );
    this.repository = repository;
    this.pullRepositoryArn = repository.arn;
    new aws.ecr.LifecyclePolicy(
      `${name}-repo-lifecycle`,
      {
        repository: repository.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: "keep the 30 newest images",
              selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 30 },
              action: { type: "expire" },
            },
          ],
        }),
      },
      { parent: this },
    );
    const auth = aws.ecr.getAuthorizationTokenOutput(
      { registryId: repository.registryId },
      { parent: this },
    );
    const image = new dockerBuild.Image(
      `${name}-image`,
      {
        context: { location: repoRoot },
        dockerfile: { location: join(repoRoot, "runtime", "Dockerfile") },
        platforms: ["linux/amd64"],
        push: true,
        tags: [pulumi.interpolate`${repository.repositoryUrl}:src-${sourceHash()}`],
        registries: [
          {
            address: repository.repositoryUrl,
            username: auth.userName,
            password: pulumi.secret(auth.password),
          },
        ],
      },
      { parent: this },
    );
    this.imageRef = pulumi.interpolate`${repository.repositoryUrl}@${image.digest}`;
    this.registerOutputs({ imageRef: this.imageRef });
  }
}

/**
 * What the image is built from: the Docker build context, which `.dockerignore` (an allow-list of
 * exactly these paths) reduces to, and what the tag hashes. If the context held more (stack
 * files, CI config), a change to it would rebuild an image whose tag is unchanged, and the push
 * to the immutable repository would fail with ImageTagAlreadyExistsException.
 * tests/infra/buildContext.test.ts keeps `.dockerignore` and this list in step.
 */
export const IMAGE_SOURCES = [
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "runtime/Dockerfile",
  "runtime/src",
] as const;

/**
 * The repository of an ECR image reference
 * (`<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest]`), or undefined for any
 * other registry. A repository in another account also needs its own repository policy to let
 * this account pull.
 */
export function ecrRepositoryOf(
  image: string,
): { accountId: string; region: string; repository: string } | undefined {
  const match =
    /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._/-]*?)(?:[:@].*)?$/.exec(
      image,
    );
  return match ? { accountId: match[1]!, region: match[2]!, repository: match[3]! } : undefined;
}

/** The files under IMAGE_SOURCES, relative to the repository root, sorted. */
export function imageSourceFiles(root: string = repoRoot): string[] {
  return IMAGE_SOURCES.flatMap((source) => {
    const path = join(root, source);
    return statSync(path).isDirectory() ? walk(root, path) : [source];
  }).sort();
}

/** A hash of the files the image is built from; the tag changes exactly when they do. */
export function sourceHash(root: string = repoRoot): string {
  const hash = createHash("sha256");
  for (const file of imageSourceFiles(root)) {
    hash.update(file).update(readFileSync(join(root, file)));
  }
  return hash.digest("hex").slice(0, 16);
}

function walk(root: string, dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(root, path) : [relative(root, path)];
  });
}
