// ECR's tag mutability modes: whether a pushed tag may be moved to another image, and which tags are the exception.
import { compileTagPattern } from "../lifecycle/tag-pattern";

export const IMAGE_TAG_MUTABILITIES = ["MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"] as const;
export type ImageTagMutability = typeof IMAGE_TAG_MUTABILITIES[number];

/** What a repository gets when imageTagMutability is left out (ECR's default too). */
export const DEFAULT_IMAGE_TAG_MUTABILITY: ImageTagMutability = "MUTABLE";

/** The modes whose exceptions imageTagMutabilityExclusionFilters name; the other modes take no filters. */
export const MUTABILITIES_WITH_EXCLUSION: readonly ImageTagMutability[] = ["IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"];

export function isImageTagMutability(value: unknown): value is ImageTagMutability {
    return (IMAGE_TAG_MUTABILITIES as readonly unknown[]).includes(value);
}

/** Whether ECR lets a tag be overwritten under a repository's mutability settings. */
export function isTagMutable(tag: string, mutability: ImageTagMutability, exclusionFilters: string[] = []): boolean {
    const matchesFilter = exclusionFilters.some((filter) => compileTagPattern(filter).test(tag));
    switch (mutability) {
        case "IMMUTABLE": return false;
        case "IMMUTABLE_WITH_EXCLUSION": return matchesFilter;
        case "MUTABLE_WITH_EXCLUSION": return !matchesFilter;
        case "MUTABLE": return true;
    }
}
