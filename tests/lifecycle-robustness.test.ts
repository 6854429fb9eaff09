// buildPolicy, parsePolicyDocument and simulate are public: whatever a caller passes, the answer is a
// result or a ValidationError naming the path of each problem, never a TypeError from deep inside.
import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import { buildPolicy, LifecycleImage, LifecycleRule, parsePolicyDocument, PolicyDocument, simulate, ValidationError, ValidationProblem } from "../sdk/lifecycle";

const NOW = "2025-06-01T12:00:00Z";
const VALID_POLICY = buildPolicy({ rules: [{ selection: "untagged", maximumNumberOfImages: 1 }] })!;
const VALID_IMAGE = { imageDigest: `sha256:${"a".repeat(64)}`, imagePushedAt: "2025-05-01T00:00:00Z" };

/** Runs `action`; it must return, or throw a ValidationError whose every problem has a path and a reason. */
function answersCleanly(action: () => unknown): ValidationProblem[] {
    try {
        action();
        return [];
    } catch (error) {
        assert.ok(ValidationError.isInstance(error), `threw ${error instanceof Error ? error.stack : String(error)}`);
        assert.ok(error.problems.length > 0);
        for (const problem of error.problems) {
            assert.equal(typeof problem.propertyPath, "string");
            assert.ok(problem.reason.length > 0);
        }
        return error.problems;
    }
}

function problemPaths(action: () => unknown): string[] {
    const problems = answersCleanly(action);
    assert.ok(problems.length > 0, "expected a ValidationError");
    return problems.map((problem) => problem.propertyPath);
}

/** Every odd kind of value fast-check knows: BigInts, boxed values, Maps, null prototypes, sparse arrays, ... */
const oddValue = fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
    withUnicodeString: true,
    maxDepth: 3,
});

/** Plausible shapes with odd values in their fields, so the checks get past the first `isRecord`. */
const oddRule = fc.record({
    selection: fc.oneof(oddValue, fc.constantFrom("untagged", "any", "tagged"),
        fc.record({ tagPrefixList: fc.oneof(oddValue, fc.array(oddValue)), tagStatus: oddValue, storageClass: oddValue }, { requiredKeys: [] })),
    maximumNumberOfImages: fc.oneof(oddValue, fc.bigInt(), fc.double()),
    action: oddValue,
    rulePriority: fc.oneof(oddValue, fc.double()),
    description: oddValue,
}, { requiredKeys: ["selection"] });

const oddDocumentRule = fc.record({
    rulePriority: fc.oneof(oddValue, fc.double()),
    selection: fc.oneof(oddValue, fc.record({
        tagStatus: fc.oneof(oddValue, fc.constantFrom("tagged", "untagged", "any")),
        tagPatternList: fc.oneof(oddValue, fc.array(oddValue), fc.sparseArray(fc.string())),
        countType: fc.oneof(oddValue, fc.constantFrom("imageCountMoreThan", "sinceImagePulled")),
        countUnit: oddValue,
        countNumber: fc.oneof(oddValue, fc.double()),
    }, { requiredKeys: [] })),
    action: fc.oneof(oddValue, fc.record({ type: oddValue, targetStorageClass: oddValue }, { requiredKeys: [] })),
}, { requiredKeys: [] });

const oddImage = fc.record({
    imageDigest: fc.oneof(oddValue, fc.constantFrom(VALID_IMAGE.imageDigest, `sha256:${"b".repeat(64)}`)),
    imageTags: fc.oneof(oddValue, fc.array(oddValue), fc.sparseArray(fc.string())),
    imagePushedAt: fc.oneof(oddValue, fc.double(), fc.constant(VALID_IMAGE.imagePushedAt)),
    lastRecordedPullTime: oddValue,
    lastActivatedAt: oddValue,
    imageStatus: fc.oneof(oddValue, fc.constantFrom("ACTIVE", "ARCHIVED")),
    subjectManifestDigest: fc.oneof(oddValue, fc.constant(VALID_IMAGE.imageDigest)),
    imageManifestMediaType: oddValue,
}, { requiredKeys: [] });

describe("lifecycle functions answer malformed input with a ValidationError, never a TypeError", () => {
    it("buildPolicy, for any value and any rule list", () => {
        fc.assert(fc.property(fc.oneof(oddValue, fc.record({ rules: fc.oneof(oddValue, fc.array(oddRule), fc.sparseArray(oddRule)), skip: oddValue }, { requiredKeys: [] })),
            (args) => { answersCleanly(() => buildPolicy(args as never)); }), { numRuns: 400 });
    });

    it("parsePolicyDocument, for any value and any rule list", () => {
        fc.assert(fc.property(fc.oneof(oddValue, fc.record({ rules: fc.oneof(oddValue, fc.array(oddDocumentRule), fc.sparseArray(oddDocumentRule)) })),
            (raw) => { answersCleanly(() => parsePolicyDocument(raw)); }), { numRuns: 400 });
    });

    it("simulate, for any images and options", () => {
        fc.assert(fc.property(
            fc.oneof(oddValue, fc.array(fc.oneof(oddImage, oddValue)), fc.sparseArray(oddImage)),
            fc.oneof(oddValue, fc.record({ now: oddValue, indexChildren: fc.oneof(oddValue, fc.dictionary(fc.constant(VALID_IMAGE.imageDigest), oddValue)) }, { requiredKeys: [] })),
            (images, options) => { answersCleanly(() => simulate(VALID_POLICY, images as never, options as never)); }), { numRuns: 400 });
    });

    it("names the path of a BigInt, a huge number, a hole and a cycle", () => {
        const cyclic: Record<string, unknown> = { tagPrefixList: ["a"] };
        cyclic.self = cyclic;
        const rules = [
            { selection: "untagged", maximumNumberOfImages: 5n },
            { selection: { tagPrefixList: ["b"] }, maximumAgeLimit: 1e300 },
            ,
            { selection: cyclic, maximumNumberOfImages: 1 },
        ] as unknown as LifecycleRule[];
        const problems = answersCleanly(() => buildPolicy({ rules }));
        assert.deepEqual(problems.map((problem) => [problem.propertyPath, problem.reason]), [
            ["rules[0].maximumNumberOfImages", "must be a number, but is the BigInt 5n."],
            ["rules[2]", "must be a rule object with a selection and one condition, but is nothing."],
            ["rules[3].selection.self", "is not a field of a selection; use one of tagStatus, tagPrefixList, tagPatternList, storageClass."],
            ["rules[1].maximumAgeLimit", "must be a whole number from 1 to 2147483647, but is 1e+300."],
        ]);
    });

    it("refuses a tag list with a hole instead of emitting null, and a rule list or policy with odd prototypes is read like any other", () => {
        // eslint-disable-next-line no-sparse-arrays
        assert.deepEqual(problemPaths(() => buildPolicy({ rules: [{ selection: { tagPrefixList: ["a", , "b"] as string[] }, maximumNumberOfImages: 1 }] })),
            ["rules[0].selection.tagPrefixList"]);
        const bare = <T extends object>(value: T): T => Object.assign(Object.create(null), value);
        const nullPrototypeList = Object.setPrototypeOf([bare({ selection: "untagged", maximumNumberOfImages: 1 })], null);
        assert.deepEqual(buildPolicy(bare({ rules: nullPrototypeList })), VALID_POLICY);
        const document = bare({ rules: Object.setPrototypeOf([bare({ ...VALID_POLICY.rules[0], selection: bare({ ...VALID_POLICY.rules[0].selection }) })], null) });
        assert.deepEqual(parsePolicyDocument(document), VALID_POLICY);
        assert.equal(simulate(document as PolicyDocument, [VALID_IMAGE], { now: NOW }).images[0].action, "keep");
    });

    it("simulate names null options, non-string digests, a BigInt push time and a push time of 1e300", () => {
        assert.deepEqual(problemPaths(() => simulate(VALID_POLICY, [VALID_IMAGE], null as never)), ["options"]);
        const images = [
            { imageDigest: 42, imagePushedAt: VALID_IMAGE.imagePushedAt },
            { imageDigest: Object.create(null), imagePushedAt: VALID_IMAGE.imagePushedAt },
            { imageDigest: `sha256:${"c".repeat(64)}`, imagePushedAt: 10n },
            { imageDigest: `sha256:${"d".repeat(64)}`, imagePushedAt: 1e300 },
        ] as unknown as LifecycleImage[];
        const problems = answersCleanly(() => simulate(VALID_POLICY, images, { now: NOW }));
        assert.deepEqual(problems.map((problem) => problem.propertyPath),
            ["images[0].imageDigest", "images[1].imageDigest", "images[2].imagePushedAt", "images[3].imagePushedAt"]);
        assert.match(problems[2].reason, /but is the BigInt 10n\.$/);
        assert.match(problems[3].reason, /but is 1e\+300\.$/);
    });
});
