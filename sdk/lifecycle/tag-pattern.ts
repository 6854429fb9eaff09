/**
 * Compiles an ECR wildcard pattern (`*` matching any run of characters, over the whole tag) to a test.
 * Lifecycle `tagPatternList` entries and tag-mutability exclusion filters share this grammar.
 */
export function compileTagPattern(pattern: string): RegExp {
    return new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`);
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
