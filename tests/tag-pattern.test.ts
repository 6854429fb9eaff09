// The tag glob matcher shared by lifecycle tagPatternList, tag-mutability exclusion filters and
// --fail-on-expire: `*` matches any run of characters, the pattern spans the whole tag.
import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import { compileTagPattern, countWildcards } from "../sdk/lifecycle/tag-pattern";
import { globMatches } from "./support/lifecycle-fixtures";

describe("compileTagPattern", () => {
    it("matches whole tags, with * for any run of characters (none too), and every other character literal", () => {
        const cases: Array<[string, string, boolean]> = [
            ["prod*", "prod", true], ["prod*", "prod-1", true], ["prod*", "preprod", false],
            ["*-rc*", "v1-rc2", true], ["*-rc*", "v1rc2", false], ["v1.2-*", "v1x2-rc1", false],
            ["a*b*c", "abc", true], ["a*b*c", "acb", false], ["*", "", true], ["**", "x", true],
            ["latest", "latest", true], ["latest", "latest2", false], ["a*a", "a", false], ["*a*a*a*b", "aaab", true],
        ];
        for (const [pattern, tag, expected] of cases) {
            assert.equal(compileTagPattern(pattern).test(tag), expected, `${pattern} against ${tag}`);
        }
    });

    it("agrees with a recursive glob on random patterns and tags over a small alphabet", () => {
        const text = (max: number) => fc.array(fc.constantFrom("a", "b", "."), { maxLength: max }).map((chars) => chars.join(""));
        const pattern = fc.array(fc.oneof(fc.constantFrom("a", "b", ".", "-"), fc.constant("*")), { maxLength: 8 }).map((chars) => chars.join(""));
        fc.assert(fc.property(pattern, text(12), (p, tag) => {
            assert.equal(compileTagPattern(p).test(tag), globMatches(p, tag));
        }), { numRuns: 2000 });
    });

    it("answers the adversarial case (*a*a*a*b against 300 a's) correctly, where a backtracking regex takes most of a second", () => {
        const pattern = compileTagPattern("*a*a*a*b");
        assert.equal(pattern.test("a".repeat(300)), false);
        assert.equal(pattern.test(`${"a".repeat(299)}b`), true);
        // bench:lifecycle measures the time; a test only checks the answer.
    });
});

describe("countWildcards", () => {
    it("counts every *, at either end and side by side too", () => {
        const pattern = fc.array(fc.constantFrom("a", ".", "*"), { maxLength: 12 }).map((chars) => chars.join(""));
        fc.assert(fc.property(pattern, (p) => {
            assert.equal(countWildcards(p), [...p].filter((char) => char === "*").length);
        }), { numRuns: 500 });
    });
});
