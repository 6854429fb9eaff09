// How the simulator orders images: by push (or restore) time for ranking, and by digest to find repeats.
// Both sort a million slots, which a comparison sort makes the largest cost of a simulation; a radix sort
// on the keys' bits, with a comparison sort only within runs of equal keys, is several times faster.

/** Oldest push first, then by digest in code-unit order, so that the order does not depend on the locale. */
export function pushTimeComparator(pushedAt: Float64Array, digests: readonly string[]): (a: number, b: number) => number {
    return (a, b) => pushedAt[a] - pushedAt[b] || (digests[a] < digests[b] ? -1 : digests[a] > digests[b] ? 1 : 0);
}

/** The slots in `pushTimeComparator` order: a radix sort on the bits of the push times, then a comparison sort of each run of equal times. */
export function pushTimeOrder(pushedAt: Float64Array, digests: readonly string[]): Int32Array {
    const order = radixOrder(orderedBits(pushedAt), 2);
    const compare = pushTimeComparator(pushedAt, digests);
    forEachRun(order, (slot) => pushedAt[slot], (run) => run.sort(compare));
    return order;
}

/**
 * Each slot whose digest an earlier slot has too, mapped to the first slot with that digest, in slot order.
 * Sorts the slots by a hash of each digest and compares digests only within runs of equal hashes: a Map of
 * a million digests took a sixth of a whole simulation, and grows the heap that every garbage collection
 * then walks. Entries that are not strings are never repeats: they could not be ordered at all.
 */
export function repeatedDigests(digests: readonly unknown[]): Array<[repeat: number, first: number]> {
    const hashes = Uint32Array.from(digests, (digest) => (typeof digest === "string" ? digestHash(digest) : 0));
    const textOf = (slot: number) => (typeof digests[slot] === "string" ? digests[slot] as string : "");
    const byDigestThenSlot = (a: number, b: number) => (textOf(a) < textOf(b) ? -1 : textOf(a) > textOf(b) ? 1 : a - b);
    const firstSlotOf = new Map<number, number>();
    forEachRun(radixOrder(hashes, 1), (slot) => hashes[slot], (run) => {
        run.sort(byDigestThenSlot).forEach((slot, index) => {
            const previous = run[index - 1];
            if (index > 0 && typeof digests[slot] === "string" && digests[slot] === digests[previous]) {
                firstSlotOf.set(slot, firstSlotOf.get(previous) ?? previous);
            }
        });
    });
    return [...firstSlotOf].sort(([a], [b]) => a - b);
}

/**
 * FNV-1a over the last 16 characters: the end of a digest is as random as any part of it, and reading all
 * 71 characters of a million digests would cost more than the check. Digests that share their ends only
 * make the runs to compare longer.
 */
function digestHash(digest: string): number {
    let hash = 0x811c9dc5;
    for (let at = Math.max(0, digest.length - 16); at < digest.length; at++) {
        hash = Math.imul(hash ^ digest.charCodeAt(at), 0x01000193);
    }
    return hash >>> 0;
}

const RADIX_BITS = 16;
const RADIX_BUCKETS = 1 << RADIX_BITS;
// Where the high 32 bits of a float64 sit when it is viewed as two 32-bit words: 1 on little-endian machines.
const HIGH_WORD = new Uint32Array(new Float64Array([-0]).buffer)[1] === 0x80000000 ? 1 : 0;
const LOW_WORD = 1 - HIGH_WORD;

/**
 * The slots sorted, stably, by unsigned keys of `wordsPerKey` 32-bit words each (least significant word
 * first), 16 bits a pass. A pass in which every key has the same digit (such as the top bits of times
 * close together) is skipped.
 */
function radixOrder(keys: Uint32Array, wordsPerKey: number): Int32Array {
    const count = keys.length / wordsPerKey;
    let order = new Int32Array(count);
    for (let slot = 0; slot < count; slot++) {
        order[slot] = slot;
    }
    let spare = new Int32Array(count);
    const starts = new Int32Array(RADIX_BUCKETS + 1);
    for (let pass = 0; pass < wordsPerKey * 2; pass++) {
        const word = pass >> 1;
        const shift = (pass & 1) * RADIX_BITS;
        starts.fill(0);
        for (let slot = 0; slot < count; slot++) {
            starts[((keys[wordsPerKey * slot + word] >>> shift) & (RADIX_BUCKETS - 1)) + 1]++;
        }
        if (starts.includes(count)) {
            continue;
        }
        for (let bucket = 0; bucket < RADIX_BUCKETS; bucket++) {
            starts[bucket + 1] += starts[bucket];
        }
        for (let position = 0; position < count; position++) {
            const slot = order[position];
            spare[starts[(keys[wordsPerKey * slot + word] >>> shift) & (RADIX_BUCKETS - 1)]++] = slot;
        }
        [order, spare] = [spare, order];
    }
    return order;
}

/** Calls `visit` with each run (two or more) of neighbouring slots in `order` that have the same key, in place. */
function forEachRun(order: Int32Array, key: (slot: number) => number, visit: (run: Int32Array) => void): void {
    for (let start = 0, end = 1; start < order.length; start = end, end = start + 1) {
        while (end < order.length && key(order[end]) === key(order[start])) {
            end++;
        }
        if (end - start > 1) {
            visit(order.subarray(start, end));
        }
    }
}

/**
 * Each time's IEEE 754 bits as two unsigned 32-bit words, low then high, that compare like the numbers
 * do: the sign bit flipped for positive numbers, every bit flipped for negative ones.
 */
function orderedBits(times: Float64Array): Uint32Array {
    const native = new Uint32Array(times.buffer, times.byteOffset, times.length * 2);
    const keys = new Uint32Array(times.length * 2);
    for (let slot = 0; slot < times.length; slot++) {
        const low = native[2 * slot + LOW_WORD];
        const high = native[2 * slot + HIGH_WORD];
        const negative = (high & 0x80000000) !== 0;
        keys[2 * slot] = negative ? ~low : low;
        keys[2 * slot + 1] = negative ? ~high : high ^ 0x80000000;
    }
    return keys;
}
