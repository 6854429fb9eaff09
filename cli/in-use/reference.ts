// Image references as workloads write them, and whether one names a given ECR repository.

export interface ImageReference {
    /** `123456789012.dkr.ecr.eu-west-1.amazonaws.com`. */
    registry: string;
    /** `team/app`. */
    repository: string;
    tag?: string;
    digest?: string;
}

/** An ECR repository, as its image references name it. */
export interface EcrRepositoryId {
    registryId: string;
    region: string;
    repository: string;
}

// `<account>.dkr.ecr.<region>.amazonaws.com`, its China, FIPS and dual-stack (`dkr-ecr…on.aws`) forms.
const ECR_REGISTRY = /^(\d{12})\.dkr[.-]ecr(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|on\.aws)$/;

/**
 * Splits `registry/repository[:tag][@digest]`. Container runtimes prefix resolved image ids with a scheme
 * (`docker-pullable://`), which is dropped. Undefined for a reference without a registry host, such as a
 * Docker Hub `nginx` or a bare image id `sha256:…`: those never name an ECR repository.
 */
export function parseImageReference(text: string): ImageReference | undefined {
    const reference = text.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
    const at = reference.indexOf("@");
    const name = at === -1 ? reference : reference.slice(0, at);
    const slash = name.indexOf("/");
    if (slash === -1) {
        return undefined;
    }
    const path = name.slice(slash + 1);
    const colon = path.lastIndexOf(":");
    const hasTag = colon > path.lastIndexOf("/");
    return {
        registry: name.slice(0, slash).toLowerCase(),
        repository: hasTag ? path.slice(0, colon) : path,
        ...(hasTag ? { tag: path.slice(colon + 1) } : {}),
        ...(at === -1 ? {} : { digest: reference.slice(at + 1) }),
    };
}

/** Whether the reference pulls from this repository: same account, same region (a replica elsewhere is another repository). */
export function namesRepository(reference: ImageReference, target: EcrRepositoryId): boolean {
    const registry = ECR_REGISTRY.exec(reference.registry);
    return registry !== null && registry[1] === target.registryId && registry[2] === target.region && reference.repository === target.repository;
}

/** The image reference without its tag or digest: `…/app` of `…/app:prod@sha256:…`. */
export function withoutTagOrDigest(image: string): string {
    const at = image.indexOf("@");
    const name = at === -1 ? image : image.slice(0, at);
    const colon = name.lastIndexOf(":");
    return colon > name.lastIndexOf("/") ? name.slice(0, colon) : name;
}
