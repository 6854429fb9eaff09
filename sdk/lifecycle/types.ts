// The two vocabularies of a lifecycle policy: the friendly rules users write, and the ECR policy
// document that ECR stores. `buildPolicy` turns the first into the second; `simulate` reads the second.

/** Which images a rule looks at, by tag. */
export type TagStatus = "tagged" | "untagged" | "any";

/** Where an image lives: normal storage, or the cheaper archive tier that images move to by `action: "archive"`. */
export type StorageClass = "standard" | "archive";

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
export type LifecycleAction = "expire" | "archive";

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
export type CountType = "imageCountMoreThan" | "sinceImagePushed" | "sinceImagePulled" | "sinceImageTransitioned";

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
export type PolicyAction = { type: "expire" } | { type: "transition"; targetStorageClass: "archive" };

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
