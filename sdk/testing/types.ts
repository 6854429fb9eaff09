// The type tokens of what a program that uses ecrx registers and invokes, for finding it in the record.
export const REPOSITORY_COMPONENT = "ecrx:index:Repository";
export const IMAGE_COMPONENT = "ecrx:index:Image";
export const ECR_REPOSITORY = "aws:ecr/repository:Repository";
export const LIFECYCLE_POLICY = "aws:ecr/lifecyclePolicy:LifecyclePolicy";
export const REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy";
export const DOCKER_BUILD_IMAGE = "docker-build:index:Image";
export const GET_AUTHORIZATION_TOKEN = "aws:ecr/getAuthorizationToken:getAuthorizationToken";
export const GET_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity";
export const GET_REGION = "aws:index/getRegion:getRegion";
