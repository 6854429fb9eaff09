// The type tokens the tests and the demo look for, named once.
export const REPOSITORY_COMPONENT = "ecrx:index:Repository";
export const IMAGE_COMPONENT = "ecrx:index:Image";
export const BUILD_AND_PUSH_IMAGE = "ecrx:index:Repository/buildAndPushImage";
export const ECR_REPOSITORY = "aws:ecr/repository:Repository";
export const LIFECYCLE_POLICY = "aws:ecr/lifecyclePolicy:LifecyclePolicy";
export const REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy";
export const DOCKER_BUILD_IMAGE = "docker-build:index:Image";
export const GET_AUTHORIZATION_TOKEN = "aws:ecr/getAuthorizationToken:getAuthorizationToken";
