// The `Repository` component (`ecrx:index:Repository`): an ECR repository with a checked lifecycle policy,
// scanning on push and least-privilege grants, plus the settings that the images pushed to it must respect.

// Only the ECR module: the @pulumi/aws root loads every service and costs the provider ~250 ms at start-up.
import * as ecr from "@pulumi/aws/ecr";
import * as pulumi from "@pulumi/pulumi";
import { Image, RepositoryImageArgs } from "./image";
import { applyChecked, checkedWhenKnown, deepKnownView, knownNow, reportingInputErrors, withoutNulls } from "./inputs";
import { describeValue, ProblemList, ValidationError } from "./validation/errors";
import { isKnown, UNKNOWN } from "./validation/known";
import { LifecyclePolicyArgs } from "./lifecycle/types";
import { autoNameBase, checkRepositorySettings, RepositorySettingsView } from "./validation/repository-settings";
import { DEFAULT_IMAGE_TAG_MUTABILITY, ImageTagMutability } from "./validation/tag-mutability";

export { ImageTagMutability } from "./validation/tag-mutability";

/** Who may use the repository. Each list yields one least-privilege statement of the repository policy. */
export interface RepositoryAccess {
    /** Account IDs (become `arn:aws:iam::<id>:root`) or IAM principal ARNs that may pull images. */
    pull?: pulumi.Input<pulumi.Input<string>[]>;
    /** Account IDs or IAM principal ARNs that may push (and pull) images. */
    push?: pulumi.Input<pulumi.Input<string>[]>;
    /** Lambda function ARN patterns (`*` allowed) whose functions may run images from this repository. */
    lambdaPull?: pulumi.Input<pulumi.Input<string>[]>;
}

/** How images are encrypted at rest. ECR cannot change this after creation. */
export interface RepositoryEncryption {
    /**
     * `"AES256"` (Amazon S3-managed keys) or `"KMS"` (a key in AWS KMS).
     * @default "AES256"
     */
    type?: pulumi.Input<"AES256" | "KMS">;
    /**
     * The ARN of the KMS key; only with `type: "KMS"`.
     * @default the AWS-managed key of ECR (`aws/ecr`)
     */
    kmsKey?: pulumi.Input<string>;
}

export interface RepositoryArgs {
    /**
     * The repository name: 2 to 256 characters, lowercase letters and digits separated by single `.`, `_`, `-` or `/`.
     * @default the resource name, lower-cased, plus a random suffix (`my-repo-e2fe830`)
     */
    name?: pulumi.Input<string>;
    /**
     * Delete the repository even when it still holds images.
     * @default false
     */
    forceDelete?: pulumi.Input<boolean>;
    /**
     * Whether a pushed tag can be moved to another image: `"MUTABLE"`, `"IMMUTABLE"`, or
     * `"IMMUTABLE_WITH_EXCLUSION"` / `"MUTABLE_WITH_EXCLUSION"`, where `imageTagMutabilityExclusionFilters` name
     * the tags that are the exception.
     * @default "MUTABLE"
     */
    imageTagMutability?: pulumi.Input<ImageTagMutability>;
    /** Wildcard filters for the tags that are the exception to a `*_WITH_EXCLUSION` mode; 1 to 5, required by those modes. */
    imageTagMutabilityExclusionFilters?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Scan images for vulnerabilities when they are pushed.
     * @default true
     */
    scanOnPush?: pulumi.Input<boolean>;
    /**
     * How images are encrypted at rest; ECR cannot change this after creation.
     * @default { type: "AES256" }
     */
    encryption?: pulumi.Input<RepositoryEncryption>;
    /** Tags for every child resource that takes tags (the two policy resources take none). */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * The AWS region of every child.
     * @default the provider's region
     */
    region?: pulumi.Input<string>;
    /**
     * The lifecycle policy: friendly rules, or `skip: true` for none.
     * @default keep at most one untagged image
     */
    lifeCyclePolicyArgs?: pulumi.Input<LifecyclePolicyArgs>;
    /**
     * Grants to other principals through a repository policy.
     * @default none (only this account's IAM policies apply)
     */
    access?: pulumi.Input<RepositoryAccess>;
}

/**
 * What the Images of this program that push to a Repository share: the settings that decide how they may push
 * (tag mutability, encryption, region), and what each pushes.
 */
export interface RepositoryBuildState {
    resourceName: string;
    imageTagMutability: pulumi.Input<ImageTagMutability>;
    imageTagMutabilityExclusionFilters: pulumi.Input<pulumi.Input<string>[]> | undefined;
    encryption: pulumi.Input<RepositoryEncryption> | undefined;
    tags: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
    region: pulumi.Input<string> | undefined;
    /** No rules given: the policy keeps a single untagged image, which several images would compete for. */
    usesDefaultLifecyclePolicy: boolean;
    /** Whether the repository scans on push, which an image's scan gate waits for. */
    scanOnPush: pulumi.Input<boolean>;
    /** Which image of this program pushes each tag here. */
    tagOwners: Map<string, string>;
    /** The images of this program that push here, in order. */
    imageNames: string[];
    /**
     * The names of the images that buildAndPushImage made children of this repository: two with one name would
     * have one URN, which the engine refuses.
     */
    childImageNames: Set<string>;
}

/** Reads the state that only the Repository class holds; installed by the class itself. */
let readBuildState: (repository: Repository) => RepositoryBuildState;

export function isEcrxRepository(value: unknown): value is Repository {
    return value instanceof Repository;
}

export function buildStateOf(repository: Repository): RepositoryBuildState {
    return readBuildState(repository);
}

/**
 * The mutability mode and its filters are only valid together: when both are Outputs, each is checked with the
 * other resolved.
 */
const CHECKED_TOGETHER: Partial<Record<keyof RepositoryArgs, "imageTagMutability" | "imageTagMutabilityExclusionFilters">> = {
    imageTagMutability: "imageTagMutabilityExclusionFilters",
    imageTagMutabilityExclusionFilters: "imageTagMutability",
};

/**
 * Checks a Repository's arguments as far as they are known, throwing `invalidInputs` with every problem.
 * `null` (YAML, Python and JSON write it for "not set") and a missing object alike mean "left out".
 */
export function checkRepositoryArgs(name: string, given: RepositoryArgs | null | undefined) {
    const args = withoutNulls(given ?? {});
    const view = repositorySettingsView(args);
    const checked = reportingInputErrors(() => checkRepositorySettings(name, view));
    return { args, view, checked };
}

/**
 * The arguments as far as they are known now, misspelt ones included. `encryption` is looked into even while
 * parts of it are not known: ECR cannot change it after creation, so a typo in it must never wait for the deployment.
 */
function repositorySettingsView(args: RepositoryArgs): RepositorySettingsView {
    const view: RepositorySettingsView = Object.fromEntries(Object.entries(args).map(([key, value]) => [key, knownNow(value)]));
    view.encryption = deepKnownView(args.encryption) as RepositorySettingsView["encryption"];
    return view;
}

/**
 * An ECR repository with a lifecycle policy (by default: keep at most one untagged image), scanning on
 * push, and optional cross-account and Lambda access. Every argument is checked before anything is
 * created; problems are reported together, each against its property path.
 */
export class Repository extends pulumi.ComponentResource {
    /** The ECR repository. */
    public readonly repository: ecr.Repository;
    /** The lifecycle policy; absent when `lifeCyclePolicyArgs.skip` is true. */
    public readonly lifecyclePolicy?: ecr.LifecyclePolicy;
    /** The repository policy; present when `access` grants something. */
    public readonly repositoryPolicy?: ecr.RepositoryPolicy;
    /** The URL images are pushed to and pulled from: `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
    public readonly repositoryUrl: pulumi.Output<string>;
    /** The repository's ARN, for IAM policies. */
    public readonly arn: pulumi.Output<string>;
    /** The registry ID: the account that owns the repository. */
    public readonly registryId: pulumi.Output<string>;
    /** The repository's name in ECR (the generated one when `name` is not given). */
    public readonly repositoryName: pulumi.Output<string>;
    /** The exact lifecycle policy JSON applied; absent when `lifeCyclePolicyArgs.skip` is true. */
    public readonly lifecyclePolicyText: pulumi.Output<string | undefined>;
    /** On the object, so it lives exactly as long as the deployment that built it (a provider process may serve a preview and an update). */
    readonly #buildState: RepositoryBuildState;

    static {
        readBuildState = (repository) => repository.#buildState;
    }

    constructor(name: string, givenArgs: RepositoryArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
        // Checked before the component registers, so an invalid program creates nothing at all.
        const { args, view, checked } = checkRepositoryArgs(name, givenArgs);

        super("ecrx:index:Repository", name, {}, opts);
        const warnAboutLifecycleRules = (notes: string[]) => notes.forEach((note) => pulumi.log.warn(`Repository "${name}": ${note}`, this));
        warnAboutLifecycleRules(checked.lifecyclePolicyNotes);

        /** An argument as given when it was checked above, otherwise checked once it resolves. */
        const checkedLater = <K extends keyof RepositoryArgs>(key: K) => {
            const partner = CHECKED_TOGETHER[key];
            const companion = partner !== undefined && view[partner] === UNKNOWN ? partner : undefined;
            return checkedWhenKnown(args[key], (resolved, other) => void checkRepositorySettings(name,
                { ...view, [key]: resolved, ...(companion === undefined ? {} : { [companion]: other }) }), companion === undefined ? undefined : args[companion]);
        };
        /** A derived policy text: known now, or derived (and checked) once its argument resolves. */
        const derivedLater = (key: "lifeCyclePolicyArgs" | "access", text: "lifecyclePolicyText" | "repositoryPolicyText") =>
            isKnown(checked[text]) ? pulumi.output(checked[text] as string | undefined)
                : applyChecked(args[key] as pulumi.Input<unknown>, (resolved) => {
                    const settings = checkRepositorySettings(name, { ...view, [key]: resolved });
                    if (key === "lifeCyclePolicyArgs") {
                        warnAboutLifecycleRules(settings.lifecyclePolicyNotes);
                    }
                    return settings[text] as string | undefined;
                });

        const mutability = checkedLater("imageTagMutability") ?? DEFAULT_IMAGE_TAG_MUTABILITY;
        const exclusionFilters = checkedLater("imageTagMutabilityExclusionFilters");
        const encryption = checkedLater("encryption");
        const region = checkedLater("region");
        const tags = checkedLater("tags");
        const childOpts = { parent: this };

        this.repository = new ecr.Repository(autoNameBase(name), {
            name: checkedLater("name"),
            forceDelete: checkedLater("forceDelete") ?? false,
            imageTagMutability: mutability,
            imageTagMutabilityExclusionFilters: exclusionFilters === undefined ? undefined
                : pulumi.output(exclusionFilters).apply((filters) => filters.map((filter) => ({ filter, filterType: "WILDCARD" }))),
            imageScanningConfiguration: { scanOnPush: checkedLater("scanOnPush") ?? true },
            encryptionConfigurations: pulumi.output(encryption).apply((e) => [{
                encryptionType: e?.type ?? "AES256",
                ...(e?.kmsKey !== undefined ? { kmsKey: e.kmsKey } : {}),
            }]),
            tags,
            region,
        }, childOpts);

        /**
         * Whether a policy resource exists is decided now; an argument that resolves later to "no policy"
         * cannot take the resource back, so that is an error rather than an empty policy.
         */
        const requirePolicy = (text: pulumi.Output<string | undefined>, propertyPath: string, reason: string) => applyChecked(text, (value) => {
            if (value === undefined) {
                throw new ValidationError(`Repository "${name}"`, [{ propertyPath, reason }]);
            }
            return value;
        });

        this.lifecyclePolicyText = derivedLater("lifeCyclePolicyArgs", "lifecyclePolicyText");
        if (checked.lifecyclePolicyText !== undefined) {
            this.lifecyclePolicy = new ecr.LifecyclePolicy(name, {
                repository: this.repository.name,
                // A string, not the typed document: the typed document has no tagPatternList.
                policy: requirePolicy(this.lifecyclePolicyText, "lifeCyclePolicyArgs.skip",
                    "must be known when the program runs (not an Output), because it decides whether a lifecycle policy exists."),
                region,
            }, { ...childOpts, deleteBeforeReplace: true });
        }

        if (checked.repositoryPolicyText !== undefined) {
            this.repositoryPolicy = new ecr.RepositoryPolicy(name, {
                repository: this.repository.name,
                policy: requirePolicy(derivedLater("access", "repositoryPolicyText"), "access",
                    "resolved to grant nothing, but a repository policy was already planned for it: leave access out instead."),
                region,
            }, childOpts);
        }

        this.repositoryUrl = this.repository.repositoryUrl;
        this.arn = this.repository.arn;
        this.registryId = this.repository.registryId;
        this.repositoryName = this.repository.name;

        this.#buildState = {
            resourceName: name,
            imageTagMutability: mutability,
            imageTagMutabilityExclusionFilters: exclusionFilters,
            encryption,
            tags,
            region,
            usesDefaultLifecyclePolicy: checked.usesDefaultLifecyclePolicy,
            scanOnPush: args.scanOnPush ?? true,
            tagOwners: new Map(),
            imageNames: [],
            childImageNames: new Set(),
        };

        this.registerOutputs({
            repository: this.repository,
            lifecyclePolicy: this.lifecyclePolicy,
            repositoryPolicy: this.repositoryPolicy,
            repositoryUrl: this.repositoryUrl,
            arn: this.arn,
            registryId: this.registryId,
            repositoryName: this.repositoryName,
            lifecyclePolicyText: this.lifecyclePolicyText,
        });
    }

    /**
     * Builds a Docker context and pushes it here: `repo.buildAndPushImage("./app")`, or with full `Image`
     * arguments. The `Image` is named after this repository unless `imageName` is given.
     */
    buildAndPushImage(contextOrArgs: string | RepositoryImageArgs = ".", opts: pulumi.ComponentResourceOptions = {}): Image {
        const { imageName, ...args } = typeof contextOrArgs === "string" ? { context: contextOrArgs } as RepositoryImageArgs
            : withoutNulls(contextOrArgs ?? {});
        const name = reportingInputErrors(() => this.unusedImageName(imageName));
        this.#buildState.childImageNames.add(name);
        return new Image(name, { ...args, repository: this }, { parent: this, ...opts });
    }

    private unusedImageName(imageName: unknown): string {
        const { resourceName, childImageNames } = this.#buildState;
        const problems = new ProblemList();
        if (imageName !== undefined && (typeof imageName !== "string" || imageName === "")) {
            problems.add("imageName", `must be a non-empty string naming the Image resource, but is ${describeValue(imageName)}.`);
        } else if (childImageNames.has((imageName as string | undefined) ?? resourceName)) {
            const name = (imageName as string | undefined) ?? resourceName;
            problems.add("imageName", `${imageName === undefined ? "is not given, so this image would be named" : "is"} ${describeValue(name)}, ` +
                `like an image an earlier buildAndPushImage of this repository already built, and the engine refuses two resources with one name: ` +
                `give each call its own imageName, such as { imageName: ${describeValue(`${resourceName}-worker`)} }.`);
        }
        problems.throwIfAny(`Repository ${describeValue(resourceName)}.buildAndPushImage`);
        return (imageName as string | undefined) ?? resourceName;
    }
}
