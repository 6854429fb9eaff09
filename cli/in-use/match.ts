// From the references workloads make to the digests of one repository they keep in use.
import { describeUser, ImageUser, shortDigest } from "../../sdk/lifecycle";
import { EcrRepositoryId, namesRepository, parseImageReference } from "./reference";
import { FoundReference } from "./source";

export interface RepositoryContents {
    id: EcrRepositoryId;
    images: ReadonlyArray<{ imageDigest?: string; imageTags?: readonly string[] | null }>;
    /** Index digest → child digests. */
    indexChildren: Readonly<Record<string, readonly string[]>>;
}

export interface Matches {
    /** Digest → its users, sorted; an index's users are its children's too, and a child's users its indexes'. */
    inUse: Record<string, ImageUser[]>;
    /** How many references named a tag, and so were matched to the digest the tag points to now. */
    byTag: number;
    /** References into the repository that name no image it holds: what already cannot be pulled. */
    missing: string[];
}

export function matchReferences(references: readonly FoundReference[], contents: RepositoryContents): Matches {
    const digestOfTag = new Map<string, string>();
    const digests = new Set<string>();
    for (const image of contents.images) {
        if (image.imageDigest !== undefined) {
            digests.add(image.imageDigest);
            image.imageTags?.forEach((tag) => digestOfTag.set(tag, image.imageDigest!));
        }
    }
    const indexesOf = new Map<string, string[]>();
    for (const [index, children] of Object.entries(contents.indexChildren)) {
        children.forEach((child) => indexesOf.set(child, [...indexesOf.get(child) ?? [], index]));
    }
    const usersOf = new Map<string, Map<string, ImageUser>>();
    const use = (digest: string, user: ImageUser) => {
        const users = usersOf.get(digest) ?? new Map<string, ImageUser>();
        users.set(`${user.kind}\n${user.name}\n${user.detail}`, user);
        usersOf.set(digest, users);
    };
    const missing = new Set<string>();
    let byTag = 0;
    for (const found of references) {
        const reference = parseImageReference(found.image);
        if (reference === undefined || !namesRepository(reference, contents.id)) {
            continue;
        }
        // A reference with both pulls the digest; one with neither pulls `latest`.
        const tag = reference.digest === undefined ? reference.tag ?? "latest" : undefined;
        const digest = reference.digest ?? digestOfTag.get(tag!);
        const via = tag === undefined ? found.via : [...found.via, `tag ${tag}, as it points now`];
        byTag += tag === undefined ? 0 : 1;
        if (digest === undefined || !digests.has(digest)) {
            missing.add(`${describeUser(userOf(found, found.via))} uses ${reference.repository}${tag !== undefined ? `:${tag}` : `@${shortDigest(digest!)}`}`);
            continue;
        }
        use(digest, userOf(found, via));
        for (const child of contents.indexChildren[digest] ?? []) {
            use(child, userOf(found, [...via, `through index ${shortDigest(digest)}`]));
        }
        // Expiring an index takes its children with it, so whoever pulls a child by digest needs the index too.
        for (const index of indexesOf.get(digest) ?? []) {
            use(index, userOf(found, [...via, `child ${shortDigest(digest)} of this index`]));
        }
    }
    const inUse: Record<string, ImageUser[]> = {};
    for (const [digest, users] of usersOf) {
        inUse[digest] = [...users.values()].sort(compareUsers);
    }
    return { inUse, byTag, missing: [...missing].sort() };
}

function userOf(found: FoundReference, via: readonly string[]): ImageUser {
    const how = via.length === 0 ? "" : `(${via.join(", ")})`;
    return { kind: found.kind, name: found.name, detail: [found.where, how].filter((part) => part !== "").join(" ") };
}

function compareUsers(a: ImageUser, b: ImageUser): number {
    return a.kind.localeCompare(b.kind, "en") || a.name.localeCompare(b.name, "en") || a.detail.localeCompare(b.detail, "en");
}
