/** A compiled tag pattern: `test` says whether a whole tag matches it. */
export interface TagPattern {
    test(tag: string): boolean;
}

/**
 * Compiles an ECR wildcard pattern (`*` matching any run of characters, over the whole tag) to a test.
 * Lifecycle `tagPatternList` entries, tag-mutability exclusion filters and `--fail-on-expire` globs share
 * this grammar.
 *
 * A glob matcher rather than a regular expression: `^a.*b.*c$` backtracks, so that `*a*a*a*b` against a
 * 300-character tag of `a`s took most of a second. Here the literal pieces between the stars are found
 * left to right, each at its first place after the previous one; taking the first place is always right,
 * because a star can absorb whatever lies between. No piece is looked for twice, so a test costs at most
 * the tag's length times the pattern's, however many stars the pattern has.
 */
export function compileTagPattern(pattern: string): TagPattern {
    const pieces = pattern.split("*");
    if (pieces.length === 1) {
        return { test: (tag) => tag === pattern };
    }
    const head = pieces[0];
    const tail = pieces[pieces.length - 1];
    const middle = pieces.slice(1, -1).filter((piece) => piece !== "");
    // The common shapes, `prod*` and `*-rc`, are one string test each.
    if (middle.length === 0 && tail === "") {
        return { test: (tag) => tag.startsWith(head) };
    }
    if (middle.length === 0 && head === "") {
        return { test: (tag) => tag.endsWith(tail) };
    }
    const shortest = head.length + tail.length + middle.reduce((sum, piece) => sum + piece.length, 0);
    return {
        test(tag) {
            if (tag.length < shortest || !tag.startsWith(head) || !tag.endsWith(tail)) {
                return false;
            }
            let from = head.length;
            const end = tag.length - tail.length;
            for (const piece of middle) {
                const at = tag.indexOf(piece, from);
                if (at === -1 || at + piece.length > end) {
                    return false;
                }
                from = at + piece.length;
            }
            return true;
        },
    };
}

/** How many `*` a pattern has: ECR limits them, per tag pattern and per tag-mutability exclusion filter. */
export function countWildcards(pattern: string): number {
    return pattern.split("*").length - 1;
}
