import * as path from "node:path";
import type { Unwrap } from "@pulumi/pulumi";
import type { ImageArgs } from "../image";
import { checkKnownKeys, describeValue, joinPath, ProblemList } from "./errors";
import { checkImageArgumentShapes } from "./image-argument-shapes";
import { isKnown, Known } from "./known";
import { isRepositoryName } from "./repository-settings";
import { checkStringList, StringListRule } from "./string-list";
import { ImageTagMutability, isTagMutable } from "./tag-mutability";
import { checkScanGate, ScanGatePolicy } from "../scan-gate/settings";

/** Platforms default to x86: Fargate and most EKS nodes are x86, and arm64 images built on Apple Silicon fail there. */
export const DEFAULT_PLATFORMS = ["linux/amd64"];
/** The tag an image gets when none are given, unless another image of the same repository has it already. */
const DEFAULT_TAG = "latest";
/** The tag under which the registry build cache is stored in the cache repository. */
export const CACHE_TAG = "buildcache";
/** Docker's tag grammar. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const TAGS: StringListRule = {
    entry: "a Docker tag (letters, digits, \"_\", \".\" and \"-\", not starting with \".\" or \"-\", at most 128)",
    isValid: (tag) => TAG.test(tag),
    leftOut: "for the default",
    unique: true,
};
const PLATFORMS: StringListRule = {
    entry: "an os/arch[/variant] platform such as \"linux/amd64\" or \"linux/arm64\"",
    isValid: (platform) => PLATFORM.test(platform),
    leftOut: "for the default",
    unique: true,
};
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
/** A registry host for another registry: a DNS name with a dot, `localhost`, or an IP, optionally with a port. */
const OTHER_HOST = /^(?:localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;

/** What is at a path: "missing" too when it cannot be looked at. */
export type PathKind = "directory" | "file" | "other" | "missing";

/** The files of the machine that builds, as far as the checks need them; the component looks, so the checks here do no I/O. */
export interface LocalFiles {
    /** What is at `path`; a relative one is resolved from `workingDirectory`. */
    kindOf(path: string): PathKind;
    readonly workingDirectory: string;
}

export type RepositoryLocation =
    | { kind: "ecr"; host: string; registryId: string; region: string; name: string }
    | { kind: "other"; host: string; name: string };

/**
 * Reads a repository URL. ECR URLs give the registry ID and region for authentication; a plain
 * `host[:port]/name` is another registry, which needs explicit credentials. A tag or digest in the URL is
 * rejected: the image's tags say what is pushed, and a digest cannot be pushed to.
 */
export function parseRepositoryUrl(url: string): RepositoryLocation | string {
    const slash = url.indexOf("/");
    if (url.includes("://")) {
        return "must not have a scheme: write it as <account>.dkr.ecr.<region>.amazonaws.com/<name>.";
    }
    if (slash <= 0) {
        return "must be <account>.dkr.ecr.<region>.amazonaws.com/<name> (or host[:port]/name for another registry), but has no repository name.";
    }
    const host = url.slice(0, slash);
    const name = url.slice(slash + 1);
    if (name.includes("@")) {
        return "carries a digest; give the repository URL alone (the digest is what this component produces).";
    }
    if (name.includes(":")) {
        return "carries a tag; give the repository URL alone and put the tag in `tags`.";
    }
    if (!isRepositoryName(name)) {
        return `names the repository ${describeValue(name)}, which is not a valid repository name (lowercase letters and digits separated by ".", "_", "-" or "/").`;
    }
    const ecr = ECR_HOST.exec(host);
    if (ecr !== null) {
        return { kind: "ecr", host, registryId: ecr[1], region: ecr[2], name };
    }
    if (host.includes("amazonaws.com")) {
        return `has the host ${describeValue(host)}, which is not an ECR registry host (<12-digit account>.dkr.ecr.<region>.amazonaws.com).`;
    }
    if (!OTHER_HOST.test(host)) {
        return `has the host ${describeValue(host)}, which is neither an ECR registry nor a host[:port] of another registry.`;
    }
    return { kind: "other", host, name };
}

/** Every `Image` argument; the compiler holds it to `ImageArgs`. */
const IMAGE_ARGUMENTS = {
    repository: true, repositoryUrl: true, context: true, dockerfile: true, dockerfileInline: true, target: true, buildArgs: true, labels: true,
    platforms: true, tags: true, secrets: true, ssh: true, noCache: true, pull: true, network: true, addHosts: true, builder: true,
    buildOnPreview: true, cache: true, cacheFrom: true, cacheTo: true, region: true, registryId: true, registry: true, scanGate: true,
} as const satisfies Record<keyof ImageArgs, true>;

/** The arguments the plan reads whole: checked when known, and again when an Output among them resolves. */
export const PLAN_ARGUMENTS = ["context", "dockerfile", "dockerfileInline", "platforms", "tags", "repositoryUrl", "registryId", "region"] as const satisfies
    ReadonlyArray<keyof ImageArgs>;
export type PlanArgument = typeof PLAN_ARGUMENTS[number];

/** An `Image`'s arguments as far as they are known now, and what the component knows about them. */
export type ImagePlanView = { [K in PlanArgument]?: Known<Unwrap<ImageArgs[K]>> } & {
    /** Every argument given, as far as it is known now (`UNKNOWN` at any depth where not), misspelt ones included. */
    arguments: Readonly<Record<string, unknown>>;
    hasRepository: boolean;
    hasRegistryCredentials: boolean;
    /** The target repository's tag mutability, when the repository is an ecrx `Repository`. */
    repositoryMutability?: Known<ImageTagMutability>;
    repositoryExclusionFilters?: Known<string[]>;
    /** `cache: false` together with explicit cacheFrom/cacheTo. */
    cacheDisabledButGiven: boolean;
    /** Tags that other images of this program push to the same repository, with the image that pushes each. */
    tagsOfOtherImages: ReadonlyMap<string, string>;
    /** What was given as `repository` when it is not an ecrx Repository: the problem with it. */
    repositoryProblem?: string;
    /** `scanGate` as given (a plain value). */
    scanGate?: unknown;
    /** Where the context and the Dockerfile are looked for. */
    files: LocalFiles;
};

function checkPaths(view: ImagePlanView, problems: ProblemList): void {
    const context = view.context ?? ".";
    if (!isKnown(context)) {
        return;
    }
    const contextKind = typeof context === "string" ? view.files.kindOf(context) : "missing";
    if (contextKind !== "directory") {
        problems.add("context", `must be a directory with the files to build, but ${describeValue(context)} ` +
            `${contextKind !== "missing" ? "is not a directory" : `does not exist (resolved from ${view.files.workingDirectory})`}.`);
        return;
    }
    const { dockerfile, dockerfileInline } = view;
    if (dockerfile !== undefined && dockerfileInline !== undefined) {
        problems.add("dockerfileInline", "is given together with dockerfile: use one, either a Dockerfile path or its inline text.");
    } else if (dockerfileInline !== undefined) {
        if (isKnown(dockerfileInline) && (typeof dockerfileInline !== "string" || dockerfileInline.trim() === "")) {
            problems.add("dockerfileInline", "must be the non-empty text of a Dockerfile.");
        }
    } else {
        const dockerfilePath = dockerfile ?? path.join(context, "Dockerfile");
        if (isKnown(dockerfilePath) && (typeof dockerfilePath !== "string" || view.files.kindOf(dockerfilePath) !== "file")) {
            problems.add(dockerfile === undefined ? "context" : "dockerfile",
                `${dockerfile === undefined ? `has no Dockerfile (looked for ${describeValue(dockerfilePath)})` : `${describeValue(dockerfilePath)} is not a file`}: ` +
                "give dockerfile with its path, or dockerfileInline with its text.");
        }
    }
}

function checkRepository(view: ImagePlanView, problems: ProblemList): RepositoryLocation | undefined {
    const { repositoryUrl, hasRepository } = view;
    if (view.repositoryProblem !== undefined) {
        return undefined; // already reported, with what to give instead
    }
    if (hasRepository && repositoryUrl !== undefined) {
        problems.add("repositoryUrl", "is given together with repository: give one of them.");
        return undefined;
    }
    if (!hasRepository && repositoryUrl === undefined) {
        problems.add("repository", "is required: pass an ecrx Repository, or its URL as repositoryUrl.");
        return undefined;
    }
    if (hasRepository || !isKnown(repositoryUrl!)) {
        return undefined;
    }
    const location = typeof repositoryUrl === "string" ? parseRepositoryUrl(repositoryUrl) : "must be a string.";
    if (typeof location === "string") {
        problems.add("repositoryUrl", `${describeValue(repositoryUrl)} ${location}`);
        return undefined;
    }
    if (location.kind === "other" && !view.hasRegistryCredentials) {
        problems.add("registry", `is required for ${describeValue(location.host)}, which is not an ECR registry: ` +
            "give registry with username and password (ECR credentials are fetched automatically only for ECR).");
    }
    if (location.kind === "ecr") {
        for (const [field, expected] of [["region", location.region], ["registryId", location.registryId]] as const) {
            const given = view[field];
            if (given !== undefined && isKnown(given) && given !== expected) {
                problems.add(field, `is ${describeValue(given)}, but the repository URL is in ${field === "region" ? "region" : "account"} ${describeValue(expected)}: ` +
                    "leave it out, it is read from the URL.");
            }
        }
    }
    return location;
}

/**
 * The tags an image pushes when none are given: `latest`, or, when another image of the same repository
 * already pushes `latest`, `<image name>-latest`, so that the two images do not keep moving each other's tag.
 */
export function defaultTags(imageName: string, tagsOfOtherImages: ReadonlyMap<string, string>): string[] {
    if (!tagsOfOtherImages.has(DEFAULT_TAG)) {
        return [DEFAULT_TAG];
    }
    const namePart = imageName.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[.-]+/, "").slice(0, 120) || "image";
    return [`${namePart}-${DEFAULT_TAG}`];
}

/** Two images pushing one tag to one repository would each move it away from the other on every deployment. */
function checkTagsAreOwn(view: ImagePlanView, problems: ProblemList): void {
    const { tags, tagsOfOtherImages } = view;
    if (tags === undefined || !isKnown(tags) || !Array.isArray(tags)) {
        return;
    }
    tags.forEach((tag, index) => {
        const owner = tagsOfOtherImages.get(tag);
        if (owner !== undefined) {
            problems.add(joinPath("tags", index), `${describeValue(tag)} is also pushed to this repository by image ${describeValue(owner)}, ` +
                "so each deployment would move it between the two images: give each image its own tags.");
        }
    });
}

/**
 * A tag that moves on every push (the default tags, and `latest`) cannot be pushed twice to an immutable
 * tag: say so at construction, with the fix, rather than fail at the second push.
 */
function checkTagMutability(imageName: string, view: ImagePlanView, problems: ProblemList): void {
    const { repositoryMutability: mutability, repositoryExclusionFilters: filters } = view;
    const tags = view.tags ?? defaultTags(imageName, view.tagsOfOtherImages);
    if (mutability === undefined || !isKnown(mutability) || !isKnown(tags) || (filters !== undefined && !isKnown(filters)) || !Array.isArray(tags)) {
        return;
    }
    const movingTags = view.tags === undefined ? tags : tags.filter((tag) => tag === DEFAULT_TAG);
    for (const tag of movingTags) {
        if (!isTagMutable(tag, mutability, filters)) {
            const fix = mutability === "MUTABLE_WITH_EXCLUSION"
                ? `remove the imageTagMutabilityExclusionFilters entry that matches ${describeValue(tag)}`
                : `use IMMUTABLE_WITH_EXCLUSION with imageTagMutabilityExclusionFilters: [${describeValue(tag)}]`;
            problems.add("tags", `${view.tags === undefined ? "default to" : "include"} ${describeValue(tag)}, which moves on every push, ` +
                `but the repository's imageTagMutability ${mutability} makes it immutable, so the second push would fail: ` +
                `give tags that are unique per build (for example the git commit), or ${fix}.`);
        }
    }
}

/**
 * Checks an `Image`'s arguments before anything is built or registered. Throws `ValidationError` with
 * every problem; returns where the image goes when the URL is known now.
 */
/** What the checks of an Image's arguments derive: where it pushes, and the scan gate's policy. */
export interface CheckedImagePlan {
    location?: RepositoryLocation;
    scanGate?: ScanGatePolicy;
}

export function checkImagePlan(resourceName: string, view: ImagePlanView): CheckedImagePlan {
    const problems = new ProblemList();
    checkKnownKeys(view.arguments, IMAGE_ARGUMENTS, "", "Image", problems, "an argument");
    if (view.cacheDisabledButGiven) {
        problems.add("cache", "is false, but cacheFrom/cacheTo are given: remove cache (explicit cacheFrom/cacheTo already replace the default cache).");
    }
    if (view.repositoryProblem !== undefined) {
        problems.add("repository", view.repositoryProblem);
    }
    checkImageArgumentShapes(view.arguments, problems);
    checkPaths(view, problems);
    checkStringList(view.platforms, "platforms", PLATFORMS, problems);
    checkStringList(view.tags, "tags", TAGS, problems);
    const location = checkRepository(view, problems);
    checkTagsAreOwn(view, problems);
    checkTagMutability(resourceName, view, problems);
    const scanGate = checkScanGate(view.scanGate, "scanGate", problems);
    if (view.scanGate !== undefined && location?.kind === "other") {
        problems.add("scanGate", `reads ECR's scan of the pushed image, but ${describeValue(location.host)} is not an ECR registry: leave scanGate out.`);
    }
    problems.throwIfAny(`Image "${resourceName}"`);
    return { location, scanGate };
}
