/** The manifest media types of multi-architecture images: the OCI image index and the Docker manifest list. */
export const INDEX_MEDIA_TYPES: readonly string[] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

/** Whether a manifest media type is a multi-architecture index. */
export function isIndexMediaType(mediaType: string | null | undefined): boolean {
    return typeof mediaType === "string" && INDEX_MEDIA_TYPES.includes(mediaType);
}
