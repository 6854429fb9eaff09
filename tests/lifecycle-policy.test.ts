// The pure lifecycle-policy translation (`buildPolicy`) and the document checks (`parsePolicyDocument`),
// tested without any Pulumi runtime. Expected JSON strings are written by hand from ECR's documented
// template, so a change in key order, numbering or defaults shows up as a failing byte comparison.
import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import {
    buildPolicy,
    COUNT_TYPES,
    DEFAULT_POLICY,
    LIFECYCLE_ACTIONS,
    LifecyclePolicyArgs,
    LifecycleRule,
    parsePolicyDocument,
    POLICY_ACTION_TYPES,
    PolicyDocument,
    STORAGE_CLASSES,
    TAG_STATUSES,
    ValidationError,
    ValidationProblem,
} from "../sdk/lifecycle";
import { problemsThrownBy, validationErrorThrownBy } from "./support/lifecycle-fixtures";

const DEFAULT_POLICY_JSON =
    `{"rules":[{"rulePriority":1,"description":"remove untagged images","selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}`;

const SEED_API_RULES: LifecycleRule[] = [
    { selection: { tagPrefixList: ["prod"] }, maximumNumberOfImages: 1 },
    { selection: "untagged", maximumAgeLimit: 14 },
    { selection: "any", maximumNumberOfImages: 5 },
];

/** Archive release images not pulled for 60 days, then expire them after 90 days in the archive. */
const ARCHIVE_THEN_EXPIRE_RULES: LifecycleRule[] = [
    { selection: { tagPrefixList: ["release"] }, maximumDaysSinceLastPull: 60, action: "archive" },
    { selection: { tagPrefixList: ["release"], storageClass: "archive" }, maximumDaysInArchive: 90 },
];

/** Wraps hand-written rule JSON in the document envelope, so each expectation shows only its rules. */
function policyJson(...rules: string[]): string {
    return `{"rules":[${rules.join(",")}]}`;
}

function assertTranslatesTo(rules: LifecycleRule[], expectedJson: string): void {
    assert.equal(JSON.stringify(buildPolicy({ rules })), expectedJson);
}


type ExpectedProblem = [propertyPath: string, reasonFragment: string];

/** Asserts that `action` reports exactly these problems, in this order, each reason containing its fragment. */
function assertProblems(action: () => unknown, ...expected: ExpectedProblem[]): ValidationProblem[] {
    const problems = problemsThrownBy(action);
    const shown = JSON.stringify(problems, null, 2);
    assert.deepEqual(problems.map((p) => p.propertyPath), expected.map(([path]) => path), `unexpected problem paths:\n${shown}`);
    problems.forEach((problem, index) => {
        const fragment = expected[index][1];
        assert.ok(problem.reason.includes(fragment), `reason at ${problem.propertyPath} should contain ${JSON.stringify(fragment)}:\n${shown}`);
    });
    return problems;
}

function assertRulesRejected(rules: unknown[], ...expected: ExpectedProblem[]): ValidationProblem[] {
    return assertProblems(() => buildPolicy({ rules: rules as LifecycleRule[] }), ...expected);
}

function assertRulesAccepted(rules: LifecycleRule[]): PolicyDocument {
    const document = buildPolicy({ rules });
    assert.ok(document !== undefined);
    return document;
}

describe("lifecycle.buildPolicy", () => {
    describe("default policy", () => {
        for (const [label, args] of [["no arguments", undefined], ["{}", {}], ["skip: false", { skip: false }]] as const) {
            it(`is the documented default, byte for byte, for ${label}`, () => {
                assert.equal(JSON.stringify(buildPolicy(args)), DEFAULT_POLICY_JSON);
            });
        }

        it("returns a fresh copy, so mutating one result does not change the next", () => {
            const first = buildPolicy()!;
            first.rules[0].selection.countNumber = 99;
            first.rules[0].description = "changed";
            first.rules.push(structuredClone(first.rules[0]));
            assert.equal(JSON.stringify(buildPolicy()), DEFAULT_POLICY_JSON);
        });

        it("exports DEFAULT_POLICY frozen all the way down, so it cannot be corrupted for later calls", () => {
            assert.throws(() => { DEFAULT_POLICY.rules[0].selection.countNumber = 99; }, TypeError);
            assert.throws(() => { DEFAULT_POLICY.rules.push(DEFAULT_POLICY.rules[0]); }, TypeError);
            assert.equal(JSON.stringify(buildPolicy()), DEFAULT_POLICY_JSON);
        });
    });

    describe("translation of the seed examples", () => {
        it("untagged images older than 14 days", () => {
            assertTranslatesTo([{ selection: "untagged", maximumAgeLimit: 14 }], policyJson(
                `{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}`,
            ));
        });

        it("prod then beta, numbered in list order", () => {
            assertTranslatesTo([
                { selection: { tagPrefixList: ["prod"] }, maximumNumberOfImages: 1 },
                { selection: { tagPrefixList: ["beta"] }, maximumNumberOfImages: 1 },
            ], policyJson(
                `{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}`,
                `{"rulePriority":2,"selection":{"tagStatus":"tagged","tagPrefixList":["beta"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}`,
            ));
        });

        it("beta then prod: reversing the list reverses the priorities", () => {
            assertTranslatesTo([
                { selection: { tagPrefixList: ["beta"] }, maximumNumberOfImages: 1 },
                { selection: { tagPrefixList: ["prod"] }, maximumNumberOfImages: 1 },
            ], policyJson(
                `{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["beta"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}`,
                `{"rulePriority":2,"selection":{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}`,
            ));
        });

        it("a two-prefix list older than 5 days", () => {
            assertTranslatesTo([{ selection: { tagPrefixList: ["alpha", "beta"] }, maximumAgeLimit: 5 }], policyJson(
                `{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["alpha","beta"],"countType":"sinceImagePushed","countUnit":"days","countNumber":5},"action":{"type":"expire"}}`,
            ));
        });

        it("any image beyond the newest 5", () => {
            assertTranslatesTo([{ selection: "any", maximumNumberOfImages: 5 }], policyJson(
                `{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}`,
            ));
        });

        it("the issue's seed API example (prod keep 1, untagged 14 days, any keep 5)", () => {
            assertTranslatesTo(SEED_API_RULES, policyJson(
                `{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}`,
                `{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}`,
                `{"rulePriority":3,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}`,
            ));
        });
    });

    describe("translation of the other rule forms", () => {
        it('"tagged" selects every tagged image through the pattern "*"', () => {
            assertTranslatesTo([{ selection: "tagged", maximumNumberOfImages: 3 }], policyJson(
                `{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["*"],"countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}`,
            ));
        });

        it("maximumDaysSinceLastPull becomes sinceImagePulled in days", () => {
            assertTranslatesTo([{ selection: { tagPatternList: ["feature-*"] }, maximumDaysSinceLastPull: 30, action: "archive" }], policyJson(
                `{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["feature-*"],"countType":"sinceImagePulled","countUnit":"days","countNumber":30},"action":{"type":"transition","targetStorageClass":"archive"}}`,
            ));
        });

        it('action "archive" becomes a transition to archive, and maximumDaysInArchive becomes sinceImageTransitioned', () => {
            assertTranslatesTo(ARCHIVE_THEN_EXPIRE_RULES, policyJson(
                `{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["release"],"countType":"sinceImagePulled","countUnit":"days","countNumber":60},"action":{"type":"transition","targetStorageClass":"archive"}}`,
                `{"rulePriority":2,"selection":{"tagStatus":"tagged","tagPrefixList":["release"],"storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":90},"action":{"type":"expire"}}`,
            ));
        });

        it("keeps a description, between rulePriority and selection", () => {
            assertTranslatesTo([{ selection: "untagged", maximumNumberOfImages: 2, description: "keep two untagged" }], policyJson(
                `{"rulePriority":1,"description":"keep two untagged","selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}}`,
            ));
        });

        it("keeps explicit priorities and numbers the other rules after the highest one, as AWS CDK does", () => {
            assertTranslatesTo([
                { selection: { tagPrefixList: ["a"] }, maximumNumberOfImages: 1 },
                { selection: { tagPrefixList: ["b"] }, maximumNumberOfImages: 2, rulePriority: 10 },
                { selection: "untagged", maximumNumberOfImages: 3 },
            ], policyJson(
                `{"rulePriority":10,"selection":{"tagStatus":"tagged","tagPrefixList":["b"],"countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}}`,
                `{"rulePriority":11,"selection":{"tagStatus":"tagged","tagPrefixList":["a"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}`,
                `{"rulePriority":12,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}`,
            ));
        });

        it("emits rules sorted ascending by rulePriority, whatever the list order", () => {
            const document = assertRulesAccepted([
                { selection: { tagPrefixList: ["a"] }, maximumNumberOfImages: 1, rulePriority: 7 },
                { selection: { tagPrefixList: ["b"] }, maximumNumberOfImages: 1, rulePriority: 2 },
                { selection: { tagPrefixList: ["c"] }, maximumNumberOfImages: 1, rulePriority: 4 },
            ]);
            assert.deepEqual(document.rules.map((r) => [r.rulePriority, r.selection.tagPrefixList![0]]), [[2, "b"], [4, "c"], [7, "a"]]);
        });

        it('places an "any" rule listed first last, with the highest priority', () => {
            assertTranslatesTo([
                { selection: "any", maximumNumberOfImages: 5 },
                { selection: "untagged", maximumNumberOfImages: 1 },
                { selection: { tagPrefixList: ["prod"] }, maximumNumberOfImages: 2 },
            ], policyJson(
                `{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}`,
                `{"rulePriority":2,"selection":{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}}`,
                `{"rulePriority":3,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}`,
            ));
        });

        it("skip: true yields no policy", () => {
            assert.equal(buildPolicy({ skip: true }), undefined);
        });
    });

    describe("validation: conditions and counts", () => {
        it("rejects a rule without a condition", () => {
            assertRulesRejected([{ selection: "untagged" }], ["rules[0]", "needs exactly one condition"]);
        });

        it("rejects a rule with two conditions, naming both", () => {
            assertRulesRejected([{ selection: "untagged", maximumNumberOfImages: 1, maximumAgeLimit: 7 }],
                ["rules[0]", "has maximumNumberOfImages and maximumAgeLimit, but a rule takes exactly one condition"]);
        });

        for (const [condition, count] of [["maximumNumberOfImages", 0], ["maximumAgeLimit", 1.5], ["maximumDaysSinceLastPull", -3]] as const) {
            it(`rejects ${condition}: ${count}, since counts are whole numbers of at least 1`, () => {
                assertRulesRejected([{ selection: "untagged", [condition]: count, action: "archive" }],
                    [`rules[0].${condition}`, `must be a whole number from 1 to 2147483647, but is ${count}.`]);
            });
        }

        it("reports a misspelt field instead of silently dropping it", () => {
            assertRulesRejected([{ selection: "untagged", maximumNumberofImages: 1 }],
                ["rules[0].maximumNumberofImages", "is not a field of a lifecycle rule; use one of"],
                ["rules[0]", "needs exactly one condition"]);
        });

        it("reports a misspelt selection field", () => {
            assertRulesRejected([{ selection: { tagPrefixList: ["a"], storageclass: "archive" }, maximumNumberOfImages: 1 }],
                ["rules[0].selection.storageclass", "is not a field of a selection"]);
        });
    });

    describe("validation: selections", () => {
        it("rejects an unknown selection string", () => {
            assertRulesRejected([{ selection: "all", maximumNumberOfImages: 1 }],
                ["rules[0].selection", 'must be "untagged", "any", "tagged" or an object with tagPrefixList or tagPatternList, but is "all".']);
        });

        for (const selection of [{}, { storageClass: "archive" }]) {
            it(`rejects the selection ${JSON.stringify(selection)}, which selects nothing`, () => {
                assertRulesRejected([{ selection, maximumDaysInArchive: 90 }], ["rules[0].selection", "selects nothing"]);
            });
        }

        it("rejects a second untagged rule, pointing at the first", () => {
            assertRulesRejected([
                { selection: "untagged", maximumNumberOfImages: 1 },
                { selection: "untagged", maximumAgeLimit: 7 },
            ], ["rules[1].selection", 'only one rule may select "untagged" images, and rules[0].selection already does']);
        });

        it('rejects a second "any" rule with the one problem the user can act on, not a rulePriority they never set', () => {
            assertRulesRejected([
                { selection: "any", maximumNumberOfImages: 5 },
                { selection: "any", maximumAgeLimit: 30 },
            ],
            ["rules[1].selection", 'only one rule may select "any" images, and rules[0].selection already does: merge the two rules into one.']);
        });

        it("rejects a tagged selection with neither list, even when a list key is present but undefined", () => {
            // A list that is `undefined` at run time must not widen the rule to every tagged image.
            assertRulesRejected([{ selection: { tagStatus: "tagged", tagPrefixList: undefined }, maximumNumberOfImages: 1 }],
                ["rules[0].selection", "a tagged selection needs exactly one of tagPrefixList or tagPatternList, but has neither"]);
        });

        it("rejects a tagged selection with both lists", () => {
            assertRulesRejected([{ selection: { tagPrefixList: ["a"], tagPatternList: ["b*"] }, maximumNumberOfImages: 1 }],
                ["rules[0].selection", "a tagged selection needs exactly one of tagPrefixList or tagPatternList, but has both"]);
        });

        for (const [list, noun] of [["tagPrefixList", "prefix"], ["tagPatternList", "pattern"]] as const) {
            it(`rejects an empty ${list}`, () => {
                assertRulesRejected([{ selection: { [list]: [] }, maximumNumberOfImages: 1 }],
                    [`rules[0].selection.${list}`, `must name at least one ${noun}`]);
            });
        }

        it('rejects a pattern with more than 4 "*", and accepts exactly 4', () => {
            assertRulesRejected([{ selection: { tagPatternList: ["v*", "*a*b*c*d*"] }, maximumNumberOfImages: 1 }],
                ["rules[0].selection.tagPatternList[1]", 'has 5 wildcards, but ECR allows at most 4 "*" per pattern']);
            assertRulesAccepted([{ selection: { tagPatternList: ["*a*b*c*"] }, maximumNumberOfImages: 1 }]);
        });

        it("rejects a wildcard in a prefix and points to tagPatternList", () => {
            assertRulesRejected([{ selection: { tagPrefixList: ["ok", "prod*"] }, maximumNumberOfImages: 1 }],
                ["rules[0].selection.tagPrefixList[1]", 'prefixes take no wildcards, use tagPatternList for "*"']);
        });

        it("rejects characters that cannot occur in a tag", () => {
            assertRulesRejected([{ selection: { tagPrefixList: ["feature/x"] }, maximumNumberOfImages: 1 }],
                ["rules[0].selection.tagPrefixList[0]", 'must be 1 to 128 tag characters (letters, digits, "_", "." and "-"), but is "feature/x".']);
        });

        it("refuses a list with repeated entries, as repeated Image tags are, pointing at the repeat", () => {
            assertRulesRejected([{ selection: { tagPrefixList: ["prod", "beta", "prod"] }, maximumNumberOfImages: 1 }],
                ["rules[0].selection.tagPrefixList[2]", 'repeats "prod", which is already rules[0].selection.tagPrefixList[0]: each entry must appear once, remove the repeat.']);
            assertDocumentRejected([rawRule(1, { tagStatus: "tagged", tagPatternList: ["v*", "v*"] })],
                ["rules[0].selection.tagPatternList[1]", 'repeats "v*", which is already rules[0].selection.tagPatternList[0]']);
        });

        it("rejects two rules with the same prefix list, in any order", () => {
            assertRulesRejected([
                { selection: { tagPrefixList: ["a", "b"] }, maximumNumberOfImages: 1 },
                { selection: { tagPrefixList: ["b", "a"] }, maximumAgeLimit: 5 },
            ], ["rules[1].selection.tagPrefixList", "selects the same tags as rules[0].selection.tagPrefixList"]);
        });

        it("rejects two rules with the same pattern list", () => {
            assertRulesRejected([
                { selection: { tagPatternList: ["v*"] }, maximumNumberOfImages: 1 },
                { selection: { tagPatternList: ["v*"] }, maximumAgeLimit: 5 },
            ], ["rules[1].selection.tagPatternList", "selects the same tags as rules[0].selection.tagPatternList"]);
        });

        it('rejects "tagged" next to an explicit ["*"] pattern list, pointing at the string selection', () => {
            assertRulesRejected([
                { selection: "tagged", maximumNumberOfImages: 1 },
                { selection: { tagPatternList: ["*"] }, maximumAgeLimit: 5 },
            ], ["rules[1].selection.tagPatternList", "selects the same tags as rules[0].selection; ECR rejects"]);
        });

        it("allows the same tag list once per storage class", () => {
            assert.doesNotThrow(() => buildPolicy({ rules: ARCHIVE_THEN_EXPIRE_RULES }));
        });
    });

    describe("validation: priorities", () => {
        it("rejects two explicit rules with the same priority", () => {
            assertRulesRejected([
                { selection: { tagPrefixList: ["a"] }, maximumNumberOfImages: 1, rulePriority: 3 },
                { selection: { tagPrefixList: ["b"] }, maximumNumberOfImages: 1, rulePriority: 3 },
            ], ["rules[1].rulePriority", "rulePriority 3 is already used by rules[0].rulePriority"]);
        });

        for (const priority of [0, -1, 2.5]) {
            it(`rejects the explicit priority ${priority}`, () => {
                assertRulesRejected([{ selection: "untagged", maximumNumberOfImages: 1, rulePriority: priority }],
                    ["rules[0].rulePriority", `must be a whole number from 1 to 2147483647, but is ${priority}.`]);
            });
        }

        it('rejects an explicit priority on "any" that is not the highest', () => {
            assertRulesRejected([
                { selection: "any", maximumNumberOfImages: 5, rulePriority: 1 },
                { selection: { tagPrefixList: ["prod"] }, maximumNumberOfImages: 1, rulePriority: 2 },
            ], ["rules[0].rulePriority", "its rulePriority (1) must be higher than every other rule's, but rules[1].rulePriority is 2"]);
        });
    });

    describe("validation: archive storage", () => {
        it('rejects maximumDaysInArchive without storageClass "archive"', () => {
            assertRulesRejected([{ selection: { tagPrefixList: ["a"] }, maximumDaysInArchive: 90 }],
                ["rules[0].maximumDaysInArchive", 'so the rule must select archived images: add storageClass "archive"']);
        });

        it("rejects archived images selected by another condition", () => {
            assertRulesRejected([{ selection: { tagPrefixList: ["a"], storageClass: "archive" }, maximumAgeLimit: 30 }],
                ["rules[0].selection.storageClass", "archived images can only be selected by maximumDaysInArchive (sinceImageTransitioned), not by maximumAgeLimit"]);
        });

        it("rejects expiring archived images before 90 days, and accepts 90", () => {
            assertRulesRejected([{ selection: { tagStatus: "untagged", storageClass: "archive" }, maximumDaysInArchive: 89 }],
                ["rules[0].maximumDaysInArchive", "is 89, but ECR keeps archived images at least 90 days before they may expire"]);
            assertRulesAccepted([{ selection: { tagStatus: "untagged", storageClass: "archive" }, maximumDaysInArchive: 90 }]);
        });

        it("rejects archiving images that are already archived", () => {
            assertRulesRejected([{ selection: { tagStatus: "untagged", storageClass: "archive" }, maximumDaysInArchive: 120, action: "archive" }],
                ["rules[0].action", "these images are already archived and cannot be archived again"]);
        });
    });

    describe("validation: the policy as a whole", () => {
        it("rejects an empty rules list", () => {
            assertProblems(() => buildPolicy({ rules: [] }), ["rules", "is empty: leave rules out for the default policy"]);
        });

        it("rejects rules given together with skip: true", () => {
            assertProblems(() => buildPolicy({ skip: true, rules: [{ selection: "untagged", maximumNumberOfImages: 1 }] }),
                ["rules", "are given, but skip is true"]);
        });

        it("accepts rendered JSON of exactly 30,720 characters and rejects one more", () => {
            // Measure the envelope once, then size the description so the JSON lands exactly on the limit.
            const withDescription = (description: string): LifecyclePolicyArgs =>
                ({ rules: [{ selection: "untagged", maximumNumberOfImages: 1, description }] });
            const envelope = JSON.stringify(buildPolicy(withDescription(""))).length;
            const atLimit = withDescription("d".repeat(30720 - envelope));
            assert.equal(JSON.stringify(buildPolicy(atLimit)).length, 30720);
            assertProblems(() => buildPolicy(withDescription("d".repeat(30721 - envelope))),
                ["rules", "the policy JSON is 30721 characters, but ECR accepts at most 30720"]);
        });

        it("reports every problem at once, and the message lists every path", () => {
            // Three independent mistakes: a zero count, a wildcard prefix, and an "any" rule placed first.
            const error = validationErrorThrownBy(() => buildPolicy({ rules: [
                { selection: "untagged", maximumNumberOfImages: 0 },
                { selection: { tagPrefixList: ["prod*"] }, maximumAgeLimit: 7 },
                { selection: "any", maximumNumberOfImages: 5, rulePriority: 1 },
            ] }));
            const paths = ["rules[0].maximumNumberOfImages", "rules[1].selection.tagPrefixList[0]", "rules[2].rulePriority"];
            assert.deepEqual(error.problems.map((p) => p.propertyPath), paths);
            assert.ok(error.message.startsWith("The lifecycle policy has 3 problems:"), error.message);
            for (const path of paths) {
                assert.ok(error.message.includes(`  - ${path}: `), `message should list ${path}:\n${error.message}`);
            }
        });

        it("still checks the sound rules against each other when another rule is malformed", () => {
            assertRulesRejected([
                { selection: "untagge", maximumNumberOfImages: 1 },
                { selection: "untagged", maximumNumberOfImages: 1 },
                { selection: "untagged", maximumAgeLimit: 3 },
            ],
            ["rules[0].selection", 'but is "untagge"'],
            ["rules[2].selection", 'only one rule may select "untagged" images, and rules[1].selection already does']);
        });
    });
});

/** A minimal valid raw rule (keep one untagged image); `selection` and `action` fields override the defaults. */
function rawRule(rulePriority: number, selection: Record<string, unknown> = {}, action: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        rulePriority,
        selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1, ...selection },
        action: { type: "expire", ...action },
    };
}

function assertDocumentRejected(rules: unknown[], ...expected: ExpectedProblem[]): void {
    assertProblems(() => parsePolicyDocument({ rules }), ...expected);
}

describe("lifecycle.parsePolicyDocument", () => {
    it("accepts a buildPolicy result after a JSON round trip and returns it unchanged", () => {
        const built = buildPolicy({ rules: [...SEED_API_RULES, ...ARCHIVE_THEN_EXPIRE_RULES] })!;
        assert.deepEqual(parsePolicyDocument(JSON.parse(JSON.stringify(built))), built);
    });

    it("applies the same semantic checks as buildPolicy, at document paths", () => {
        assertDocumentRejected([rawRule(1, { countNumber: 0 })],
            ["rules[0].selection.countNumber", "must be a whole number from 1 to 2147483647, but is 0."]);
    });

    it("rejects an unknown countType", () => {
        assertDocumentRejected([rawRule(1, { countType: "imageCountLessThan" })],
            ["rules[0].selection.countType", 'must be one of "imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned", but is "imageCountLessThan".']);
    });

    it("rejects sinceImagePushed without countUnit days", () => {
        assertDocumentRejected([rawRule(1, { countType: "sinceImagePushed" })],
            ["rules[0].selection.countUnit", 'must be "days" with countType "sinceImagePushed", but is nothing.']);
    });

    it("rejects countUnit with imageCountMoreThan", () => {
        assertDocumentRejected([rawRule(1, { countUnit: "days" })],
            ["rules[0].selection.countUnit", 'must be left out with countType "imageCountMoreThan"']);
    });

    it("rejects a transition without targetStorageClass", () => {
        assertDocumentRejected([rawRule(1, {}, { type: "transition" })],
            ["rules[0].action.targetStorageClass", 'must be "archive" for a transition, but is nothing.']);
    });

    it("rejects an unknown field", () => {
        assertDocumentRejected([{ ...rawRule(1), priority: 1 }],
            ["rules[0].priority", "is not a field of an ECR lifecycle policy"]);
    });

    it('rejects {"rules":[]}', () => {
        assertProblems(() => parsePolicyDocument({ rules: [] }), ["rules", "must contain at least one rule."]);
    });

    it("rejects a value that is not a policy document", () => {
        assertProblems(() => parsePolicyDocument("rules"), ["rules", 'a lifecycle policy is an object with a "rules" list']);
    });

    it("reports shape problems in every rule, not just the first malformed one", () => {
        assertDocumentRejected([rawRule(1, { tagStatus: "all" }), rawRule(2, { countType: "bad" })],
            ["rules[0].selection.tagStatus", 'but is "all"'],
            ["rules[1].selection.countType", 'but is "bad"']);
    });
});

// ---- Property-based tests -----------------------------------------------------------------------

const PREFIXES = ["prod", "beta", "v1", "release", "feature-x"];
const PATTERNS = ["*", "prod-*", "v*.*", "*-rc*", "*a*b*c*"];
const BAD_ENTRIES = ["prod*", "a/b", "", "*a*b*c*d*e"];
const CONDITION_KEYS = ["maximumNumberOfImages", "maximumAgeLimit", "maximumDaysSinceLastPull", "maximumDaysInArchive"] as const;
const COUNT_TYPE_OF: Record<(typeof CONDITION_KEYS)[number], string> = {
    maximumNumberOfImages: "imageCountMoreThan",
    maximumAgeLimit: "sinceImagePushed",
    maximumDaysSinceLastPull: "sinceImagePulled",
    maximumDaysInArchive: "sinceImageTransitioned",
};

/** Mostly `usual`, sometimes `unusual`: keeps invalid values in play while still producing many accepted policies. */
function mostly<T>(usual: fc.Arbitrary<T>, unusual: fc.Arbitrary<T>): fc.Arbitrary<T> {
    return fc.oneof({ arbitrary: usual, weight: 6 }, { arbitrary: unusual, weight: 1 });
}

/** Small pools, so that generated rules often collide (duplicate lists, two untagged rules, ...). */
const anyTagList = mostly(
    fc.oneof(fc.subarray(PREFIXES, { minLength: 1, maxLength: 3 }), fc.subarray(PATTERNS, { minLength: 1, maxLength: 2 })),
    fc.array(fc.constantFrom(...PREFIXES, ...BAD_ENTRIES), { maxLength: 2 }),
);

const anySelection = mostly<unknown>(
    fc.oneof(
        fc.constantFrom("untagged", "any", "tagged"),
        fc.record({ tagPrefixList: anyTagList }),
        fc.record({ tagPatternList: anyTagList }),
    ),
    fc.oneof(
        fc.constant("everything"),
        fc.record({
            tagStatus: fc.constantFrom("tagged", "untagged", "any"),
            tagPrefixList: anyTagList,
            tagPatternList: anyTagList,
            storageClass: fc.constantFrom("standard", "archive"),
        }, { requiredKeys: [] }),
    ),
);

const anyRule: fc.Arbitrary<unknown> = fc.record({
    selection: anySelection,
    conditions: mostly(
        fc.constantFrom(...CONDITION_KEYS.slice(0, 3)).map((key) => [key]),
        fc.subarray([...CONDITION_KEYS], { minLength: 0, maxLength: 2 })),
    count: mostly(fc.integer({ min: 1, max: 400 }), fc.constantFrom(0, -3, 1.5, 89, 90)),
    action: mostly(fc.constant(undefined), fc.constantFrom("expire", "archive")),
    rulePriority: mostly(fc.constant(undefined), fc.oneof(fc.integer({ min: -1, max: 8 }), fc.constant(2.5))),
    // Occasionally long enough that two such rules exceed ECR's 30,720-character limit.
    description: mostly(fc.constant(undefined), fc.constantFrom("", "keep recent", "d".repeat(16000))),
}).map(({ selection, conditions, count, action, rulePriority, description }) => {
    const rule: Record<string, unknown> = { selection, action, rulePriority, description };
    for (const key of conditions) {
        rule[key] = count;
    }
    return JSON.parse(JSON.stringify(rule)); // drop the undefined fields, as a user would leave them out
});

const anyArgs = mostly<{ rules?: unknown[]; skip?: boolean }>(
    fc.record({ rules: fc.array(anyRule, { minLength: 1, maxLength: 6 }) }),
    fc.record({
        rules: fc.option(fc.array(anyRule, { maxLength: 2 }), { nil: undefined }),
        skip: fc.option(fc.boolean(), { nil: undefined }),
    }, { requiredKeys: [] }),
) as fc.Arbitrary<LifecyclePolicyArgs>;

/**
 * Every rule of the issue, checked on an emitted document without using the SDK's own checks, so a
 * bug in `checkPolicyRules` cannot hide itself. Returns the violations found.
 */
function violationsOf(document: PolicyDocument): string[] {
    const violations: string[] = [];
    const text = JSON.stringify(document);
    if (text.length < 100 || text.length > 30720) {
        violations.push(`JSON length ${text.length} outside 100..30720`);
    }
    const rules = document.rules;
    if (rules.length === 0 || rules.length > 50) {
        violations.push(`${rules.length} rules`);
    }
    rules.forEach((rule, i) => {
        const { selection: s, action } = rule;
        const where = `rule ${i} (priority ${rule.rulePriority})`;
        if (!Object.values(COUNT_TYPE_OF).includes(s.countType)) {
            violations.push(`${where}: countType ${s.countType}`);
        }
        if ((s.countUnit === "days") !== (s.countType !== "imageCountMoreThan") || (s.countUnit !== undefined && s.countUnit !== "days")) {
            violations.push(`${where}: countUnit ${s.countUnit} with ${s.countType}`);
        }
        if (!Number.isInteger(s.countNumber) || s.countNumber < 1 || s.countNumber > 2 ** 31 - 1) {
            violations.push(`${where}: countNumber ${s.countNumber}`);
        }
        if (s.countType === "sinceImagePulled" && action.type !== "transition") {
            violations.push(`${where}: sinceImagePulled without the transition action`);
        }
        const list = s.tagPrefixList ?? s.tagPatternList ?? [];
        if (new Set(list).size !== list.length) {
            violations.push(`${where}: repeated entries in ${list}`);
        }
        if (!Number.isInteger(rule.rulePriority) || rule.rulePriority < 1 || rule.rulePriority > 2 ** 31 - 1) {
            violations.push(`${where}: rulePriority not a positive integer`);
        }
        if (s.tagStatus === "tagged") {
            const lists = [s.tagPrefixList, s.tagPatternList].filter((l) => l !== undefined);
            if (lists.length !== 1 || lists[0]!.length === 0) {
                violations.push(`${where}: tagged rule needs exactly one non-empty list`);
            }
            for (const prefix of s.tagPrefixList ?? []) {
                if (!/^[A-Za-z0-9_.-]{1,128}$/.test(prefix)) violations.push(`${where}: bad prefix ${prefix}`);
            }
            for (const pattern of s.tagPatternList ?? []) {
                if (!/^[A-Za-z0-9_.*-]{1,128}$/.test(pattern)) violations.push(`${where}: bad pattern ${pattern}`);
                if ([...pattern].filter((c) => c === "*").length > 4) violations.push(`${where}: more than 4 * in ${pattern}`);
            }
        } else if (s.tagStatus === "untagged" || s.tagStatus === "any") {
            if (s.tagPrefixList !== undefined || s.tagPatternList !== undefined) {
                violations.push(`${where}: tag list on a ${s.tagStatus} rule`);
            }
        } else {
            violations.push(`${where}: tagStatus ${s.tagStatus}`);
        }
        const archived = s.storageClass === "archive";
        if (archived !== (s.countType === "sinceImageTransitioned")) {
            violations.push(`${where}: storage class ${s.storageClass} with ${s.countType}`);
        }
        if (action.type === "transition") {
            if (action.targetStorageClass !== "archive" || archived) violations.push(`${where}: bad transition`);
        } else if (action.type !== "expire" || "targetStorageClass" in action) {
            violations.push(`${where}: bad action ${JSON.stringify(action)}`);
        } else if (archived && s.countNumber < 90) {
            violations.push(`${where}: archived images expired after ${s.countNumber} < 90 days`);
        }
    });
    const priorities = rules.map((r) => r.rulePriority);
    if (new Set(priorities).size !== priorities.length) {
        violations.push(`duplicate priorities ${priorities}`);
    }
    if (priorities.some((p, i) => i > 0 && priorities[i - 1] >= p)) {
        violations.push(`not sorted ascending: ${priorities}`);
    }
    for (const storageClass of ["standard", "archive"]) {
        const inClass = rules.filter((r) => (r.selection.storageClass ?? "standard") === storageClass);
        for (const status of ["untagged", "any"]) {
            if (inClass.filter((r) => r.selection.tagStatus === status).length > 1) {
                violations.push(`more than one ${status} rule in ${storageClass}`);
            }
        }
        const maxPriority = Math.max(...inClass.map((r) => r.rulePriority));
        for (const anyRule of inClass.filter((r) => r.selection.tagStatus === "any")) {
            if (anyRule.rulePriority !== maxPriority) violations.push(`"any" rule is not last in ${storageClass}`);
        }
        const listKeys = inClass
            .filter((r) => r.selection.tagStatus === "tagged")
            .map((r) => r.selection.tagPrefixList !== undefined
                ? `prefix:${[...new Set(r.selection.tagPrefixList)].sort()}`
                : `pattern:${[...new Set(r.selection.tagPatternList)].sort()}`);
        if (new Set(listKeys).size !== listKeys.length) {
            violations.push(`duplicate tag lists in ${storageClass}: ${listKeys}`);
        }
    }
    return violations;
}

/** Friendly rules that are valid by construction: distinct selections, valid counts and actions, unique priorities. */
const validRules: fc.Arbitrary<LifecycleRule[]> = fc.record({
    prefixLists: fc.uniqueArray(fc.subarray(PREFIXES, { minLength: 1, maxLength: 3 }), { selector: (l) => [...l].sort().join(","), maxLength: 3 }),
    patternLists: fc.uniqueArray(fc.subarray(PATTERNS, { minLength: 1, maxLength: 2 }), { selector: (l) => [...l].sort().join(","), maxLength: 2 }),
    untagged: fc.boolean(),
    any: fc.boolean(),
    archivedUntagged: fc.boolean(),
}).chain(({ prefixLists, patternLists, untagged, any, archivedUntagged }) => {
    const selections: Array<{ selection: LifecycleRule["selection"]; archived: boolean }> = [
        ...prefixLists.map((tagPrefixList) => ({ selection: { tagPrefixList }, archived: false })),
        ...patternLists.map((tagPatternList) => ({ selection: { tagPatternList }, archived: false })),
        ...(untagged ? [{ selection: "untagged" as const, archived: false }] : []),
        ...(any ? [{ selection: "any" as const, archived: false }] : []),
        ...(archivedUntagged ? [{ selection: { tagStatus: "untagged" as const, storageClass: "archive" as const }, archived: true }] : []),
    ];
    if (selections.length === 0) {
        selections.push({ selection: "tagged", archived: false });
    }
    const standardCondition = fc.record({
        condition: fc.constantFrom("maximumNumberOfImages", "maximumAgeLimit", "maximumDaysSinceLastPull"),
        count: fc.integer({ min: 1, max: 1000 }),
        action: fc.constantFrom("expire", "archive") as fc.Arbitrary<"expire" | "archive">,
    // ECR takes maximumDaysSinceLastPull (sinceImagePulled) with the archive action only.
    }).map((rule) => (rule.condition === "maximumDaysSinceLastPull" ? { ...rule, action: "archive" as const } : rule));
    const archiveCondition = fc.record({
        condition: fc.constant("maximumDaysInArchive"),
        count: fc.integer({ min: 90, max: 1000 }),
        action: fc.constant("expire") as fc.Arbitrary<"expire" | "archive">,
    });
    const rulesInAnyOrder = fc.tuple(...selections.map(({ selection, archived }) =>
        (archived ? archiveCondition : standardCondition).map(({ condition, count, action }) => ({ selection, [condition]: count, action }))))
        .chain((rules) => fc.shuffledSubarray(rules, { minLength: rules.length }));
    return fc.tuple(
        rulesInAnyOrder,
        fc.uniqueArray(fc.integer({ min: 1, max: 50 }), { minLength: selections.length, maxLength: selections.length }),
        fc.array(fc.boolean(), { minLength: selections.length, maxLength: selections.length }),
    ).map(([rules, priorities, explicit]) => rules.map((rule, i): LifecycleRule => ({
        ...rule,
        // Each rule is named, so the test can find its output rule after sorting.
        description: `rule-${i}`,
        // "any" rules take no explicit priority: the implicit one is the highest by construction.
        ...(explicit[i] && rule.selection !== "any" ? { rulePriority: priorities[i] } : {}),
    })));
});

describe("lifecycle vocabulary", () => {
    const oneOf = (names: readonly string[]) => `must be one of ${names.map((name) => JSON.stringify(name)).join(", ")}, but is "bogus".`;

    it("a policy document is refused anything outside each list, and the message names the list, in its order", () => {
        assertDocumentRejected([rawRule(1, { tagStatus: "bogus" })], ["rules[0].selection.tagStatus", oneOf(TAG_STATUSES)]);
        assertDocumentRejected([rawRule(1, { storageClass: "bogus" })], ["rules[0].selection.storageClass", oneOf(STORAGE_CLASSES)]);
        assertDocumentRejected([rawRule(1, { countType: "bogus" })], ["rules[0].selection.countType", oneOf(COUNT_TYPES)]);
        assertDocumentRejected([rawRule(1, {}, { type: "bogus" })], ["rules[0].action.type", oneOf(POLICY_ACTION_TYPES)]);
    });

    it("friendly rules take every tag status, storage class and action the lists name, and nothing else", () => {
        for (const tagStatus of TAG_STATUSES) {
            assertRulesAccepted([{ selection: tagStatus, maximumNumberOfImages: 1 }]);
        }
        for (const action of LIFECYCLE_ACTIONS) {
            assertRulesAccepted([{ selection: "untagged", maximumAgeLimit: 30, action }]);
        }
        assertRulesAccepted([{ selection: { tagPrefixList: ["v"], storageClass: STORAGE_CLASSES[0] }, maximumNumberOfImages: 1 }]);
        assertRulesAccepted([{ selection: { tagPrefixList: ["v"], storageClass: STORAGE_CLASSES[1] }, maximumDaysInArchive: 90 }]);
        assertRulesRejected([{ selection: { tagStatus: "bogus" }, maximumNumberOfImages: 1 }], ["rules[0].selection.tagStatus", "but is \"bogus\""]);
        assertRulesRejected([{ selection: { tagPrefixList: ["v"], storageClass: "bogus" }, maximumNumberOfImages: 1 }],
            ["rules[0].selection.storageClass", "but is \"bogus\""]);
        assertRulesRejected([{ selection: "untagged", maximumAgeLimit: 30, action: "bogus" }], ["rules[0].action", "but is \"bogus\""]);
    });
});

describe("lifecycle.buildPolicy properties", () => {
    it("either rejects with at least one problem, or emits a document that satisfies every rule", () => {
        fc.assert(fc.property(anyArgs, (args) => {
            let document: PolicyDocument | undefined;
            try {
                document = buildPolicy(args);
            } catch (error) {
                assert.ok(error instanceof ValidationError, `threw something other than a ValidationError: ${String(error)}`);
                assert.ok(error.problems.length >= 1);
                assert.ok(error.problems.every((p) => p.propertyPath !== "" && p.reason !== ""));
                return;
            }
            if (document === undefined) {
                assert.equal(args.skip, true);
                return;
            }
            assert.deepEqual(violationsOf(document), []);
            assert.equal(document.rules.length, args.rules?.length ?? 1);
            assert.deepEqual(parsePolicyDocument(JSON.parse(JSON.stringify(document))), document);
        }), { numRuns: 300 });
    });

    it("accepts every valid rule list, keeping each rule's condition, count and action", () => {
        fc.assert(fc.property(validRules, (rules) => {
            const document = buildPolicy({ rules })!;
            assert.deepEqual(violationsOf(document), []);
            assert.equal(document.rules.length, rules.length);
            rules.forEach((rule, i) => {
                const emitted = document.rules.find((r) => r.description === `rule-${i}`);
                assert.ok(emitted, `rule-${i} is missing`);
                const condition = CONDITION_KEYS.find((key) => rule[key] !== undefined)!;
                assert.equal(emitted.selection.countType, COUNT_TYPE_OF[condition]);
                assert.equal(emitted.selection.countNumber, rule[condition]);
                assert.equal(emitted.action.type, rule.action === "archive" ? "transition" : "expire");
                if (rule.rulePriority !== undefined) {
                    assert.equal(emitted.rulePriority, rule.rulePriority);
                }
            });
        }), { numRuns: 300 });
    });
});
