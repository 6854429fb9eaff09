import { CountType } from "./types";

/** The times of the images, one slot per image, in epoch milliseconds; NaN where an image has no such time. */
export interface ImageTimes {
    readonly pushedAt: Float64Array;
    /** NaN when never restored from archive. */
    readonly activatedAt: Float64Array;
    /** NaN when ECR recorded no pull. */
    readonly pulledAt: Float64Array;
    /** NaN when never archived. */
    readonly archivedAt: Float64Array;
}

/**
 * The moment an age condition counts from. `sinceImagePulled` counts from the last pull, or, for an image
 * restored from archive and not pulled since, from its restore (`lastActivatedAt`); from the push when ECR
 * recorded neither. `sinceImagePushed` always counts from the push, a restored image's too: its name says
 * push, and the guide does not say otherwise (the reason says when an image was restored).
 */
export function agingStart(countType: CountType, times: ImageTimes, slot: number): number {
    switch (countType) {
        case "sinceImagePulled": {
            const pulledAt = times.pulledAt[slot];
            const activatedAt = times.activatedAt[slot];
            if (!Number.isNaN(activatedAt) && !(pulledAt > activatedAt)) {
                return activatedAt;
            }
            return Number.isNaN(pulledAt) ? times.pushedAt[slot] : pulledAt;
        }
        case "sinceImageTransitioned": return times.archivedAt[slot];
        default: return times.pushedAt[slot];
    }
}
