// The two vocabularies of a lifecycle policy: the friendly rules users write, and the ECR policy
// document that ECR stores. `buildPolicy` turns the first into the second; `simulate` reads the second.

/** Which images a rule looks at, by tag. */
export type TagStatus = (typeof TAG_STATUSES)[number];

/** Where an image lives: normal storage, or the cheaper archive tier that images move to by `action: "archive"`. */
export type StorageClass = (typeof STORAGE_CLASSES)[number];

/** The object form of a selection, for tag lists and for choosing the storage class. */
export interface LifecycleSelection {
    /**
     * Which images by tag: "tagged", "untagged" or "any"; needed only without a tag list.
     * @default "tagged" when a tag list is given
     */
    tagStatus?: TagStatus;
    /** Selects images that have, for every prefix in the list, some tag starting with it. */
    tagPrefixList?: string[];
    /** Like `tagPrefixList`, with `*` matching any run of characters over the whole tag (at most 4 `*` per pattern). */
    tagPatternList?: string[];
    /**
     * The rule sees only images in this storage class.
     * @default "standard"
     */
    storageClass?: StorageClass;
}

/**
 * `"untagged"`, `"any"`, `"tagged"` (every tagged image, i.e. `{ tagPatternList: ["*"] }`), or an object
 * with a tag list and/or a storage class.
 */
export type Selection = TagStatus | LifecycleSelection;

/** What happens to the images a rule picks. */
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

/** A friendly lifecycle rule: a selection plus exactly one condition. */
export interface LifecycleRule {
    /**
     * Which images the rule looks at: "untagged", "any", "tagged" (every tagged image), or an object with a
     * tag list (`tagPrefixList` or `tagPatternList`) and/or a `storageClass`.
     */
    selection: Selection;
    /** Keep the newest N selected images; the older ones are acted on. ECR: `imageCountMoreThan`. */
    maximumNumberOfImages?: number;
    /** Act on selected images pushed more than N days ago. ECR: `sinceImagePushed`. */
    maximumAgeLimit?: number;
    /**
     * Archive selected images not pulled for N days (since the restore for an image restored from archive and
     * not pulled since; since the push when never pulled). ECR: `sinceImagePulled`, which ECR takes only with
     * `action: "archive"`.
     */
    maximumDaysSinceLastPull?: number;
    /** Act on archived images archived more than N days ago (at least 90 to expire). ECR: `sinceImageTransitioned`. */
    maximumDaysInArchive?: number;
    /**
     * What happens to the images the rule picks: "expire" deletes them, "archive" moves them to archive storage.
     * @default "expire"
     */
    action?: LifecycleAction;
    /** Shown in the ECR console next to the rule. */
    description?: string;
    /**
     * Evaluation order, lowest first.
     * @default the rule's place in the list, after the highest explicit priority (an "any" rule last)
     */
    rulePriority?: number;
}

/** The `lifeCyclePolicyArgs` of a `Repository`. */
export interface LifecyclePolicyArgs {
    /**
     * The rules; those without a `rulePriority` are numbered in list order.
     * @default keep at most one untagged image
     */
    rules?: LifecycleRule[];
    /**
     * Create no lifecycle policy at all.
     * @default false
     */
    skip?: boolean;
}

// ---- The ECR policy document -------------------------------------------------------------------

/** The condition of an ECR rule: a count of images, or days since push, pull or archiving. */
export type CountType = (typeof COUNT_TYPES)[number];

/** Which images an ECR rule picks: a tag filter, a storage class and a condition. */
export interface PolicySelection {
    /** Which images by tag; "tagged" needs a tag list. */
    tagStatus: TagStatus;
    /** Tag patterns with `*` wildcards; an image needs a tag matching each. */
    tagPatternList?: string[];
    /** Tag prefixes; an image needs a tag starting with each. */
    tagPrefixList?: string[];
    /** The storage class the rule sees; absent means "standard". */
    storageClass?: StorageClass;
    /** The kind of condition. */
    countType: CountType;
    /** "days" for every count type but `imageCountMoreThan`, which counts images. */
    countUnit?: "days";
    /** The condition's number: images to keep, or days. */
    countNumber: number;
}

/** What an ECR rule does: expire the images, or move them to archive storage. */
export type PolicyAction =
    | {
        /** Delete the images. */
        type: "expire";
    }
    | {
        /** Move the images to another storage class. */
        type: "transition";
        /** The storage class they move to; ECR has only "archive". */
        targetStorageClass: "archive";
    };

/** One rule of an ECR lifecycle policy document. */
export interface PolicyRule {
    /** Evaluation order, lowest first; unique within a policy. */
    rulePriority: number;
    /** Shown in the ECR console next to the rule. */
    description?: string;
    /** Which images the rule picks. */
    selection: PolicySelection;
    /** What happens to them. */
    action: PolicyAction;
}

/** An ECR lifecycle policy document, as `PutLifecyclePolicy` takes it (after `JSON.parse`). */
export interface PolicyDocument {
    /** The rules, in any order: ECR evaluates them by `rulePriority`. */
    rules: PolicyRule[];
}

/** ECR's bounds on the policy text (`LifecyclePolicyText` in the API reference). */
export const POLICY_TEXT_MIN_LENGTH = 100;
/**
 * The largest count, day number or rule priority ECR takes: its API reads them as 32-bit integers, so a larger
 * one passes every other check and is only refused by PutLifecyclePolicy at deploy, or is emitted as a
 * number ECR cannot hold (such as `1e+300`).
 */
export const MAX_POLICY_NUMBER = 2_147_483_647;
export const POLICY_TEXT_MAX_LENGTH = 30720;

/** ECR's quota "Rules per lifecycle policy", which cannot be raised. */
export const MAX_RULES_PER_POLICY = 50;

/** ECR allows at most this many `*` in one tag pattern. */
export const MAX_WILDCARDS_PER_PATTERN = 4;

/** Archived images must stay archived at least this many days before a rule may expire them. */
export const MIN_DAYS_IN_ARCHIVE_BEFORE_EXPIRY = 90;

// ---- Vocabulary: every list of names once, with the types above derived from it ----------------

/** The `tagStatus` values, in the order ECR's documentation lists them. */
export const TAG_STATUSES = ["tagged", "untagged", "any"] as const;

/** The storage classes a rule can select; "standard" is the default. */
export const STORAGE_CLASSES = ["standard", "archive"] as const;

/** The actions of a friendly rule; "expire" is the default. */
export const LIFECYCLE_ACTIONS = ["expire", "archive"] as const;

/** The `action.type` values of a policy document: ECR spells archiving "transition". */
export const POLICY_ACTION_TYPES = ["expire", "transition"] as const satisfies readonly PolicyAction["type"][];

/** The `countType` values, in the order of the friendly conditions that give them. */
export const COUNT_TYPES = ["imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned"] as const;

/** The `imageStatus` values of `describe-images`. */
export const IMAGE_STATUSES = ["ACTIVE", "ARCHIVED", "ACTIVATING"] as const;

/** `imageStatus` in `describe-images`: archived images live in the archive storage class; ACTIVATING ones are being restored. */
export type ImageStatus = (typeof IMAGE_STATUSES)[number];

/** What `simulate` says ECR would do to an image, in the order its summary counts them. */
export const SIMULATED_ACTIONS = ["expire", "archive", "keep"] as const;

/** What ECR would do with an image. */
export type SimulatedAction = (typeof SIMULATED_ACTIONS)[number];
