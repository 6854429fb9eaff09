// The ecrx SDK. Importing it registers nothing and starts nothing: resources are created only when a
// program constructs them.
import * as lifecycle from "./lifecycle";

export { lifecycle };
export { ValidationError, ValidationProblem } from "./errors";
