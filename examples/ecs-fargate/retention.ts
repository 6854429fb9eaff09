import type { lifecycle } from "ecrx";

/**
 * Which images the repository keeps. ECR applies the rules in order, and an image selected by one rule is
 * never acted on by a later one, so the ten newest releases survive the 90-day rule however old they are.
 * The service runs its image by digest: when `latest` moves, the image it ran before becomes untagged and
 * stays for seven days, which is the window for rolling back to it.
 */
export const retentionRules: lifecycle.LifecycleRule[] = [
    { selection: { tagPatternList: ["v*"] }, maximumNumberOfImages: 10, description: "keep the 10 newest v* releases" },
    { selection: "untagged", maximumAgeLimit: 7, description: "expire untagged images after 7 days" },
    { selection: "any", maximumAgeLimit: 90, description: "keep any other image at most 90 days" },
];
