// The offline lifecycle simulator: the seed scenarios of issue #5, each ECR evaluation rule on its own,
// input validation, and properties checked against a deliberately naive re-statement of the rules.
import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import {
    IMAGE_STATUSES,
    LifecycleImage,
    parsePolicyDocument,
    PolicyDocument,
    PolicyRule,
    PolicySelection,
    simulate,
    SimulateOptions,
    SIMULATED_ACTIONS,
    SimulationResult,
    ValidationError,
} from "../sdk/lifecycle";
import { pushTimeComparator, pushTimeOrder } from "../sdk/lifecycle/ordering";
import { DAY, daysAgo, digest, globMatches, image, NOW, OCI_INDEX, OCI_MANIFEST, resultFor } from "./support/lifecycle-fixtures";

type Condition = Pick<PolicySelection, "countType" | "countNumber">;
const keepNewest = (countNumber: number): Condition => ({ countType: "imageCountMoreThan", countNumber });
const pushedMoreThan = (countNumber: number): Condition => ({ countType: "sinceImagePushed", countNumber });
const notPulledFor = (countNumber: number): Condition => ({ countType: "sinceImagePulled", countNumber });
const archivedMoreThan = (countNumber: number): Condition => ({ countType: "sinceImageTransitioned", countNumber });

type Selector = Omit<PolicySelection, "countType" | "countNumber" | "countUnit">;
const prefixes = (...tagPrefixList: string[]): Selector => ({ tagStatus: "tagged", tagPrefixList });
const patterns = (...tagPatternList: string[]): Selector => ({ tagStatus: "tagged", tagPatternList });
const UNTAGGED: Selector = { tagStatus: "untagged" };
const ANY: Selector = { tagStatus: "any" };

function rule(rulePriority: number, selector: Selector, condition: Condition, action: "expire" | "archive" = "expire"): PolicyRule {
    return {
        rulePriority,
        selection: {
            ...selector,
            ...condition,
            ...(condition.countType === "imageCountMoreThan" ? {} : { countUnit: "days" as const }),
        },
        action: action === "expire" ? { type: "expire" } : { type: "transition", targetStorageClass: "archive" },
    };
}

function inArchive(policyRule: PolicyRule): PolicyRule {
    return { ...policyRule, selection: { ...policyRule.selection, storageClass: "archive" } };
}

function run(rules: PolicyRule[], images: LifecycleImage[], options: SimulateOptions = {}): SimulationResult {
    return simulate({ rules }, images, { now: new Date(NOW), ...options });
}


/** The names (as passed to `image`) of the images with each action, sorted. */
function namesByAction(result: SimulationResult): Record<string, string[]> {
    const names: Record<string, string[]> = { expire: [], archive: [], keep: [] };
    for (const entry of result.images) {
        names[entry.action].push(entry.imageDigest.slice("sha256:".length, "sha256:".length + 1).toUpperCase());
    }
    return Object.fromEntries(Object.entries(names).map(([action, list]) => [action, list.sort()]));
}

function problemsOf(action: () => unknown): ValidationError {
    try {
        action();
    } catch (error) {
        assert.ok(ValidationError.isInstance(error), `expected a ValidationError, got ${String(error)}`);
        return error;
    }
    return assert.fail("expected a ValidationError, but nothing was thrown");
}

describe("simulate: the seed scenarios of the issue", () => {
    const betaProd = [
        image("A", ["beta-1", "prod-1"], 10),
        image("B", ["beta-2", "prod-2"], 9),
        image("C", ["beta-3"], 8),
    ];

    it("1. prod keep 1, then beta keep 1: only A expires", () => {
        const result = run([rule(1, prefixes("prod"), keepNewest(1)), rule(2, prefixes("beta"), keepNewest(1))], betaProd);
        assert.deepEqual(namesByAction(result), { expire: ["A"], archive: [], keep: ["B", "C"] });
        assert.equal(resultFor(result, "A").reason, "rule 1 (tag prefix prod, keep newest 1): 2nd newest of 2 matching, beyond the newest 1");
    });

    it("2. the same rules swapped: A and B expire", () => {
        const result = run([rule(1, prefixes("beta"), keepNewest(1)), rule(2, prefixes("prod"), keepNewest(1))], betaProd);
        assert.deepEqual(namesByAction(result), { expire: ["A", "B"], archive: [], keep: ["C"] });
        assert.equal(resultFor(result, "B").reason, "rule 1 (tag prefix beta, keep newest 1): 2nd newest of 3 matching, beyond the newest 1");
        assert.equal(resultFor(result, "B").rulePriority, 1);
    });

    it("3. prefixes [alpha, beta] older than 5 days: only C, which has both and is old, expires", () => {
        const images = [
            image("A", ["alpha-1"], 12), image("B", ["beta-1"], 11), image("C", ["alpha-2", "beta-2"], 10),
            image("D", ["alpha-3"], 4), image("E", ["beta-3"], 3), image("F", ["alpha-4", "beta-4"], 2),
        ];
        const result = run([rule(1, prefixes("alpha", "beta"), pushedMoreThan(5))], images);
        assert.deepEqual(namesByAction(result), { expire: ["C"], archive: [], keep: ["A", "B", "D", "E", "F"] });
        assert.equal(resultFor(result, "C").reason, "rule 1 (tag prefixes alpha and beta, pushed more than 5 days ago): pushed 10 days ago, more than 5 days");
        assert.equal(resultFor(result, "F").reason, "rule 1 (tag prefixes alpha and beta, pushed more than 5 days ago): pushed 2 days ago, not more than 5 days");
        assert.equal(resultFor(result, "A").reason, "no rule selects it");
    });

    it("4. any, keep 1: everything but the newest expires, tagged or not", () => {
        const images = [image("A", ["alpha-1"], 4), image("B", ["beta-1"], 3), image("C", [], 2), image("D", ["alpha-2"], 1)];
        const result = run([rule(1, ANY, keepNewest(1))], images);
        assert.deepEqual(namesByAction(result), { expire: ["A", "B", "C"], archive: [], keep: ["D"] });
        assert.equal(resultFor(result, "D").reason, "rule 1 (any image, keep newest 1): newest of 4 matching, within the newest 1");
    });
});

describe("simulate: ECR's evaluation rules", () => {
    it("a higher rule's tag selection shields an image from lower rules, which still count it", () => {
        const images = [
            image("A", ["beta-1", "prod-1"], 10),
            image("B", ["beta-2", "prod-2"], 9),
            image("C", ["beta-3"], 8),
        ];
        const result = run([rule(1, prefixes("prod"), keepNewest(1)), rule(2, prefixes("beta"), keepNewest(1))], images);
        // Rule 2 counts A and B although rule 1 decided them, so C is the newest of 3, not of 1.
        assert.equal(resultFor(result, "C").reason, "rule 2 (tag prefix beta, keep newest 1): newest of 3 matching, within the newest 1");
        assert.equal(resultFor(result, "B").action, "keep");
        assert.equal(resultFor(result, "B").reason,
            "rule 1 (tag prefix prod, keep newest 1): newest of 2 matching, within the newest 1; rule 2 would expire it, but rule 1 selected it first");
    });

    it("a higher rule shields even the images it keeps because they are young", () => {
        const images = [image("P", ["prod-1"], 10), image("D", ["dev-1"], 9), image("E", ["dev-2"], 1)];
        const result = run([rule(1, prefixes("prod"), pushedMoreThan(30)), rule(2, ANY, keepNewest(1))], images);
        assert.deepEqual(namesByAction(result), { expire: ["D"], archive: [], keep: ["E", "P"] });
        assert.equal(resultFor(result, "P").rulePriority, 1);
        assert.match(resultFor(result, "P").reason, /; rule 2 would expire it, but rule 1 selected it first$/);
        // P is still counted by rule 2: D is the 2nd newest of 3 matching.
        assert.equal(resultFor(result, "D").reason, "rule 2 (any image, keep newest 1): 2nd newest of 3 matching, beyond the newest 1");
    });

    it("rules act only on images of their storage class", () => {
        const images = [
            image("A", [], 30, { imageStatus: "ARCHIVED", lastArchivedAt: daysAgo(100) }),
            image("B", [], 20, { imageStatus: "ARCHIVED", lastArchivedAt: daysAgo(10) }),
            image("C", [], 5),
            image("D", [], 4),
        ];
        const standardOnly = run([rule(1, UNTAGGED, keepNewest(1))], images);
        assert.deepEqual(namesByAction(standardOnly), { expire: ["C"], archive: [], keep: ["A", "B", "D"] });
        assert.equal(resultFor(standardOnly, "C").reason, "rule 1 (untagged, keep newest 1): 2nd newest of 2 matching, beyond the newest 1");
        assert.equal(resultFor(standardOnly, "A").reason, "archived, and no rule for archived images selects it");

        const both = run([rule(1, UNTAGGED, keepNewest(1)), inArchive(rule(2, ANY, archivedMoreThan(90)))], images);
        assert.deepEqual(namesByAction(both), { expire: ["A", "C"], archive: [], keep: ["B", "D"] });
        assert.equal(resultFor(both, "A").reason, "rule 2 (any image in archive, archived more than 90 days ago): archived 100 days ago, more than 90 days");
        assert.equal(resultFor(both, "B").reason, "rule 2 (any image in archive, archived more than 90 days ago): archived 10 days ago, not more than 90 days");
    });

    it("a transition rule archives, and the summary counts each action", () => {
        const images = [image("A", ["nightly-1"], 40), image("B", ["nightly-2"], 35), image("C", ["nightly-3"], 1), image("D", [], 50)];
        const result = run([rule(1, prefixes("nightly"), pushedMoreThan(30), "archive"), rule(2, UNTAGGED, pushedMoreThan(7))], images);
        assert.deepEqual(namesByAction(result), { expire: ["D"], archive: ["A", "B"], keep: ["C"] });
        assert.deepEqual(result.summary, { expire: 1, archive: 2, keep: 1 });
    });

    it("sinceImagePulled (which only archives) uses the last pull, and the push when ECR recorded none, saying so", () => {
        const images = [
            image("A", ["dev-1"], 60, { lastRecordedPullTime: daysAgo(2) }),
            image("B", ["dev-2"], 60, { lastRecordedPullTime: daysAgo(20) }),
            image("C", ["dev-3"], 30),
            image("D", ["dev-4"], 3),
        ];
        const result = run([rule(1, prefixes("dev"), notPulledFor(14), "archive")], images);
        assert.deepEqual(namesByAction(result), { expire: [], archive: ["B", "C"], keep: ["A", "D"] });
        assert.equal(resultFor(result, "A").reason, "rule 1 (tag prefix dev, not pulled for 14 days): last pulled 2 days ago, not more than 14 days");
        assert.equal(resultFor(result, "C").reason,
            "rule 1 (tag prefix dev, not pulled for 14 days): no pull recorded, so its push counts: pushed 30 days ago, more than 14 days");
    });

    it("ages are shown rounded up to a tenth of a day, so they agree with the rule's limit", () => {
        const images = [
            { ...image("A", ["a"], 0), imagePushedAt: new Date(NOW - 5 * DAY - 60_000).toISOString() },
            { ...image("B", ["b"], 0), imagePushedAt: new Date(NOW - 5 * DAY).toISOString() },
            { ...image("C", ["c"], 0), imagePushedAt: new Date(NOW - 3 * 60 * 60 * 1000).toISOString() },
        ];
        const result = run([rule(1, patterns("*"), pushedMoreThan(5))], images);
        assert.deepEqual(namesByAction(result), { expire: ["A"], archive: [], keep: ["B", "C"] });
        assert.match(resultFor(result, "A").reason, /: pushed 5\.1 days ago, more than 5 days$/);
        assert.match(resultFor(result, "B").reason, /: pushed 5 days ago, not more than 5 days$/);
        assert.match(resultFor(result, "C").reason, /: pushed 3 hours ago, not more than 5 days$/);
    });

    it("tag patterns match whole tags, with * for any run of characters and every pattern needing a tag", () => {
        const images = [
            image("A", ["v1.2-rc1"], 10), image("B", ["v1x2-rc1"], 9), image("C", ["rc1-v1.2"], 8),
            image("D", ["v1.2-rc1", "stable"], 7), image("E", ["v1.2"], 6),
        ];
        const result = run([rule(1, patterns("v1.2-*"), keepNewest(1)), rule(2, patterns("*rc*", "stable"), keepNewest(1))], images);
        // Rule 1 selects A and D ("." is literal, so not B); rule 2 needs both an rc tag and "stable": D only.
        assert.deepEqual(namesByAction(result), { expire: ["A"], archive: [], keep: ["B", "C", "D", "E"] });
        assert.equal(resultFor(result, "B").reason, "no rule selects it");
        assert.equal(resultFor(result, "D").reason, "rule 1 (tag pattern v1.2-*, keep newest 1): newest of 2 matching, within the newest 1");
    });

    it("an index's children are kept while the index exists, yet still counted", () => {
        const images = [
            image("I", ["v1"], 5, { imageManifestMediaType: OCI_INDEX }),
            image("C", [], 5, { imageManifestMediaType: OCI_MANIFEST }),
            image("D", [], 5, { imageManifestMediaType: OCI_MANIFEST }),
            image("U", [], 10, { imageManifestMediaType: OCI_MANIFEST }),
            image("N", [], 1, { imageManifestMediaType: OCI_MANIFEST }),
        ];
        const rules = [rule(1, UNTAGGED, keepNewest(1))];
        const unaware = run(rules, images);
        assert.deepEqual(namesByAction(unaware), { expire: ["C", "D", "U"], archive: [], keep: ["I", "N"] });

        const result = run(rules, images, { indexChildren: { [digest("I")]: [digest("C"), digest("D")] } });
        assert.deepEqual(namesByAction(result), { expire: ["U"], archive: [], keep: ["C", "D", "I", "N"] });
        assert.equal(resultFor(result, "C").reason,
            "rule 1 (untagged, keep newest 1): 3rd newest of 4 matching, beyond the newest 1, but index sha256:iiiiiiiiiiii references it " +
            "and stays, and ECR acts on a child only once every index that references it is deleted or archived");
        assert.equal(resultFor(result, "U").reason, "rule 1 (untagged, keep newest 1): 4th newest of 4 matching, beyond the newest 1");
    });

    it("a referrer follows its subject, through chains, expires when its subject is gone, and is not ranked beside images", () => {
        const images = [
            image("A", ["prod-1"], 10),
            image("B", ["prod-2"], 9),
            image("S", [], 8, { subjectManifestDigest: digest("A") }),
            image("T", [], 7, { subjectManifestDigest: digest("S") }),
            image("K", [], 7, { subjectManifestDigest: digest("B") }),
            image("O", [], 6, { subjectManifestDigest: digest("Z") }),
            image("P", [], 5, { subjectManifestDigest: digest("O") }),
            image("U", [], 12),
        ];
        const result = run([rule(1, prefixes("prod"), keepNewest(1)), rule(2, UNTAGGED, keepNewest(1))], images);
        assert.deepEqual(namesByAction(result), { expire: ["A", "O", "P", "S", "T"], archive: [], keep: ["B", "K", "U"] });
        assert.equal(resultFor(result, "S").reason, "referrer of sha256:aaaaaaaaaaaa: expired with its subject (rule 1)");
        assert.equal(resultFor(result, "S").rulePriority, 1);
        assert.equal(resultFor(result, "T").reason, "referrer of sha256:ssssssssssss: expired with its subject (rule 1)");
        assert.equal(resultFor(result, "K").reason, "referrer of sha256:bbbbbbbbbbbb: kept with its subject");
        assert.equal(resultFor(result, "O").reason,
            "referrer of sha256:zzzzzzzzzzzz, which is not among the images: ECR deletes the referrers of a deleted subject within 24 hours");
        assert.equal(resultFor(result, "P").reason, "referrer of sha256:oooooooooooo, which refers on to sha256:zzzzzzzzzzzz, " +
            "which is not among the images: ECR deletes the referrers of a deleted subject within 24 hours");
        // The untagged referrers are not counted by the untagged rule: U is the only untagged image.
        assert.equal(resultFor(result, "U").reason, "rule 2 (untagged, keep newest 1): newest of 1 matching, within the newest 1");
    });

    it("an image being restored from archive is left alone", () => {
        const result = run([rule(1, ANY, keepNewest(1))], [image("A", [], 9, { imageStatus: "ACTIVATING" }), image("B", [], 8), image("C", [], 1)]);
        assert.deepEqual(namesByAction(result), { expire: ["B"], archive: [], keep: ["A", "C"] });
        assert.match(resultFor(result, "A").reason, /ACTIVATING/);
    });

    it("orders by push time, equal push times by digest, and ranks the later digest as newer", () => {
        const images = [image("C", ["x-3"], 3), image("B", ["x-2"], 5), image("A", ["x-1"], 5)];
        const result = run([rule(1, prefixes("x"), keepNewest(2))], images);
        assert.deepEqual(result.images.map((entry) => entry.imageDigest), [digest("A"), digest("B"), digest("C")]);
        assert.deepEqual(namesByAction(result), { expire: ["A"], archive: [], keep: ["B", "C"] });
        assert.deepEqual(run([rule(1, prefixes("x"), keepNewest(2))], [...images].reverse()), result);
    });

    it("reads ISO strings, epoch seconds (fractional too) and Dates alike, and returns the push time as given", () => {
        const seconds = (days: number) => (NOW - days * DAY) / 1000 + 0.25;
        const asIso = [image("A", [], 3), image("B", [], 2)];
        const asSeconds = [{ ...asIso[0], imagePushedAt: seconds(3) }, { ...asIso[1], imagePushedAt: seconds(2) }];
        const asDates = [{ ...asIso[0], imagePushedAt: new Date(NOW - 3 * DAY) }, { ...asIso[1], imagePushedAt: new Date(NOW - 2 * DAY) }];
        const rules = [rule(1, UNTAGGED, keepNewest(1))];
        const byIso = run(rules, asIso);
        const bySeconds = run(rules, asSeconds, { now: NOW / 1000 });
        const byDates = run(rules, asDates, { now: daysAgo(0) });
        for (const result of [byIso, bySeconds, byDates]) {
            assert.deepEqual(namesByAction(result), { expire: ["A"], archive: [], keep: ["B"] });
        }
        assert.equal(bySeconds.images[0].imagePushedAt, seconds(3));
        assert.equal(byIso.images[0].imagePushedAt, daysAgo(3));
        assert.deepEqual(byDates.images[0].imagePushedAt, new Date(NOW - 3 * DAY));
        const withOffset = run(rules, [{ ...asIso[0], imagePushedAt: "2025-05-29T14:00:00.123456+02:00" }, asIso[1]]);
        assert.equal(resultFor(withOffset, "A").action, "expire");
    });
});

describe("simulate: validation", () => {
    it("rejects a policy with exactly the problems parsePolicyDocument reports", () => {
        const invalid = {
            rules: [
                { rulePriority: 1, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 0 }, action: { type: "expire" } },
                { rulePriority: 1, selection: { tagStatus: "tagged", tagPrefixList: ["a*"], countType: "sinceImagePushed", countUnit: "days", countNumber: 3 }, action: { type: "expire" } },
            ],
        };
        const expected = problemsOf(() => parsePolicyDocument(invalid));
        const actual = problemsOf(() => simulate(invalid as PolicyDocument, [], { now: NOW / 1000 }));
        assert.deepEqual(actual.problems, expected.problems);
        assert.equal(actual.message, expected.message);
        assert.ok(actual.problems.some((problem) => problem.propertyPath === "rules[0].selection.countNumber"));
    });

    it("takes every imageStatus that IMAGE_STATUSES names, and its summary counts the SIMULATED_ACTIONS, in their order", () => {
        const images = IMAGE_STATUSES.map((imageStatus, index) => image(`S${index}`, [], 10 + index, { imageStatus, lastArchivedAt: daysAgo(5) }));
        const result = run([rule(1, ANY, keepNewest(1))], images);
        assert.deepEqual(result.images.map((entry) => entry.imageDigest).sort(), images.map((entry) => entry.imageDigest).sort());
        assert.deepEqual(Object.keys(result.summary), [...SIMULATED_ACTIONS]);
    });

    it("reports every bad image field at once, with its path and a fix", () => {
        const images = [
            { imageDigest: "", imagePushedAt: "2025-01-01T00:00:00Z" },
            { imageDigest: digest("B"), imageTags: "latest", imagePushedAt: "2025-01-01T10:00:00" },
            { imageDigest: digest("C"), imagePushedAt: 1_700_000_000_000 },
            { imageDigest: digest("D"), imagePushedAt: daysAgo(1), imageStatus: "ARCHIVED" },
            { imageDigest: digest("E"), imagePushedAt: daysAgo(1), imageStatus: "GONE", lastRecordedPullTime: "yesterday" },
            { imageDigest: digest("E"), imagePushedAt: daysAgo(2) },
            "sha256:ffff",
        ] as unknown as LifecycleImage[];
        const error = problemsOf(() => run([rule(1, ANY, keepNewest(1))], images));
        assert.deepEqual(error.problems.map((problem) => problem.propertyPath), [
            "images[0].imageDigest",
            "images[1].imageTags",
            "images[1].imagePushedAt",
            "images[2].imagePushedAt",
            "images[3].lastArchivedAt",
            "images[4].imageStatus",
            "images[4].lastRecordedPullTime",
            "images[6]",
            "images[5].imageDigest",
        ]);
        const reasons = error.problems.map((problem) => problem.reason);
        assert.match(reasons[2], /no time zone.*add "Z"/);
        assert.match(reasons[3], /looks like milliseconds: give epoch seconds \(such as 1700000000\)/);
        assert.match(reasons[8], /listed twice, also at images\[4\]/);
        assert.match(error.message, /^The simulation input has 9 problems:/);
    });

    it("rejects an unusable now and index map entries that name no index", () => {
        const images = [image("A", ["v1"], 1, { imageManifestMediaType: OCI_MANIFEST })];
        const error = problemsOf(() => simulate({ rules: [rule(1, ANY, keepNewest(1))] }, images, {
            now: "soon",
            indexChildren: { [digest("A")]: [digest("B")], [digest("Z")]: [], [digest("A").replace("a", "b")]: "x" } as never,
        }));
        assert.deepEqual(error.problems.map((problem) => problem.propertyPath), [
            "options.now",
            `options.indexChildren.${digest("A")}`,
            `options.indexChildren.${digest("Z")}`,
            `options.indexChildren.${digest("A").replace("a", "b")}`,
        ]);
        assert.match(error.problems[1].reason, /not an image index/);
        assert.match(error.problems[2].reason, /names no image in the list/);
    });
});

// ---- Properties, against a naive re-statement of the rules --------------------------------------

const TAG_WORDS = ["prod", "beta", "dev", "rel"];

function naiveSelects(policyRule: PolicyRule, subject: LifecycleImage): boolean {
    const { tagStatus, tagPrefixList, tagPatternList, storageClass = "standard" } = policyRule.selection;
    const imageClass = subject.imageStatus === "ARCHIVED" ? "archive" : "standard";
    const tags = subject.imageTags ?? [];
    if (imageClass !== storageClass || subject.subjectManifestDigest) {
        return false;
    }
    if (tagStatus === "any") {
        return true;
    }
    if (tagStatus === "untagged") {
        return tags.length === 0;
    }
    return tags.length > 0 && (tagPrefixList
        ? tagPrefixList.every((prefix) => tags.some((tag) => tag.startsWith(prefix)))
        : tagPatternList!.every((pattern) => tags.some((tag) => globMatches(pattern, tag))));
}

const imagesArbitrary = fc.uniqueArray(
    fc.record({
        id: fc.integer({ min: 0, max: 10_000 }),
        tags: fc.uniqueArray(fc.tuple(fc.constantFrom(...TAG_WORDS), fc.integer({ min: 0, max: 3 })).map(([word, n]) => `${word}-${n}`), { maxLength: 3 }),
        pushedHoursAgo: fc.integer({ min: 0, max: 40 * 24 }),
        pulledHoursAgo: fc.option(fc.integer({ min: 0, max: 40 * 24 }), { nil: undefined }),
        archivedDaysAgo: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
    }),
    { selector: (entry) => entry.id, maxLength: 30 },
).map((entries) => entries.map((entry): LifecycleImage => ({
    imageDigest: `sha256:${entry.id.toString(16).padStart(64, "0")}`,
    imageTags: entry.tags,
    // Whole hours, so push-time ties (broken by digest) are common.
    imagePushedAt: new Date(NOW - Math.floor(entry.pushedHoursAgo / 6) * 6 * 3600_000).toISOString(),
    ...(entry.pulledHoursAgo === undefined ? {} : { lastRecordedPullTime: new Date(NOW - entry.pulledHoursAgo * 3600_000).toISOString() }),
    ...(entry.archivedDaysAgo === undefined ? {} : { imageStatus: "ARCHIVED" as const, lastArchivedAt: daysAgo(entry.archivedDaysAgo) }),
})));

/** Valid policies by construction: distinct tag lists, one untagged and one any rule at most, any last. */
const policyArbitrary = fc.record({
    tagged: fc.uniqueArray(fc.record({
        words: fc.uniqueArray(fc.constantFrom(...TAG_WORDS), { minLength: 1, maxLength: 2 }),
        byPattern: fc.boolean(),
        condition: fc.constantFrom("imageCountMoreThan", "sinceImagePushed", "sinceImagePulled"),
        countNumber: fc.integer({ min: 1, max: 6 }),
        archive: fc.boolean(),
    }), { selector: (entry) => `${entry.byPattern}|${[...entry.words].sort().join()}`, maxLength: 4 }),
    untagged: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
    any: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
    archiveExpiry: fc.option(fc.integer({ min: 90, max: 150 }), { nil: undefined }),
    priorities: fc.shuffledSubarray([1, 2, 3, 4, 5, 6, 7], { minLength: 7, maxLength: 7 }),
}).map((shape): PolicyDocument => {
    const rules: PolicyRule[] = shape.tagged.map((entry, index) => rule(
        shape.priorities[index],
        entry.byPattern ? patterns(...entry.words.map((word) => `*${word}*`)) : prefixes(...entry.words),
        { countType: entry.condition as PolicySelection["countType"], countNumber: entry.countNumber },
        // ECR takes sinceImagePulled with the transition action only.
        entry.archive || entry.condition === "sinceImagePulled" ? "archive" : "expire"));
    if (shape.untagged !== undefined) {
        rules.push(rule(shape.priorities[5], UNTAGGED, keepNewest(shape.untagged)));
    }
    if (shape.any !== undefined) {
        rules.push(rule(100, ANY, pushedMoreThan(shape.any)));
    }
    if (shape.archiveExpiry !== undefined) {
        rules.push(inArchive(rule(shape.priorities[6], ANY, archivedMoreThan(shape.archiveExpiry))));
    }
    return { rules: rules.length > 0 ? rules : [rule(1, UNTAGGED, keepNewest(1))] };
});

describe("simulate: properties", () => {
    const options = { now: new Date(NOW) };

    it("lists every image once, sorted, with a summary that matches, whatever the input order", () => {
        fc.assert(fc.property(policyArbitrary, imagesArbitrary, (policy, images) => {
            const result = simulate(policy, images, options);
            assert.deepEqual(result.images.map((entry) => entry.imageDigest).sort(), images.map((entry) => entry.imageDigest).sort());
            const counts = { expire: 0, archive: 0, keep: 0 };
            result.images.forEach((entry) => counts[entry.action]++);
            assert.deepEqual(result.summary, counts);
            const times = result.images.map((entry) => Date.parse(entry.imagePushedAt as string));
            result.images.slice(1).forEach((entry, index) => {
                assert.ok(times[index] < times[index + 1] || (times[index] === times[index + 1] && result.images[index].imageDigest < entry.imageDigest));
            });
            assert.deepEqual(simulate(policy, [...images].reverse(), options), result);
        }));
    });

    it("acts on an image only by a rule that selects it, after no higher rule selected it", () => {
        fc.assert(fc.property(policyArbitrary, imagesArbitrary, (policy, images) => {
            const byPriority = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
            const inputs = new Map(images.map((entry) => [entry.imageDigest, entry]));
            for (const entry of simulate(policy, images, options).images) {
                const input = inputs.get(entry.imageDigest)!;
                if (entry.action === "keep" || input.subjectManifestDigest) {
                    continue;
                }
                const deciding = byPriority.findIndex((candidate) => naiveSelects(candidate, input));
                assert.notEqual(deciding, -1, `${entry.imageDigest} was acted on, but no rule selects it`);
                assert.equal(entry.rulePriority, byPriority[deciding].rulePriority);
                assert.equal(entry.action, byPriority[deciding].action.type === "expire" ? "expire" : "archive");
            }
        }));
    });

    it("never acts on the newest countNumber images an imageCountMoreThan rule selects, nor on images younger than an age rule's limit", () => {
        fc.assert(fc.property(policyArbitrary, imagesArbitrary, (policy, images) => {
            const result = simulate(policy, images, options);
            const position = new Map(result.images.map((entry, index) => [entry.imageDigest, index]));
            for (const policyRule of policy.rules) {
                const { countType, countNumber } = policyRule.selection;
                const selected = images.filter((entry) => naiveSelects(policyRule, entry))
                    .sort((a, b) => position.get(b.imageDigest)! - position.get(a.imageDigest)!);
                const actedOn = new Set(result.images
                    .filter((entry) => entry.rulePriority === policyRule.rulePriority && entry.action !== "keep")
                    .map((entry) => entry.imageDigest));
                if (countType === "imageCountMoreThan") {
                    for (const newest of selected.slice(0, countNumber)) {
                        assert.ok(!actedOn.has(newest.imageDigest), `rule ${policyRule.rulePriority} acted on one of its ${countNumber} newest`);
                    }
                } else if (countType === "sinceImagePushed") {
                    for (const young of selected.filter((entry) => Date.parse(entry.imagePushedAt as string) >= NOW - countNumber * DAY)) {
                        assert.ok(!actedOn.has(young.imageDigest), `rule ${policyRule.rulePriority} acted on an image younger than ${countNumber} days`);
                    }
                }
            }
        }));
    });

    it("orders slots by radix sort exactly as a comparison sort with the push-time comparator would", () => {
        const times = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1.5, -1.5), fc.integer({ min: -5, max: 5 }));
        fc.assert(fc.property(fc.array(fc.tuple(times, fc.constantFrom("sha256:a", "sha256:b", "sha256:c")), { maxLength: 60 }), (entries) => {
            const pushedAt = Float64Array.from(entries, ([time]) => time);
            const digests = entries.map(([, name], slot) => `${name}${slot}`); // unique, as simulate requires
            const expected = entries.map((_, slot) => slot).sort(pushTimeComparator(pushedAt, digests));
            const actual = Array.from(pushTimeOrder(pushedAt, digests));
            assert.deepEqual(actual, expected);
        }));
    });
});
