// The ecrx SDK. Importing it registers nothing and starts nothing: resources are created only when a
// program constructs them.
import * as lifecycle from "./lifecycle";

export { lifecycle };
export { ValidationError, ValidationProblem } from "./validation/errors";
export { Repository, RepositoryArgs, RepositoryAccess, RepositoryEncryption, ImageTagMutability } from "./repository";
export { Image, ImageArgs, ImageSsh, RegistryCredentials, RepositoryImageArgs, buildAndPushImage } from "./image";
export {
    ExpiredScanIgnore, IgnoredScanFinding, ScanFindings, ScanFindingsImage, ScanGateArgs, ScanGateIgnore, ScanGateSeverity, ScanSeverityCounts,
} from "./scan-gate/types";
