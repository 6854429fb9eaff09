// The `Image` component (`ecrx:index:Image`) and `buildAndPushImage`: a docker-build image pushed to ECR or
// another registry and pinned by digest, its build cache in a repository of its own, and an optional scan gate.

// Only the ECR module: the @pulumi/aws root loads every service and costs the provider ~250 ms at start-up.
import * as ecr from "@pulumi/aws/ecr";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import {
    CACHE_TAG, checkImagePlan, CheckedImagePlan, DEFAULT_PLATFORMS, defaultTags, ImagePlanView, parseRepositoryUrl, PLAN_ARGUMENTS, PlanArgument, RepositoryLocation,
} from "./validation/image-plan";
import { describeValue, ValidationError } from "./validation/errors";
import { applyChecked, checkedWhenKnown, containsUnknowns, deepKnownView, invalidInputs, knownNow, reportingInputErrors, withoutNulls } from "./inputs";
import { UNKNOWN } from "./validation/known";
import { localFiles } from "./local-files";
import { buildStateOf, isEcrxRepository, Repository } from "./repository";
import { canAutoName } from "./validation/repository-settings";
import { registerScanGate, ScanGateResult } from "./scan-gate-resource";
import { isExpired, ScanGatePolicy } from "./scan-gate/settings";
import { ScanFindings, ScanGateArgs } from "./scan-gate/types";

/** An SSH agent socket or keys to forward into the build (`RUN --mount=type=ssh`). */
export interface ImageSsh {
    /** The id a Dockerfile mounts it by, `RUN --mount=type=ssh,id=<id>`; a mount without `id=` asks for `default`. */
    id: pulumi.Input<string>;
    /**
     * Agent sockets or private key files to expose under this id.
     * @default the local agent (`$SSH_AUTH_SOCK`)
     */
    paths?: pulumi.Input<pulumi.Input<string>[]>;
}

/** Credentials for a registry that is not ECR. The password is always kept secret. */
export interface RegistryCredentials {
    /** The user name to log in with. */
    username: pulumi.Input<string>;
    /** The password or token to log in with; always kept secret. */
    password: pulumi.Input<string>;
}

export interface ImageArgs {
    /** The ecrx `Repository` to push to. Give this or `repositoryUrl`. */
    repository?: Repository;
    /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`, or `host[:port]/name` of another registry (needs `registry`). */
    repositoryUrl?: pulumi.Input<string>;
    /**
     * The build context directory.
     * @default "."
     */
    context?: pulumi.Input<string>;
    /**
     * The Dockerfile path.
     * @default `<context>/Dockerfile`
     */
    dockerfile?: pulumi.Input<string>;
    /** The Dockerfile's text, instead of a path. */
    dockerfileInline?: pulumi.Input<string>;
    /**
     * The build stage to build.
     * @default the last stage
     */
    target?: pulumi.Input<string>;
    /** Build arguments (`ARG` in the Dockerfile). */
    buildArgs?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Labels of the image. */
    labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * The platforms to build for. Fargate, Lambda and most EKS nodes run `linux/amd64`; an image built on
     * Apple Silicon without a platform is arm64 and fails there with "exec format error".
     * @default ["linux/amd64"]
     */
    platforms?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Tags to push; a list given replaces the default.
     * @default `["latest"]`, or `["<image name>-latest"]` when an earlier image of the same Repository pushes `latest`
     */
    tags?: pulumi.Input<pulumi.Input<string>[]>;
    /** Build secrets (`RUN --mount=type=secret,id=<key>`), always stored as secrets. */
    secrets?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** SSH agent sockets or keys to forward into the build (`RUN --mount=type=ssh`). */
    ssh?: pulumi.Input<pulumi.Input<ImageSsh>[]>;
    /**
     * Build without the layer cache.
     * @default false
     */
    noCache?: pulumi.Input<boolean>;
    /**
     * Always pull base images.
     * @default false
     */
    pull?: pulumi.Input<boolean>;
    /**
     * Network mode for RUN steps: "default", "host" or "none".
     * @default "default"
     */
    network?: pulumi.Input<"default" | "host" | "none">;
    /** Extra /etc/hosts entries, "host:ip". */
    addHosts?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * The name of a BuildKit builder (a remote or cloud builder).
     * @default docker-build's default builder
     */
    builder?: pulumi.Input<string>;
    /**
     * Build during `pulumi preview` too.
     * @default the stack setting `ecrx:buildOnPreview` (`pulumi config set ecrx:buildOnPreview false`), else docker-build's default (true)
     */
    buildOnPreview?: pulumi.Input<boolean>;
    /**
     * Share build layers through a registry cache in a separate ECR repository, `<repository>/build-cache`.
     * @default true
     */
    cache?: boolean;
    /** Explicit cache sources; replace the default cache. */
    cacheFrom?: pulumi.Input<pulumi.Input<dockerBuild.types.input.CacheFromArgs>[]>;
    /** Explicit cache destinations; replace the default cache. */
    cacheTo?: pulumi.Input<pulumi.Input<dockerBuild.types.input.CacheToArgs>[]>;
    /**
     * The repository's region, for cross-region pushes.
     * @default the region of `repository`, or the one in `repositoryUrl`
     */
    region?: pulumi.Input<string>;
    /**
     * The registry (account) ID, for cross-account pushes.
     * @default the registry of `repository`, or the account in `repositoryUrl`
     */
    registryId?: pulumi.Input<string>;
    /** Credentials for a registry that is not ECR. ECR credentials are fetched automatically. */
    registry?: pulumi.Input<RegistryCredentials>;
    /**
     * Hold `imageUri` back until ECR's scan of the pushed image passes these thresholds, so nothing that runs
     * the image is updated when it fails.
     * @default off (waiting for a scan costs deploy time)
     */
    scanGate?: ScanGateArgs;
}

/** Arguments of `repository.buildAndPushImage(...)`: an `Image` without the repository, plus its resource name. */
export interface RepositoryImageArgs extends Omit<ImageArgs, "repository" | "repositoryUrl" | "registryId" | "region"> {
    /**
     * The Image's resource name; give one per image when a repository has several.
     * @default the repository's resource name
     */
    imageName?: string;
}

/** The registry a push needs credentials for. */
interface RegistryLogin {
    address: pulumi.Output<string>;
    username: pulumi.Output<string>;
    password: pulumi.Output<string>;
}

function ecrLogin(host: pulumi.Input<string>, registryId: pulumi.Input<string>, region: pulumi.Input<string> | undefined,
    parent: pulumi.Resource): RegistryLogin {
    const token = ecr.getAuthorizationTokenOutput({ registryId, region }, { parent });
    // An empty answer would register a push without a password, which fails only at the push, far from the cause.
    const required = (field: "userName" | "password") => pulumi.all([token[field], registryId, region]).apply(([value, registry, inRegion]) => {
        if (typeof value !== "string" || value === "") {
            throw new pulumi.ResourceError(`ECR answered GetAuthorizationToken for registry ${registry}${inRegion ? ` in ${inRegion}` : ""} ` +
                `without a ${field === "password" ? "password" : "user name"}; check the AWS provider's credentials and retry.`, parent);
        }
        return value;
    });
    return { address: pulumi.output(host), username: pulumi.unsecret(required("userName")), password: pulumi.secret(required("password")) };
}

/** A cloud answer the Image builds names from; a missing one would become "undefined/build-cache". */
function requiredAnswer(value: pulumi.Input<string>, what: string, parent: pulumi.Resource): pulumi.Output<string> {
    return pulumi.output(value).apply((answer) => {
        if (typeof answer !== "string" || answer === "") {
            throw new pulumi.ResourceError(`${what} is missing from the cloud's answer (got ${describeValue(answer)}); ` +
                "the repository may not have been created: check the AWS provider's output above.", parent);
        }
        return answer;
    });
}

/**
 * An Output of the scan gate, as the component uses it beyond `imageUri`: a failing gate is reported once, by the
 * gate resource, not again by every Output derived from it (each would be one more unhandled error).
 */
function reportedByGate<T>(output: pulumi.Output<T>): pulumi.Output<T | undefined> {
    return pulumi.recover(output as pulumi.Output<T | undefined>, () => undefined);
}

/** The registry host of a repository URL: everything before the first "/". */
function hostOf(url: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.output(url).apply((u) => u.slice(0, u.indexOf("/")));
}

/**
 * Builds a Docker context with docker-build and pushes it to ECR. `imageUri` is pinned by digest
 * (`<repositoryUrl>@sha256:...`), so ECS, EKS and Lambda roll exactly when the content changes.
 * The build cache lives in a separate repository, so it never competes with the application's
 * untagged images under the repository's lifecycle policy.
 */
export class Image extends pulumi.ComponentResource {
    /**
     * `<repositoryUrl>@sha256:<digest>`: what ECS task definitions, Kubernetes pods and Lambda functions should run.
     * With `scanGate`, it resolves only once the scan has passed.
     */
    public readonly imageUri: pulumi.Output<string>;
    /** What the scan gate saw: counts by severity, ignored findings, the scan's completion time. Absent without `scanGate`. */
    public readonly scanFindings?: pulumi.Output<ScanFindings>;
    /** The pushed image's digest, `sha256:...`; unknown until the image is pushed. */
    public readonly digest: pulumi.Output<string>;
    /** The full references pushed, `<repositoryUrl>:<tag>`. */
    public readonly tags: pulumi.Output<string[]>;
    /** The repository the image was pushed to. */
    public readonly repositoryUrl: pulumi.Output<string>;
    /** The docker-build image that is built and pushed. */
    public readonly dockerImage: dockerBuild.Image;
    /** The repository holding the build cache; absent when `cache` is false or explicit cacheFrom/cacheTo are given. */
    public readonly cacheRepository?: Repository;
    private readonly imageName: string;

    constructor(name: string, givenArgs: ImageArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const { args, view, location, scanGate } = checkImageArgs(name, givenArgs, false);
        super("ecrx:index:Image", name, {}, opts);
        this.imageName = name;

        const repository = args.repository;
        const settings = repository !== undefined ? buildStateOf(repository) : undefined;
        const checkedLater = <K extends PlanArgument>(key: K) =>
            checkedWhenKnown(args[key], (resolved) => void checkImagePlan(name, { ...view, [key]: resolved }));

        const repositoryUrl = repository !== undefined
            ? requiredAnswer(repository.repositoryUrl, `The repositoryUrl of Repository "${settings!.resourceName}"`, this)
            : pulumi.output(checkedLater("repositoryUrl")!);
        const region = checkedLater("region") ?? settings?.region;
        const tags = this.claimTags(name, args, view, checkedLater("tags"));
        // A list of known length whenever the tags are known, even while the repository URL is not (a preview
        // of a new stack): docker-build refuses a push whose list of tags is unknown as a whole.
        const references: pulumi.Input<pulumi.Input<string>[]> = Array.isArray(tags)
            ? tags.map((tag) => pulumi.interpolate`${repositoryUrl}:${tag}`)
            : pulumi.all([repositoryUrl, tags]).apply(([url, list]) => list.map((tag) => `${url}:${tag}`));
        const context = checkedLater("context") ?? ".";
        const dockerfile = checkedLater("dockerfile");
        const dockerfileInline = checkedLater("dockerfileInline");

        const target = this.targetLogin(args, location, repositoryUrl, region);
        const cache = this.planCache(name, args, location, repositoryUrl, region);
        this.cacheRepository = cache.repository;

        this.dockerImage = new dockerBuild.Image(name, {
            context: { location: context },
            dockerfile: dockerfileInline !== undefined ? { inline: dockerfileInline }
                : { location: dockerfile ?? pulumi.output(context).apply((dir) => `${dir.replace(/\/+$/, "")}/Dockerfile`) },
            platforms: (checkedLater("platforms") ?? DEFAULT_PLATFORMS) as pulumi.Input<dockerBuild.Platform[]>,
            tags: references,
            push: true,
            // Field by field, so only the password is secret and the plan still shows where it pushes.
            registries: [target, ...cache.logins],
            cacheFrom: cache.from,
            cacheTo: cache.to,
            buildArgs: args.buildArgs,
            labels: args.labels,
            target: args.target,
            secrets: args.secrets === undefined ? undefined : pulumi.secret(args.secrets),
            ssh: args.ssh,
            noCache: args.noCache,
            pull: args.pull,
            network: args.network,
            addHosts: args.addHosts,
            builder: args.builder === undefined ? undefined : { name: args.builder },
            buildOnPreview: args.buildOnPreview ?? new pulumi.Config("ecrx").getBoolean("buildOnPreview"),
        }, {
            parent: this,
            // docker-build deletes the tags it pushed when its Image is deleted or replaced, which takes away the
            // image that running tasks still pull by digest. Old images are the lifecycle policy's to expire.
            retainOnDelete: true,
        });

        this.repositoryUrl = repositoryUrl;
        this.tags = pulumi.output(references);
        this.digest = this.dockerImage.digest;
        const pushedImageUri = pulumi.all([repositoryUrl, this.dockerImage.digest]).apply(([url, digest]) => {
            if (!digest) {
                if (pulumi.runtime.isDryRun()) {
                    return pulumi.unknown as unknown as string; // Not pushed yet: unknown, never a guess.
                }
                throw new Error(`Image "${name}": docker-build pushed no digest for ${url}; the push did not complete.`);
            }
            return `${url}@${digest}`;
        });
        const gate = this.gateScan(name, args, scanGate, pushedImageUri, region);
        this.imageUri = gate?.imageUri ?? pushedImageUri;
        this.scanFindings = gate?.scanFindings;

        this.registerOutputs({
            imageUri: gate === undefined ? this.imageUri : reportedByGate(this.imageUri),
            digest: this.digest,
            tags: this.tags,
            repositoryUrl: this.repositoryUrl,
            dockerImage: this.dockerImage,
            cacheRepository: this.cacheRepository,
            scanFindings: gate === undefined ? undefined : reportedByGate(gate.scanFindings),
        });
    }

    /** The scan gate between the push and `imageUri`, with the policy checked at construction; undefined without `scanGate`. */
    private gateScan(name: string, args: ImageArgs, policy: ScanGatePolicy | undefined, pushedImageUri: pulumi.Output<string>,
        region: pulumi.Input<string> | undefined): ScanGateResult | undefined {
        if (policy === undefined) {
            return undefined;
        }
        for (const entry of policy.ignore.filter((ignore) => isExpired(ignore, Date.now()))) {
            pulumi.log.warn(`Image "${name}": scanGate.ignore entry ${entry.id} expired on ${entry.until}, so the gate counts it again. ` +
                "Renew until with a reason, or remove the entry.", this);
        }
        if (args.repository !== undefined) {
            pulumi.output(buildStateOf(args.repository).scanOnPush).apply((scanOnPush) => {
                if (scanOnPush === false) {
                    pulumi.log.warn(`Image "${name}": scanGate waits for ECR's scan of the pushed image, but the repository's scanOnPush is ` +
                        "false. Unless the registry's scanning configuration scans this repository, the gate waits until scanGate.timeout " +
                        "and fails: turn scanOnPush on (the default), or leave scanGate out.", this);
                }
            });
        }
        const awsProfile = new pulumi.Config("aws").get("profile");
        const repository = args.repository === undefined ? undefined : pulumi.all([args.registryId ?? args.repository.registryId,
            args.repository.repositoryName, region]).apply(([registryId, repositoryName, inRegion]) => ({
            registryId, repositoryName, ...(inRegion !== undefined ? { region: inRegion } : {}) }));
        const gate = registerScanGate(`${name}-scan-gate`, { imageName: name, imageUri: pushedImageUri, policy,
            ...(awsProfile !== undefined ? { awsProfile } : {}), ...(repository !== undefined ? { repository } : {}) }, this);
        reportedByGate(gate.scanFindings).apply((findings) => {
            if (findings?.timedOut) {
                pulumi.log.warn(`Image "${name}": the scan did not finish within scanGate.timeout, and onTimeout is "warn", so the image ` +
                    "was let through unjudged; the next pulumi up checks it again.", this);
            }
        });
        return gate;
    }

    /**
     * The tags to push, recorded against the target repository so later images of this program neither take
     * them nor default to them; a mutability known only later is checked against them once it resolves. Images
     * given only a URL are not tracked: nothing scopes a URL to one deployment.
     */
    private claimTags(name: string, args: ImageArgs, view: ImagePlanView, givenTags: ImageArgs["tags"]): NonNullable<ImageArgs["tags"]> {
        const tags = givenTags ?? defaultTags(name, view.tagsOfOtherImages);
        const state = args.repository !== undefined ? buildStateOf(args.repository) : undefined;
        if (state !== undefined) {
            state.imageNames.push(name);
            for (const tag of Array.isArray(tags) && !containsUnknowns(tags) ? tags as string[] : []) {
                state.tagOwners.set(tag, name);
            }
        }
        if (state?.usesDefaultLifecyclePolicy && state.imageNames.length > 1) {
            pulumi.log.warn(`Repository "${state.resourceName}" keeps one untagged image (its default lifecycle policy), but ` +
                `${state.imageNames.length} images push to it (${state.imageNames.join(", ")}). Each deployment leaves every image's ` +
                "previous version untagged, so only one of them survives, and rollbacks of the others would fail. Give each image " +
                `its own Repository, or give this one the rule { selection: "untagged", maximumNumberOfImages: ${state.imageNames.length} }.`, this);
        }
        if (state === undefined || (view.repositoryMutability !== UNKNOWN && view.repositoryExclusionFilters !== UNKNOWN)) {
            return tags;
        }
        return applyChecked(pulumi.all([tags, state.imageTagMutability, state.imageTagMutabilityExclusionFilters]), ([resolved, mutability, filters]) => {
            checkImagePlan(name, { ...view, tags: view.tags === undefined ? undefined : resolved, repositoryMutability: mutability, repositoryExclusionFilters: filters });
            return resolved;
        });
    }

    /** The digest-pinned image reference; the same value as `imageUri`. */
    image(): pulumi.Output<string> {
        return this.imageUri;
    }

    /** Credentials for the target registry: given ones for another registry, otherwise a fresh ECR token. */
    private targetLogin(args: ImageArgs, location: RepositoryLocation | undefined, repositoryUrl: pulumi.Output<string>,
        region: pulumi.Input<string> | undefined): RegistryLogin {
        if (args.registry !== undefined) {
            const credentials = pulumi.output(args.registry);
            return { address: hostOf(repositoryUrl), username: credentials.username, password: pulumi.secret(credentials.password) };
        }
        if (args.repository !== undefined) {
            return ecrLogin(hostOf(repositoryUrl), args.registryId ?? args.repository.registryId, region, this);
        }
        const ecrLocation = location !== undefined ? pulumi.output(location) : applyChecked(repositoryUrl, (url) => {
            const parsed = parseRepositoryUrl(url);
            if (typeof parsed === "string" || parsed.kind !== "ecr") {
                throw new ValidationError(`Image "${this.imageName}"`, [{ propertyPath: "repositoryUrl",
                    reason: `${describeValue(url)} ${typeof parsed === "string" ? parsed : "is not ECR: give registry credentials for another registry."}` }]);
            }
            return parsed;
        });
        return ecrLogin(hostOf(repositoryUrl), args.registryId ?? ecrLocation.apply((l) => (l as { registryId: string }).registryId),
            region ?? ecrLocation.apply((l) => (l as { region: string }).region), this);
    }

    /**
     * The default cache is a registry cache in its own repository, `<repository>/build-cache`. Kept in the
     * application repository, every cache export would leave one more untagged manifest, which takes the
     * one untagged slot of the default lifecycle policy and expires the image the previous deployment runs.
     */
    private planCache(name: string, args: ImageArgs, location: RepositoryLocation | undefined, repositoryUrl: pulumi.Output<string>,
        region: pulumi.Input<string> | undefined): { repository?: Repository; logins: RegistryLogin[]; from?: ImageArgs["cacheFrom"]; to?: ImageArgs["cacheTo"] } {
        if (args.cacheFrom !== undefined || args.cacheTo !== undefined) {
            return { logins: [], from: args.cacheFrom, to: args.cacheTo };
        }
        if (args.cache === false) {
            return { logins: [] };
        }
        const registryCache = (ref: pulumi.Input<string>) => ({
            from: [{ registry: { ref } }],
            // imageManifest: ECR rejects docker-build's default manifest-list cache format.
            to: [{ registry: { ref, mode: "max" as const, imageManifest: true, ociMediaTypes: true } }],
        });
        if (location?.kind === "other") {
            // No ECR lifecycle policy runs there, so the cache can share the repository.
            return { logins: [], ...registryCache(pulumi.interpolate`${repositoryUrl}:${CACHE_TAG}`) };
        }
        const settings = args.repository !== undefined ? buildStateOf(args.repository) : undefined;
        // Next to the image, so builds read the cache from the region they push to.
        const cacheRegion = region ?? (location?.kind === "ecr" ? location.region : undefined);
        const repositoryName = args.repository?.repositoryName ?? repositoryUrl.apply((url) => url.slice(url.indexOf("/") + 1));
        // Only the image named like its Repository gets the plain name; every other image (further images of a
        // Repository, images given a URL) is told apart by its own name, so two never claim one ECR name.
        const ownImage = settings !== undefined && settings.resourceName === name;
        const cacheRepository = new Repository(`${name}-cache`, {
            name: ownImage ? pulumi.interpolate`${repositoryName}/build-cache`
                : pulumi.interpolate`${repositoryName}/build-cache/${repositoryNamePart(name)}`,
            // Only cache lives here; it must not block deleting the stack.
            forceDelete: true,
            scanOnPush: false,
            encryption: settings?.encryption,
            tags: settings?.tags,
            region: cacheRegion,
            lifeCyclePolicyArgs: { rules: [{ selection: "untagged", maximumAgeLimit: 1, description: "expire superseded build caches" }] },
        }, { parent: this });
        // A cache repository next to an ecrx Repository is in the same registry, so the target's login serves both.
        const logins = args.repository !== undefined ? [] : [ecrLogin(hostOf(cacheRepository.repositoryUrl), cacheRepository.registryId, cacheRegion, this)];
        return { repository: cacheRepository, logins, ...registryCache(pulumi.interpolate`${cacheRepository.repositoryUrl}:${CACHE_TAG}`) };
    }

}

/**
 * Checks an Image's arguments before anything registers, so a mistake creates nothing. `ownRepository`: the
 * free function will create the repository, which must not happen either when the arguments are wrong.
 */
export function checkImageArgs(name: string, givenArgs: ImageArgs | null | undefined, ownRepository = false): CheckedImagePlan & { args: ImageArgs; view: ImagePlanView } {
    const args = withoutNulls(givenArgs ?? {});
    const repositoryProblem = args.repository === undefined || isEcrxRepository(args.repository) ? undefined : foreignRepositoryProblem(args.repository);
    const state = args.repository !== undefined && repositoryProblem === undefined ? buildStateOf(args.repository) : undefined;
    const view: ImagePlanView = {
        ...Object.fromEntries(PLAN_ARGUMENTS.map((key) => [key, knownNow(args[key] as pulumi.Input<unknown>)])),
        arguments: deepKnownView(args) as Record<string, unknown>,
        hasRepository: state !== undefined || ownRepository,
        repositoryProblem,
        hasRegistryCredentials: args.registry !== undefined,
        cacheDisabledButGiven: args.cache === false && (args.cacheFrom !== undefined || args.cacheTo !== undefined),
        // A copy: this image's own tags join the map once it is constructed, and a later re-check must not count them as another's.
        tagsOfOtherImages: new Map(state?.tagOwners),
        scanGate: args.scanGate,
        files: localFiles,
    };
    if (state !== undefined) {
        view.repositoryMutability = knownNow(state.imageTagMutability);
        view.repositoryExclusionFilters = knownNow(state.imageTagMutabilityExclusionFilters as pulumi.Input<string[]> | undefined);
    }
    return { args, view, ...reportingInputErrors(() => checkImagePlan(name, view)) };
}

/** What is wrong with a `repository` that is not an ecrx Repository, said without dumping the object. */
function foreignRepositoryProblem(given: unknown): string {
    if (typeof given === "string") {
        return `is the string ${describeValue(given)}, but takes an ecrx Repository object; to push to a repository by its URL, ` +
            "give the URL as repositoryUrl instead.";
    }
    if (pulumi.Resource.isInstance(given)) {
        const type = (given as any).__pulumiType as string | undefined;
        const resourceName = (given as any).__name as string | undefined;
        return `is a ${type ?? "Pulumi resource"}${resourceName !== undefined ? ` (${describeValue(resourceName)})` : ""}, but takes an ` +
            "ecrx Repository of this program; for any other repository give its URL as repositoryUrl (for an aws.ecr.Repository: repositoryUrl: repo.repositoryUrl).";
    }
    if (pulumi.Output.isInstance(given)) {
        return "is an Output, but takes an ecrx Repository object itself; for a URL known only later, give it as repositoryUrl.";
    }
    return `is ${describeValue(given)}, but takes an ecrx Repository of this program, or give the repository's URL as repositoryUrl.`;
}

/** A resource name as one segment of an ECR repository name: lowercase letters and digits joined by "-". */
function repositoryNamePart(name: string): string {
    return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "image";
}

/**
 * Builds a Docker context and pushes it to ECR. With a context path alone, or arguments without a
 * repository, it first creates a `Repository` of the same name with the default (safe) settings.
 */
export function buildAndPushImage(name: string, contextOrArgs: string | ImageArgs = ".", opts: pulumi.ComponentResourceOptions = {}): Image {
    const args: ImageArgs = typeof contextOrArgs === "string" ? { context: contextOrArgs } : withoutNulls(contextOrArgs ?? {});
    if (args.repository === undefined && args.repositoryUrl === undefined) {
        if (!canAutoName(name)) {
            const suggestion = repositoryNamePart(name);
            throw invalidInputs(new ValidationError(`buildAndPushImage(${describeValue(name)})`, [{ propertyPath: "name",
                reason: `${describeValue(name)} names the repository this call creates, but cannot be made into an ECR repository name ` +
                    `(lowercase letters, digits, and ".", "_", "-" or "/" between them): use a name such as ${describeValue(suggestion)}, or create the ` +
                    `repository yourself and name it: new Repository(${describeValue(name)}, { name: ${describeValue(suggestion)} }).buildAndPushImage(...).` }]));
        }
        checkImageArgs(name, args, true);
        return new Image(name, { ...args, repository: new Repository(name, {}, opts) }, opts);
    }
    return new Image(name, args, opts);
}
