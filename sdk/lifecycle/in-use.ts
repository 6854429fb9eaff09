import { describeValue, isRecord, joinPath, ProblemList } from "../validation/errors";

// What runs an image: the simulator cannot see workloads, so callers tell it, and it names them in the
// reasons of the images a rule would expire or archive.

/**
 * Something that runs an image, e.g. `{ kind: "ecs", name: "service api", detail: "in cluster prod (task
 * definition api:42, container web)" }`. The CLI's kinds are "ecs", "lambda" and "kubernetes"; others are
 * shown as given.
 */
export interface ImageUser {
    /** What sort of thing runs the image: "ecs", "lambda", "kubernetes", or another word, shown as given. */
    kind: string;
    /** Which one, e.g. `service api`. */
    name: string;
    /** Where and how it uses the image; may be empty. */
    detail: string;
}

/** Image digest → what uses it. An index's users cover its children only if the caller lists them there too. */
export type InUseMap = Readonly<Record<string, readonly ImageUser[]>>;

const KIND_LABELS: Readonly<Record<string, string>> = { ecs: "ECS", lambda: "Lambda", kubernetes: "Kubernetes" };

/**
 * A user of an image as a message names it: its kind's label, its name and its detail, such as
 * `ECS service api in cluster prod (task definition api:42)`. The simulator's reasons name users this way.
 */
export function describeUser(user: ImageUser): string {
    const label = KIND_LABELS[user.kind] ?? user.kind;
    return [label, user.name, user.detail].filter((part) => part !== "").join(" ");
}

/** `in use by ECS service api in cluster prod (task definition api:42) and 2 more`: the first user names the risk. */
export function describeUsers(users: readonly ImageUser[]): string {
    const more = users.length - 1;
    return `in use by ${describeUser(users[0])}${more > 0 ? ` and ${more} more` : ""}`;
}

/** The map checked, by digest; digests that no image has are allowed, as one map may cover many repositories. */
export function readInUse(inUse: unknown, problems: ProblemList): Map<string, readonly ImageUser[]> {
    const usersOf = new Map<string, readonly ImageUser[]>();
    if (inUse === undefined) {
        return usersOf;
    }
    if (!isRecord(inUse)) {
        problems.add("options.inUse", `must map image digests to lists of users ({ kind, name, detail }), but is ${describeValue(inUse)}.`);
        return usersOf;
    }
    for (const [digest, users] of Object.entries(inUse)) {
        const path = joinPath("options.inUse", digest);
        if (!Array.isArray(users)) {
            problems.add(path, `must be a list of users ({ kind, name, detail }), but is ${describeValue(users)}.`);
            continue;
        }
        // Every user is checked, so that one round trip shows every problem.
        const valid = users.map((user, index) => checkUser(user, joinPath(path, index), problems)).every(Boolean);
        if (valid && users.length > 0) {
            usersOf.set(digest, users as ImageUser[]);
        }
    }
    return usersOf;
}

function checkUser(user: unknown, path: string, problems: ProblemList): boolean {
    if (!isRecord(user)) {
        problems.add(path, `must be a user object { kind, name, detail }, but is ${describeValue(user)}.`);
        return false;
    }
    let valid = true;
    for (const field of ["kind", "name"] as const) {
        if (typeof user[field] !== "string" || user[field] === "") {
            problems.add(joinPath(path, field), `must be a non-empty string, such as ${field === "kind" ? "\"ecs\"" : "\"service api\""}, but is ${describeValue(user[field])}.`);
            valid = false;
        }
    }
    if (typeof user.detail !== "string") {
        problems.add(joinPath(path, "detail"), `must be a string (it may be empty), but is ${describeValue(user.detail)}.`);
        valid = false;
    }
    return valid;
}
