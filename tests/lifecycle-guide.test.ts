// The Amazon ECR user guide, rule by rule: each test quotes the sentence of the guide (Lifecycle policy
// properties; Examples of lifecycle policies; Archiving an image; Service quotas; the API reference for
// ImageDetail) that it holds ecrx to, and checks buildPolicy, parsePolicyDocument/parsePolicyText and the
// simulator against it.
import { strict as assert } from "node:assert";
import {
    buildPolicy,
    LifecycleImage,
    LifecycleRule,
    parsePolicyDocument,
    parsePolicyText,
    PolicyDocument,
    simulate,
    SimulationResult,
    ValidationProblem,
} from "../sdk/lifecycle";
import { daysAgo, digest, image, NOW, OCI_INDEX, problemsThrownBy, resultFor } from "./support/lifecycle-fixtures";

function actions(result: SimulationResult): Record<string, string> {
    return Object.fromEntries(result.images.map((entry) => [entry.imageDigest.slice(7, 8).toUpperCase(), entry.action]));
}

function rulesProblems(rules: unknown[]): ValidationProblem[] {
    return problemsThrownBy(() => buildPolicy({ rules: rules as LifecycleRule[] }));
}

const run = (policy: PolicyDocument, images: LifecycleImage[], indexChildren?: Record<string, string[]>) =>
    simulate(policy, images, { now: new Date(NOW), ...(indexChildren ? { indexChildren } : {}) });

describe("the ECR user guide, rule by rule", () => {
    describe("Lifecycle policy properties", () => {
        it('"you must give them each a unique value for rulePriority"', () => {
            const problems = rulesProblems([
                { selection: { tagPrefixList: ["a"] }, maximumNumberOfImages: 1, rulePriority: 3 },
                { selection: { tagPrefixList: ["b"] }, maximumNumberOfImages: 1, rulePriority: 3 },
            ]);
            assert.deepEqual(problems.map((p) => p.propertyPath), ["rules[1].rulePriority"]);
            assert.match(problems[0].reason, /rulePriority 3 is already used by rules\[0\]\.rulePriority/);
        });

        it('"Values don\'t need to be sequential across rules in a policy."', () => {
            const policy = buildPolicy({ rules: [
                { selection: { tagPrefixList: ["a"] }, maximumNumberOfImages: 1, rulePriority: 10 },
                { selection: { tagPrefixList: ["b"] }, maximumNumberOfImages: 1, rulePriority: 2 },
            ] })!;
            assert.deepEqual(policy.rules.map((rule) => rule.rulePriority), [2, 10]);
        });

        it('"A rule with a tagStatus value of any must have the highest value for rulePriority and be evaluated last."', () => {
            const problems = rulesProblems([
                { selection: "any", maximumNumberOfImages: 5, rulePriority: 1 },
                { selection: { tagPrefixList: ["a"] }, maximumNumberOfImages: 1, rulePriority: 2 },
            ]);
            assert.deepEqual(problems.map((p) => p.propertyPath), ["rules[0].rulePriority"]);
            // Left without a priority, the "any" rule is placed last.
            const placed = buildPolicy({ rules: [{ selection: "any", maximumNumberOfImages: 5 }, { selection: { tagPrefixList: ["a"] }, maximumNumberOfImages: 1, rulePriority: 7 }] })!;
            assert.deepEqual(placed.rules.map((rule) => [rule.rulePriority, rule.selection.tagStatus]), [[7, "tagged"], [8, "any"]]);
        });

        it('"If you specify tagged, then you must also specify a tagPrefixList value or a tagPatternList value. If you specify untagged, then you must omit both tagPrefixList and tagPatternList."', () => {
            const tagged = problemsThrownBy(() => parsePolicyDocument({ rules: [
                { rulePriority: 1, selection: { tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
            ] }));
            assert.match(tagged[0].reason, /needs exactly one of tagPrefixList or tagPatternList, but has neither/);
            const untagged = problemsThrownBy(() => parsePolicyDocument({ rules: [
                { rulePriority: 1, selection: { tagStatus: "untagged", tagPatternList: ["a*"], countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
            ] }));
            assert.deepEqual(untagged.map((p) => p.propertyPath), ["rules[0].selection.tagPatternList"]);
        });

        it('"If you specify any, then all images have the rule evaluated against them."', () => {
            const result = run(buildPolicy({ rules: [{ selection: "any", maximumNumberOfImages: 1 }] })!,
                [image("A", ["x"], 3), image("B", [], 2), image("C", ["y"], 1)]);
            assert.deepEqual(actions(result), { A: "expire", B: "expire", C: "keep" });
        });

        it('"if your images are tagged as prod, prod1, prod2, and so on, you would use the tag pattern list prod* to specify all of them."', () => {
            const result = run(buildPolicy({ rules: [{ selection: { tagPatternList: ["prod*"] }, maximumNumberOfImages: 1 }] })!,
                [image("A", ["prod"], 4), image("B", ["prod1"], 3), image("C", ["prod2"], 2), image("D", ["preprod"], 1)]);
            assert.deepEqual(actions(result), { A: "expire", B: "expire", C: "keep", D: "keep" });
            assert.equal(resultFor(result, "D").reason, "no rule selects it");
        });

        it('"If you specify multiple tags, only the images with all specified tags are selected." — and ecrx says so, since users expect OR', () => {
            const policy = buildPolicy({ rules: [{ selection: { tagPatternList: ["prod*", "stable"] }, maximumNumberOfImages: 1 }] })!;
            const result = run(policy, [image("A", ["prod-1"], 3), image("B", ["prod-2", "stable"], 2), image("C", ["stable"], 1)]);
            assert.equal(resultFor(result, "A").reason, "no rule selects it");
            assert.equal(resultFor(result, "C").reason, "no rule selects it");
            assert.deepEqual(result.notes, ['rules[0].selection.tagPatternList has 2 entries: it selects only images that have a tag matching each of ' +
                '"prod*", "stable" (AND, not OR). If you meant images with any of them, write one rule per entry.']);
        });

        it('"There is a maximum limit of four wildcards (*) per string. For example, ["*test*1*2*3", "test*1*2*3*"] is valid but ["test*1*2*3*4*5*6"] is invalid."', () => {
            // The guide's valid example is a two-entry list; one rule per entry keeps the example about wildcards.
            assert.ok(buildPolicy({ rules: [
                { selection: { tagPatternList: ["*test*1*2*3"] }, maximumNumberOfImages: 1 },
                { selection: { tagPatternList: ["test*1*2*3*"] }, maximumNumberOfImages: 1 },
            ] }));
            const problems = rulesProblems([{ selection: { tagPatternList: ["test*1*2*3*4*5*6"] }, maximumNumberOfImages: 1 }]);
            assert.deepEqual(problems.map((p) => [p.propertyPath, p.reason]), [["rules[0].selection.tagPatternList[0]",
                'has 6 wildcards, but ECR allows at most 4 "*" per pattern: simplify the pattern.']]);
        });

        it('sinceImagePulled "must be used with the transition action. It cannot be used with the expire action."', () => {
            const problems = rulesProblems([{ selection: "untagged", maximumDaysSinceLastPull: 30 }]);
            assert.deepEqual(problems.map((p) => p.propertyPath), ["rules[0].maximumDaysSinceLastPull"]);
            assert.match(problems[0].reason, /^maximumDaysSinceLastPull \(sinceImagePulled\) only archives images: ECR rejects it with the expire action\. Archive them instead/);
            const document = { rules: [{ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePulled", countUnit: "days", countNumber: 30 }, action: { type: "expire" } }] };
            assert.deepEqual(problemsThrownBy(() => parsePolicyDocument(document)).map((p) => p.propertyPath), ["rules[0].selection.countType"]);
            assert.deepEqual(problemsThrownBy(() => simulate(document as PolicyDocument, [])).map((p) => p.propertyPath), ["rules[0].selection.countType"]);
            assert.ok(buildPolicy({ rules: [{ selection: "untagged", maximumDaysSinceLastPull: 30, action: "archive" }] }));
        });
    });

    describe("Examples of lifecycle policies", () => {
        it('Filtering on image age: "expires images with a tag starting with prod by using a tagPatternList of prod* that are also older than 14 days"', () => {
            const guideText = `{
    "rules": [
        {
            "rulePriority": 1,
            "description": "Expire images older than 14 days",
            "selection": {
                "tagStatus": "tagged",
                "tagPatternList": ["prod*"],
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14
            },
            "action": {
                "type": "expire"
            }
        }
    ]
}`;
            const policy = parsePolicyText(guideText);
            assert.deepEqual(policy, buildPolicy({ rules: [{ description: "Expire images older than 14 days", selection: { tagPatternList: ["prod*"] }, maximumAgeLimit: 14 }] }));
            const result = run(policy, [image("A", ["prod-1"], 20), image("B", ["prod-2"], 10), image("C", ["dev-1"], 30)]);
            assert.deepEqual(actions(result), { C: "keep", A: "expire", B: "keep" });
            assert.match(resultFor(result, "B").reason, /pushed 10 days ago, not more than 14 days$/);
        });

        it('Filtering on image count: "keeps only one untagged image and expires all others"', () => {
            const policy = parsePolicyText('{"rules":[{"rulePriority":1,"description":"Keep only one untagged image, expire all others",' +
                '"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}');
            const result = run(policy, [image("A", [], 3), image("B", [], 2), image("C", [], 1), image("T", ["v1"], 4)]);
            assert.deepEqual(actions(result), { T: "keep", A: "expire", B: "expire", C: "keep" });
        });

        it('Example A: "Rule 1 identifies images tagged with prefix prod. It should mark images, starting with the oldest, until there is one or fewer images remaining that match."', () => {
            const policy = parsePolicyDocument({ rules: [
                { rulePriority: 1, description: "Rule 1", selection: { tagStatus: "tagged", tagPatternList: ["prod*"], countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
                { rulePriority: 2, description: "Rule 2", selection: { tagStatus: "tagged", tagPatternList: ["beta*"], countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
            ] });
            const result = run(policy, [image("A", ["beta-1", "prod-1"], 10), image("B", ["beta-2", "prod-2"], 9), image("C", ["beta-3"], 8)]);
            // Rule 2 would also mark B, but B was seen by rule 1, which keeps it: only A is expired.
            assert.deepEqual(actions(result), { A: "expire", B: "keep", C: "keep" });
            assert.match(resultFor(result, "B").reason, /rule 2 would expire it, but rule 1 selected it first$/);
        });
    });

    describe("Archiving an image", () => {
        it('"You cannot configure lifecycle policies that delete images that have been in archive for less than 90 days."', () => {
            const problems = rulesProblems([{ selection: { tagStatus: "any", storageClass: "archive" }, maximumDaysInArchive: 89 }]);
            assert.match(problems[0].reason, /ECR keeps archived images at least 90 days before they may expire: use 90 or more\./);
            assert.ok(buildPolicy({ rules: [{ selection: { tagStatus: "any", storageClass: "archive" }, maximumDaysInArchive: 90 }] }));
        });

        it("lastActivatedAt, \"when the image was last restored from Amazon ECR archive to Amazon ECR standard\", counts for sinceImagePulled when the image was not pulled since", () => {
            const policy = buildPolicy({ rules: [{ selection: "untagged", maximumDaysSinceLastPull: 30, action: "archive" }] })!;
            const result = run(policy, [
                image("R", [], 200, { lastRecordedPullTime: daysAgo(150), lastActivatedAt: daysAgo(5) }),
                image("P", [], 200, { lastRecordedPullTime: daysAgo(2), lastActivatedAt: daysAgo(40) }),
                image("O", [], 200, { lastRecordedPullTime: daysAgo(150), lastActivatedAt: daysAgo(45) }),
            ]);
            assert.deepEqual(actions(result), { O: "archive", P: "keep", R: "keep" });
            assert.equal(resultFor(result, "R").reason, "rule 1 (untagged, not pulled for 30 days): restored from archive 5 days ago and not pulled since, " +
                "so the restore counts, not more than 30 days");
            assert.match(resultFor(result, "P").reason, /: last pulled 2 days ago, not more than 30 days$/);
        });

        it("a restored image's lastActivatedAt takes the place of its push time in the order images expire in; age rules still count from the push, and say so", () => {
            const images = [
                image("R", ["v-1"], 300, { lastActivatedAt: daysAgo(1) }),
                image("A", ["v-2"], 20),
                image("B", ["v-3"], 10),
            ];
            const byCount = run(buildPolicy({ rules: [{ selection: { tagPrefixList: ["v-"] }, maximumNumberOfImages: 2 }] })!, images);
            assert.deepEqual(actions(byCount), { A: "expire", B: "keep", R: "keep" });
            assert.deepEqual(byCount.images.map((entry) => entry.imageDigest), [digest("A"), digest("B"), digest("R")]);
            assert.match(resultFor(byCount, "R").reason, /newest of 3 matching \(ranked by its restore from archive 1 day ago\), within the newest 2$/);
            const byAge = run(buildPolicy({ rules: [{ selection: { tagPrefixList: ["v-"] }, maximumAgeLimit: 100 }] })!, images);
            assert.equal(resultFor(byAge, "R").action, "expire");
            assert.match(resultFor(byAge, "R").reason, /pushed 300 days ago, more than 100 days \(restored from archive 1 day ago; age counts from the push\)$/);
        });
    });

    describe("image indexes and referrers", () => {
        const untaggedKeepOne = () => buildPolicy({ rules: [{ selection: "untagged", maximumNumberOfImages: 1 }] })!;

        it('a child "cannot be expired or archived without the manifest list being deleted or archived first": an archived index protects nothing', () => {
            const images = [
                image("I", ["v1"], 9, { imageManifestMediaType: OCI_INDEX, imageStatus: "ARCHIVED", lastArchivedAt: daysAgo(3) }),
                image("C", [], 9),
                image("N", [], 1),
            ];
            const result = run(untaggedKeepOne(), images, { [digest("I")]: [digest("C")] });
            assert.deepEqual(actions(result), { C: "expire", I: "keep", N: "keep" });
            assert.match(resultFor(result, "C").reason, /; index sha256:iiiiiiiiiiii is archived, so it no longer protects it$/);
        });

        it("an index expired in the same run stops protecting its children; one that stays keeps them", () => {
            const policy = buildPolicy({ rules: [{ selection: { tagPrefixList: ["v"] }, maximumNumberOfImages: 1 }, { selection: "untagged", maximumNumberOfImages: 1 }] })!;
            const images = [
                image("I", ["v1"], 9, { imageManifestMediaType: OCI_INDEX }),
                image("J", ["v2"], 5, { imageManifestMediaType: OCI_INDEX }),
                image("C", [], 9), image("D", [], 5), image("N", [], 1),
            ];
            const result = run(policy, images, { [digest("I")]: [digest("C")], [digest("J")]: [digest("D")] });
            assert.deepEqual(actions(result), { I: "expire", C: "expire", J: "keep", D: "keep", N: "keep" });
            assert.match(resultFor(result, "C").reason, /; index sha256:iiiiiiiiiiii expires in this run, so it no longer protects it$/);
            assert.match(resultFor(result, "D").reason, /, but index sha256:jjjjjjjjjjjj references it and stays/);
        });

        it("a child of two indexes is kept while either stays", () => {
            const images = [
                image("I", ["v1"], 9, { imageManifestMediaType: OCI_INDEX, imageStatus: "ARCHIVED", lastArchivedAt: daysAgo(3) }),
                image("J", ["v2"], 9, { imageManifestMediaType: OCI_INDEX }),
                image("C", [], 9), image("N", [], 1),
            ];
            const result = run(untaggedKeepOne(), images, { [digest("I")]: [digest("C")], [digest("J")]: [digest("C")] });
            assert.equal(resultFor(result, "C").action, "keep");
            assert.match(resultFor(result, "C").reason, /index sha256:jjjjjjjjjjjj references it and stays/);
        });

        it('referrers are expired or archived "within 24 hours of the deletion or archival of the subject image"', () => {
            const policy = buildPolicy({ rules: [{ selection: { tagPrefixList: ["nightly"] }, maximumAgeLimit: 30, action: "archive" }] })!;
            const images = [
                image("S", ["nightly-1"], 40),
                image("T", [], 40, { subjectManifestDigest: digest("S") }),
                image("A", ["nightly-2"], 50, { imageStatus: "ARCHIVED", lastArchivedAt: daysAgo(10) }),
                image("B", [], 50, { subjectManifestDigest: digest("A") }),
                image("C", [], 50, { subjectManifestDigest: digest("A"), imageStatus: "ARCHIVED", lastArchivedAt: daysAgo(10) }),
                image("G", [], 50, { subjectManifestDigest: digest("Z") }),
            ];
            const result = run(policy, images);
            assert.deepEqual(actions(result), { A: "keep", B: "archive", C: "keep", G: "expire", S: "archive", T: "archive" });
            assert.equal(resultFor(result, "T").reason, "referrer of sha256:ssssssssssss: archived with its subject (rule 1)");
            assert.equal(resultFor(result, "B").reason, "referrer of sha256:aaaaaaaaaaaa: archived with its subject (archived already)");
            assert.equal(resultFor(result, "C").reason, "referrer of sha256:aaaaaaaaaaaa: already archived, as its subject is");
            assert.match(resultFor(result, "G").reason, /which is not among the images: ECR deletes the referrers of a deleted subject within 24 hours$/);
        });
    });

    describe("Service quotas", () => {
        it('"Lifecycle policy length | 30,720 | No | The maximum number of characters in a lifecycle policy." — measured on the exact text ECR receives', () => {
            const compact = JSON.stringify(buildPolicy({ rules: [{ selection: "untagged", maximumNumberOfImages: 1, description: "d".repeat(30_500) }] }));
            assert.ok(compact.length <= 30_720);
            // The same document, pretty-printed as a file would be, is longer than ECR accepts.
            const pretty = JSON.stringify(JSON.parse(compact), null, 4).replace("\"d", `${" ".repeat(300)}"d`);
            const problems = problemsThrownBy(() => parsePolicyText(pretty));
            assert.deepEqual(problems.map((p) => p.propertyPath), ["rules"]);
            assert.match(problems[0].reason, new RegExp(`^the policy JSON is ${pretty.length} characters, but ECR accepts at most 30720`));
            assert.deepEqual(parsePolicyText(compact), JSON.parse(compact));
        });

        it("Rules per lifecycle policy: at most 50, a quota that cannot be raised", () => {
            const rules = (count: number) => Array.from({ length: count }, (_, index) => ({ selection: { tagPrefixList: [`p${index}`] }, maximumNumberOfImages: 1 }));
            assert.equal(buildPolicy({ rules: rules(50) })!.rules.length, 50);
            const problems = rulesProblems(rules(51));
            assert.deepEqual(problems.map((p) => [p.propertyPath, p.reason]), [["rules",
                "has 51 rules, but ECR allows at most 50 per policy (a quota that cannot be raised): merge rules that select alike."]]);
            const document = buildPolicy({ rules: rules(50) })!;
            document.rules.push({ ...document.rules[0], rulePriority: 51, selection: { ...document.rules[0].selection, tagPrefixList: ["p50"] } });
            assert.deepEqual(problemsThrownBy(() => parsePolicyDocument(document)).map((p) => p.propertyPath), ["rules"]);
        });
    });
});
